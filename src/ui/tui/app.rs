//! The TUI's state (`App`) and what keys do to it: input editing, history recall and Ctrl-R
//! search, Tab completion, log scrolling, the help overlay. Widgets render from `&App`.
//!
//! Runs on the control (UI) thread. Never touches audio: a submitted line is handed back to
//! the loop, which performs it.

use super::editor::LineEditor;
use super::log_view::{LogKind, LogView};
use super::meter_view::MeterView;
use crate::control::performer::{LineReport, UiRequest};
use crate::engine::params::ParamId;
use crate::engine::PatchState;
use crate::tutorial::{Lesson, Tutorial};
use crate::ui::completion::WordCompleter;
use crate::ui::line_history::LineHistory;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::cell::Cell;

/// A Ctrl-R search through the history.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HistorySearch {
    /// What is searched for.
    pub query: String,
    /// Index of the entry found, if any.
    pub found: Option<usize>,
}

/// What a key asks of the loop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyOutcome {
    /// Nothing beyond redrawing.
    Nothing,
    /// Perform this line.
    Submit(String),
    /// Clear and repaint the whole screen (Ctrl-L).
    Repaint,
    /// Leave chronus.
    Quit,
}

/// Everything the screen shows.
#[derive(Debug)]
pub struct App {
    /// The input line.
    pub editor: LineEditor,
    /// The reply/log pane's contents.
    pub log: LogView,
    /// The patch as last performed.
    pub patch: PatchState,
    /// The parameter changed most recently.
    pub last_changed: Option<ParamId>,
    /// The meters.
    pub meters: MeterView,
    /// Name of the output device.
    pub device: String,
    /// Whether the help overlay is open.
    pub show_help: bool,
    /// The Ctrl-R search, while it is active.
    pub search: Option<HistorySearch>,
    /// A one-line hint under the input (completion candidates).
    pub hint: Option<String>,
    /// Set when the user asked to leave.
    pub quit: bool,
    /// The tutorial's current lesson and how many there are, while it is open.
    pub lesson: Option<(Lesson, usize)>,
    history_pos: Option<usize>,
    draft: String,
    /// Rows of the log pane at the last draw (a PgUp/PgDn page).
    pub log_page: Cell<u16>,
}

impl App {
    /// A fresh screen for output `device`, starting from `patch`.
    pub fn new(device: &str, patch: PatchState) -> Self {
        App {
            editor: LineEditor::default(),
            log: LogView::default(),
            patch,
            last_changed: None,
            meters: MeterView::default(),
            device: device.to_string(),
            show_help: false,
            search: None,
            hint: None,
            quit: false,
            lesson: None,
            history_pos: None,
            draft: String::new(),
            log_page: Cell::new(5),
        }
    }

    /// Shows what a performed line did, and acts on its UI requests.
    pub fn apply_report(&mut self, report: &LineReport, patch: &PatchState) {
        self.log.push_report(report);
        self.patch = *patch;
        if let Some(p) = report.changed.last() {
            self.last_changed = Some(*p);
        }
        for request in &report.requests {
            match request {
                UiRequest::Status => self
                    .log
                    .push(LogKind::Notice, self.meters.snapshot.to_key_values()),
                UiRequest::Help => self.show_help = true,
                UiRequest::Quit => self.quit = true,
            }
        }
    }

    /// Shows the tutorial's current lesson in place of the patch pane, or the patch again
    /// once the tutorial is closed.
    pub fn show_lesson(&mut self, tutorial: &Tutorial) {
        self.lesson = tutorial
            .current()
            .map(|l| (l.clone(), tutorial.lessons().len()));
    }

    /// Handles one key press.
    pub fn handle_key(
        &mut self,
        key: KeyEvent,
        history: &LineHistory,
        completer: &WordCompleter,
    ) -> KeyOutcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        if ctrl && key.code == KeyCode::Char('c') {
            self.quit = true;
            return KeyOutcome::Quit;
        }
        if self.search.is_some() {
            if let Some(outcome) = self.search_key(key, history) {
                return outcome;
            }
        }
        if key.code != KeyCode::Tab {
            self.hint = None;
        }
        let page = usize::from(self.log_page.get().max(1));
        match (key.code, ctrl, alt) {
            (KeyCode::Char('d'), true, _) if self.editor.text().is_empty() => {
                self.quit = true;
                return KeyOutcome::Quit;
            }
            (KeyCode::Char('d'), true, _) | (KeyCode::Delete, _, _) => self.editor.delete(),
            (KeyCode::Enter, _, _) => return self.submit(),
            (KeyCode::F(1), _, _) => self.show_help = !self.show_help,
            (KeyCode::Esc, _, _) => self.show_help = false,
            (KeyCode::Char('l'), true, _) => return KeyOutcome::Repaint,
            (KeyCode::Char('r'), true, _) => {
                self.search = Some(HistorySearch::default());
            }
            (KeyCode::Tab, _, _) => self.complete(completer),
            (KeyCode::Up, _, _) | (KeyCode::Char('p'), true, _) => self.recall_older(history),
            (KeyCode::Down, _, _) | (KeyCode::Char('n'), true, _) => self.recall_newer(history),
            (KeyCode::PageUp, _, _) => self.log.scroll_up(page),
            (KeyCode::PageDown, _, _) => self.log.scroll_down(page),
            (KeyCode::Left, true, _) | (KeyCode::Char('b'), _, true) => self.editor.word_left(),
            (KeyCode::Right, true, _) | (KeyCode::Char('f'), _, true) => self.editor.word_right(),
            (KeyCode::Left, _, _) | (KeyCode::Char('b'), true, _) => self.editor.left(),
            (KeyCode::Right, _, _) | (KeyCode::Char('f'), true, _) => self.editor.right(),
            (KeyCode::Home, _, _) | (KeyCode::Char('a'), true, _) => self.editor.home(),
            (KeyCode::End, _, _) | (KeyCode::Char('e'), true, _) => self.editor.end(),
            (KeyCode::Backspace, _, true) | (KeyCode::Char('w'), true, _) => {
                self.editor.delete_word_before()
            }
            (KeyCode::Char('d'), _, true) => self.editor.delete_word_after(),
            (KeyCode::Backspace, _, _) | (KeyCode::Char('h'), true, _) => self.editor.backspace(),
            (KeyCode::Char('k'), true, _) => self.editor.kill_to_end(),
            (KeyCode::Char('u'), true, _) => self.editor.kill_to_start(),
            (KeyCode::Char(c), false, false) => self.editor.insert(c),
            _ => {}
        }
        KeyOutcome::Nothing
    }

    /// Inserts pasted text at the cursor (newlines become spaces).
    pub fn paste(&mut self, text: &str) {
        self.editor.insert_str(text);
    }

    fn submit(&mut self) -> KeyOutcome {
        self.history_pos = None;
        self.draft.clear();
        self.show_help = false;
        self.log.to_bottom();
        let line = self.editor.take();
        if line.trim().is_empty() {
            KeyOutcome::Nothing
        } else {
            KeyOutcome::Submit(line)
        }
    }

    fn recall_older(&mut self, history: &LineHistory) {
        if history.is_empty() {
            return;
        }
        let pos = match self.history_pos {
            None => {
                self.draft = self.editor.text().to_string();
                history.len() - 1
            }
            Some(p) => p.saturating_sub(1),
        };
        self.history_pos = Some(pos);
        self.editor.set(history.get(pos).unwrap_or_default());
    }

    fn recall_newer(&mut self, history: &LineHistory) {
        let Some(p) = self.history_pos else { return };
        if p + 1 >= history.len() {
            self.history_pos = None;
            let draft = std::mem::take(&mut self.draft);
            self.editor.set(&draft);
        } else {
            self.history_pos = Some(p + 1);
            self.editor.set(history.get(p + 1).unwrap_or_default());
        }
    }

    fn complete(&mut self, completer: &WordCompleter) {
        let c = completer.complete(self.editor.text(), self.editor.cursor());
        match c.candidates.len() {
            0 => self.hint = Some("no completion".into()),
            1 => {
                let word = format!("{} ", c.candidates[0]);
                self.editor.replace_before_cursor(c.start, &word);
                self.hint = None;
            }
            _ => {
                let prefix = c.common_prefix();
                self.editor.replace_before_cursor(c.start, &prefix);
                self.hint = Some(format!(
                    "{} words: {}",
                    c.candidates.len(),
                    c.candidates.join("  ")
                ));
            }
        }
    }

    /// Keys while Ctrl-R search is active; `None` ends the search and lets the key act as usual.
    fn search_key(&mut self, key: KeyEvent, history: &LineHistory) -> Option<KeyOutcome> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let search = self.search.as_mut()?;
        match key.code {
            KeyCode::Char('r') if ctrl => {
                let before = search.found.unwrap_or(history.len());
                if let Some(i) = history.search_back(&search.query, before) {
                    search.found = Some(i);
                }
            }
            KeyCode::Char('g') if ctrl => {
                self.search = None;
                self.editor.set("");
                return Some(KeyOutcome::Nothing);
            }
            KeyCode::Char(c) if !ctrl => {
                search.query.push(c);
                search.found = history.search_back(&search.query, history.len());
            }
            KeyCode::Backspace => {
                search.query.pop();
                search.found = history.search_back(&search.query, history.len());
            }
            KeyCode::Esc => {
                self.search = None;
                return Some(KeyOutcome::Nothing);
            }
            _ => {
                // Any other key accepts the match into the line, then acts normally.
                self.search = None;
                return None;
            }
        }
        let found = search
            .found
            .and_then(|i| history.get(i))
            .unwrap_or_default();
        self.editor.set(found);
        Some(KeyOutcome::Nothing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    fn type_text(app: &mut App, text: &str, h: &LineHistory, c: &WordCompleter) {
        for ch in text.chars() {
            app.handle_key(key(KeyCode::Char(ch)), h, c);
        }
    }

    fn history() -> LineHistory {
        let mut h = LineHistory::in_memory();
        for l in ["gate on", "filter darker", "freq 330"] {
            h.push(l);
        }
        h
    }

    #[test]
    fn enter_submits_the_line_and_clears_it() {
        let (h, c) = (history(), WordCompleter::default());
        let mut app = App::new("null", PatchState::default());
        type_text(&mut app, "gate on", &h, &c);
        assert_eq!(
            app.handle_key(key(KeyCode::Enter), &h, &c),
            KeyOutcome::Submit("gate on".into())
        );
        assert_eq!(app.editor.text(), "");
        assert_eq!(
            app.handle_key(key(KeyCode::Enter), &h, &c),
            KeyOutcome::Nothing
        );
    }

    #[test]
    fn up_and_down_walk_the_history_and_restore_the_draft() {
        let (h, c) = (history(), WordCompleter::default());
        let mut app = App::new("null", PatchState::default());
        type_text(&mut app, "dra", &h, &c);
        app.handle_key(key(KeyCode::Up), &h, &c);
        assert_eq!(app.editor.text(), "freq 330");
        app.handle_key(key(KeyCode::Up), &h, &c);
        app.handle_key(key(KeyCode::Up), &h, &c);
        app.handle_key(key(KeyCode::Up), &h, &c);
        assert_eq!(app.editor.text(), "gate on");
        app.handle_key(key(KeyCode::Down), &h, &c);
        assert_eq!(app.editor.text(), "filter darker");
        app.handle_key(key(KeyCode::Down), &h, &c);
        app.handle_key(key(KeyCode::Down), &h, &c);
        assert_eq!(app.editor.text(), "dra");
    }

    #[test]
    fn ctrl_r_finds_older_matches_and_enter_runs_them() {
        let (mut h, c) = (history(), WordCompleter::default());
        h.push("filter brighter");
        let mut app = App::new("null", PatchState::default());
        app.handle_key(ctrl('r'), &h, &c);
        type_text(&mut app, "filt", &h, &c);
        assert_eq!(app.editor.text(), "filter brighter");
        app.handle_key(ctrl('r'), &h, &c);
        assert_eq!(app.editor.text(), "filter darker");
        assert_eq!(
            app.handle_key(key(KeyCode::Enter), &h, &c),
            KeyOutcome::Submit("filter darker".into())
        );
        assert!(app.search.is_none());
    }

    #[test]
    fn tab_completes_a_unique_word_and_lists_several() {
        let h = LineHistory::in_memory();
        let c = WordCompleter::new(vec!["filter".into(), "filter.cutoff".into(), "gate".into()]);
        let mut app = App::new("null", PatchState::default());
        type_text(&mut app, "ga", &h, &c);
        app.handle_key(key(KeyCode::Tab), &h, &c);
        assert_eq!(app.editor.text(), "gate ");
        type_text(&mut app, "on, fi", &h, &c);
        app.handle_key(key(KeyCode::Tab), &h, &c);
        assert_eq!(app.editor.text(), "gate on, filter");
        assert_eq!(app.hint.as_deref(), Some("2 words: filter  filter.cutoff"));
    }

    #[test]
    fn ctrl_c_always_quits_and_ctrl_d_quits_on_an_empty_line() {
        let (h, c) = (history(), WordCompleter::default());
        let mut app = App::new("null", PatchState::default());
        type_text(&mut app, "ab", &h, &c);
        app.handle_key(key(KeyCode::Home), &h, &c);
        assert_eq!(app.handle_key(ctrl('d'), &h, &c), KeyOutcome::Nothing);
        assert_eq!(app.editor.text(), "b");
        assert!(!app.quit);
        assert_eq!(app.handle_key(ctrl('c'), &h, &c), KeyOutcome::Quit);
        let mut app = App::new("null", PatchState::default());
        assert_eq!(app.handle_key(ctrl('d'), &h, &c), KeyOutcome::Quit);
    }

    #[test]
    fn f1_toggles_help_and_a_help_request_opens_it() {
        let (h, c) = (history(), WordCompleter::default());
        let mut app = App::new("null", PatchState::default());
        app.handle_key(key(KeyCode::F(1)), &h, &c);
        assert!(app.show_help);
        app.handle_key(key(KeyCode::Esc), &h, &c);
        assert!(!app.show_help);
        let mut report = LineReport::new("help", crate::control::inbox::LineSource::Keyboard);
        report.requests.push(UiRequest::Help);
        app.apply_report(&report, &PatchState::default());
        assert!(app.show_help);
    }
}
