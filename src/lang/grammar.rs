//! The phrase grammar, line level: splitting a line into phrases at separators, `explain`,
//! located errors, and the nom primitives the phrase rules (`phrase_rules.rs`) are built of.
//! `grammar/chronus.ebnf` documents the rules.
//!
//! Runs on the control thread. May allocate.

use super::ast::{Phrase, PhraseKind};
use super::error::{PhraseError, PhraseErrorKind};
use super::lexeme::{check_unknown_words, Class, Lexeme, Lexemes};
use super::vocab::{Verb, Vocabulary};
use nom::error::{ErrorKind, ParseError};
use nom::IResult;

/// A failed parse: how far it got (lexemes left) and what would have fit there.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Expected {
    pub remaining: usize,
    pub what: Vec<&'static str>,
}

impl<'a> ParseError<Lexemes<'a>> for Expected {
    fn from_error_kind(input: Lexemes<'a>, _kind: ErrorKind) -> Self {
        Expected {
            remaining: input.0.len(),
            what: Vec::new(),
        }
    }

    fn append(_input: Lexemes<'a>, _kind: ErrorKind, other: Self) -> Self {
        other
    }

    /// Keeps the alternative that got furthest; at the same place, merges what was expected.
    fn or(mut self, other: Self) -> Self {
        match self.remaining.cmp(&other.remaining) {
            std::cmp::Ordering::Less => self,
            std::cmp::Ordering::Greater => other,
            std::cmp::Ordering::Equal => {
                for w in other.what {
                    if !self.what.contains(&w) {
                        self.what.push(w);
                    }
                }
                self
            }
        }
    }
}

pub(crate) type PResult<'a, T> = IResult<Lexemes<'a>, T, Expected>;

pub(crate) fn fail<'a, T>(i: Lexemes<'a>, what: &'static str) -> PResult<'a, T> {
    Err(nom::Err::Error(Expected {
        remaining: i.0.len(),
        what: vec![what],
    }))
}

pub(crate) fn skip_fillers(i: Lexemes<'_>) -> Lexemes<'_> {
    let n =
        i.0.iter()
            .take_while(|l| matches!(&l.class, Class::Word(c) if c.is_skipped()))
            .count();
    Lexemes(&i.0[n..])
}

pub(crate) fn next(i: Lexemes<'_>) -> Option<(&Lexeme, Lexemes<'_>)> {
    i.0.split_first().map(|(l, rest)| (l, Lexemes(rest)))
}

/// One lexeme (after fillers) for which `f` gives a value.
pub(crate) fn lexeme_where<'a, T>(
    what: &'static str,
    f: impl Fn(&'a Lexeme) -> Option<T>,
) -> impl Fn(Lexemes<'a>) -> PResult<'a, T> {
    move |i| {
        let i = skip_fillers(i);
        match next(i) {
            Some((l, rest)) => match f(l) {
                Some(v) => Ok((rest, v)),
                None => fail(i, what),
            },
            None => fail(i, what),
        }
    }
}

pub(crate) fn verb<'a>(
    v: Verb,
    what: &'static str,
) -> impl Fn(Lexemes<'a>) -> PResult<'a, &'a Lexeme> {
    lexeme_where(what, move |l: &'a Lexeme| l.is(v).then_some(l))
}

/// `now make it brighter`: a leading `now` before another phrase is a word of conversation
/// (a trailing one applies staged track edits at once).
fn without_leading_now(clause: &[Lexeme]) -> &[Lexeme] {
    let first = skip_fillers(Lexemes(clause));
    match next(first) {
        Some((l, rest)) if l.is(Verb::Now) && !skip_fillers(rest).0.is_empty() => rest.0,
        _ => clause,
    }
}

fn end_of<'a>(l: &Lexemes<'a>) -> Option<usize> {
    l.0.last().map(|x| x.span.end)
}

/// The phrase grammar, reading words with the help of a vocabulary.
pub(crate) struct Grammar<'v> {
    pub vocab: &'v Vocabulary,
    /// The line being read (lexeme spans point into it).
    pub line: &'v str,
}

const CLAUSE_START: &str = "a command, a parameter, a describing word or a value (try `help`)";

impl<'v> Grammar<'v> {
    /// Parses all phrases of a line's lexemes.
    pub(crate) fn line(&self, line: &str, lexemes: &[Lexeme]) -> Result<Vec<Phrase>, PhraseError> {
        let mut phrases = Vec::new();
        let mut rest = lexemes;
        while !rest.is_empty() {
            let len = rest
                .iter()
                .position(|l| l.class == Class::Separator)
                .unwrap_or(rest.len());
            let clause = without_leading_now(&rest[..len]);
            let first = skip_fillers(Lexemes(clause));
            if let Some((l, _)) = next(first) {
                if l.is(Verb::Explain) {
                    phrases.push(self.explain(line, lexemes, l)?);
                    return Ok(phrases);
                }
                // A trailing `now` is a phrase of its own: `pattern x..x now`.
                let last = clause
                    .iter()
                    .rposition(|l| !matches!(&l.class, Class::Word(c) if c.is_skipped()));
                match last {
                    Some(n) if n > 0 && clause[n].is(Verb::Now) => {
                        phrases.push(self.clause_to_end(line, &clause[..n])?);
                        phrases.push(Phrase {
                            kind: PhraseKind::Now,
                            span: clause[n].span.clone(),
                        });
                    }
                    _ => phrases.push(self.clause_to_end(line, clause)?),
                }
            }
            rest = &rest[(len + 1).min(rest.len())..];
        }
        Ok(phrases)
    }

    /// `explain <phrase...>`: everything after the verb, to the end of the line.
    fn explain(&self, line: &str, all: &[Lexeme], verb: &Lexeme) -> Result<Phrase, PhraseError> {
        let at = all
            .iter()
            .position(|l| l.span == verb.span)
            .map_or(all.len(), |i| i + 1);
        let inner = &all[at..];
        let text = line[verb.span.end..].trim().to_string();
        if !inner.iter().any(|l| l.class != Class::Separator) {
            return Err(PhraseError::new(
                PhraseErrorKind::Incomplete,
                line,
                line.len()..line.len(),
                "explain what?",
            )
            .expecting("a phrase, e.g. `explain a bit darker`"));
        }
        check_unknown_words(line, inner, self.vocab, &[])?;
        let phrases = self.line(line, inner)?;
        Ok(Phrase {
            kind: PhraseKind::Explain { text, phrases },
            span: verb.span.start..line.len(),
        })
    }

    /// One phrase that must use the whole clause.
    fn clause_to_end(&self, line: &str, clause: &[Lexeme]) -> Result<Phrase, PhraseError> {
        if let Some((at, length)) = self.ramp_suffix(clause) {
            let inner = self.clause_to_end(line, &clause[..at])?;
            return Ok(Phrase {
                span: inner.span.start..length.span.end,
                kind: PhraseKind::Over {
                    inner: Box::new(inner.kind),
                    length,
                },
            });
        }
        let input = Lexemes(clause);
        let start = skip_fillers(input).0.first().map_or(0, |l| l.span.start);
        match self.clause(input) {
            Ok((rest, kind)) => {
                let rest = skip_fillers(rest);
                if let Some((l, _)) = next(rest) {
                    return Err(PhraseError::new(
                        PhraseErrorKind::Unexpected,
                        line,
                        l.span.clone(),
                        format!("\"{}\" does not fit after the phrase before it", l.text),
                    )
                    .expecting("a separator (`,` `;` `then` `and`) or the end of the line"));
                }
                let consumed = clause.len() - rest.0.len();
                let end = clause[..consumed].last().map_or(start, |l| l.span.end);
                Ok(Phrase {
                    kind,
                    span: start..end,
                })
            }
            Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(self.located(line, clause, e)),
            Err(nom::Err::Incomplete(_)) => Err(PhraseError::new(
                PhraseErrorKind::Incomplete,
                line,
                start..start,
                "incomplete phrase",
            )),
        }
    }

    fn located(&self, line: &str, clause: &[Lexeme], e: Expected) -> PhraseError {
        let at = clause.len().saturating_sub(e.remaining);
        let first_word = skip_fillers(Lexemes(clause))
            .0
            .first()
            .map(|l| l.span.clone());
        let mut what: Vec<&str> = e.what.into_iter().filter(|w| !w.is_empty()).collect();
        what.truncate(5);
        let expected = match what.len() {
            0 => CLAUSE_START.to_string(),
            1 => what[0].to_string(),
            n => format!("{} or {}", what[..n - 1].join(", "), what[n - 1]),
        };
        match clause.get(at) {
            Some(l) if Some(&l.span) == first_word.as_ref() => PhraseError::new(
                PhraseErrorKind::Unexpected,
                line,
                l.span.clone(),
                format!("a phrase cannot start with \"{}\"", l.text),
            )
            .expecting(CLAUSE_START),
            Some(l) => PhraseError::new(
                PhraseErrorKind::Unexpected,
                line,
                l.span.clone(),
                format!("\"{}\" does not fit here", l.text),
            )
            .expecting(expected),
            None => {
                let end = end_of(&Lexemes(clause)).unwrap_or(line.len());
                let last = clause.last().map_or(String::new(), |l| l.text.clone());
                PhraseError::new(
                    PhraseErrorKind::Incomplete,
                    line,
                    end..end,
                    format!("the phrase stops after \"{last}\""),
                )
                .expecting(expected)
            }
        }
    }
}
