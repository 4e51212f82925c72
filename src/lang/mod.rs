//! The phrase language: words typed by people become absolute engine commands.
//!
//! Runs on the control thread (REPL/TUI, OSC server, session player). May allocate; never
//! touches audio. Nothing here mutates the patch: [`resolve_line`] reads a [`PatchState`] and
//! returns [`Action`]s, which the control layer (`Control::run_line`, one layer up) then
//! performs (sending commands, keeping undo/redo history).
//!
//! # Pipeline
//! 1. [`lexer`](self) (nom over `&str`): words, numbers with attached units (`1.2k`, `5ms`,
//!    `50%`), fractions (`3/8`) and separators (`,` `;` `.` `!` `and` `then`), with byte spans.
//! 2. Classification with the [`Vocabulary`]: multi-word entries (`a bit`, `all notes off`),
//!    describing words, parameters, notes (`C#4`), units; unknown words are reported with a
//!    caret and a did-you-mean before anything else.
//! 3. The grammar (nom over the classified lexemes, `grammar/chronus.ebnf`) → phrases.
//! 4. The resolver: phrases + a copy of the patch → [`Action`]s, each phrase seeing the
//!    result of the ones before it on the line.
//!
//! # API for UIs, the OSC server and the session player
//! - [`Vocabulary::builtin`], [`Vocabulary::load_with_overrides`] (with
//!   [`vocab::user_vocab_dirs`]), [`Vocabulary::completion_words`] for Tab completion.
//! - [`resolve_line`] / [`resolve_bytes`]: a line → `Vec<Action>` or a [`PhraseError`]
//!   (`render(line)` gives the line, a caret line and the message); [`resolve_line_with`]
//!   also takes the tracks' patterns as typed ([`pattern::rhythm::Rhythms`], language data
//!   the control side keeps beside the `Copy` patch), which rhythm words build on.
//! - [`Action::canonical`] (`set filter.cutoff 1400`, `gate on`, `note on 57`), also
//!   [`explain_phrases`] for `chronus explain`.
//! - One layer up, `Control::run_line` resolves and performs a line, with undo/redo, and
//!   returns a `LineReport` (replies, UI requests, error).
//! - [`help_text`] and [`show_patch`] / [`show_patch_with`] for the UI's own panes.
//!
//! # Choices worth knowing
//! - `reset` / `reset filter` resolve to ordinary `set` actions (only parameters that differ
//!   from their defaults), so they undo, explain and replay like everything else.
//! - `undo`/`redo` cannot share a line with engine actions (`darker, undo` is an error), since
//!   the rest of the line was resolved against the state before the undo.
//! - [`Meta::Explain`] carries the explained phrase *and* its actions, resolved at that point of
//!   the line against the patch as it would be then, so UIs need not resolve again.
//! - A bare number for a time is refused (`attack 5`: 5 ms or 5 s?), except 0 and after a
//!   canonical name (`set env.attack 0.005`), which always takes the parameter's own unit.
//!   Canonical lines are therefore phrases too, and resolve back to the same action.
//! - A fraction is a note value of a whole note (4 beats): `delay time 3/8` = 1.5 beats.
//! - Relative steps multiply frequencies and times and add to dB, fractions and tempo; a step
//!   and its opposite use the inverse op with the same step, so `darker` then `brighter`
//!   returns exactly to the start (unless a range end clamped it).

pub mod action;
mod ast;
mod chords;
pub mod definitions;
pub mod error;
mod grammar;
mod help;
mod instrument_help;
mod instrument_rules;
mod instrument_words;
mod lexeme;
mod lexer;
mod modular_rules;
mod music_rules;
mod natural_rules;
mod nearest_phrase;
pub mod pattern;
mod phrase_rules;
mod prepare;
mod questions;
mod resolve;
mod resolve_instrument;
mod resolve_modular;
mod resolve_music;
mod resolve_pattern;
mod resolve_rhythm;
mod resolve_samples;
mod resolve_steps;
mod rhythm_rules;
pub mod rhythm_words;
mod spoken;
mod typos;
pub mod units;
pub mod vocab;
pub mod voice_chain;
pub mod words;

pub use crate::patch::patch_store;
pub use action::{canonical_command, describe_command, note_name, Action, EngineAction, Meta};
pub use error::{PhraseError, PhraseErrorKind};
pub use help::{help_text, show_patch, show_patch_with, TOPICS};
pub use instrument_help::track_instrument_summary;
pub use vocab::{VocabError, Vocabulary};

use crate::engine::PatchState;
use grammar::Grammar;
use lexeme::classify;
use pattern::rhythm::Rhythms;
use resolve::Resolver;

/// Lines longer than this many bytes are refused with a [`PhraseErrorKind::TooLong`] error.
pub const MAX_LINE_BYTES: usize = 16 * 1024;

/// Parses and resolves a whole line (several phrases separated by `,` `;` `then` `and`)
/// against `patch`, without changing anything. Relative phrases chain: the second phrase
/// sees the result of the first. On error nothing of the line may be performed.
///
/// No track has a pattern as typed here (rhythm words such as `fast 2` then find none):
/// callers that keep them use [`resolve_line_with`].
pub fn resolve_line(
    line: &str,
    patch: &PatchState,
    vocab: &Vocabulary,
) -> Result<Vec<Action>, PhraseError> {
    resolve_line_with(line, patch, &Rhythms::default(), vocab)
}

/// [`resolve_line`] against `patch` and the tracks' patterns as typed (`rhythms`, which the
/// control side keeps next to the patch and updates with [`Action::apply_to_rhythms`]).
///
/// A refused line without a did-you-mean word gets the nearest whole phrase that works as
/// its suggestion, when one is close (`make it purple` → `make it darker`).
pub fn resolve_line_with(
    line: &str,
    patch: &PatchState,
    rhythms: &Rhythms,
    vocab: &Vocabulary,
) -> Result<Vec<Action>, PhraseError> {
    resolve_checked(line, patch, rhythms, vocab).map_err(|mut e| {
        let guessable = matches!(
            e.kind,
            PhraseErrorKind::UnknownWord
                | PhraseErrorKind::Unexpected
                | PhraseErrorKind::Incomplete
        );
        if guessable && e.suggestion.is_none() {
            e.suggestion = nearest_phrase::nearest_phrase(line).map(str::to_string);
        }
        e
    })
}

fn resolve_checked(
    line: &str,
    patch: &PatchState,
    rhythms: &Rhythms,
    vocab: &Vocabulary,
) -> Result<Vec<Action>, PhraseError> {
    if line.len() > MAX_LINE_BYTES {
        return Err(PhraseError::new(
            PhraseErrorKind::TooLong,
            line,
            MAX_LINE_BYTES..line.len(),
            format!(
                "the line is {} bytes long; the limit is {MAX_LINE_BYTES}",
                line.len()
            ),
        )
        .expecting("a shorter line (split it into several)"));
    }
    if line.trim() == "?" {
        return Ok(vec![Action::Meta(Meta::Help(None))]);
    }
    if let Some(taught) = definitions::command(line, patch, rhythms, vocab) {
        return taught;
    }
    // Mini-notation (after `pattern`/`seq`) is kept byte for byte; the rest of the line is
    // prepared for the lexer (other tools' brackets and colons, contractions, a question).
    let beats = rhythm_rules::blank_beat_and(line);
    let prepared = prepare::prepare_keeping(&beats, &lexer::mini_spans(&beats));
    let text = prepared.text.as_str();
    let in_line = |e: PhraseError| e.columns_in(line);
    let tokens = spoken::rewrite_keeping(text, lexer::lex(text), |tokens, i| {
        multi_word_entry(tokens, i, vocab)
    });
    let tokens = spoken::split_glued(
        tokens,
        |w| {
            vocab.lookup(w).is_some()
                || chords::quality(w).is_some()
                || vocab.parse_note(w).is_some()
        },
        |head| {
            vocab
                .lookup(head)
                .is_some_and(|c| !matches!(c, vocab::WordClass::Module(_)))
        },
    );
    let lexemes = classify(text, &tokens, vocab).map_err(in_line)?;
    let topics: Vec<String> = TOPICS.iter().map(|t| t.to_string()).collect();
    let corrected = typos::correct(text, lexemes, vocab, &topics).map_err(in_line)?;
    let grammar = Grammar { vocab, line: text };
    let resolve =
        |phrases: Vec<_>| Resolver::new(text, vocab, *patch, rhythms.clone()).resolve_all(&phrases);
    let resolved = match questions::question(&grammar, &corrected.lexemes, prepared.question) {
        Some(question) => question.and_then(resolve),
        None => grammar
            .line(text, &corrected.lexemes)
            .and_then(|phrases| questions::something_to_do(text, &corrected.lexemes, phrases))
            .and_then(resolve),
    };
    match resolved {
        Ok(mut actions) => {
            if let Some(read) = typos::read_as(&corrected.lexemes, &corrected.corrections) {
                actions.insert(0, Action::Meta(Meta::ReadAs(read)));
            }
            Ok(actions)
        }
        // A corrected line that still fails: the first unknown word, as typed, is the error.
        Err(e) => Err(in_line(corrected.first_error.unwrap_or(e))),
    }
}

/// How many words of a multi-word vocabulary entry start at token `i` (`four on the floor`:
/// 4), or 0: such entries are not read as spoken numbers.
fn multi_word_entry(tokens: &[lexer::Token], i: usize, vocab: &Vocabulary) -> usize {
    let mut words = Vec::new();
    for t in tokens.iter().skip(i).take(vocab.longest_entry()) {
        match &t.kind {
            lexer::TokenKind::Word(w) => words.push(w.as_str()),
            _ => break,
        }
    }
    (2..=words.len())
        .rev()
        .find(|&n| vocab.lookup(&words[..n].join(" ")).is_some())
        .unwrap_or(0)
}

/// [`resolve_line`] for raw bytes (from a file, a pipe or the network): invalid UTF-8 is
/// replaced by U+FFFD, which then fails as an unknown word with its column.
pub fn resolve_bytes(
    bytes: &[u8],
    patch: &PatchState,
    vocab: &Vocabulary,
) -> Result<Vec<Action>, PhraseError> {
    if bytes.len() > MAX_LINE_BYTES {
        let head = String::from_utf8_lossy(&bytes[..MAX_LINE_BYTES]);
        return resolve_line(
            &format!("{head}{}", " ".repeat(bytes.len() - MAX_LINE_BYTES)),
            patch,
            vocab,
        );
    }
    resolve_line(&String::from_utf8_lossy(bytes), patch, vocab)
}

/// Resolves `phrases` in order from the default patch (each sees the ones before) and returns
/// one canonical line per action, as `chronus explain` prints them. On error: the index of
/// the phrase and its error.
pub fn explain_phrases<S: AsRef<str>>(
    phrases: &[S],
    vocab: &Vocabulary,
) -> Result<Vec<String>, (usize, PhraseError)> {
    let mut patch = PatchState::default();
    let mut rhythms = Rhythms::default();
    let mut out = Vec::new();
    for (i, phrase) in phrases.iter().enumerate() {
        let actions =
            resolve_line_with(phrase.as_ref(), &patch, &rhythms, vocab).map_err(|e| (i, e))?;
        for a in &actions {
            a.apply_to(&mut patch);
            a.apply_to_rhythms(&mut rhythms);
            out.push(a.canonical());
        }
    }
    Ok(out)
}
