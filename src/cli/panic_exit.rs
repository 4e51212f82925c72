//! The binary's panic hook. A panic on a DSP worker thread ("chronus-dsp-N") is the
//! supervisor's business: it is caught there and the standby takes over, so the hook stays
//! quiet. A panic anywhere else (the UI, the parser, an output thread) is fatal: the hook fades
//! the audio out, runs the registered cleanups (the terminal UI registers one that restores the
//! terminal), prints one clean line and exits with status 101, instead of leaving a corrupt
//! terminal and a backtrace.
//!
//! The hook runs on whichever thread panicked; cleanups must not panic themselves.

use std::panic::PanicHookInfo;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Cleanup = Box<dyn Fn() + Send + Sync>;

static CLEANUPS: Mutex<Vec<Cleanup>> = Mutex::new(Vec::new());

/// Exit status after a fatal panic (the same as Rust's default).
pub const PANIC_EXIT_STATUS: i32 = 101;

/// Installs the hook. Call once, first thing in `main`.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        let thread = std::thread::current();
        if is_supervised(thread.name().unwrap_or("")) {
            return;
        }
        run_cleanups();
        eprintln!("{}", describe(info));
        std::process::exit(PANIC_EXIT_STATUS);
    }));
}

/// Registers `cleanup` to run (in registration order) before the process exits on a panic.
pub fn on_panic(cleanup: impl Fn() + Send + Sync + 'static) {
    CLEANUPS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(Box::new(cleanup));
}

/// Registers a cleanup that fades the output to silence and gives the fade time to play.
pub fn mute_on_panic(mute: Arc<AtomicBool>) {
    on_panic(move || {
        mute.store(true, Ordering::Release);
        std::thread::sleep(Duration::from_millis(30));
    });
}

fn run_cleanups() {
    // `try_lock`: a panic inside a cleanup (or while registering one) must not deadlock here.
    if let Ok(cleanups) = CLEANUPS.try_lock() {
        for cleanup in cleanups.iter() {
            cleanup();
        }
    }
}

/// True for threads whose panics the supervisor handles.
fn is_supervised(thread_name: &str) -> bool {
    thread_name.starts_with("chronus-dsp")
}

/// The one line printed for a fatal panic.
fn describe(info: &PanicHookInfo<'_>) -> String {
    let payload = info.payload();
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned());
    let location = info
        .location()
        .map(|l| format!("{}:{}", l.file(), l.line()));
    format_report(message.as_deref(), location.as_deref())
}

fn format_report(message: Option<&str>, location: Option<&str>) -> String {
    format!(
        "chronus: internal error: {}{}; audio stopped. Please report this.",
        message.unwrap_or("unknown panic"),
        location.map(|l| format!(" (at {l})")).unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worker_threads_are_left_to_the_supervisor() {
        assert!(is_supervised("chronus-dsp-3"));
        assert!(!is_supervised("main"));
        assert!(!is_supervised("chronus-null-out"));
        assert!(!is_supervised("chronus-supervisor"));
    }

    #[test]
    fn a_fatal_panic_is_reported_on_one_line() {
        let line = format_report(Some("index out of bounds"), Some("src/lang/parse.rs:12"));
        assert_eq!(
            line,
            "chronus: internal error: index out of bounds (at src/lang/parse.rs:12); audio \
             stopped. Please report this."
        );
        assert!(!format_report(None, None).contains('\n'));
    }

    #[test]
    fn cleanups_run_in_order() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        for i in 0..2 {
            let seen = seen.clone();
            on_panic(move || seen.lock().unwrap_or_else(|e| e.into_inner()).push(i));
        }
        run_cleanups();
        assert_eq!(*seen.lock().unwrap_or_else(|e| e.into_inner()), [0, 1]);
    }
}
