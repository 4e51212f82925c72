//! Phrase rules for the modular voice (`grammar/chronus.ebnf`, "modular voice"): the module
//! words `osc2`, `sub`, `noise`, `fm`, `ring`, `sync` mostly go through the ordinary rules
//! (`osc2 octave -1`, `fm ratio 2 index 1`); these rules add what those cannot read:
//!
//! ```text
//! switch_alone := module            (a module whose default is its switch: `ring mod`, `sync`)
//! noise        := "noise" [param] (value | "on" | "off")   (`noise level -18 db`, `noise off`)
//! ```
//!
//! `noise` alone stays the oscillator waveform (`noise` = `osc noise`).

use super::ast::{PhraseKind, Target, Value};
use super::grammar::{fail, next, Grammar, PResult};
use super::lexeme::{Class, Lexemes};
use super::vocab::WordClass;
use crate::engine::params::ParamId;

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
}
