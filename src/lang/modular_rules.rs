//! Phrase rules for the modular voice (`grammar/chronus.ebnf`, "modular voice"): the module
//! words `osc2`, `sub`, `noise`, `fm`, `ring`, `sync` mostly go through the ordinary rules
//! (`osc2 octave -1`, `fm ratio 2 index 1`); these rules add what those cannot read:
//!
//! ```text
//! switch_alone := module            (a module whose default is its switch: `ring mod`, `sync`)
//! noise        := "noise" [param] (value | "on" | "off")   (`noise level -18 db`, `noise off`)
//! routing      := ("filters" | "filter2") ["in"] ("series" | "parallel")
//! reorder      := ("effects" | "effect" | "fx") "order" effect+
//!               | effect ("before" | "after") effect
//! effect       := "drive" | "chorus" | "delay" | "reverb"   (and their module words)
//! add          := "add" ["a" | "an"] ("second" | "2nd" | "another") ("oscillator" | "osc" | "filter")
//!                 [pitch]
//!               | "add" ["a" | "an"] ("third" | "3rd") ("oscillator" | "osc") [pitch]
//!               | "add" ("osc2" | "osc3" | "filter2") [pitch]   (`add a second oscillator an octave down`)
//! pitch        := ["a" | "an" | "one" | number] ("octave" | "octaves" | "fifth" | "fifths"
//!                 | "fourth" | "fourths") ("down" | "up" | "lower" | "higher")
//!                 (`add a third oscillator a fifth up`: osc3 semitones 7)
//! ```
//!
//! `noise` alone stays the oscillator waveform (`noise` = `osc noise`).

use super::ast::{PhraseKind, Reorder, Target, Value};
use super::grammar::{fail, next, skip_fillers, Grammar, PResult};
use super::lexeme::{Class, Lexeme, Lexemes};
use super::units::Quantity;
use super::vocab::WordClass;
use crate::engine::fx::order::Effect;
use crate::engine::params::ParamId;
use std::ops::Range;

/// Words only the modular phrases use (known to the unknown-word check).
pub(crate) const MODULAR_WORDS: &[&str] = &[
    "before", "after", "effects", "effect", "fx", "order", "add", "second", "2nd", "another",
    "lower", "higher", "third", "3rd", "fifth", "fifths", "fourth", "fourths",
];

/// Whether `word` (lower case) is one of [`MODULAR_WORDS`].
pub(crate) fn is_modular_word(word: &str) -> bool {
    MODULAR_WORDS.contains(&word)
}

/// What an unknown `oscN` or `filterN` asks for that does not exist: the modules there are.
pub(crate) fn missing_module(word: &str) -> Option<&'static str> {
    let number = |prefix: &str| {
        word.strip_prefix(prefix)
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            .is_some()
    };
    if number("osc") || number("oscillator") || number("vco") {
        Some("there are three oscillators, osc (osc1), osc2 and osc3, besides sub and noise")
    } else if number("filter") || number("vcf") {
        Some("there are two filters, filter (filter1) and filter2")
    } else {
        None
    }
}

/// The effect a lexeme names (`delay`, `echo`, `verb`), if any.
fn effect_of(l: &Lexeme) -> Option<(Effect, Range<usize>)> {
    match &l.class {
        Class::Word(WordClass::Module(m)) => Effect::from_name(m).map(|e| (e, l.span.clone())),
        _ => None,
    }
}

/// True for a parameter that is an on/off switch.
pub(crate) fn is_switch(p: ParamId) -> bool {
    p.spec().choices == ["off", "on"]
}

impl Grammar<'_> {
    /// `ring mod`, `sync`: a module named alone whose default parameter is its switch.
    pub(super) fn switch_alone<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        let (rest, target) = self.target(i)?;
        let switch = match (target.param, target.module) {
            (None, Some(m)) => self.vocab.module_default(m).filter(|p| is_switch(*p)),
            _ => None,
        };
        if switch.is_none() || !rest.0.is_empty() {
            return fail(i, "");
        }
        let span = target.span.clone();
        Ok((
            rest,
            PhraseKind::Set {
                target,
                value: Value::Switch { on: true, span },
            },
        ))
    }

    /// `noise level -18 db`, `noise -12 db`, `noise on`, `noise off`: the noise source, whose
    /// name is also the oscillator's noise waveform.
    pub(super) fn noise_source<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        let Some((l, rest)) = next(i) else {
            return fail(i, "");
        };
        if l.text != "noise" || !matches!(l.class, Class::Word(WordClass::Choice(..))) {
            return fail(i, "");
        }
        let module = ParamId::NoiseLevel.spec().module();
        let (rest, param, end) = match next(rest) {
            // `on` is also the switch's own name (`noise.on`): read it as the value.
            Some((pl, after)) => match self.vocab.param_in_module(module, &pl.text) {
                Some(p) if !is_switch(p) => (after, Some(p), pl.span.end),
                _ => (rest, None, l.span.end),
            },
            None => return fail(i, ""),
        };
        let target = Target {
            module: Some(module),
            param,
            canonical: false,
            span: l.span.start..end,
        };
        // `on` may be read as another word class (`hits on 1 5`): take it by its text.
        let (rest, value) = match next(rest) {
            Some((w, after)) if w.text == "on" => (
                after,
                Value::Switch {
                    on: true,
                    span: w.span.clone(),
                },
            ),
            _ => self.value(rest)?,
        };
        if matches!(value, Value::Choice { .. } | Value::Note { .. }) {
            return fail(i, "");
        }
        Ok((rest, PhraseKind::Set { target, value }))
    }

    /// `filters in parallel`, `filters series`, `filter2 in series`: the routing of the two
    /// filters (which switches filter2 on).
    pub(super) fn filter_routing<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        let Some((l, rest)) = next(skip_fillers(i)) else {
            return fail(i, "");
        };
        let module = ParamId::Filter2Routing.spec().module();
        if !matches!(&l.class, Class::Word(WordClass::Module(m)) if *m == module) {
            return fail(i, "");
        }
        let rest = match next(skip_fillers(rest)) {
            Some((w, after)) if w.text == "in" => after,
            _ => rest,
        };
        let Some((w, rest)) = next(skip_fillers(rest)) else {
            return fail(i, "series or parallel");
        };
        let param = ParamId::Filter2Routing;
        let index = match &w.class {
            Class::Word(WordClass::Choice(p, index)) if *p == param => *index,
            _ => return fail(i, "series or parallel"),
        };
        let target = Target {
            module: Some(module),
            param: Some(param),
            canonical: false,
            span: l.span.clone(),
        };
        let value = Value::Choice {
            param,
            index,
            span: w.span.clone(),
        };
        Ok((rest, PhraseKind::Set { target, value }))
    }

    /// `effects order drive chorus delay reverb`, `delay before reverb`, `drive after chorus`.
    pub(super) fn reorder<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        let i = skip_fillers(i);
        let Some((first, rest)) = next(i) else {
            return fail(i, "");
        };
        if matches!(first.text.as_str(), "effects" | "effect" | "fx") {
            let rest = match next(skip_fillers(rest)) {
                Some((w, after)) if w.text == "order" => after,
                _ => return fail(rest, "`order`"),
            };
            let mut list = Vec::new();
            let mut rest = skip_fillers(rest);
            while let Some((l, after)) = next(rest) {
                let Some(effect) = effect_of(l) else { break };
                list.push(effect);
                rest = skip_fillers(after);
            }
            if list.is_empty() {
                return fail(rest, "effects: drive, chorus, delay, reverb");
            }
            return Ok((rest, PhraseKind::Reorder(Reorder::List(list))));
        }
        let Some(moved) = effect_of(first) else {
            return fail(i, "");
        };
        let (after, rest) = match next(skip_fillers(rest)) {
            Some((w, r)) if w.text == "before" => (false, r),
            Some((w, r)) if w.text == "after" => (true, r),
            _ => return fail(i, ""),
        };
        let Some(anchor) = next(skip_fillers(rest)).and_then(|(l, r)| effect_of(l).map(|e| (e, r)))
        else {
            return fail(rest, "effects: drive, chorus, delay, reverb");
        };
        let (anchor, rest) = anchor;
        Ok((
            rest,
            PhraseKind::Reorder(Reorder::Place {
                moved,
                after,
                anchor,
            }),
        ))
    }

    /// `add a second oscillator an octave down`, `add another filter`, `add osc2 2 octaves
    /// up`, `add a third oscillator a fifth up`: switches osc2, osc3 or filter2 on (shaping an
    /// oscillator's octave or semitones switches it on as well).
    pub(super) fn add_module<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        let word = |l: &Lexeme, words: &[&str]| words.contains(&l.text.as_str());
        let start = skip_fillers(i);
        let Some((add, rest)) = next(start).filter(|(l, _)| l.text == "add") else {
            return fail(i, "");
        };
        let mut rest = rest;
        if let Some((l, r)) = next(rest) {
            if word(l, &["a", "an"]) {
                rest = r;
            }
        }
        let (module, mut rest) = match next(rest) {
            Some((l, r)) if word(l, &["second", "2nd", "another"]) => match next(r) {
                Some((m, r)) if word(m, &["oscillator", "osc", "vco"]) => ("osc2", r),
                Some((m, r)) if word(m, &["filter", "vcf"]) => ("filter2", r),
                _ => return fail(r, "oscillator or filter"),
            },
            Some((l, r)) if word(l, &["third", "3rd"]) => match next(r) {
                Some((m, r)) if word(m, &["oscillator", "osc", "vco"]) => ("osc3", r),
                _ => return fail(r, "oscillator"),
            },
            // `osc2`, `osc3`, `filter2`, and `second filter` (one of filter2's module words).
            Some((l, r)) => match &l.class {
                Class::Word(WordClass::Module(m)) if matches!(*m, "osc2" | "osc3" | "filter2") => {
                    (*m, r)
                }
                _ => return fail(i, ""),
            },
            None => return fail(i, ""),
        };
        // An optional pitch for osc2 or osc3: `an octave down`, `2 octaves up`, `a fifth up`
        // (semitones: a fifth is 7, a fourth 5).
        let mut pitch: Option<(bool, f64, Range<usize>)> = None;
        if module != "filter2" {
            let count = match next(rest) {
                Some((l, r)) if word(l, &["a", "an", "one"]) => Some((1.0, l.span.clone(), r)),
                Some((l, r)) => match l.class {
                    Class::Number { value, unit: None } => Some((value, l.span.clone(), r)),
                    _ => None,
                },
                None => None,
            };
            if let Some((n, from, r)) = count {
                let unit = next(r).and_then(|(l, r)| {
                    if word(l, &["octave", "octaves"]) {
                        Some((true, 1.0, r))
                    } else if word(l, &["fifth", "fifths"]) {
                        Some((false, 7.0, r))
                    } else if word(l, &["fourth", "fourths"]) {
                        Some((false, 5.0, r))
                    } else {
                        None
                    }
                });
                if let Some((octave, size, (w, r))) =
                    unit.and_then(|(o, size, r)| next(r).map(|w| (o, size, w)))
                {
                    let sign = if word(w, &["down", "lower", "below"]) {
                        -1.0
                    } else if word(w, &["up", "higher", "above"]) {
                        1.0
                    } else {
                        return fail(r, "down or up");
                    };
                    pitch = Some((octave, sign * n * size, from.start..w.span.end));
                    rest = r;
                }
            }
        }
        let osc3 = module == "osc3";
        let (param, value) = match (module, pitch) {
            ("osc2" | "osc3", Some((octave, n, span))) => (
                match (osc3, octave) {
                    (false, true) => ParamId::Osc2Octave,
                    (false, false) => ParamId::Osc2Semitones,
                    (true, true) => ParamId::Osc3Octave,
                    (true, false) => ParamId::Osc3Semitones,
                },
                Value::Quantity(Quantity {
                    value: n,
                    unit: None,
                    note_value: false,
                    span,
                }),
            ),
            ("osc2" | "osc3", None) => (
                if osc3 {
                    ParamId::Osc3On
                } else {
                    ParamId::Osc2On
                },
                Value::Switch {
                    on: true,
                    span: add.span.clone(),
                },
            ),
            _ => (
                ParamId::Filter2On,
                Value::Switch {
                    on: true,
                    span: add.span.clone(),
                },
            ),
        };
        let target = Target {
            module: Some(param.spec().module()),
            param: Some(param),
            canonical: false,
            span: add.span.clone(),
        };
        Ok((rest, PhraseKind::Set { target, value }))
    }
}
