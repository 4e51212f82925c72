//! A private tmux server with one detached session of a fixed size running an interactive
//! shell in a temporary home, driven with `send-keys` and read back with `capture-pane -p`.
//! Every wait polls the screen until the expected text appears ([`super::PATIENCE`] at most),
//! so a busy machine only makes a test slower, never wrong. A machine without tmux fails the
//! test with what to install. The server is killed on drop.

use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const PROMPT: &str = "chronus-test$ ";

/// One tmux session.
pub struct TmuxSession {
    socket: String,
    _home: tempfile::TempDir,
}

impl TmuxSession {
    /// A `width`×`height` session with a shell prompt; panics (saying what to install) when
    /// tmux is missing.
    pub fn start(width: u16, height: u16) -> TmuxSession {
        if Command::new("tmux").arg("-V").output().is_err() {
            panic!(
                "this test drives chronus in tmux, and tmux is not installed: \
                 install it (Debian/Ubuntu: `apt-get install tmux`; `make test` does it)"
            );
        }
        let home = tempfile::tempdir().expect("temp home");
        static SESSIONS: AtomicUsize = AtomicUsize::new(0);
        let socket = format!(
            "chronus-tutorial-{}-{}",
            std::process::id(),
            SESSIONS.fetch_add(1, Ordering::Relaxed)
        );
        let shell = format!(
            "env -u TMUX HOME={h} XDG_DATA_HOME={h}/data XDG_STATE_HOME={h}/state \
             XDG_CONFIG_HOME={h}/config PS1='{PROMPT}' bash --norc --noprofile -i",
            h = home.path().display()
        );
        let session = TmuxSession {
            socket,
            _home: home,
        };
        let out = session.run(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "main",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            &shell,
        ]);
        assert!(out.status.success(), "tmux new-session: {out:?}");
        session.wait_for("the shell prompt", |s| s.contains(PROMPT.trim_end()));
        session
    }

    /// Runs a tmux command on this server (`resize-window ...`).
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .env_remove("TMUX")
            .output()
            .expect("run tmux")
    }

    /// The temporary home the shell runs in (`HOME`, and the XDG dirs under it).
    pub fn home(&self) -> &std::path::Path {
        self._home.path()
    }

    /// Types `text` literally (no key names).
    pub fn type_text(&self, text: &str) {
        let out = self.run(&["send-keys", "-t", "main", "-l", text]);
        assert!(out.status.success(), "send-keys: {out:?}");
    }

    /// Types `text` literally, then Enter.
    pub fn line(&self, text: &str) {
        self.type_text(text);
        let out = self.run(&["send-keys", "-t", "main", "Enter"]);
        assert!(out.status.success(), "send-keys Enter: {out:?}");
    }

    /// Presses a named key (`C-c`).
    pub fn press(&self, key: &str) {
        let out = self.run(&["send-keys", "-t", "main", key]);
        assert!(out.status.success(), "send-keys {key}: {out:?}");
    }

    /// The screen as text.
    pub fn capture(&self) -> String {
        let out = self.run(&["capture-pane", "-p", "-t", "main"]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Polls the screen until `ok` holds and returns it; fails with the last screen after
    /// [`super::PATIENCE`].
    pub fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.capture();
            if ok(&screen) {
                return screen;
            }
            if start.elapsed() > super::PATIENCE {
                panic!(
                    "timed out after {:?} waiting for {what}; the screen was:\n{screen}",
                    super::PATIENCE
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for TmuxSession {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}
