//! Entering and leaving full-screen mode: raw mode, the alternate screen, bracketed paste,
//! and a panic hook that restores the terminal before the panic is printed.
//!
//! Runs on the control (UI) thread; the panic hook runs on whichever thread panics.

use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::execute;
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use std::io::{stdout, Stdout};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, Once};
use std::thread::ThreadId;

/// Whether the terminal is in full-screen mode now.
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// The thread that owns the screen.
static UI_THREAD: Mutex<Option<ThreadId>> = Mutex::new(None);
static HOOK: Once = Once::new();

/// Puts the terminal back the way it was. Safe to call more than once.
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let _ = disable_raw_mode();
        let _ = execute!(stdout(), DisableBracketedPaste, LeaveAlternateScreen);
        let _ = execute!(stdout(), crossterm::cursor::Show);
    }
}

fn is_ui_thread() -> bool {
    let ui = UI_THREAD.lock().map(|g| *g).unwrap_or(None);
    ui == Some(std::thread::current().id())
}

/// Threads whose panics the supervisor catches and survives (a standby takes over).
const SUPERVISED_THREAD_PREFIX: &str = "chronus-dsp";

/// Installs (once) a panic hook around the one already there. While the screen is up, a
/// panic on a supervised DSP worker goes to the log file (the supervisor replaces the worker;
/// the screen stays intact); any other panic restores the terminal first and then runs the
/// previous hook, which prints it (and, in the binary, exits).
fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let thread = std::thread::current();
            let name = thread.name().unwrap_or("unnamed");
            if !ACTIVE.load(Ordering::SeqCst) {
                previous(info);
            } else if name.starts_with(SUPERVISED_THREAD_PREFIX) && !is_ui_thread() {
                log::error!("worker thread {name} panicked (the supervisor replaces it): {info}");
            } else {
                restore();
                previous(info);
            }
        }));
    });
}

/// The terminal in full-screen mode; dropping it restores the terminal.
pub struct TerminalSession {
    /// The ratatui terminal drawing to stdout.
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl TerminalSession {
    /// Enters full-screen mode.
    pub fn enter() -> std::io::Result<TerminalSession> {
        install_panic_hook();
        if let Ok(mut ui) = UI_THREAD.lock() {
            *ui = Some(std::thread::current().id());
        }
        ACTIVE.store(true, Ordering::SeqCst);
        let entered = enable_raw_mode()
            .and_then(|()| execute!(stdout(), EnterAlternateScreen, EnableBracketedPaste))
            .and_then(|()| Terminal::new(CrosstermBackend::new(stdout())));
        match entered {
            Ok(terminal) => Ok(TerminalSession { terminal }),
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }

    /// Leaves full-screen mode.
    pub fn leave(self) -> std::io::Result<()> {
        drop(self);
        Ok(())
    }
}

impl Drop for TerminalSession {
    fn drop(&mut self) {
        let _ = self.terminal.show_cursor();
        restore();
    }
}
