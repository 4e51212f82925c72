//! The full-screen instrument (ratatui + crossterm): draws the panes, handles keys, drains the
//! inbox between key events and refreshes the meters 20 times a second.
//!
//! Runs on the control thread, which is also the UI thread. It never waits on audio: lines
//! become commands pushed into the non-blocking command ring, and meters are atomics read
//! into a snapshot.

pub mod app;
pub mod editor;
pub mod help_pane;
pub mod input_pane;
pub mod lesson_pane;
pub mod log_pane;
pub mod log_view;
pub mod meter_view;
pub mod meters_pane;
pub mod patch_pane;
pub mod screen;
mod terminal;

use self::app::{App, KeyOutcome};
use self::log_view::LogKind;
use super::completion::WordCompleter;
use super::line_history::LineHistory;
use crate::control::inbox::{InboxReceiver, LineSource};
use crate::control::performer::{LineReport, Performer};
use crossterm::event::{self, Event, KeyEventKind};
use std::time::{Duration, Instant};

/// How often the meters are read and redrawn (20 Hz: within the 10–30 Hz the pane promises).
pub const METER_PERIOD: Duration = Duration::from_millis(50);
/// The longest a line from the inbox (OSC, MIDI, a session) waits before it is performed.
const INBOX_POLL: Duration = Duration::from_millis(2);

/// Test hook: when this environment variable holds a line, submitting exactly that line
/// panics on the UI thread, so the end-to-end test can prove the terminal is restored.
pub const PANIC_LINE_VAR: &str = "CHRONUS_TEST_PANIC_LINE";

/// Startup facts the TUI shows in its log.
#[derive(Clone, Debug, Default)]
pub struct TuiStart {
    /// Output device name.
    pub device: String,
    /// Notices to show first (e.g. why the null device is playing).
    pub notices: Vec<String>,
}

/// Runs the full-screen instrument until the user leaves. The terminal is restored on every
/// way out: return, error and panic.
pub fn run(
    performer: &mut Performer,
    inbox: &InboxReceiver,
    history: &mut LineHistory,
    start: TuiStart,
) -> std::io::Result<()> {
    let mut session = terminal::TerminalSession::enter()?;
    let completer = WordCompleter::new(performer.completion_words());
    let mut app = App::new(&start.device, *performer.patch());
    performer.show_lessons_in_pane();
    for notice in start.notices {
        app.log.push(LogKind::Notice, notice);
    }
    app.log.push(
        LogKind::Notice,
        "chronus — type a phrase and press Enter; F1 for help, Ctrl-C to leave",
    );
    app.log.push(
        LogKind::Notice,
        "new here? type `tutorial` for ten short lessons",
    );
    let panic_line = std::env::var(PANIC_LINE_VAR).ok();
    let mut next_meters = Instant::now();
    let mut dirty = true;
    loop {
        for line in inbox.drain() {
            let report = performer.run_incoming(line);
            if report.taught {
                completer.replace(performer.completion_words());
            }
            show(&mut app, &report, performer);
            dirty = true;
        }
        let now = Instant::now();
        if now >= next_meters {
            app.meters.update(
                performer.meters().snapshot(),
                now,
                super::logfile::warning_count(),
            );
            next_meters = now + METER_PERIOD;
            dirty = true;
        }
        if app.quit {
            break;
        }
        if dirty {
            session.terminal.draw(|f| screen::draw(f, &app))?;
            dirty = false;
        }
        // Wake often enough that inbox lines (MIDI keys above all) sound without a lag.
        let wait = next_meters
            .saturating_duration_since(Instant::now())
            .min(INBOX_POLL);
        if !event::poll(wait)? {
            continue;
        }
        // Take every event that is already waiting before drawing again.
        loop {
            match event::read()? {
                Event::Key(key) if key.kind != KeyEventKind::Release => {
                    match app.handle_key(key, history, &completer) {
                        KeyOutcome::Nothing => {}
                        KeyOutcome::Quit => break,
                        KeyOutcome::Repaint => session.terminal.clear()?,
                        KeyOutcome::Submit(line) => {
                            if panic_line.as_deref() == Some(line.as_str()) {
                                panic!("{PANIC_LINE_VAR}: deliberate panic on the UI thread");
                            }
                            history.push(&line);
                            let report = performer.run(&line, LineSource::Keyboard);
                            if report.taught {
                                completer.replace(performer.completion_words());
                            }
                            show(&mut app, &report, performer);
                        }
                    }
                }
                Event::Paste(text) => app.paste(&text),
                Event::Resize(..) => session.terminal.autoresize()?,
                _ => {}
            }
            dirty = true;
            if app.quit || !event::poll(Duration::ZERO)? {
                break;
            }
        }
    }
    session.leave()
}

fn show(app: &mut App, report: &LineReport, performer: &Performer) {
    if report.quiet {
        return;
    }
    app.apply_report(report, performer.patch());
    app.show_lesson(performer.tutorial());
}
