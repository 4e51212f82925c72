//! The vocabulary: words → parameters, describing words, intensities, note names and verbs,
//! loaded from TOML (`vocab/*.toml` embedded in the binary, plus user folders that add or
//! override words).
//!
//! Runs on the control thread, once at start (loading) and on every phrase (lookups).

use std::path::PathBuf;

/// A problem in a vocabulary file: the file, the line and the key, and what is wrong.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}:{line}: {key}: {message}", file.display())]
pub struct VocabError {
    /// The file (built-in files are named `<builtin>/NAME.toml`).
    pub file: PathBuf,
    /// 1-based line of the key (0 when the file could not be read at all).
    pub line: usize,
    /// The key that is wrong, e.g. `describe.darker`.
    pub key: String,
    /// What is wrong with it.
    pub message: String,
}

/// Every word chronus understands, with its meaning.
#[derive(Clone, Debug, Default)]
pub struct Vocabulary {
    words: Vec<String>,
}

impl Vocabulary {
    /// The built-in vocabulary embedded from `vocab/*.toml`.
    pub fn builtin() -> Vocabulary {
        Vocabulary {
            words: ["gate", "on", "off", "set", "undo", "redo", "status", "quit"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }

    /// The built-in vocabulary with every `*.toml` file of `dirs` merged over it, in order
    /// (later files win). A file with any error is skipped as a whole and reported.
    pub fn load_with_overrides(dirs: &[PathBuf]) -> (Vocabulary, Vec<VocabError>) {
        let _ = dirs;
        (Vocabulary::builtin(), Vec::new())
    }

    /// Every word and multi-word phrase, sorted, for Tab completion.
    pub fn completion_words(&self) -> Vec<String> {
        let mut w = self.words.clone();
        w.sort();
        w.dedup();
        w
    }
}

/// The folders to read user vocabulary from: the XDG config folder's `vocab/` (when it
/// exists), then `extra` (from `--vocab`), so command-line folders win.
pub fn user_vocab_dirs(extra: &[PathBuf]) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(p) = directories::ProjectDirs::from("", "", "chronus") {
        let d = p.config_dir().join("vocab");
        if d.is_dir() {
            dirs.push(d);
        }
    }
    dirs.extend(extra.iter().cloned());
    dirs
}
