//! Relative phrases: describing and direction words (`darker`, `more resonance`, `shorter
//! attack`, `cutoff up 200 hz`) and transposition (`up an octave`, `transpose -3`), computed
//! from the working copy of the patch so that opposite steps return to the start.
//!
//! Runs on the control thread.

use super::ast::Target;
use super::error::{PhraseError, PhraseErrorKind};
use super::resolve::Resolver;
use super::units::{expected_for, step_by, Quantity, UnitWord};
use super::vocab::{Describe, Direction, Step};
use crate::engine::params::ParamId;
use std::ops::Range;

impl Resolver<'_> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn relative(
        &mut self,
        word: &Describe,
        word_text: &str,
        word_span: &Range<usize>,
        intensity: f32,
        target: Option<&Target>,
        amount: Option<&Quantity>,
        span: Range<usize>,
    ) -> Result<(), PhraseError> {
        let sign_of_word = || -> Option<f64> {
            match word.direction {
                Some(Direction::Up) => Some(1.0),
                Some(Direction::Down) => Some(-1.0),
                None => word.effects.first().map(|s| {
                    if s.op.apply(1.0, s.amount, 1.0) > 1.0 {
                        1.0
                    } else {
                        -1.0
                    }
                }),
            }
        };
        // `up an octave`, `down 3 semitones`: a direction word without a parameter moves the
        // pitch; a describing word moves its own parameters (`darker by an octave`).
        if let (None, Some(q)) = (target, amount) {
            if word.effects.is_empty() {
                let sign = sign_of_word().unwrap_or(1.0);
                return self.transpose(sign, q, span);
            }
            let tempo = self.patch.get(ParamId::TransportTempo);
            for s in &word.effects {
                let sign = if s.op.apply(1.0, s.amount, 1.0) > 1.0 {
                    1.0
                } else {
                    -1.0
                };
                let v = step_by(
                    s.param.spec(),
                    self.patch.get(s.param),
                    q,
                    sign,
                    tempo,
                    false,
                )
                .map_err(|e| self.value_error(q.span.clone(), e))?;
                self.set(s.param, v, span.clone());
            }
            return Ok(());
        }
        if let (Some(t), Some(q)) = (target, amount) {
            let param = self.single_param(t)?;
            let sign = sign_of_word().unwrap_or(1.0);
            let tempo = self.patch.get(ParamId::TransportTempo);
            let v = step_by(
                param.spec(),
                self.patch.get(param),
                q,
                sign,
                tempo,
                t.canonical,
            )
            .map_err(|e| self.value_error(q.span.clone(), e))?;
            self.set(param, v, span);
            return Ok(());
        }
        let steps: Vec<Step> = match target {
            None => {
                if word.effects.is_empty() {
                    return Err(self
                        .error(
                            PhraseErrorKind::Incomplete,
                            word_span.clone(),
                            format!("{word_text} what?"),
                        )
                        .expecting(format!(
                            "a parameter after it, e.g. `{word_text} resonance`"
                        )));
                }
                word.effects.clone()
            }
            Some(t) => {
                let own: Vec<Step> = word
                    .effects
                    .iter()
                    .filter(|s| match (t.param, t.module) {
                        (Some(p), _) => s.param == p,
                        (None, Some(m)) => s.param.spec().module() == m,
                        _ => false,
                    })
                    .copied()
                    .collect();
                if !own.is_empty() {
                    own
                } else if let Some(dir) = word.direction {
                    let param = self.single_param(t)?;
                    let Some((op, amount)) = self.vocab.more_step(param) else {
                        return Err(self
                            .error(
                                PhraseErrorKind::BadValue,
                                t.span.clone(),
                                format!("{} has no steps; name a value", param.name()),
                            )
                            .expecting(expected_for(param.spec())));
                    };
                    let op = if dir == Direction::Up {
                        op
                    } else {
                        op.inverse()
                    };
                    vec![Step { param, op, amount }]
                } else {
                    let own_params: Vec<&str> =
                        word.effects.iter().map(|s| s.param.name()).collect();
                    return Err(self
                        .error(
                            PhraseErrorKind::BadValue,
                            t.span.clone(),
                            format!(
                                "\"{word_text}\" changes {}, not \"{}\"",
                                own_params.join(" and "),
                                &self.line[t.span.clone()]
                            ),
                        )
                        .expecting(format!(
                            "`{word_text}` alone or with {}",
                            own_params.join(" or ")
                        )));
                }
            }
        };
        for s in steps {
            let mut current = self.patch.get(s.param);
            if s.op.is_multiplicative() && current <= 0.0 {
                current = self.vocab.floor(s.param);
            }
            let v = s.op.apply(current, s.amount, intensity);
            self.set(s.param, v, span.clone());
        }
        Ok(())
    }

    pub(super) fn transpose(
        &mut self,
        sign: f64,
        q: &Quantity,
        span: Range<usize>,
    ) -> Result<(), PhraseError> {
        let semitones = match q.unit {
            None | Some(UnitWord::Semitones) => q.value,
            Some(UnitWord::Cents) => q.value / 100.0,
            Some(_) => {
                return Err(self
                    .error(
                        PhraseErrorKind::BadValue,
                        q.span.clone(),
                        "transposing takes an interval",
                    )
                    .expecting("semitones, an interval such as octave or fifth, or cents"))
            }
        };
        if !semitones.is_finite() || semitones.abs() > 96.0 {
            return Err(self
                .error(
                    PhraseErrorKind::BadValue,
                    q.span.clone(),
                    "that interval is too large",
                )
                .expecting("at most 96 semitones (8 octaves)"));
        }
        let freq = self.patch.get(ParamId::OscFreq);
        let v = f64::from(freq) * 2f64.powf(sign * semitones / 12.0);
        self.set(ParamId::OscFreq, v as f32, span);
        Ok(())
    }
}
