//! The control side of taught words (`define NAME as PHRASES`, `forget NAME`, `words`): the
//! table of definitions beside the patch, the checks that need it (recursion, a body that
//! resolves), expanding uses before a line is resolved, and the file that keeps them
//! (`definitions.txt` in the user vocabulary folder, one `define` line per word).
//!
//! Runs on the control thread. May allocate and (for `define`/`forget` typed live) write
//! one small file.

use super::line::LineReport;
use super::{Control, LineError};
use crate::engine::PatchState;
use crate::lang::definitions::{Definitions, Expansion};
use crate::lang::pattern::rhythm::Rhythms;
use crate::lang::{resolve_line_with, Meta, PhraseError, PhraseErrorKind, Vocabulary};
use std::path::{Path, PathBuf};

/// The file in the user vocabulary folder that keeps the taught words.
pub const DEFINITIONS_FILE: &str = "definitions.txt";

/// Where taught words are kept, when they are kept at all.
#[derive(Clone, Debug, Default)]
pub(super) struct TaughtWords {
    pub(super) table: Definitions,
    /// The file `define`/`forget` write; `None` keeps them in memory only (tests, sessions
    /// being checked or rendered).
    pub(super) file: Option<PathBuf>,
}

/// The taught-words file in the user vocabulary folder (`$CHRONUS_VOCAB_DIR` or
/// `~/.config/chronus/vocab`), if there is such a folder.
pub fn definitions_file() -> Option<PathBuf> {
    crate::lang::vocab::user_vocab_dir().map(|d| d.join(DEFINITIONS_FILE))
}

/// Reads a taught-words file: every `define` line in it, each checked like a typed one
/// (except that its body is only resolved when used). Returns the words and one message per
/// line that was skipped. A missing file is no words and no problem.
pub fn read_definitions(file: &Path, vocab: &Vocabulary) -> (Definitions, Vec<String>) {
    let mut table = Definitions::new();
    let mut problems = Vec::new();
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (table, problems),
        Err(e) => {
            problems.push(format!("{}: cannot read: {e}", file.display()));
            return (table, problems);
        }
    };
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = format!("{}:{}", file.display(), i + 1);
        let resolved = resolve_line_with(line, &PatchState::default(), &Rhythms::default(), vocab);
        match resolved.as_deref() {
            Ok([crate::lang::Action::Meta(Meta::Define { name, body, .. })]) => {
                match table.recursion(name, body) {
                    Some(chain) => problems.push(format!(
                        "{at}: \"{name}\" skipped: it would use itself ({})",
                        chain.join(" → ")
                    )),
                    None => table.insert(name, body),
                }
            }
            Ok(_) => problems.push(format!(
                "{at}: not a `define NAME as PHRASES` line; skipped"
            )),
            Err(e) => problems.push(format!("{at}: skipped: {}", e.summary())),
        }
    }
    (table, problems)
}

/// Writes the taught words to `file` (through a temporary file, so a crash never leaves half
/// a file), creating its folder.
fn write_definitions(file: &Path, table: &Definitions) -> std::io::Result<()> {
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let text = format!(
        "# chronus: words taught with `define NAME as PHRASES` (one per line; `forget NAME` removes one)\n{}",
        table.to_lines()
    );
    let temporary = file.with_extension("txt.tmp");
    std::fs::write(&temporary, text)?;
    std::fs::rename(&temporary, file)
}

impl Control {
    /// Loads the taught words of `file` and keeps later `define`/`forget` lines in it. Returns
    /// a message per skipped line.
    pub fn keep_definitions_in(&mut self, file: PathBuf, vocab: &Vocabulary) -> Vec<String> {
        let (table, problems) = read_definitions(&file, vocab);
        self.taught = TaughtWords {
            table,
            file: Some(file),
        };
        problems
    }

    /// The taught words.
    pub fn definitions(&self) -> &Definitions {
        &self.taught.table
    }

    /// `line` with the taught words in it replaced by what they mean.
    pub(super) fn expand_taught(&self, line: &str) -> Result<Expansion, PhraseError> {
        if crate::lang::definitions::is_command(line) {
            return Ok(Expansion {
                text: line.to_string(),
                uses: Vec::new(),
            });
        }
        self.taught.table.expand(line)
    }

    /// Performs a taught-word action (`define`, `forget`, `words`); false for other actions.
    pub(super) fn perform_taught(
        &mut self,
        meta: &Meta,
        vocab: &Vocabulary,
        out: &mut LineReport,
    ) -> bool {
        match meta {
            Meta::Define {
                name,
                name_at,
                body,
                body_at,
            } => self.define(name, name_at, body, *body_at, vocab, out),
            Meta::Forget { name, at } => self.forget(name, at, out),
            Meta::Words => out.replies.extend(self.words_lines()),
            _ => return false,
        }
        true
    }

    /// The `words` listing: one `NAME = BODY` line per taught word.
    pub fn words_lines(&self) -> Vec<String> {
        if self.taught.table.is_empty() {
            return vec!["no words taught yet: define NAME as PHRASES (e.g. define dark pad as osc saw, darker)".into()];
        }
        self.taught
            .table
            .iter()
            .map(|(n, b)| format!("{n} = {b}"))
            .collect()
    }

    fn define(
        &mut self,
        name: &str,
        name_at: &std::ops::Range<usize>,
        body: &str,
        body_at: usize,
        vocab: &Vocabulary,
        out: &mut LineReport,
    ) {
        let line = out.text.clone();
        if let Some(chain) = self.taught.table.recursion(name, body) {
            out.error = Some(LineError::Phrase(
                PhraseError::new(
                    PhraseErrorKind::NotAllowed,
                    &line,
                    name_at.clone(),
                    format!("\"{name}\" would use itself: {}", chain.join(" → ")),
                )
                .expecting("phrases and other words that do not lead back to it"),
            ));
            return;
        }
        // The body must resolve now (against this patch); each use resolves it again.
        let checked = self.taught.table.expand(body).and_then(|expansion| {
            resolve_line_with(&expansion.text, &self.patch, &self.rhythms, vocab)
                .map_err(|e| expansion.locate(e, body, &self.taught.table))
        });
        if let Err(e) = checked {
            let mut e = e.shifted(body_at, &line);
            e.message = format!("what \"{name}\" would mean does not resolve: {}", e.message);
            out.error = Some(LineError::Phrase(e));
            return;
        }
        let replaced = self.taught.table.get(name).is_some();
        self.taught.table.insert(name, body);
        out.taught = true;
        let kept = self.keep(out);
        out.replies.push(format!(
            "{} \"{name}\" = {body}{kept}",
            if replaced { "taught again:" } else { "taught:" }
        ));
    }

    fn forget(&mut self, name: &str, at: &std::ops::Range<usize>, out: &mut LineReport) {
        if self.taught.table.remove(name).is_none() {
            let line = out.text.clone();
            let known = self.taught.table.names().join(", ");
            out.error = Some(LineError::Phrase(
                PhraseError::new(
                    PhraseErrorKind::UnknownWord,
                    &line,
                    at.clone(),
                    format!("\"{name}\" is not a taught word"),
                )
                .suggesting(self.taught.table.nearest(name))
                .expecting(if known.is_empty() {
                    "a taught word (none yet: define NAME as PHRASES)".to_string()
                } else {
                    format!("one of: {known}")
                }),
            ));
            return;
        }
        out.taught = true;
        let kept = self.keep(out);
        out.replies.push(format!("forgot \"{name}\"{kept}"));
    }

    /// Writes the table to its file for lines typed live; says where (or why not).
    fn keep(&self, out: &LineReport) -> String {
        let Some(file) = &self.taught.file else {
            return String::new();
        };
        if !self.saves_patches || matches!(out.source, super::inbox::LineSource::Session { .. }) {
            return " (for this session only)".into();
        }
        match write_definitions(file, &self.taught.table) {
            Ok(()) => format!(" (kept in {})", file.display()),
            Err(e) => format!(" (not kept: cannot write {}: {e})", file.display()),
        }
    }
}
