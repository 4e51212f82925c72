//! The phrase grammar: nom combinators over classified lexemes, producing an AST of phrases
//! with spans. `grammar/chronus.ebnf` documents exactly these rules.
//!
//! Runs on the control thread. May allocate.

use super::error::{PhraseError, PhraseErrorKind};
use super::lexeme::{check_unknown_words, Class, Lexeme, Lexemes};
use super::units::{Quantity, UnitWord};
use super::vocab::{Describe, Verb, Vocabulary, WordClass};
use crate::engine::params::ParamId;
use nom::branch::alt;
use nom::combinator::{map, opt};
use nom::error::{ErrorKind, ParseError};
use nom::sequence::preceded;
use nom::{IResult, Parser};
use std::ops::Range;

/// A parameter as named in a phrase: a module (`filter`), a parameter (`cutoff`,
/// `filter cutoff`) or a canonical name (`filter.cutoff`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Target {
    pub module: Option<&'static str>,
    pub param: Option<ParamId>,
    /// Named as `module.param`: bare numbers are in the parameter's own unit.
    pub canonical: bool,
    pub span: Range<usize>,
}

/// A value as typed after a parameter.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Quantity(Quantity),
    Note {
        midi: i32,
        span: Range<usize>,
    },
    Choice {
        param: ParamId,
        index: usize,
        span: Range<usize>,
    },
}

/// A fault to inject (`fault slow 3ms`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum FaultSpec {
    Panic,
    Hang,
    Nan,
    Slow(Option<Quantity>),
}

/// One phrase of a line.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Phrase {
    pub kind: PhraseKind,
    pub span: Range<usize>,
}

/// What a phrase says.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum PhraseKind {
    Help(Option<(String, Range<usize>)>),
    Status,
    Show,
    Undo,
    Redo,
    Quit,
    Explain {
        text: String,
        phrases: Vec<Phrase>,
    },
    Gate(bool),
    NoteOn {
        midi: i32,
        span: Range<usize>,
    },
    NoteOff {
        midi: i32,
        span: Range<usize>,
    },
    Hush,
    Reset(Option<Target>),
    Set {
        target: Target,
        value: Value,
    },
    Choose {
        param: ParamId,
        index: usize,
        target: Option<Target>,
    },
    Relative {
        word: Describe,
        word_text: String,
        word_span: Range<usize>,
        intensity: f32,
        target: Option<Target>,
        amount: Option<Quantity>,
    },
    Transpose {
        sign: f64,
        amount: Quantity,
    },
    Fault(FaultSpec),
}

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

type PResult<'a, T> = IResult<Lexemes<'a>, T, Expected>;

fn fail<'a, T>(i: Lexemes<'a>, what: &'static str) -> PResult<'a, T> {
    Err(nom::Err::Error(Expected {
        remaining: i.0.len(),
        what: vec![what],
    }))
}

fn skip_fillers(i: Lexemes<'_>) -> Lexemes<'_> {
    let n =
        i.0.iter()
            .take_while(|l| l.class == Class::Word(WordClass::Filler))
            .count();
    Lexemes(&i.0[n..])
}

fn next(i: Lexemes<'_>) -> Option<(&Lexeme, Lexemes<'_>)> {
    i.0.split_first().map(|(l, rest)| (l, Lexemes(rest)))
}

/// One lexeme (after fillers) for which `f` gives a value.
fn lexeme_where<'a, T>(
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

fn verb<'a>(v: Verb, what: &'static str) -> impl Fn(Lexemes<'a>) -> PResult<'a, &'a Lexeme> {
    lexeme_where(what, move |l: &'a Lexeme| l.is(v).then_some(l))
}

fn end_of<'a>(l: &Lexemes<'a>) -> Option<usize> {
    l.0.last().map(|x| x.span.end)
}

/// The phrase grammar, reading words with the help of a vocabulary.
pub(crate) struct Grammar<'v> {
    pub vocab: &'v Vocabulary,
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
            let clause = &rest[..len];
            let first = skip_fillers(Lexemes(clause));
            if let Some((l, _)) = next(first) {
                if l.is(Verb::Explain) {
                    phrases.push(self.explain(line, lexemes, l)?);
                    return Ok(phrases);
                }
                phrases.push(self.clause_to_end(line, clause)?);
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

    fn clause<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        alt((
            |i| self.meta(i),
            |i| self.fault(i),
            |i| self.gate(i),
            |i| self.note(i),
            |i| self.play(i),
            map(verb(Verb::Stop, "stop"), |_| PhraseKind::Gate(false)),
            map(verb(Verb::Hush, "hush"), |_| PhraseKind::Hush),
            |i| self.reset(i),
            |i| self.transpose(i),
            |i| self.interval_first(i),
            |i| self.relative(i),
            |i| self.set(i),
            |i| self.choose(i),
            |i| self.tempo_in_bpm(i),
        ))
        .parse_complete(i)
    }

    fn meta<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        alt((
            |i| {
                let (rest, _) = verb(Verb::Help, "help")(i)?;
                let topic = skip_fillers(rest);
                let words: Vec<&str> = topic.0.iter().map(|l| l.text.as_str()).collect();
                let kind = match (topic.0.first(), topic.0.last()) {
                    (Some(a), Some(b)) => {
                        PhraseKind::Help(Some((words.join(" "), a.span.start..b.span.end)))
                    }
                    _ => PhraseKind::Help(None),
                };
                Ok((Lexemes(&[]), kind))
            },
            map(verb(Verb::Status, "status"), |_| PhraseKind::Status),
            map(verb(Verb::Show, "show"), |_| PhraseKind::Show),
            map(verb(Verb::Undo, "undo"), |_| PhraseKind::Undo),
            map(verb(Verb::Redo, "redo"), |_| PhraseKind::Redo),
            map(verb(Verb::Quit, "quit"), |_| PhraseKind::Quit),
        ))
        .parse_complete(i)
    }

    fn fault<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        let (i, _) = verb(Verb::Fault, "fault")(i)?;
        let (i, kind) = lexeme_where("panic, hang, nan or slow", |l: &Lexeme| {
            match l.text.as_str() {
                "panic" => Some(FaultSpec::Panic),
                "hang" => Some(FaultSpec::Hang),
                "nan" => Some(FaultSpec::Nan),
                "slow" => Some(FaultSpec::Slow(None)),
                _ => None,
            }
        })(i)?;
        if kind == FaultSpec::Slow(None) {
            let (i, q) = opt(|i| self.quantity(i)).parse_complete(i)?;
            return Ok((i, PhraseKind::Fault(FaultSpec::Slow(q))));
        }
        Ok((i, PhraseKind::Fault(kind)))
    }

    fn gate<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        preceded(
            opt(verb(Verb::Gate, "gate")),
            alt((
                map(verb(Verb::On, "on"), |_| PhraseKind::Gate(true)),
                map(verb(Verb::Off, "off"), |_| PhraseKind::Gate(false)),
            )),
        )
        .parse_complete(i)
    }

    fn note<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        let (i, _) = verb(Verb::Note, "note")(i)?;
        alt((
            map(
                preceded(verb(Verb::On, "on"), |i| self.note_value(i)),
                |(midi, span)| PhraseKind::NoteOn { midi, span },
            ),
            map(
                preceded(verb(Verb::Off, "off"), |i| self.note_value(i)),
                |(midi, span)| PhraseKind::NoteOff { midi, span },
            ),
            map(
                |i| self.note_value(i),
                |(midi, span)| PhraseKind::NoteOn { midi, span },
            ),
        ))
        .parse_complete(i)
    }

    fn play<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        let (i, _) = verb(Verb::Play, "play")(i)?;
        let (i, note_word) = opt(verb(Verb::Note, "note")).parse_complete(i)?;
        if note_word.is_some() {
            let (i, (midi, span)) = self.note_value(i)?;
            return Ok((i, PhraseKind::NoteOn { midi, span }));
        }
        let (i, note) = opt(|i| self.note_value(i)).parse_complete(i)?;
        Ok((
            i,
            match note {
                Some((midi, span)) => PhraseKind::NoteOn { midi, span },
                None => PhraseKind::Gate(true),
            },
        ))
    }

    /// A note name (`A3`, `c#`, even `a`, which is otherwise a filler) or a MIDI number.
    fn note_value<'a>(&self, i: Lexemes<'a>) -> PResult<'a, (i32, Range<usize>)> {
        for candidate in [i, skip_fillers(i)] {
            if let Some((l, rest)) = next(candidate) {
                let midi = match &l.class {
                    Class::Note(m) => Some(*m),
                    Class::Number { value, unit: None } if value.fract() == 0.0 => {
                        Some(value.clamp(-1e6, 1e6) as i32)
                    }
                    Class::Number { .. } | Class::Fraction { .. } => None,
                    _ => self.vocab.parse_note(&l.text),
                };
                if let Some(m) = midi {
                    return Ok((rest, (m, l.span.clone())));
                }
            }
        }
        fail(
            skip_fillers(i),
            "a note such as A3 or C#4, or a MIDI number",
        )
    }

    fn reset<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        let (i, _) = verb(Verb::Reset, "reset")(i)?;
        let (i, t) = opt(|i| self.target(i)).parse_complete(i)?;
        Ok((i, PhraseKind::Reset(t)))
    }

    fn direction_word<'a>(&self, i: Lexemes<'a>) -> PResult<'a, f64> {
        lexeme_where("up or down", |l: &Lexeme| match &l.class {
            Class::Word(WordClass::Describe(d)) => d.direction.map(|dir| match dir {
                super::vocab::Direction::Up => 1.0,
                super::vocab::Direction::Down => -1.0,
            }),
            _ => None,
        })(i)
    }

    fn transpose<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        let (i, _) = verb(Verb::Transpose, "transpose")(i)?;
        let (i, sign) = opt(|i| self.direction_word(i)).parse_complete(i)?;
        let (i, _) = opt(verb(Verb::By, "by")).parse_complete(i)?;
        let (i, amount) = self.amount(i)?;
        Ok((
            i,
            PhraseKind::Transpose {
                sign: sign.unwrap_or(1.0),
                amount,
            },
        ))
    }

    /// `an octave up`, `2 semitones down`.
    fn interval_first<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        let (i, amount) = self.interval_amount(i)?;
        let (i, sign) = self.direction_word(i)?;
        Ok((i, PhraseKind::Transpose { sign, amount }))
    }

    fn relative<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        let (i, t1) = opt(|i| self.target(i)).parse_complete(i)?;
        let (i, k1) = opt(|i| self.intensity(i)).parse_complete(i)?;
        let (i, (word, word_text, word_span)) = lexeme_where(
            "a describing word such as darker or more",
            |l: &Lexeme| match &l.class {
                Class::Word(WordClass::Describe(d)) => {
                    Some((d.clone(), l.text.clone(), l.span.clone()))
                }
                _ => None,
            },
        )(i)?;
        let (i, k2) = opt(|i| self.intensity(i)).parse_complete(i)?;
        let (i, t2) = if t1.is_none() {
            opt(|i| self.target(i)).parse_complete(i)?
        } else {
            (i, None)
        };
        let (i, amount) =
            opt(preceded(opt(verb(Verb::By, "by")), |i| self.amount(i))).parse_complete(i)?;
        Ok((
            i,
            PhraseKind::Relative {
                word,
                word_text,
                word_span,
                intensity: k1.or(k2).unwrap_or(1.0),
                target: t1.or(t2),
                amount,
            },
        ))
    }

    fn intensity<'a>(&self, i: Lexemes<'a>) -> PResult<'a, f32> {
        lexeme_where("an intensity such as a bit or much", |l: &Lexeme| {
            match l.class {
                Class::Word(WordClass::Intensity(k)) => Some(k),
                _ => None,
            }
        })(i)
    }

    fn set<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        let (i, target) = self.target(i)?;
        let (i, value) = self.value(i)?;
        Ok((i, PhraseKind::Set { target, value }))
    }

    /// `saw`, `a triangle wave`, `highpass`.
    fn choose<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        let (i, (param, index)) =
            lexeme_where("a waveform or filter mode", |l: &Lexeme| match l.class {
                Class::Word(WordClass::Choice(p, n)) => Some((p, n)),
                _ => None,
            })(i)?;
        let (i, target) = opt(|i| self.target(i)).parse_complete(i)?;
        Ok((
            i,
            PhraseKind::Choose {
                param,
                index,
                target,
            },
        ))
    }

    /// `128 bpm` on its own sets the tempo.
    fn tempo_in_bpm<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        let (rest, q) = self.quantity(i)?;
        if q.unit != Some(UnitWord::Bpm) {
            return fail(i, "a parameter before the value");
        }
        let span = q.span.clone();
        Ok((
            rest,
            PhraseKind::Set {
                target: Target {
                    module: None,
                    param: Some(ParamId::TransportTempo),
                    canonical: false,
                    span,
                },
                value: Value::Quantity(q),
            },
        ))
    }

    fn target<'a>(&self, i: Lexemes<'a>) -> PResult<'a, Target> {
        let i = skip_fillers(i);
        let what = "a parameter such as cutoff, attack or reverb mix";
        let Some((l, rest)) = next(i) else {
            return fail(i, what);
        };
        let target = |module, param, canonical, span| Target {
            module,
            param,
            canonical,
            span,
        };
        match &l.class {
            Class::CanonicalParam(p) => Ok((rest, target(None, Some(*p), true, l.span.clone()))),
            Class::Word(WordClass::Param(p)) => {
                Ok((rest, target(None, Some(*p), false, l.span.clone())))
            }
            Class::Word(WordClass::Module(m)) => {
                let after = skip_fillers(rest);
                if let Some((pl, rest2)) = next(after) {
                    if let Some(p) = self.vocab.param_in_module(m, &pl.text) {
                        let span = l.span.start..pl.span.end;
                        return Ok((rest2, target(Some(*m), Some(p), false, span)));
                    }
                }
                Ok((rest, target(Some(*m), None, false, l.span.clone())))
            }
            _ => fail(i, what),
        }
    }

    fn value<'a>(&self, i: Lexemes<'a>) -> PResult<'a, Value> {
        if let Ok((rest, q)) = self.quantity(i) {
            return Ok((rest, Value::Quantity(q)));
        }
        lexeme_where(
            "a value such as 800, 5ms, 50%, -6db, A3 or saw",
            |l: &Lexeme| match l.class {
                Class::Note(midi) => Some(Value::Note {
                    midi,
                    span: l.span.clone(),
                }),
                Class::Word(WordClass::Choice(param, index)) => Some(Value::Choice {
                    param,
                    index,
                    span: l.span.clone(),
                }),
                _ => None,
            },
        )(i)
    }

    /// A number with its unit: `800`, `1.2k`, `5 ms`, `50%`, `3/8`, `2 octaves`.
    fn quantity<'a>(&self, i: Lexemes<'a>) -> PResult<'a, Quantity> {
        let i = skip_fillers(i);
        let Some((l, rest)) = next(i) else {
            return fail(i, "a number such as 800, 1.2k, 5ms or 50%");
        };
        let (value, unit, note_value) = match &l.class {
            Class::Number { value, unit } => (*value, *unit, false),
            Class::Fraction { value, unit } => (*value, *unit, true),
            _ => return fail(i, "a number such as 800, 1.2k, 5ms or 50%"),
        };
        let q = |value, unit, end| Quantity {
            value,
            unit,
            note_value,
            span: l.span.start..end,
        };
        if unit.is_some() {
            return Ok((rest, q(value, unit, l.span.end)));
        }
        if let Some((u, rest2)) = next(rest) {
            if let Some(unit) = UnitWord::from_word(&u.text) {
                return Ok((rest2, q(value, Some(unit), u.span.end)));
            }
            if let Class::Word(WordClass::Interval(n)) = u.class {
                let st = value * f64::from(n);
                return Ok((rest2, q(st, Some(UnitWord::Semitones), u.span.end)));
            }
        }
        Ok((rest, q(value, None, l.span.end)))
    }

    /// `an octave`, `a fifth`, `2 octaves` (as semitones).
    fn interval_amount<'a>(&self, i: Lexemes<'a>) -> PResult<'a, Quantity> {
        let start = skip_fillers(i);
        let (i, count) = opt(lexeme_where("", |l: &Lexeme| match l.class {
            Class::Number { value, unit: None } => Some(value),
            _ => None,
        }))
        .parse_complete(i)?;
        let (i, (n, span)) =
            lexeme_where(
                "an interval such as octave or fifth",
                |l: &Lexeme| match l.class {
                    Class::Word(WordClass::Interval(n)) => Some((n, l.span.clone())),
                    _ => None,
                },
            )(i)?;
        let begin = start.0.first().map_or(span.start, |l| l.span.start);
        Ok((
            i,
            Quantity {
                value: count.unwrap_or(1.0) * f64::from(n),
                unit: Some(UnitWord::Semitones),
                note_value: false,
                span: begin..span.end,
            },
        ))
    }

    fn amount<'a>(&self, i: Lexemes<'a>) -> PResult<'a, Quantity> {
        alt((|i| self.quantity(i), |i| self.interval_amount(i))).parse_complete(i)
    }
}
