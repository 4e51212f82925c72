//! Located problems in a session file, printed as `FILE:LINE:COL: message` with the line and a
//! caret under the column.
//!
//! Runs on whichever thread checks a session (the main thread for `chronus check`, `render`
//! and `play`). May allocate.

use std::fmt;

/// How many problems a check lists before it summarises the rest in one line.
pub const MAX_LISTED: usize = 50;

/// One problem at a place in a session file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// 1-based line number; 0 for problems with the file as a whole (it cannot be opened).
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong (and, where known, what would be right).
    pub message: String,
    /// The text of the line, shown under the message with a caret (absent for lines too long
    /// or too broken to show).
    pub source: Option<String>,
}

impl Diagnostic {
    /// A problem at `line`:`column` with no source line shown.
    pub fn new(line: usize, column: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            line,
            column: column.max(1),
            message: message.into(),
            source: None,
        }
    }

    /// Shows `source` (the line's text) under the message.
    pub fn with_source(mut self, source: &str) -> Self {
        self.source = Some(source.to_string());
        self
    }
}

/// Every problem found in one session file. Its `Display` is the listing `chronus check`
/// prints: one `FILE:LINE:COL: message` per problem, each followed by the line and a caret.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct SessionErrors {
    /// The file as the user named it.
    pub file: String,
    /// The problems, in line order, at most [`MAX_LISTED`].
    pub diagnostics: Vec<Diagnostic>,
    /// How many more problems were found but not listed.
    pub omitted: usize,
}

impl SessionErrors {
    /// Collects `diagnostics` for `file`, sorted by place and cut to [`MAX_LISTED`].
    pub fn new(file: impl Into<String>, mut diagnostics: Vec<Diagnostic>) -> Self {
        diagnostics.sort_by_key(|d| (d.line, d.column));
        let omitted = diagnostics.len().saturating_sub(MAX_LISTED);
        diagnostics.truncate(MAX_LISTED);
        SessionErrors {
            file: file.into(),
            diagnostics,
            omitted,
        }
    }

    /// One problem for the whole file (at line 1, column 1 unless given).
    pub fn single(file: impl Into<String>, diagnostic: Diagnostic) -> Self {
        Self::new(file, vec![diagnostic])
    }

    /// How many problems there are in all, listed or not.
    pub fn count(&self) -> usize {
        self.diagnostics.len() + self.omitted
    }

    /// Only the `FILE:LINE:COL: message` lines, without sources and carets.
    pub fn summary_lines(&self) -> Vec<String> {
        self.diagnostics
            .iter()
            .map(|d| match d.line {
                0 => format!("{}: {}", self.file, d.message),
                _ => format!("{}:{}:{}: {}", self.file, d.line, d.column, d.message),
            })
            .collect()
    }
}

impl fmt::Display for SessionErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            if d.line == 0 {
                write!(f, "{}: {}", self.file, d.message)?;
            } else {
                write!(f, "{}:{}:{}: {}", self.file, d.line, d.column, d.message)?;
            }
            if let Some(src) = &d.source {
                let gutter = d.line.to_string().len();
                let shown: String = src
                    .chars()
                    .map(|c| if c == '\t' { ' ' } else { c })
                    .collect();
                write!(f, "\n {:>gutter$} | {shown}", d.line)?;
                write!(
                    f,
                    "\n {:>gutter$} | {}^",
                    "",
                    " ".repeat(d.column.saturating_sub(1))
                )?;
            }
        }
        if self.omitted > 0 {
            write!(
                f,
                "\n{}: ... and {} more problem{}",
                self.file,
                self.omitted,
                if self.omitted == 1 { "" } else { "s" }
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_names_file_line_and_column_with_a_caret() {
        let e = SessionErrors::new(
            "jam.chronus",
            vec![
                Diagnostic::new(7, 6, "unknown word \"fliter\"; did you mean \"filter\"?")
                    .with_source("@1.0 fliter darker"),
                Diagnostic::new(2, 1, "first"),
            ],
        );
        let text = e.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "jam.chronus:2:1: first");
        assert_eq!(
            lines[1],
            "jam.chronus:7:6: unknown word \"fliter\"; did you mean \"filter\"?"
        );
        assert_eq!(lines[2], " 7 | @1.0 fliter darker");
        assert_eq!(lines[3], "   |      ^");
        assert_eq!(e.count(), 2);
    }

    #[test]
    fn long_listings_are_cut_and_say_how_many_more() {
        let many = (1..=MAX_LISTED + 7)
            .map(|l| Diagnostic::new(l, 1, "bad"))
            .collect();
        let e = SessionErrors::new("x", many);
        assert_eq!(e.diagnostics.len(), MAX_LISTED);
        assert_eq!(e.count(), MAX_LISTED + 7);
        assert!(e.to_string().ends_with("x: ... and 7 more problems"));
    }
}
