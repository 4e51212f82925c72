//! The real `chronus` binary as a child process with timed stdin (test thread, plus one reader
//! thread per output pipe).

use super::{die_with_parent, PATIENCE};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The chronus binary cargo built for this test run.
pub const CHRONUS: &str = env!("CARGO_BIN_EXE_chronus");

/// A `Command` for the chronus binary with `args`, its OSC server on a free port (tests never
/// take the default port 5005).
pub fn chronus_command(args: &[&str]) -> Command {
    let mut cmd = Command::new(CHRONUS);
    cmd.args(args).args(["--osc-port", "0"]);
    cmd
}

/// Runs chronus to the end with no input and returns what it did.
pub fn run_to_end(mut cmd: Command) -> Finished {
    let process = ChronusProcess::spawn(&mut cmd);
    process.finish(PATIENCE)
}

/// A chronus process whose stdin the test writes line by line.
pub struct ChronusProcess {
    child: Option<Child>,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    stdout: Vec<String>,
    stderr: Option<JoinHandle<String>>,
}

/// How a chronus process ended.
#[derive(Debug)]
pub struct Finished {
    /// Its exit status.
    pub status: ExitStatus,
    /// Every stdout line.
    pub stdout: Vec<String>,
    /// All of stderr.
    pub stderr: String,
}

impl Finished {
    /// The stderr lines that are not empty.
    pub fn stderr_lines(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect()
    }
}

impl ChronusProcess {
    /// Spawns `cmd` with piped stdin, stdout and stderr.
    pub fn spawn(cmd: &mut Command) -> ChronusProcess {
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        die_with_parent(cmd);
        let mut child = cmd.spawn().expect("spawn chronus");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("chronus stdout is piped");
        let mut stderr = child.stderr.take().expect("chronus stderr is piped");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        ChronusProcess {
            child: Some(child),
            stdin,
            lines,
            stdout: Vec::new(),
            stderr: Some(stderr),
        }
    }

    /// Sends one line to chronus's stdin.
    pub fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        writeln!(stdin, "{line}")
            .and_then(|()| stdin.flush())
            .unwrap_or_else(|e| panic!("cannot send \"{line}\" to chronus ({e}); {}", self.seen()));
    }

    /// Waits for the next stdout line that satisfies `wanted` and returns it; panics with
    /// everything seen so far if none comes within `patience`.
    pub fn expect_line(&mut self, what: &str, wanted: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let left = PATIENCE.saturating_sub(start.elapsed());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.stdout.push(line.clone());
                    if wanted(&line) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!(
                        "no {what} from chronus within {PATIENCE:?}; {}",
                        self.seen()
                    )
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!(
                        "chronus closed stdout before {what}; {}",
                        self.seen_and_stderr()
                    )
                }
            }
        }
    }

    /// Sends `status` and returns the parsed reply.
    pub fn status(&mut self) -> Status {
        self.send("status");
        let line = self.expect_line("status line", |l| Status::parse(l).is_some());
        Status::parse(&line).expect("checked by expect_line")
    }

    /// Asks for `status` until `done` holds for it (every 50 ms, up to [`PATIENCE`]).
    pub fn status_until(&mut self, what: &str, done: impl Fn(&Status) -> bool) -> Status {
        let start = Instant::now();
        loop {
            let status = self.status();
            if done(&status) {
                return status;
            }
            if start.elapsed() > PATIENCE {
                panic!(
                    "chronus never reached: {what} (within {PATIENCE:?}); last status: {}",
                    status.line
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Closes stdin (after which chronus should exit), waits up to `patience`, and returns how
    /// it ended. Panics (after killing it) if it does not exit.
    pub fn finish(mut self, patience: Duration) -> Finished {
        drop(self.stdin.take());
        let mut child = self.child.take().expect("finish runs once");
        let start = Instant::now();
        let status = loop {
            if let Ok(Some(status)) = child.try_wait() {
                break status;
            }
            if start.elapsed() > patience {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "chronus did not exit within {patience:?} after its input ended; {}",
                    self.seen_and_stderr()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let stderr = self.take_stderr();
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(2)) {
            self.stdout.push(line);
        }
        Finished {
            status,
            stdout: std::mem::take(&mut self.stdout),
            stderr,
        }
    }

    fn take_stderr(&mut self) -> String {
        self.stderr
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default()
    }

    fn seen(&self) -> String {
        format!("stdout so far:\n{}", self.stdout.join("\n"))
    }

    fn seen_and_stderr(&mut self) -> String {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let stderr = self.take_stderr();
        format!("{}\nstderr:\n{stderr}", self.seen())
    }
}

impl Drop for ChronusProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The `status` line

/// A parsed `status` line (`key=value` pairs, as `MeterSnapshot::to_key_values` prints them).
#[derive(Clone, Debug)]
pub struct Status {
    /// The line as printed.
    pub line: String,
    values: HashMap<String, String>,
}

impl Status {
    /// Parses a status line; `None` for any other line.
    pub fn parse(line: &str) -> Option<Status> {
        let values: HashMap<String, String> = line
            .split_whitespace()
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        (values.contains_key("underruns") && values.contains_key("blocks_played")).then(|| Status {
            line: line.to_string(),
            values,
        })
    }

    /// The raw text of `key`.
    pub fn text(&self, key: &str) -> &str {
        self.values
            .get(key)
            .unwrap_or_else(|| panic!("status has no {key}: {}", self.line))
    }

    /// `key` as a count.
    pub fn count(&self, key: &str) -> u64 {
        let text = self.text(key);
        text.parse()
            .unwrap_or_else(|_| panic!("status {key}={text} is not a count: {}", self.line))
    }

    /// `key` as a number (a trailing `%` is ignored).
    pub fn number(&self, key: &str) -> f64 {
        let text = self.text(key).trim_end_matches('%');
        text.parse()
            .unwrap_or_else(|_| panic!("status {key}={text} is not a number: {}", self.line))
    }
}
