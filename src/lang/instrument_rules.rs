//! The phrase rules for instruments (`grammar/chronus.ebnf`, "instruments"): drums
//! (`drum kick`, `tune -2`, `tone 70%`, `drums`), LFOs (`wobble the filter at 1/8`,
//! `vibrato 5 hz 20 cents`, `tremolo 1/16`, `lfo 2 on resonance rate 2 hz depth 30%`,
//! `lfo off`, `no wobble`), `fade out|in`, a track's note length (`gate 50%`),
//! `select NAME`, and the ramp suffix `... over 4 bars`.
//!
//! Words are matched by their text (see `instrument_words.rs`), so these phrases need no
//! verbs of their own in the vocabulary. Runs on the control thread. May allocate.

use super::ast::{PhraseKind, Target, Word};
use super::grammar::{fail, lexeme_where, next, skip_fillers, Grammar, PResult};
use super::lexeme::{Class, Lexeme, Lexemes};
use super::units::{Quantity, UnitWord};
use crate::engine::lfo::LfoShape;
use nom::branch::alt;
use nom::combinator::opt;
use nom::Parser;
use std::ops::Range;

/// Which LFO phrase was used: it picks the default target, rate and depth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LfoPreset {
    /// `lfo ...`
    Plain,
    /// `wobble ...`: the filter, synced.
    Wobble,
    /// `vibrato ...`: the pitch.
    Vibrato,
    /// `tremolo ...`: the level.
    Tremolo,
}

/// An LFO phrase as typed.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct LfoPhrase {
    pub preset: LfoPreset,
    pub slot: Option<(f64, Range<usize>)>,
    pub off: bool,
    pub target: Option<Target>,
    pub rate: Option<Quantity>,
    pub depth: Option<Quantity>,
    pub shape: Option<LfoShape>,
}

/// An instrument phrase.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum InstrumentPhrase {
    /// `drum kick`, `drum open hat`, `drum off`: the word as typed.
    Drum(Word),
    /// `tune -2` (semitones).
    Tune(Quantity),
    /// `tone 70%`.
    Tone(Quantity),
    /// `drums`: kick, snare and hats tracks with a basic beat.
    Drums,
    /// `gate 50%`: a track's note length.
    Gate(Quantity),
    /// `load patch NAME` after `track NAME`: the patch's sound for that track.
    LoadPatch(Option<Word>),
    /// An LFO phrase.
    Lfo(LfoPhrase),
    /// `fade out` / `fade in`: the master level.
    Fade { out: bool },
    /// `sample NAME|PATH`, `sample off`: the word as typed (case kept).
    Sample(Word),
    /// `sample start 10%`, `sample end 80%`.
    SamplePoint { end: bool, at: Quantity },
    /// `reverse`, `reverse off`.
    Reverse(bool),
    /// `loop`, `loop off`.
    Loop(bool),
    /// `samples`: list what the samples folders hold.
    Samples,
}

fn text<'a>(
    words: &'static [&'static str],
    what: &'static str,
) -> impl Fn(Lexemes<'a>) -> PResult<'a, &'a Lexeme> {
    lexeme_where(what, move |l: &'a Lexeme| {
        (l.class != Class::Separator && words.contains(&l.text.as_str())).then_some(l)
    })
}

impl Grammar<'_> {
    /// Every instrument phrase.
    pub(super) fn instrument<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        let (i, p) = alt((
            |i| self.drum(i),
            |i| {
                let (i, _) = text(&["tune"], "tune")(i)?;
                let (i, q) = self.quantity(i)?;
                Ok((i, InstrumentPhrase::Tune(q)))
            },
            |i| {
                let (i, _) = text(&["tone"], "tone")(i)?;
                let (i, q) = self.quantity(i)?;
                Ok((i, InstrumentPhrase::Tone(q)))
            },
            |i| {
                let (i, _) = text(&["drums"], "drums")(i)?;
                Ok((i, InstrumentPhrase::Drums))
            },
            |i| {
                let (i, _) = text(&["gate"], "gate")(i)?;
                let (i, q) = self.quantity(i)?;
                Ok((i, InstrumentPhrase::Gate(q)))
            },
            |i| {
                let (i, _) = text(&["load", "recall"], "load")(i)?;
                let (i, _) = opt(text(&["patch"], "patch")).parse_complete(i)?;
                let (i, name) = opt(lexeme_where("a patch name", |l: &Lexeme| {
                    (l.class == Class::Raw).then(|| (l.text.clone(), l.span.clone()))
                }))
                .parse_complete(i)?;
                Ok((i, InstrumentPhrase::LoadPatch(name)))
            },
            |i| {
                let (i, _) = text(&["fade"], "fade")(i)?;
                let (i, w) = text(&["out", "in"], "out or in")(i)?;
                Ok((
                    i,
                    InstrumentPhrase::Fade {
                        out: w.text == "out",
                    },
                ))
            },
            |i| self.lfo(i),
            |i| self.sample(i),
        ))
        .parse_complete(i)?;
        Ok((i, PhraseKind::Instrument(p)))
    }

    /// `select bass`: the same as `track bass` alone.
    pub(super) fn select<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        let (i, _) = text(&["select"], "select")(i)?;
        let i = skip_fillers(i);
        match next(i) {
            Some((l, rest)) if l.class != Class::Separator => Ok((
                rest,
                PhraseKind::Track {
                    name: (l.text.clone(), l.span.clone()),
                    then: None,
                },
            )),
            _ => fail(i, "a track name such as bass or hats"),
        }
    }

    fn sample<'a>(&self, i: Lexemes<'a>) -> PResult<'a, InstrumentPhrase> {
        let switch = |word: &'static [&'static str], on: fn(bool) -> InstrumentPhrase| {
            move |i: Lexemes<'a>| {
                let (i, _) = text(word, "reverse or loop")(i)?;
                let (i, off) = opt(text(&["off"], "off")).parse_complete(i)?;
                let (i, on_word) = if off.is_none() {
                    opt(text(&["on"], "on")).parse_complete(i)?
                } else {
                    (i, None)
                };
                let _ = on_word;
                Ok((i, on(off.is_none())))
            }
        };
        alt((
            |i| {
                let (i, _) = text(&["samples"], "samples")(i)?;
                Ok((i, InstrumentPhrase::Samples))
            },
            |i| {
                let (i, _) = text(&["sample"], "sample")(i)?;
                let (i, (word, span)) = lexeme_where(
                    "a sample name or path, `start`, `end` or `off`",
                    |l: &Lexeme| {
                        (l.class != Class::Separator).then(|| (l.text.clone(), l.span.clone()))
                    },
                )(i)?;
                match word.to_lowercase().as_str() {
                    "start" | "end" => {
                        let (i, at) = self.quantity(i)?;
                        Ok((
                            i,
                            InstrumentPhrase::SamplePoint {
                                end: word.eq_ignore_ascii_case("end"),
                                at,
                            },
                        ))
                    }
                    _ => Ok((i, InstrumentPhrase::Sample((word, span)))),
                }
            },
            switch(
                &["reverse", "reversed", "backwards"],
                InstrumentPhrase::Reverse,
            ),
            switch(&["loop", "looped"], InstrumentPhrase::Loop),
        ))
        .parse_complete(i)
    }

    fn drum<'a>(&self, i: Lexemes<'a>) -> PResult<'a, InstrumentPhrase> {
        let (i, _) = text(&["drum"], "drum")(i)?;
        let (i, first) = lexeme_where(
            "a drum: kick, snare, hat, open hat, clap, tom, rim, cowbell, or off",
            |l: &Lexeme| (l.class != Class::Separator).then(|| (l.text.clone(), l.span.clone())),
        )(i)?;
        // `open hat`, `closed hat`: two words for one drum.
        if first.0.eq_ignore_ascii_case("open") || first.0.eq_ignore_ascii_case("closed") {
            let (i, hat) = opt(text(&["hat", "hats", "hihat"], "hat")).parse_complete(i)?;
            let span = hat.map_or(first.1.clone(), |h| first.1.start..h.span.end);
            return Ok((
                i,
                InstrumentPhrase::Drum((format!("{}-hat", first.0), span)),
            ));
        }
        Ok((i, InstrumentPhrase::Drum(first)))
    }

    fn lfo<'a>(&self, i: Lexemes<'a>) -> PResult<'a, InstrumentPhrase> {
        let (i, no) = opt(text(&["no"], "no")).parse_complete(i)?;
        let (i, head) = text(
            &["lfo", "wobble", "vibrato", "tremolo"],
            "lfo, wobble, vibrato or tremolo",
        )(i)?;
        let preset = match head.text.as_str() {
            "wobble" => LfoPreset::Wobble,
            "vibrato" => LfoPreset::Vibrato,
            "tremolo" => LfoPreset::Tremolo,
            _ => LfoPreset::Plain,
        };
        let mut p = LfoPhrase {
            preset,
            slot: None,
            off: no.is_some(),
            target: None,
            rate: None,
            depth: None,
            shape: None,
        };
        let mut i = i;
        if preset == LfoPreset::Plain {
            if let Some((l, rest)) = next(skip_fillers(i)) {
                if let Class::Number { value, unit: None } = l.class {
                    p.slot = Some((value, l.span.clone()));
                    i = rest;
                }
            }
        }
        loop {
            if let Ok((rest, _)) = text(&["off"], "off")(i) {
                p.off = true;
                i = rest;
            } else if let Ok((rest, t)) = {
                let on = text(&["on"], "on");
                (move |i| {
                    let (i, _) = on(i)?;
                    self.target(i)
                })(i)
            } {
                p.target = Some(t);
                i = rest;
            } else if let Ok((rest, q)) = {
                let rate = text(&["rate", "speed"], "rate");
                (move |i| {
                    let (i, _) = rate(i)?;
                    self.quantity(i)
                })(i)
            } {
                p.rate = Some(q);
                i = rest;
            } else if let Ok((rest, q)) = {
                let depth = text(&["depth", "amount"], "depth");
                (move |i| {
                    let (i, _) = depth(i)?;
                    self.quantity(i)
                })(i)
            } {
                p.depth = Some(q);
                i = rest;
            } else if let Ok((rest, s)) = {
                let mut shape = opt(text(&["shape"], "shape"));
                (move |i| {
                    let (i, _) = shape.parse_complete(i)?;
                    lexeme_where("a shape", |l: &Lexeme| LfoShape::from_word(&l.text))(i)
                })(i)
            } {
                p.shape = Some(s);
                i = rest;
            } else if let Ok((rest, q)) = self.quantity(i) {
                let is_rate = q.note_value
                    || matches!(
                        q.unit,
                        Some(UnitWord::Hz | UnitWord::Bars | UnitWord::Beats)
                    )
                    || (q.unit.is_none() && p.rate.is_none());
                if is_rate && p.rate.is_none() {
                    p.rate = Some(q);
                } else {
                    p.depth = Some(q);
                }
                i = rest;
            } else if let Ok((rest, t)) = self.target(i) {
                p.target = Some(t);
                i = rest;
            } else {
                break;
            }
        }
        Ok((i, InstrumentPhrase::Lfo(p)))
    }

    /// `... over 4 bars` at the end of a clause: where `over` is and the length.
    pub(super) fn ramp_suffix(&self, clause: &[Lexeme]) -> Option<(usize, Quantity)> {
        let at = clause.iter().rposition(|l| l.text == "over")?;
        if at == 0 {
            return None;
        }
        let (rest, q) = self.quantity(Lexemes(&clause[at + 1..])).ok()?;
        skip_fillers(rest).0.is_empty().then_some((at, q))
    }
}
