//! Questions: `what's the tempo?`, `how loud is it`, `cutoff?` answer with a parameter's
//! current value and change nothing; any other `PHRASE?` explains the phrase instead of
//! performing it. Also the check that a line says something (`please` alone is refused).
//!
//! Runs on the control thread. May allocate.

use super::ast::{Phrase, PhraseKind};
use super::error::{PhraseError, PhraseErrorKind};
use super::grammar::{skip_fillers, Grammar};
use super::lexeme::{Class, Lexeme, Lexemes};
use super::vocab::{Verb, WordClass};
use crate::engine::params::ParamId;

fn counts(l: &Lexeme) -> bool {
    !matches!(&l.class, Class::Word(c) if c.is_skipped()) && l.class != Class::Separator
}

/// The phrases of a question line, or `None` when the line is not a question.
pub(crate) fn question(
    grammar: &Grammar<'_>,
    lexemes: &[Lexeme],
    asked: bool,
) -> Option<Result<Vec<Phrase>, PhraseError>> {
    let first = lexemes.iter().position(counts)?;
    let whole = span_of(lexemes);
    if lexemes[first].is(Verb::Ask) {
        let param = about(grammar, &lexemes[first + 1..]).ok_or_else(|| {
            PhraseError::new(
                PhraseErrorKind::Incomplete,
                grammar.line,
                lexemes[first].span.clone(),
                "a question about what?",
            )
            .expecting("a parameter, e.g. `what's the tempo?` or `how much reverb?`")
        });
        return Some(param.map(|param| {
            vec![Phrase {
                kind: PhraseKind::Ask(param),
                span: whole,
            }]
        }));
    }
    if !asked {
        return None;
    }
    // `tempo?`, `cutoff?`: a parameter alone.
    if let Ok((rest, t)) = grammar.target(Lexemes(lexemes)) {
        let param = t
            .param
            .or_else(|| t.module.and_then(|m| grammar.vocab.module_default(m)));
        if let (true, Some(param)) = (skip_fillers(rest).0.iter().all(|l| !counts(l)), param) {
            return Some(Ok(vec![Phrase {
                kind: PhraseKind::Ask(param),
                span: whole,
            }]));
        }
    }
    let text = grammar.line[whole.clone()].trim().to_string();
    Some(grammar.line(grammar.line, lexemes).map(|phrases| {
        vec![Phrase {
            kind: PhraseKind::Explain { text, phrases },
            span: whole,
        }]
    }))
}

/// What a question is about: the first parameter named (a module's own word wins when a
/// describing word names one of its parameters: `how big is the reverb` → reverb.size), else
/// the parameter of a describing word (`how fast` → the tempo).
fn about(grammar: &Grammar<'_>, lexemes: &[Lexeme]) -> Option<ParamId> {
    let described: Vec<ParamId> = lexemes
        .iter()
        .filter_map(|l| match &l.class {
            Class::Word(WordClass::Describe(d)) => d.effects.first().map(|s| s.param),
            _ => None,
        })
        .collect();
    for j in 0..lexemes.len() {
        if let Ok((_, t)) = grammar.target(Lexemes(&lexemes[j..])) {
            if let Some(p) = t.param {
                return Some(p);
            }
            let m = t.module?;
            if let Some(p) = described.iter().find(|p| p.spec().module() == m) {
                return Some(*p);
            }
            return grammar.vocab.module_default(m);
        }
    }
    described.first().copied()
}

fn span_of(lexemes: &[Lexeme]) -> std::ops::Range<usize> {
    match (lexemes.first(), lexemes.last()) {
        (Some(a), Some(b)) => a.span.start..b.span.end,
        _ => 0..0,
    }
}

/// A line with words must say something: `please`, `make it` or `!!!` alone are refused.
pub(crate) fn something_to_do(
    line: &str,
    lexemes: &[Lexeme],
    phrases: Vec<Phrase>,
) -> Result<Vec<Phrase>, PhraseError> {
    if !phrases.is_empty() || lexemes.is_empty() {
        return Ok(phrases);
    }
    Err(PhraseError::new(
        PhraseErrorKind::Incomplete,
        line,
        span_of(lexemes),
        "nothing to do: these words alone say nothing",
    )
    .expecting("a command, a parameter, a describing word or a value (try `help`)"))
}
