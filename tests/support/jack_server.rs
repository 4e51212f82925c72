//! A JACK server with the dummy driver for real-time-paced tests (test thread).

use super::{die_with_parent, unique_name, PATIENCE};
use std::fs;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `jackd -R -d dummy` (or `-r` where real-time scheduling is not permitted) under
/// a unique server name. Dropping it stops the server.
pub struct JackServer {
    child: Option<Child>,
    name: String,
    dir: tempfile::TempDir,
}

impl JackServer {
    /// Starts a JACK server with the dummy driver (real-time pace, no sound card, no real-time
    /// privileges) at `rate` Hz with `period` frames, 2 playback ports and no capture ports,
    /// and waits until its `system:playback_1/2` ports exist. The error says why it could not.
    pub fn start(rate: u32, period: u32) -> Result<JackServer, String> {
        let name = unique_name("chronus");
        let dir = tempfile::Builder::new()
            .prefix("chronus-jackd-")
            .tempdir()
            .map_err(|e| format!("cannot create a temp dir for jackd: {e}"))?;
        let log = fs::File::create(dir.path().join("jackd.log"))
            .map_err(|e| format!("cannot create the jackd log: {e}"))?;
        let log2 = log
            .try_clone()
            .map_err(|e| format!("cannot share the jackd log: {e}"))?;
        let mut cmd = Command::new("jackd");
        // Real-time (-R) where this process may have it, so the server's clock holds up
        // under load like a real one; otherwise -r (no real-time).
        let realtime = if realtime_permitted() { "-R" } else { "-r" };
        cmd.args(["-n", &name, realtime, "-d", "dummy"])
            .args(["-r", &rate.to_string(), "-p", &period.to_string()])
            .args(["-C", "0", "-P", "2"])
            .env("JACK_NO_AUDIO_RESERVATION", "1")
            .env("HOME", dir.path())
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2);
        die_with_parent(&mut cmd);
        let child = cmd.spawn().map_err(|e| {
            format!("cannot run jackd ({e}); install the Debian package jackd2 (`make test-deps`)")
        })?;
        let mut server = JackServer {
            child: Some(child),
            name,
            dir,
        };
        server.wait_until_ready(PATIENCE)?;
        Ok(server)
    }

    /// The server name (`jackd -n`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What jackd printed so far.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("jackd.log")).unwrap_or_default()
    }

    /// Makes `cmd`'s JACK clients (the ALSA `jack` PCM included) use this server.
    pub fn apply<'c>(&self, cmd: &'c mut Command) -> &'c mut Command {
        cmd.env("JACK_DEFAULT_SERVER", &self.name)
            .env("JACK_NO_START_SERVER", "1")
    }

    fn wait_until_ready(&mut self, patience: Duration) -> Result<(), String> {
        let start = Instant::now();
        loop {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    return Err(format!(
                        "jackd exited ({status}) before it was ready; its log:\n{}",
                        self.log()
                    ));
                }
            }
            let ports = Command::new("jack_lsp")
                .args(["-s", &self.name])
                .env("JACK_NO_START_SERVER", "1")
                .stdin(Stdio::null())
                .stderr(Stdio::null())
                .output()
                .map_err(|e| format!("cannot run jack_lsp ({e}); install jackd2"))?;
            let listed = String::from_utf8_lossy(&ports.stdout);
            if listed.contains("system:playback_1") && listed.contains("system:playback_2") {
                return Ok(());
            }
            if start.elapsed() > patience {
                return Err(format!(
                    "jackd \"{}\" did not show its playback ports within {patience:?}; its log:\n{}",
                    self.name,
                    self.log()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the server (SIGTERM, then SIGKILL if it does not exit within 5 s).
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if let Ok(pid) = libc::pid_t::try_from(child.id()) {
            // SAFETY: plain kill(2) on our own child, which has not been waited for yet, so
            // the pid cannot have been reused.
            unsafe {
                libc::kill(pid, libc::SIGTERM);
            }
        }
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for JackServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// True when this process may use SCHED_FIFO (`chrt -f 10 true` works).
pub fn realtime_permitted() -> bool {
    Command::new("chrt")
        .args(["-f", "10", "true"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
