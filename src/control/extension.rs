//! Phrase extensions: parts of chronus outside the phrase language that answer their own
//! phrases (`map cc 74 to cutoff`, `midi`, `clock out`) and add lines to `status`.
//!
//! The performer asks each extension in turn before the language sees a line, and tells every
//! extension about each performed line afterwards (so `save patch NAME` can save the MIDI
//! mappings beside the patch). Runs on the control thread; may allocate.

use crate::engine::PatchState;
use crate::lang::Vocabulary;

use super::LineReport;

/// What an extension made of a line it took.
#[derive(Clone, Debug, PartialEq)]
pub enum ExtensionReply {
    /// Done; lines to show.
    Done(Vec<String>),
    /// Refused, with the reason (shown under the line).
    Refused(String),
}

/// An extension of the phrase language, owned by the performer.
pub trait PhraseExtension {
    /// Takes `line` if it is one of this extension's phrases (`None` otherwise, and the
    /// language gets it). `patch` is the current patch, `vocab` the words in use.
    fn intercept(
        &mut self,
        line: &str,
        patch: &PatchState,
        vocab: &Vocabulary,
    ) -> Option<ExtensionReply>;

    /// Lines added to the answer to `status` (e.g. `midi_in=… midi_malformed=0`), given the
    /// current patch.
    fn status_lines(&self, _patch: &PatchState) -> Vec<String> {
        Vec::new()
    }

    /// Told about every line the language performed (accepted or not); may add replies.
    fn after_line(&mut self, _report: &mut LineReport) {}
}
