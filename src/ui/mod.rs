//! The faces of chronus: the full-screen TUI ([`tui`]) on a terminal, and plain mode
//! ([`plain`]) for pipes, scripts and agents. Both perform lines through one [`Performer`],
//! drain the [`InboxReceiver`] (OSC, session playback) between key events, share the
//! history and completion, and log to a file instead of the screen.
//!
//! Runs on the control thread (the thread that calls [`run`]).
//!
//! - Mode: the TUI when stdin and stdout are terminals, else plain; `--plain` forces plain,
//!   `--stay` keeps plain mode playing after the end of piped input.
//! - Files: history in `$XDG_DATA_HOME/chronus/history` (one line per entry, 1000 kept),
//!   log in `$XDG_STATE_HOME/chronus/chronus.log` (warnings are counted in the meters pane).
//! - Sources: keyboard lines and inbox lines run the same way; only the keyboard may `quit`;
//!   a remote `status` is answered with the meters line; every accepted line goes to the
//!   [`AcceptedLineHook`] (the session recorder).
//! - Tests: `tests/tui_widgets.rs` (TestBackend + insta snapshots in `tests/snapshots/`;
//!   regenerate after a deliberate change with `INSTA_UPDATE=always cargo test --test
//!   tui_widgets` and review the diff), `tests/tui_tmux.rs` (the binary in tmux),
//!   `tests/plain_pipe.rs` (plain mode through pipes).

pub mod completion;
pub mod line_history;
pub mod logfile;
pub mod plain;
mod plain_input;
mod recording;
pub mod tui;

pub use crate::control::performer::{
    AcceptedLineHook, LineReport, NoRecording, Performer, UiRequest,
};

use crate::control::inbox::{InboxReceiver, LineSource};
use crate::control::Control;
use crate::lang::Vocabulary;
use crate::rt::LiveAudio;
use line_history::LineHistory;
use std::path::PathBuf;

/// Which face to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UiMode {
    /// The full-screen instrument.
    Tui,
    /// One line in, reply lines out.
    Plain,
}

/// The TUI when both stdin and stdout are terminals and plain mode was not asked for.
pub fn choose_mode(plain_asked: bool, stdin_is_terminal: bool, stdout_is_terminal: bool) -> UiMode {
    if plain_asked || !stdin_is_terminal || !stdout_is_terminal {
        UiMode::Plain
    } else {
        UiMode::Tui
    }
}

/// Where the UI keeps its files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UiPaths {
    /// The history file (`None`: history lives in memory only).
    pub history: Option<PathBuf>,
    /// The log file (`None`: log records are dropped).
    pub log: Option<PathBuf>,
}

impl UiPaths {
    /// The XDG locations: `$XDG_DATA_HOME/chronus/history` and `$XDG_STATE_HOME/chronus/chronus.log`.
    pub fn from_xdg() -> UiPaths {
        match directories::ProjectDirs::from("", "", "chronus") {
            Some(dirs) => UiPaths {
                history: Some(dirs.data_dir().join("history")),
                log: Some(
                    dirs.state_dir()
                        .unwrap_or_else(|| dirs.data_local_dir())
                        .join("chronus.log"),
                ),
            },
            None => UiPaths::default(),
        }
    }
}

/// Everything [`run`] needs besides the audio and the inbox.
pub struct UiOptions {
    /// TUI or plain.
    pub mode: UiMode,
    /// Plain mode: keep playing after the end of input.
    pub stay: bool,
    /// History and log file locations.
    pub paths: UiPaths,
    /// Told about every accepted line (the session recorder).
    pub on_accepted: Box<dyn AcceptedLineHook>,
    /// The words chronus understands.
    pub vocabulary: Vocabulary,
    /// Whether `help` lists the fault-injection phrases (`--faults`).
    pub faults_enabled: bool,
    /// Facts to show at the start (`OSC on 127.0.0.1:5005`, the session being played): on
    /// stdout in plain mode, in the log pane in the TUI.
    pub info: Vec<String>,
    /// Warnings to show at the start (the OSC port is taken): on stderr in plain mode, in the
    /// log pane in the TUI.
    pub notices: Vec<String>,
    /// Plain mode does not leave at the end of input while this says true (a session is
    /// still playing).
    pub keep_open: Box<dyn Fn() -> bool>,
    /// Lines performed at once before the UI starts, as if typed (`chronus recover` replays a
    /// journal): (file, line number, phrase). A line that fails is shown as a notice
    /// `FILE:LINE: error`.
    pub replay: Vec<(PathBuf, usize, String)>,
    /// Phrase extensions the performer asks before the language (the MIDI phrases).
    pub extensions: Vec<Box<dyn crate::control::extension::PhraseExtension>>,
    /// The folder of journals `session recover` reads (`None`: the phrase is refused).
    pub journal_dir: Option<PathBuf>,
}

impl UiOptions {
    /// Options for `mode` with XDG paths, no `--stay`, no recording, no fault help.
    pub fn new(mode: UiMode, vocabulary: Vocabulary) -> UiOptions {
        UiOptions {
            mode,
            stay: false,
            paths: UiPaths::from_xdg(),
            on_accepted: Box::new(NoRecording),
            vocabulary,
            faults_enabled: false,
            info: Vec::new(),
            notices: Vec::new(),
            keep_open: Box::new(|| false),
            replay: Vec::new(),
            extensions: Vec::new(),
            journal_dir: None,
        }
    }
}

/// Why the UI stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum UiError {
    /// The terminal could not be set up or drawn to.
    #[error("terminal: {0}")]
    Terminal(std::io::Error),
    /// Plain mode's input could not be read.
    #[error("input: {0}")]
    Input(std::io::Error),
}

/// Performs `lines` in order, as if typed; returns one `FILE:LINE: error` notice per line
/// that failed and one line saying how many were replayed.
fn replay(performer: &mut Performer, lines: &[(PathBuf, usize, String)]) -> Vec<String> {
    let mut notices = Vec::new();
    if lines.is_empty() {
        return notices;
    }
    let mut failed = 0;
    for (file, number, text) in lines {
        // Each line sends a handful of commands; leave the worker room to take them.
        performer.wait_for_room(256, std::time::Duration::from_secs(2));
        let report = performer.run(text, LineSource::Session { line: *number });
        if let Some(error) = report.error_text() {
            failed += 1;
            let last = error.lines().last().unwrap_or_default().to_string();
            notices.push(format!("{}:{number}: {last}", file.display()));
        }
    }
    notices.push(crate::control::session_recover::replayed_line(
        lines.len(),
        failed,
    ));
    notices
}

/// Runs the instrument on the running `audio` until the user leaves, then stops the audio.
/// Lines from `inbox` are performed as if typed.
pub fn run(audio: LiveAudio, inbox: InboxReceiver, options: UiOptions) -> Result<(), UiError> {
    if let Some(path) = &options.paths.log {
        // Without a log file chronus still plays; the records are dropped.
        let _ = logfile::install(path);
    }
    log::info!("chronus started; output {}", audio.output_name);
    if let Some(n) = &audio.notice {
        log::info!("{n}");
    }
    let mut control = Control::new(audio.commands.clone(), audio.meters.clone());
    control.set_faults_enabled(options.faults_enabled);
    let mut notices = options.notices.clone();
    // The words taught in earlier runs, kept in the user vocabulary folder.
    if let Some(file) = crate::control::definitions_file() {
        notices.extend(control.keep_definitions_in(file, &options.vocabulary));
    }
    let mut performer = Performer::new(control, options.vocabulary, options.on_accepted);
    for extension in options.extensions {
        performer.add_extension(extension);
    }
    if let Some(dir) = options.journal_dir {
        performer.set_journal_source(Box::new(crate::session::journal::JournalFolder::new(dir)));
    }
    notices.extend(replay(&mut performer, &options.replay));
    let mut history = match &options.paths.history {
        Some(p) => LineHistory::load(p),
        None => LineHistory::in_memory(),
    };
    let result = match options.mode {
        UiMode::Tui => {
            let start = tui::TuiStart {
                device: audio.output_name.clone(),
                notices: (audio.notice.iter().chain(&notices).chain(&options.info))
                    .cloned()
                    .collect(),
            };
            tui::run(&mut performer, &inbox, &mut history, start).map_err(UiError::Terminal)
        }
        UiMode::Plain => {
            for n in audio.notice.iter().chain(&notices) {
                eprintln!("chronus: {n}");
            }
            let plain_options = plain::PlainOptions {
                stay: options.stay,
                interactive: std::io::IsTerminal::is_terminal(&std::io::stdin()),
                device: audio.output_name.clone(),
                info: options.info.clone(),
            };
            plain::run(
                &mut performer,
                &inbox,
                &mut history,
                &plain_options,
                &*options.keep_open,
            )
            .map_err(UiError::Input)
        }
    };
    log::info!("chronus stopped");
    audio.stop();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tui_needs_both_ends_on_a_terminal_and_no_plain_flag() {
        assert_eq!(choose_mode(false, true, true), UiMode::Tui);
        assert_eq!(choose_mode(true, true, true), UiMode::Plain);
        assert_eq!(choose_mode(false, false, true), UiMode::Plain);
        assert_eq!(choose_mode(false, true, false), UiMode::Plain);
    }
}
