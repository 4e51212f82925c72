//! Located errors for phrases: byte span, 1-based column, what was expected and a
//! did-you-mean, rendered as the line with a caret under the bad word.
//!
//! Runs on the control thread (REPL/TUI, OSC, session player). May allocate.

use std::ops::Range;

/// What kind of mistake a [`PhraseError`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhraseErrorKind {
    /// A word that is not in the vocabulary.
    UnknownWord,
    /// A known word in a place where it makes no sense.
    Unexpected,
    /// The phrase stopped before it was complete ("gate", "more").
    Incomplete,
    /// A value that cannot be used (wrong unit, out of range, not a number).
    BadValue,
    /// The line is longer than [`crate::lang::MAX_LINE_BYTES`].
    TooLong,
    /// Actions that cannot share one line (e.g. `undo` together with `darker`).
    NotAllowed,
}

/// A phrase that could not be parsed or resolved. Nothing from its line reaches the engine.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}", self.summary())]
pub struct PhraseError {
    /// What kind of mistake this is.
    pub kind: PhraseErrorKind,
    /// Byte range of the offending text in the line (may be empty at the end of the line).
    pub span: Range<usize>,
    /// 1-based column (in characters) where the span starts.
    pub column: usize,
    /// What is wrong, e.g. `unknown word "fliter"`.
    pub message: String,
    /// What would have been valid here, e.g. `on or off`.
    pub expected: Option<String>,
    /// A vocabulary word close to the bad one.
    pub suggestion: Option<String>,
}

impl PhraseError {
    /// An error about `span` of `line`; the column is computed from the line.
    pub fn new(
        kind: PhraseErrorKind,
        line: &str,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        let span = clamp_span(line, span);
        let column = line[..span.start].chars().count() + 1;
        PhraseError {
            kind,
            span,
            column,
            message: message.into(),
            expected: None,
            suggestion: None,
        }
    }

    /// Adds what was expected.
    pub fn expecting(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    /// Adds a did-you-mean suggestion.
    pub fn suggesting(mut self, suggestion: Option<String>) -> Self {
        self.suggestion = suggestion;
        self
    }

    /// Moves the error from a sub-string starting at byte `offset` of `line` to `line` itself.
    #[allow(dead_code)] // used by `explain <phrase>` errors
    pub(crate) fn shifted(mut self, offset: usize, line: &str) -> Self {
        let span = clamp_span(line, self.span.start + offset..self.span.end + offset);
        self.column = line[..span.start].chars().count() + 1;
        self.span = span;
        self
    }

    /// The same error with its column counted in `line` (the line as typed, of the same byte
    /// length as the text that was read).
    pub(crate) fn columns_in(mut self, line: &str) -> Self {
        let span = clamp_span(line, self.span.clone());
        self.column = line[..span.start].chars().count() + 1;
        self.span = span;
        self
    }

    /// One line: `column 1: unknown word "fliter"; did you mean "filter"? (expected ...)`.
    pub fn summary(&self) -> String {
        let mut s = format!("column {}: {}", self.column, self.message);
        if let Some(sugg) = &self.suggestion {
            s.push_str(&format!("; did you mean \"{sugg}\"?"));
        }
        if let Some(exp) = &self.expected {
            s.push_str(&format!(" (expected {exp})"));
        }
        s
    }

    /// The line (or a window of it around the error, for long lines), a caret line under the
    /// bad text, and [`summary`](Self::summary).
    pub fn render(&self, line: &str) -> String {
        const WINDOW: usize = 72;
        let span = clamp_span(line, self.span.clone());
        let before: Vec<char> = line[..span.start].chars().collect();
        let inside: Vec<char> = line[span.clone()].chars().collect();
        let after: Vec<char> = line[span.end..].chars().collect();
        // Show at most WINDOW characters of context before and after the span.
        let lead = before.len().saturating_sub(WINDOW / 2);
        let mut shown = String::new();
        if lead > 0 {
            shown.push('…');
        }
        shown.extend(before[lead..].iter().map(|&c| printable(c)));
        let caret_col = shown.chars().count();
        let mark_len = inside.len().clamp(1, WINDOW);
        shown.extend(inside.iter().take(WINDOW).map(|&c| printable(c)));
        let tail = WINDOW.saturating_sub(mark_len);
        shown.extend(after.iter().take(tail).map(|&c| printable(c)));
        if after.len() > tail || inside.len() > WINDOW {
            shown.push('…');
        }
        let carets = format!("{}{}", " ".repeat(caret_col), "^".repeat(mark_len));
        format!("{}\n{}\n{}", shown.trim_end(), carets, self.summary())
    }
}

/// Keeps a span inside the line and on character boundaries.
fn clamp_span(line: &str, span: Range<usize>) -> Range<usize> {
    let mut start = span.start.min(line.len());
    while !line.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end.clamp(start, line.len());
    while !line.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

/// Control characters and tabs are shown as spaces so the caret stays aligned.
fn printable(c: char) -> char {
    if c.is_control() {
        ' '
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_puts_the_caret_under_the_bad_word() {
        let line = "fliter darker";
        let e = PhraseError::new(
            PhraseErrorKind::UnknownWord,
            line,
            0..6,
            "unknown word \"fliter\"",
        )
        .suggesting(Some("filter".into()));
        let r = e.render(line);
        let lines: Vec<&str> = r.lines().collect();
        assert_eq!(lines[0], "fliter darker");
        assert_eq!(lines[1], "^^^^^^");
        assert!(lines[2].starts_with("column 1: unknown word \"fliter\""));
        assert!(lines[2].contains("did you mean \"filter\"?"));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let line = "éé darkr";
        let e = PhraseError::new(PhraseErrorKind::UnknownWord, line, 5..10, "x");
        assert_eq!(e.column, 4);
        let r = e.render(line);
        assert_eq!(r.lines().nth(1), Some("   ^^^^^"));
    }

    #[test]
    fn long_lines_render_a_window() {
        let line = format!("{} fliter {}", "a ".repeat(5000), "b ".repeat(5000));
        let start = 10_001;
        let e = PhraseError::new(PhraseErrorKind::UnknownWord, &line, start..start + 6, "x");
        let r = e.render(&line);
        assert!(r.len() < 400, "{}", r.len());
        let lines: Vec<&str> = r.lines().collect();
        let caret = lines[1].chars().position(|c| c == '^').unwrap_or(0);
        let word: String = lines[0].chars().skip(caret).take(6).collect();
        assert_eq!(word, "fliter");
    }

    #[test]
    fn spans_off_the_end_or_inside_a_character_are_clamped() {
        let line = "é";
        let e = PhraseError::new(PhraseErrorKind::Incomplete, line, 1..99, "x");
        assert_eq!(e.span, 0..2);
        assert!(!e.render(line).is_empty());
    }
}
