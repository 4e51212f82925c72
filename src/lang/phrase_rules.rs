//! The phrase rules of the grammar (`grammar/chronus.ebnf`), as nom combinators over
//! classified lexemes: meta, fault, gate, note, play, reset, transpose, relative, set, choose,
//! and the operands they share (targets, values, quantities, intervals).
//!
//! Runs on the control thread. May allocate.

use super::ast::{FaultSpec, PhraseKind, Target, Value};
use super::grammar::{fail, lexeme_where, next, skip_fillers, verb, Expected, Grammar, PResult};
use super::lexeme::{Class, Lexeme, Lexemes};
use super::units::{Quantity, UnitWord};
use super::vocab::{Verb, WordClass};
use crate::engine::params::ParamId;
use nom::branch::alt;
use nom::combinator::{map, opt};
use nom::sequence::preceded;
use nom::Parser;
use std::ops::Range;

impl Grammar<'_> {
    /// One phrase. The rules are tried in order; the first that reads the whole clause wins
    /// (a setting may be followed by more settings of its module). Otherwise the first rule
    /// that read part of it wins, so that the error points after it.
    pub(super) fn clause<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        let mut partial: Option<(Lexemes<'a>, PhraseKind)> = None;
        let mut error: Option<Expected> = None;
        for n in 0.. {
            let Some(result) = self.rule(n, i) else { break };
            match result {
                Ok((rest, kind)) => {
                    if skip_fillers(rest).0.is_empty() {
                        return Ok((rest, kind));
                    }
                    if let Some(done) = self.more_settings(&kind, rest) {
                        return Ok(done);
                    }
                    partial.get_or_insert((rest, kind));
                }
                Err(nom::Err::Error(e)) => {
                    error = Some(match error {
                        None => e,
                        Some(x) => nom::error::ParseError::<Lexemes<'a>>::or(x, e),
                    })
                }
                Err(other) => return Err(other),
            }
        }
        if let Some(p) = partial {
            return Ok(p);
        }
        Err(nom::Err::Error(error.unwrap_or(Expected {
            remaining: i.0.len(),
            what: Vec::new(),
        })))
    }

    /// The phrase rules, in the order they are tried.
    fn rule<'a>(&self, n: usize, i: Lexemes<'a>) -> Option<PResult<'a, PhraseKind>> {
        Some(match n {
            // `noise level -18 db` before `noise` (the waveform) and `level -18 db`;
            // `add a second filter` before `add` read as `more`.
            0 => self
                .noise_source(i)
                .or_else(|_| self.add_module(i))
                .or_else(|_| self.meta(i)),
            1 => self.fault(i),
            2 => alt((|i| self.switch(i), |i| self.switch_out(i))).parse_complete(i),
            3 => self.gate(i),
            4 => self.chord_sentence(i),
            5 => self.note(i),
            6 => self.play(i),
            7 => self.music(i),
            8 => self.instrument(i),
            9 => self.select(i),
            10 => map(verb(Verb::Hush, "hush"), |_| PhraseKind::Hush).parse_complete(i),
            11 => self.reset(i),
            12 => self.scale(i),
            13 => self.transpose(i),
            14 => self.interval_first(i),
            15 => self.choice_set(i),
            16 => self.modified(i),
            17 => self.relative(i),
            18 => alt((|i| self.value_then_param(i), |i| self.set(i))).parse_complete(i),
            19 => self.choose(i),
            20 => self.tempo_in_bpm(i),
            21 => self.bare_note(i),
            22 => self.bare_hz(i),
            23 => self.some_target(i),
            24 => self.switch_alone(i),
            25 => self.filter_routing(i),
            26 => self.reorder(i),
            _ => return None,
        })
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
            |i| {
                let (i, (midi, span)) =
                    preceded(verb(Verb::On, "on"), |i| self.note_value(i)).parse_complete(i)?;
                let (i, velocity) = self.velocity(i)?;
                Ok((
                    i,
                    PhraseKind::NoteOn {
                        midi,
                        span,
                        velocity,
                    },
                ))
            },
            map(
                preceded(verb(Verb::Off, "off"), |i| self.note_value(i)),
                |(midi, span)| PhraseKind::NoteOff { midi, span },
            ),
            |i| {
                let (i, (midi, span)) = self.note_value(i)?;
                let (i, velocity) = self.velocity(i)?;
                Ok((
                    i,
                    PhraseKind::NoteOn {
                        midi,
                        span,
                        velocity,
                    },
                ))
            },
        ))
        .parse_complete(i)
    }

    /// An optional `velocity 0.5` (or `velocity 80%`).
    fn velocity<'a>(&self, i: Lexemes<'a>) -> PResult<'a, Option<Quantity>> {
        opt(preceded(verb(Verb::Velocity, "velocity"), |i| {
            self.quantity(i)
        }))
        .parse_complete(i)
    }

    /// `arp up`, `set arp.mode random`, `osc noise`: a target whose parameter (or module
    /// default) is a choice, then one of its choice words, even one that is otherwise a
    /// describing word or a verb (`up`, `down`, `off`).
    pub(super) fn choice_set<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        let (rest, target) = self.target(i)?;
        let param = target
            .param
            .or_else(|| target.module.and_then(|m| self.vocab.module_default(m)));
        let Some(param) = param.filter(|p| p.spec().unit == crate::engine::params::Unit::Choice)
        else {
            return fail(rest, "");
        };
        let (rest, value) = lexeme_where("", |l: &Lexeme| {
            param
                .spec()
                .choice_index(&l.text)
                .map(|index| Value::Choice {
                    param,
                    index,
                    span: l.span.clone(),
                })
        })(rest)?;
        Ok((rest, PhraseKind::Set { target, value }))
    }

    fn play<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        let (i, _) = verb(Verb::Play, "play")(i)?;
        let (i, note_word) = opt(verb(Verb::Note, "note")).parse_complete(i)?;
        if note_word.is_some() {
            let (i, (midi, span)) = self.note_value(i)?;
            let (i, velocity) = self.velocity(i)?;
            return Ok((
                i,
                PhraseKind::NoteOn {
                    midi,
                    span,
                    velocity,
                },
            ));
        }
        let mut notes = Vec::new();
        // `play a C`: the article before a note is not the note A.
        let mut i = match (next(i), i.0.get(1)) {
            (Some((a, rest)), Some(n))
                if matches!(a.text.as_str(), "a" | "an") && matches!(n.class, Class::Note(_)) =>
            {
                rest
            }
            _ => i,
        };
        while let Ok((rest, n)) = self.note_value(i) {
            notes.push(n);
            i = rest;
        }
        let (i, velocity) = self.velocity(i)?;
        Ok((
            i,
            match notes.len() {
                0 if velocity.is_none() => PhraseKind::Gate(true),
                0 => return fail(i, "a note such as A3 or C#4, or a MIDI number"),
                1 => {
                    let (midi, span) = notes.remove(0);
                    PhraseKind::NoteOn {
                        midi,
                        span,
                        velocity,
                    }
                }
                _ => PhraseKind::Play { notes, velocity },
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

    /// `darker`, `a bit more reverb`, `cutoff up 200 hz`, `push the cutoff up`, `darker
    /// darker`, `turn it down a bit`, `drop the tempo to 80` (a value after `to` is set).
    pub(super) fn relative<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        let (i, t1) = opt(|i| self.target(i)).parse_complete(i)?;
        let (i, k1) = self.intensities(i)?;
        let (i, first) =
            lexeme_where(
                "a describing word such as darker or more",
                |l: &Lexeme| match &l.class {
                    Class::Word(WordClass::Describe(d)) => {
                        Some((d.clone(), l.text.clone(), l.span.clone()))
                    }
                    _ => None,
                },
            )(i)?;
        let (i, repeats) = self.repeats(i, &first.0)?;
        let (i, k2) = self.intensities(i)?;
        let (i, t2) = if t1.is_none() {
            opt(|i| self.target(i)).parse_complete(i)?
        } else {
            (i, None)
        };
        let (i, k3) = self.intensities(i)?;
        // `push the cutoff up`, `slow it down`: a second word says the direction again (two
        // describing words with effects of their own are two phrases: `darker brighter` is not
        // one).
        let first_moves = !first.0.effects.is_empty();
        let (i, second) = opt(lexeme_where("", |l: &Lexeme| match &l.class {
            Class::Word(WordClass::Describe(d)) if !first_moves || d.effects.is_empty() => {
                Some((d.clone(), l.text.clone(), l.span.clone()))
            }
            _ => None,
        }))
        .parse_complete(i)?;
        let (i, k4) = self.intensities(i)?;
        let (word, word_text, word_span) = match second {
            Some(s) if !first_moves => s,
            _ => first,
        };
        let target = t1.or(t2);
        // `drop the tempo to 80`: a value after `to` is where it goes.
        if let (Some(t), Some((l, _))) = (&target, next(i)) {
            if l.text == "to" {
                if let Ok((rest, value)) = self.value(i) {
                    return Ok((
                        rest,
                        PhraseKind::Set {
                            target: t.clone(),
                            value,
                        },
                    ));
                }
            }
        }
        let (i, amount) =
            opt(preceded(opt(verb(Verb::By, "by")), |i| self.amount(i))).parse_complete(i)?;
        let intensity = (k1 * k2 * k3 * k4 * repeats).min(super::natural_rules::MAX_INTENSITY);
        Ok((
            i,
            PhraseKind::Relative {
                word,
                word_text,
                word_span,
                intensity,
                target,
                amount,
            },
        ))
    }

    pub(super) fn intensity<'a>(&self, i: Lexemes<'a>) -> PResult<'a, f32> {
        lexeme_where("an intensity such as a bit or much", |l: &Lexeme| {
            match l.class {
                Class::Word(WordClass::Intensity(k)) => Some(k),
                _ => None,
            }
        })(i)
    }

    pub(super) fn set<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        let (i, target) = self.target(i)?;
        let (i, _) = opt(verb(Verb::By, "by")).parse_complete(i)?;
        match self.value(i) {
            Ok((i, value)) => Ok((i, PhraseKind::Set { target, value })),
            // `delay on`: the module took `on` as its switch parameter's name.
            Err(_)
                if !target.canonical && target.param.is_some_and(|p| p.spec().param() == "on") =>
            {
                let span = target.span.clone();
                Ok((
                    i,
                    PhraseKind::Set {
                        target,
                        value: Value::Switch { on: true, span },
                    },
                ))
            }
            Err(e) => Err(e),
        }
    }

    /// `saw`, `a triangle wave`, `highpass`.
    pub(super) fn choose<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        let (i, (param, index)) =
            lexeme_where("a waveform or filter mode", |l: &Lexeme| match l.class {
                Class::Word(WordClass::Choice(p, n)) => Some((p, n)),
                _ => None,
            })(i)?;
        // Its own module or parameter may follow (`a square wave`, `highpass filter`); another
        // parameter starts the next setting (`lpf cutoff 700`).
        let (i, target) = match self.target(i) {
            Ok((rest, t))
                if t.param.is_none_or(|p| p == param)
                    && t.module.is_none_or(|m| m == param.spec().module()) =>
            {
                (rest, Some(t))
            }
            _ => (i, None),
        };
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
        self.bare_value(i, &[UnitWord::Bpm], ParamId::TransportTempo)
    }

    /// A value whose unit names its parameter, on its own (`128 bpm`, `440 hz`): sets it.
    pub(super) fn bare_value<'a>(
        &self,
        i: Lexemes<'a>,
        units: &[UnitWord],
        param: ParamId,
    ) -> PResult<'a, PhraseKind> {
        let (rest, q) = self.quantity(i)?;
        if !q.unit.is_some_and(|u| units.contains(&u)) {
            return fail(i, "a parameter before the value");
        }
        let span = q.span.clone();
        Ok((
            rest,
            PhraseKind::Set {
                target: Target {
                    module: None,
                    param: Some(param),
                    canonical: false,
                    span,
                },
                value: Value::Quantity(q),
            },
        ))
    }

    pub(super) fn target<'a>(&self, i: Lexemes<'a>) -> PResult<'a, Target> {
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
                // The parameter word right after the module, even one that is otherwise a
                // skipped word (`delay time`), else after skipped words (`filter the cutoff`).
                for after in [rest, skip_fillers(rest)] {
                    if let Some((pl, rest2)) = next(after) {
                        if let Some(p) = self.vocab.param_in_module(m, &pl.text) {
                            let span = l.span.start..pl.span.end;
                            return Ok((rest2, target(Some(*m), Some(p), false, span)));
                        }
                    }
                }
                Ok((rest, target(Some(*m), None, false, l.span.clone())))
            }
            _ => fail(i, what),
        }
    }

    pub(super) fn value<'a>(&self, i: Lexemes<'a>) -> PResult<'a, Value> {
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
                Class::Word(WordClass::Verb(v @ (Verb::On | Verb::Off))) => Some(Value::Switch {
                    on: v == Verb::On,
                    span: l.span.clone(),
                }),
                _ => None,
            },
        )(i)
    }

    /// A number with its unit: `800`, `1.2k`, `5 ms`, `50%`, `3/8`, `2 octaves`.
    pub(super) fn quantity<'a>(&self, i: Lexemes<'a>) -> PResult<'a, Quantity> {
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
