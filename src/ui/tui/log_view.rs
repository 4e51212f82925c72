//! The reply/log pane's contents: every line performed (marked with its source), what it did,
//! errors in place with the caret under the bad word, notices; scrollable.
//!
//! Runs on the control (UI) thread.

use crate::control::performer::LineReport;
use std::collections::VecDeque;

/// Lines kept in the log.
pub const LOG_LIMIT: usize = 2000;

/// What a log line is, which decides its colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogKind {
    /// A line as typed or received, with its source marker.
    Input,
    /// What an action did.
    Reply,
    /// An error, its caret line and message.
    Error,
    /// Something chronus says on its own (startup notices, status lines).
    Notice,
}

/// One line of the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    /// Its kind.
    pub kind: LogKind,
    /// Its text.
    pub text: String,
}

/// The log and how far it is scrolled back.
#[derive(Clone, Debug, Default)]
pub struct LogView {
    lines: VecDeque<LogLine>,
    scroll: usize,
}

fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

impl LogView {
    /// Every line, oldest first.
    pub fn lines(&self) -> impl DoubleEndedIterator<Item = &LogLine> + ExactSizeIterator {
        self.lines.iter()
    }

    /// How many lines the view is scrolled back from the newest.
    pub fn scroll(&self) -> usize {
        self.scroll
    }

    /// Adds one line.
    pub fn push(&mut self, kind: LogKind, text: impl Into<String>) {
        let text = printable(&text.into());
        self.lines.push_back(LogLine { kind, text });
        if self.scroll > 0 {
            // Keep the same lines in view while scrolled back.
            self.scroll += 1;
        }
        while self.lines.len() > LOG_LIMIT {
            self.lines.pop_front();
        }
        self.scroll = self.scroll.min(self.lines.len());
    }

    /// Adds a line and what happened to it.
    pub fn push_report(&mut self, report: &LineReport) {
        let marker = report.source.marker();
        let echo = printable(&report.text);
        self.push(LogKind::Input, format!("{marker}{echo}"));
        for reply in &report.replies {
            for line in reply.lines() {
                self.push(LogKind::Reply, format!("  {line}"));
            }
        }
        let Some(error) = report.error_text() else {
            return;
        };
        let lines: Vec<&str> = error.lines().collect();
        // A rendered error repeats the line, then a caret line. When the repeat is the line as
        // echoed, put the carets straight under the echo instead of repeating it.
        if lines.len() >= 3 && lines[0] == echo.trim_end() {
            let indent = " ".repeat(marker.chars().count());
            self.push(LogKind::Error, format!("{indent}{}", lines[1]));
            for l in &lines[2..] {
                self.push(LogKind::Error, format!("  {l}"));
            }
        } else {
            for l in lines {
                self.push(LogKind::Error, format!("  {l}"));
            }
        }
    }

    /// Scrolls back by `n` lines.
    pub fn scroll_up(&mut self, n: usize) {
        self.scroll = (self.scroll + n).min(self.lines.len().saturating_sub(1));
    }

    /// Scrolls forward by `n` lines.
    pub fn scroll_down(&mut self, n: usize) {
        self.scroll = self.scroll.saturating_sub(n);
    }

    /// Jumps to the newest line.
    pub fn to_bottom(&mut self) {
        self.scroll = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::inbox::LineSource;

    fn report(text: &str) -> LineReport {
        let (tx, _rx) = rtrb::RingBuffer::new(64);
        let meters = std::sync::Arc::new(crate::rt::meters::Meters::new());
        let mut control = crate::control::Control::new(tx, meters);
        control.run_line(text, &crate::lang::Vocabulary::builtin())
    }

    #[test]
    fn the_caret_lands_under_the_echoed_word() {
        let mut log = LogView::default();
        log.push_report(&report("frobnicate darker"));
        let lines: Vec<&str> = log.lines().map(|l| l.text.as_str()).collect();
        assert_eq!(lines[0], "> frobnicate darker");
        assert_eq!(lines[1].trim_end(), "  ^^^^^^^^^^");
        assert!(
            lines.iter().skip(2).any(|l| l.contains("frobnicate")),
            "{lines:?}"
        );
    }

    #[test]
    fn a_remote_line_is_marked_with_its_source() {
        let mut log = LogView::default();
        let mut r = report("gate on");
        r.source = LineSource::Session { line: 7 };
        r.replies = vec!["gate on".into()];
        log.push_report(&r);
        let first = log.lines().next().map(|l| l.text.clone());
        assert_eq!(first.as_deref(), Some("session:7> gate on"));
    }

    #[test]
    fn scrolling_back_keeps_the_view_when_lines_arrive() {
        let mut log = LogView::default();
        for i in 0..10 {
            log.push(LogKind::Notice, format!("{i}"));
        }
        log.scroll_up(3);
        log.push(LogKind::Notice, "new");
        assert_eq!(log.scroll(), 4);
        log.scroll_down(100);
        assert_eq!(log.scroll(), 0);
        log.scroll_up(1000);
        assert_eq!(log.scroll(), 10);
    }

    #[test]
    fn the_log_is_bounded() {
        let mut log = LogView::default();
        for i in 0..LOG_LIMIT + 5 {
            log.push(LogKind::Notice, format!("{i}"));
        }
        assert_eq!(log.lines().len(), LOG_LIMIT);
        assert_eq!(log.lines().next().map(|l| l.text.as_str()), Some("5"));
    }
}
