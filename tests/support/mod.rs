//! Shared harness for integration tests that run the real `chronus` binary and its real cpal
//! output on machines without a sound card. Runs on the test thread (plus one reader thread per
//! child pipe). Pull it in with `mod support;` at the top of a file in `tests/`.
//!
//! - [`alsa_config::AlsaConfig`]: an ALSA config in a temp dir that a child reads through
//!   `XDG_CONFIG_HOME` (alsa-lib reads `$XDG_CONFIG_HOME/alsa/asoundrc`). Nothing in /etc or
//!   `$HOME` is touched; the child's `HOME` points into the temp dir so a user's `~/.asoundrc`
//!   cannot leak in.
//! - [`jack_server::JackServer`]: `jackd -r -d dummy` under a unique server name, up with its
//!   playback ports before `start` returns, stopped by `Drop` (also when a test panics).
//! - [`chronus_process::ChronusProcess`]: the `chronus` binary with stdin lines sent when the
//!   test says, stdout lines awaited with a timeout, `status` lines parsed into
//!   [`chronus_process::Status`].
//! - [`tmux_session::TmuxSession`]: the binary in a fixed-size tmux pane, typed at and read.
//! - [`capture`]: reading an ALSA `file` PCM's raw output and finding gaps in a tone.
#![allow(dead_code)]
#![allow(unsafe_code)]

pub mod alsa_config;
pub mod capture;
pub mod chronus_process;
pub mod jack_server;
pub mod tmux_session;

use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// How long the harness waits for anything before it gives up and fails the test. This is a
/// safety net for hangs, not a speed claim: on a busy machine things may take a while.
pub const PATIENCE: Duration = Duration::from_secs(20);

static UNIQUE: AtomicU32 = AtomicU32::new(0);

/// A name no other test (in this or another process) uses at the same time.
pub fn unique_name(prefix: &str) -> String {
    format!(
        "{prefix}{}x{}",
        std::process::id(),
        UNIQUE.fetch_add(1, Ordering::Relaxed)
    )
}

/// Makes a child get SIGTERM when the thread that spawned it dies, so nothing outlives a test
/// process that was killed outright (Drop guards handle every ordinary exit).
pub fn die_with_parent(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: the closure runs in the forked child before exec and only makes one
    // async-signal-safe system call.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
}
