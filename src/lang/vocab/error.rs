//! Vocabulary errors: the file, the line and the key, and what is wrong.
//!
//! Plain data.

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
