//! Plain mode driven through a pipe, the way scripts and AI agents use it: one reply line per
//! action, errors with their caret, `status` as key=value pairs, exit after the release at the
//! end of input (or stay with `--stay`), history and log files in the XDG dirs.

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Run {
    stdout: String,
    stderr: String,
    code: Option<i32>,
    elapsed: Duration,
}

fn chronus(home: &std::path::Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_chronus"));
    // Tests never bind the real OSC port 5005.
    c.args(args)
        .arg("--no-osc")
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

fn pipe(home: &std::path::Path, args: &[&str], input: &str) -> Run {
    let start = Instant::now();
    let mut child = chronus(home, args).spawn().expect("spawn chronus");
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input.as_bytes()).expect("write to chronus");
    }
    let out = child.wait_with_output().expect("wait for chronus");
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code(),
        elapsed: start.elapsed(),
    }
}

#[test]
fn piped_phrases_play_reply_one_line_each_and_exit_after_the_release() {
    let home = tempfile::tempdir().expect("temp home");
    let run = pipe(
        home.path(),
        &["--plain", "--output", "null"],
        "osc saw\ngate on\n",
    );
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.is_empty(), "nothing on stderr: {}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines[0].contains("output: null"), "{}", run.stdout);
    assert_eq!(
        lines.len(),
        4,
        "banner + one reply per action + where the session was autosaved:\n{}",
        run.stdout
    );
    assert!(lines[1].starts_with("osc.wave"), "{}", run.stdout);
    assert_eq!(lines[2], "gate on");
    let autosave = home.path().join("data").join("chronus").join("autosave");
    assert!(
        lines[3].starts_with(&format!("session autosaved to {}", autosave.display())),
        "{}",
        run.stdout
    );
    // The default release is 0.3 s: the sound is let go before chronus leaves.
    assert!(
        run.elapsed >= Duration::from_millis(300),
        "{:?}",
        run.elapsed
    );
    assert!(run.elapsed < Duration::from_secs(15), "{:?}", run.elapsed);
}

#[test]
fn an_error_shows_the_caret_under_the_word_and_the_rest_still_runs() {
    let home = tempfile::tempdir().expect("temp home");
    let run = pipe(
        home.path(),
        &["--plain", "--output", "null"],
        "flitter darker\nfilter darker\n",
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let at = lines
        .iter()
        .position(|l| *l == "flitter darker")
        .unwrap_or_else(|| panic!("the line is shown with its error:\n{}", run.stdout));
    assert_eq!(lines[at + 1], "^^^^^^^");
    assert!(lines[at + 2].starts_with("error: "), "{}", run.stdout);
    assert!(
        lines[at + 2].contains("did you mean \"filter\""),
        "{}",
        run.stdout
    );
    assert!(
        lines[at + 3].starts_with("filter.cutoff 2000 → 1400"),
        "{}",
        run.stdout
    );
}

#[test]
fn status_prints_the_meters_as_one_line_of_key_value_pairs() {
    let home = tempfile::tempdir().expect("temp home");
    let run = pipe(home.path(), &["--plain", "--output", "null"], "status\n");
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let status = run
        .stdout
        .lines()
        .find(|l| l.contains("underruns="))
        .unwrap_or_else(|| panic!("no status line:\n{}", run.stdout));
    for pair in status.split_whitespace() {
        let (key, value) = pair
            .split_once('=')
            .unwrap_or_else(|| panic!("{pair:?} in {status}"));
        assert!(!key.is_empty() && !value.is_empty(), "{pair:?}");
    }
    for key in ["blocks_played=", "latency_ms=", "rate=44100", "buffer="] {
        assert!(status.contains(key), "{key} missing: {status}");
    }
}

#[test]
fn quit_stops_reading_and_leaves_at_once() {
    let home = tempfile::tempdir().expect("temp home");
    let run = pipe(
        home.path(),
        &["--plain", "--output", "null"],
        "gate on\nquit\nfilter darker\n",
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.contains("gate on"), "{}", run.stdout);
    assert!(!run.stdout.contains("filter.cutoff"), "{}", run.stdout);
}

#[test]
fn piped_input_chooses_plain_mode_without_the_flag() {
    let home = tempfile::tempdir().expect("temp home");
    let run = pipe(home.path(), &["--output", "null"], "gate on\n");
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        !run.stdout.contains('\u{1b}'),
        "no terminal escapes: {:?}",
        run.stdout
    );
    assert!(run.stdout.lines().any(|l| l == "gate on"), "{}", run.stdout);
}

#[test]
fn lines_go_to_the_shared_history_and_the_log_file_to_the_state_dir() {
    let home = tempfile::tempdir().expect("temp home");
    let run = pipe(
        home.path(),
        &["--plain", "--output", "null"],
        "gate on\nflitter\n\ngate off\n",
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let history = std::fs::read_to_string(home.path().join("data/chronus/history"))
        .expect("a history file in XDG_DATA_HOME");
    assert_eq!(history, "gate on\nflitter\ngate off\n");
    let log = std::fs::read_to_string(home.path().join("state/chronus/chronus.log"))
        .expect("a log file in XDG_STATE_HOME");
    assert!(log.contains("chronus started"), "{log}");
}

fn still_running_after(child: &mut Child, wait: Duration) -> bool {
    let end = Instant::now() + wait;
    while Instant::now() < end {
        if matches!(child.try_wait(), Ok(Some(_))) {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    true
}

#[test]
fn stay_keeps_playing_after_the_end_of_input() {
    let home = tempfile::tempdir().expect("temp home");
    let mut child = chronus(home.path(), &["--plain", "--stay", "--output", "null"])
        .spawn()
        .expect("spawn chronus");
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(b"gate on\n").expect("write");
    }
    let stayed = still_running_after(&mut child, Duration::from_secs(2));
    let _ = child.kill();
    let out = child.wait_with_output().expect("wait");
    assert!(stayed, "--stay left at the end of input");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.lines().any(|l| l == "gate on"), "{stdout}");
}
