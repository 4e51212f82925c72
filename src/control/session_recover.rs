//! The `session recover` phrase: after a crash, brings back what the crashed run had
//! accepted, from its journal, without leaving chronus (`chronus recover` does the same from
//! the command line). `session recover` takes the newest journal that did not end cleanly;
//! `session recover FILE` a given one. The lines are performed again as if they came from a
//! session file, so the patch, tracks, tempo, patterns and taught words come back, and they
//! go into this run's journal in turn. Nothing is saved: the performer keeps the result with
//! `session save NAME`, which never overwrites a saved session without `!`.
//!
//! Reading journals belongs to the session layer, which sits above this one: it is reached
//! through [`JournalSource`], which `session::journal` implements.
//!
//! Runs on the control thread; may allocate and read files.

use std::path::{Path, PathBuf};

/// The phrase.
pub const RECOVER_PHRASE: &str = "session recover";

/// What was read back from a crashed run's journal.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RecoveredLines {
    /// The journal, as named after recovery (it is marked so it is not offered again).
    pub file: PathBuf,
    /// The accepted lines, with their line numbers in the journal.
    pub lines: Vec<(usize, String)>,
    /// What could not be read, as `FILE:LINE: problem`, and one summary line.
    pub notes: Vec<String>,
}

/// Where `session recover` finds journals.
pub trait JournalSource {
    /// Reads the journal `file`, or the newest one that did not end cleanly and was not
    /// recovered yet, and marks it recovered. `Err` says why nothing can be recovered.
    fn recover(&mut self, file: Option<&Path>) -> Result<RecoveredLines, String>;
}

/// `Some(None)` for `session recover`, `Some(Some(FILE))` for `session recover FILE`, `None`
/// for any other line. Words are matched without regard to case or extra spaces.
pub fn parse_recover_phrase(text: &str) -> Option<Option<PathBuf>> {
    let text = text.trim();
    let mut words = text
        .splitn(3, char::is_whitespace)
        .filter(|w| !w.is_empty());
    let first = words.next()?;
    let rest = text[first.len()..].trim_start();
    let second = rest.split_whitespace().next()?;
    if !first.eq_ignore_ascii_case("session") || !second.eq_ignore_ascii_case("recover") {
        return None;
    }
    let file = rest[second.len()..].trim();
    Some((!file.is_empty()).then(|| PathBuf::from(file)))
}

/// The line that ends a recovery's replies.
pub fn replayed_line(lines: usize, failed: usize) -> String {
    format!(
        "recovered: replayed {lines} line{} ({failed} failed); keep them with `session save NAME`",
        if lines == 1 { "" } else { "s" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_phrase_is_found_with_or_without_a_file() {
        assert_eq!(parse_recover_phrase("session recover"), Some(None));
        assert_eq!(parse_recover_phrase("  Session   RECOVER  "), Some(None));
        assert_eq!(
            parse_recover_phrase("session recover /tmp/my journal.chronus"),
            Some(Some(PathBuf::from("/tmp/my journal.chronus")))
        );
        for other in [
            "",
            "session",
            "session save x",
            "recover",
            "session recovered",
            "sessions recover",
            "filter darker",
        ] {
            assert_eq!(parse_recover_phrase(other), None, "{other:?}");
        }
    }

    #[test]
    fn the_last_line_counts_what_was_replayed() {
        assert_eq!(
            replayed_line(1, 0),
            "recovered: replayed 1 line (0 failed); keep them with `session save NAME`"
        );
        assert!(replayed_line(9, 2).starts_with("recovered: replayed 9 lines (2 failed)"));
    }
}
