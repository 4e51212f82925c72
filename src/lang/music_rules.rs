//! The phrase rules for music (`grammar/chronus.ebnf`): chords, the transport, patterns and
//! sequences, named tracks, mute/solo, `now`, and patches. Pattern steps, sequence steps,
//! chord words and patch names arrive as raw lexemes (the lexer keeps them as typed) and are
//! checked by the resolver, which can point at the exact character that is wrong.
//!
//! Runs on the control thread. May allocate.

use super::ast::{PhraseKind, Word};
use super::grammar::{fail, lexeme_where, next, skip_fillers, verb, Grammar, PResult};
use super::lexeme::{Class, Lexeme, Lexemes};
use super::vocab::{Verb, WordClass};
use nom::branch::alt;
use nom::combinator::{map, opt};
use nom::Parser;

fn raw<'a>(what: &'static str) -> impl Fn(Lexemes<'a>) -> PResult<'a, Word> {
    lexeme_where(what, |l: &Lexeme| {
        (l.class == Class::Raw).then(|| (l.text.clone(), l.span.clone()))
    })
}

fn raws<'a>(i: Lexemes<'a>, what: &'static str) -> PResult<'a, Vec<Word>> {
    let mut words = Vec::new();
    let mut rest = i;
    while let Ok((r, w)) = raw(what)(rest) {
        words.push(w);
        rest = r;
    }
    if words.is_empty() {
        return fail(skip_fillers(i), what);
    }
    Ok((rest, words))
}

/// Pattern chunks as one word: the texts joined by blanks, spanning first to last.
fn joined(words: &[Word]) -> Word {
    let text: Vec<&str> = words.iter().map(|(t, _)| t.as_str()).collect();
    let start = words.first().map_or(0, |(_, s)| s.start);
    let end = words.last().map_or(start, |(_, s)| s.end);
    (text.join(" "), start..end)
}

/// A track name: one word as typed (`bass`, `hats`, `2`).
/// Any word may be a name, also one letter or a word that means something else (`track a`,
/// `track k`); only `the` and frame words before it are skipped.
fn track_name(i: Lexemes<'_>) -> PResult<'_, Word> {
    let skip =
        i.0.iter()
            .take_while(|l| matches!(&l.class, Class::Word(c) if c.is_skipped()) && l.text != "a")
            .count();
    let i = Lexemes(&i.0[skip..]);
    match next(i) {
        Some((l, rest))
            if !l.is(Verb::Now)
                && matches!(
                    l.class,
                    Class::Unknown
                        | Class::Word(_)
                        | Class::Number { unit: None, .. }
                        | Class::Note(_)
                        | Class::Unit(_)
                        | Class::Chord
                        | Class::Quality
                ) =>
        {
            let name = match l.class {
                // `mute track two`: a number said in words is the number.
                Class::Number { value, .. } => format!("{value}"),
                _ => l.text.clone(),
            };
            Ok((rest, (name, l.span.clone())))
        }
        _ => fail(i, "a track name such as bass or hats"),
    }
}

const CHORD: &str = "a chord such as C, Dm7, F#maj7 or C minor";
const SEQ: &str = "notes or rests such as C3 C3 . G3";
const PATTERN: &str = "steps such as x..x..X. or x(3,8) [x x] (x hit, X accent, . rest)";

impl Grammar<'_> {
    /// Music phrases that start with their own verb.
    pub(super) fn music<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        alt((
            |i| {
                let (i, _) = verb(Verb::Chord, "chord")(i)?;
                map(|i| raws(i, CHORD), PhraseKind::Chord).parse_complete(i)
            },
            map(verb(Verb::Start, "start"), |_| PhraseKind::Start),
            |i| {
                let (i, _) = verb(Verb::Stop, "stop")(i)?;
                let (i, t) = opt(lexeme_where("transport", |l: &Lexeme| {
                    (l.class == Class::Word(WordClass::Module("transport"))).then_some(())
                }))
                .parse_complete(i)?;
                Ok((
                    i,
                    PhraseKind::Stop {
                        transport_only: t.is_some(),
                    },
                ))
            },
            |i| self.track_phrase(i),
            |i| {
                let (i, _) = verb(Verb::Track, "track")(i)?;
                let (i, name) = track_name(i)?;
                // What follows the name: the reading that takes the most words wins
                // (`track brk reverse off` is the sample's switch, not the rhythm word).
                let mut best: Option<(Lexemes<'a>, PhraseKind)> = None;
                for (rest, kind) in [
                    self.track_phrase(i),
                    self.instrument(i),
                    self.track_sound(i),
                ]
                .into_iter()
                .flatten()
                {
                    if best.as_ref().is_none_or(|(b, _)| rest.0.len() < b.0.len()) {
                        best = Some((rest, kind));
                    }
                }
                let (i, then) = match best {
                    Some((rest, kind)) => (rest, Some(kind)),
                    None => (i, None),
                };
                Ok((
                    i,
                    PhraseKind::Track {
                        name,
                        then: then.map(Box::new),
                    },
                ))
            },
            map(verb(Verb::Now, "now"), |_| PhraseKind::Now),
            |i| {
                let (i, _) = verb(Verb::Save, "save")(i)?;
                let (i, _) = opt(verb(Verb::Show, "patch")).parse_complete(i)?;
                map(opt(raw("a patch name")), PhraseKind::SavePatch).parse_complete(i)
            },
            |i| {
                let (i, _) = verb(Verb::Load, "load")(i)?;
                let (i, _) = opt(verb(Verb::Show, "patch")).parse_complete(i)?;
                map(opt(raw("a patch name")), PhraseKind::LoadPatch).parse_complete(i)
            },
            map(verb(Verb::Patches, "patches"), |_| PhraseKind::Patches),
        ))
        .parse_complete(i)
    }

    /// Phrases about the current (or just named) track.
    fn track_phrase<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        let toggle = |v: Verb, on: bool, solo: bool, what: &'static str| {
            move |i: Lexemes<'a>| {
                let (i, _) = verb(v, what)(i)?;
                // `mute track 2`: the word `track` may come before the name.
                let (i, _) = opt(verb(Verb::Track, "track")).parse_complete(i)?;
                let (i, name) = opt(track_name).parse_complete(i)?;
                Ok((
                    i,
                    if solo {
                        PhraseKind::Solo { name, on }
                    } else {
                        PhraseKind::Mute { name, on }
                    },
                ))
            }
        };
        alt((
            |i| {
                let (i, _) = verb(Verb::Pattern, "pattern")(i)?;
                map(
                    |i| raws(i, PATTERN),
                    |words| PhraseKind::Pattern(joined(&words)),
                )
                .parse_complete(i)
            },
            |i| {
                let (i, _) = verb(Verb::Seq, "seq")(i)?;
                map(|i| raws(i, SEQ), PhraseKind::Seq).parse_complete(i)
            },
            |i| {
                let (i, _) = verb(Verb::Steps, "steps")(i)?;
                map(|i| self.quantity(i), PhraseKind::Steps).parse_complete(i)
            },
            |i| {
                let (i, _) = verb(Verb::Rate, "rate")(i)?;
                map(|i| self.quantity(i), PhraseKind::Rate).parse_complete(i)
            },
            toggle(Verb::Mute, true, false, "mute"),
            toggle(Verb::Unmute, false, false, "unmute"),
            toggle(Verb::Solo, true, true, "solo"),
            toggle(Verb::Unsolo, false, true, "unsolo"),
            map(verb(Verb::Clear, "clear"), |_| PhraseKind::Clear),
            |i| self.rhythm(i),
        ))
        .parse_complete(i)
    }

    /// A sound setting after `track NAME`: `wave noise`, `noise`, `decay 40ms`, `pitch C2`.
    fn track_sound<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        alt((
            |i| self.choice_set(i),
            |i| self.set(i),
            |i| self.choose(i),
            |i| self.relative(i),
        ))
        .parse_complete(i)
    }
}
