//! The phrase language: words typed by people become absolute engine commands.
//!
//! Runs on the control thread (REPL/TUI, OSC server, session player). May allocate; never
//! touches audio. Nothing here mutates the patch: [`resolve_line`] reads a [`PatchState`] and
//! returns [`Action`]s, which [`crate::control::Control::run_line`] then performs (sending
//! commands, keeping undo/redo history).
//!
//! (Skeleton: the full grammar lands in the following commits.)

pub mod action;
pub mod error;
pub mod vocab;

pub use action::{canonical_command, Action, EngineAction, Meta};
pub use error::{PhraseError, PhraseErrorKind};
pub use vocab::{VocabError, Vocabulary};

use crate::control::PatchState;
use crate::engine::command::Command;
use crate::engine::params::ParamId;

/// Lines longer than this many bytes are refused with a [`PhraseErrorKind::TooLong`] error.
pub const MAX_LINE_BYTES: usize = 16 * 1024;

/// Parses and resolves a whole line (several phrases separated by `,` `;` `then` `and`)
/// against `patch`, without changing anything. Relative phrases chain: the second phrase
/// sees the result of the first. On error nothing of the line should be performed.
pub fn resolve_line(
    line: &str,
    patch: &PatchState,
    vocab: &Vocabulary,
) -> Result<Vec<Action>, PhraseError> {
    let _ = (patch, vocab);
    if line.len() > MAX_LINE_BYTES {
        return Err(PhraseError::new(
            PhraseErrorKind::TooLong,
            line,
            MAX_LINE_BYTES..line.len(),
            format!(
                "the line is {} bytes long; the limit is {MAX_LINE_BYTES}",
                line.len()
            ),
        ));
    }
    let words: Vec<String> = line.split_whitespace().map(str::to_lowercase).collect();
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    let engine = |command: Command, reply: &str| {
        Ok(vec![Action::Engine(EngineAction {
            command,
            reply: reply.to_string(),
            note: None,
            span: 0..line.len(),
        })])
    };
    match w.as_slice() {
        [] => Ok(Vec::new()),
        ["gate", "on"] => engine(Command::Gate { on: true }, "gate on"),
        ["gate", "off"] => engine(Command::Gate { on: false }, "gate off"),
        ["undo"] => Ok(vec![Action::Meta(Meta::Undo)]),
        ["redo"] => Ok(vec![Action::Meta(Meta::Redo)]),
        ["status"] => Ok(vec![Action::Meta(Meta::Status)]),
        ["quit"] => Ok(vec![Action::Meta(Meta::Quit)]),
        ["set", name, value] => {
            let param = ParamId::from_name(name).ok_or_else(|| {
                PhraseError::new(PhraseErrorKind::UnknownWord, line, 0..line.len(), "unknown")
            })?;
            let v: f32 = value.parse().map_err(|_| {
                PhraseError::new(PhraseErrorKind::BadValue, line, 0..line.len(), "bad value")
            })?;
            let value = param.spec().clamp(v);
            engine(
                Command::Set { param, value },
                &format!("{} {}", param.name(), param.spec().format_with_unit(value)),
            )
        }
        _ => Err(PhraseError::new(
            PhraseErrorKind::Unexpected,
            line,
            0..line.len(),
            "not understood yet",
        )),
    }
}

/// [`resolve_line`] for raw bytes (from a file, a pipe or the network): invalid UTF-8 is
/// replaced by U+FFFD, which then fails as an unknown word with its column.
pub fn resolve_bytes(
    bytes: &[u8],
    patch: &PatchState,
    vocab: &Vocabulary,
) -> Result<Vec<Action>, PhraseError> {
    resolve_line(&String::from_utf8_lossy(bytes), patch, vocab)
}

/// Help text for `help` / `help <topic>`; fault phrases are listed only when `faults_enabled`.
pub fn help_text(topic: Option<&str>, vocab: &Vocabulary, faults_enabled: bool) -> String {
    let _ = (topic, vocab, faults_enabled);
    "phrases: gate on, gate off, set <param> <value>, undo, redo, status, quit".into()
}

/// The current patch, one parameter per line, for `show`.
pub fn show_patch(patch: &PatchState) -> Vec<String> {
    let mut out: Vec<String> = ParamId::ALL
        .iter()
        .map(|&p| {
            format!(
                "{:<16} {}",
                p.name(),
                p.spec().format_with_unit(patch.get(p))
            )
        })
        .collect();
    out.push(format!(
        "{:<16} {}",
        "gate",
        if patch.gate() { "on" } else { "off" }
    ));
    out
}

/// Resolves `phrases` in order from the default patch (each sees the ones before) and returns
/// one canonical line per action, as `chronus explain` prints them. On error: the index of
/// the phrase and its error.
pub fn explain_phrases<S: AsRef<str>>(
    phrases: &[S],
    vocab: &Vocabulary,
) -> Result<Vec<String>, (usize, PhraseError)> {
    let mut patch = PatchState::default();
    let mut out = Vec::new();
    for (i, phrase) in phrases.iter().enumerate() {
        let actions = resolve_line(phrase.as_ref(), &patch, vocab).map_err(|e| (i, e))?;
        for a in &actions {
            if let Some(c) = a.command() {
                patch.apply(&c);
            }
            out.push(a.canonical());
        }
    }
    Ok(out)
}
