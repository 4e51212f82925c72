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
use crate::engine::params::{ParamId, Unit};
use std::ops::Range;

/// A relative phrase as the resolver reads it: the word, how strongly, on what, by how much.
pub(crate) struct RelativeStep<'p> {
    pub word: &'p Describe,
    pub word_text: &'p str,
    pub word_span: &'p Range<usize>,
    pub intensity: f32,
    pub target: Option<&'p Target>,
    pub amount: Option<&'p Quantity>,
}

impl RelativeStep<'_> {
    /// +1 or -1: the word's direction, else the direction of its first effect.
    fn sign(&self) -> Option<f64> {
        match self.word.direction {
            Some(Direction::Up) => Some(1.0),
            Some(Direction::Down) => Some(-1.0),
            None => self.word.effects.first().map(effect_sign),
        }
    }
}

/// The one time parameter of a module (`delay` → `delay.time`), if it has exactly one.
fn module_time(module: &str) -> Option<ParamId> {
    let mut times = ParamId::ALL
        .iter()
        .filter(|p| p.spec().module() == module && p.spec().unit == Unit::Seconds);
    match (times.next(), times.next()) {
        (Some(p), None) => Some(*p),
        _ => None,
    }
}

/// +1 when a step raises its parameter, else -1.
fn effect_sign(s: &Step) -> f64 {
    if s.op.apply(1.0, s.amount, 1.0) > 1.0 {
        1.0
    } else {
        -1.0
    }
}

impl Resolver<'_> {
    /// `darker`, `more resonance`, `cutoff up 200 hz`, `up an octave`.
    pub(super) fn relative(
        &mut self,
        r: &RelativeStep<'_>,
        span: Range<usize>,
    ) -> Result<(), PhraseError> {
        match (r.target, r.amount) {
            (None, Some(q)) => self.relative_by_amount(r, q, span),
            (Some(t), Some(q)) => self.target_by_amount(r, t, q, span),
            (target, None) => {
                let steps = match target {
                    None => self.own_steps(r)?,
                    Some(t) => self.steps_for_target(r, t)?,
                };
                self.apply_steps(&steps, r.intensity, span);
                Ok(())
            }
        }
    }

    /// `up an octave`, `down 3 semitones`: a direction word without a parameter moves the
    /// pitch; a describing word moves its own parameters by the amount (`darker by 200 hz`).
    fn relative_by_amount(
        &mut self,
        r: &RelativeStep<'_>,
        q: &Quantity,
        span: Range<usize>,
    ) -> Result<(), PhraseError> {
        if r.word.effects.is_empty() {
            return self.transpose(r.sign().unwrap_or(1.0), q, span);
        }
        let tempo = self.patch.get(ParamId::TransportTempo);
        for s in &r.word.effects {
            let v = step_by(
                s.param.spec(),
                self.patch.get(s.param),
                q,
                effect_sign(s),
                tempo,
                false,
            )
            .map_err(|e| self.value_error(q.span.clone(), e))?;
            self.set(s.param, v, span.clone());
        }
        Ok(())
    }

    /// `cutoff up 200 hz`: the named parameter moves by the amount.
    fn target_by_amount(
        &mut self,
        r: &RelativeStep<'_>,
        t: &Target,
        q: &Quantity,
        span: Range<usize>,
    ) -> Result<(), PhraseError> {
        let param = self.single_param(t)?;
        let tempo = self.patch.get(ParamId::TransportTempo);
        let v = step_by(
            param.spec(),
            self.patch.get(param),
            q,
            r.sign().unwrap_or(1.0),
            tempo,
            t.canonical,
        )
        .map_err(|e| self.value_error(q.span.clone(), e))?;
        self.set(param, v, span);
        Ok(())
    }

    /// A describing word alone moves its own parameters (`darker`); a direction word alone
    /// needs a parameter (`more` what?).
    fn own_steps(&self, r: &RelativeStep<'_>) -> Result<Vec<Step>, PhraseError> {
        if r.word.effects.is_empty() {
            let w = r.word_text;
            return Err(self
                .error(
                    PhraseErrorKind::Incomplete,
                    r.word_span.clone(),
                    format!("{w} what?"),
                )
                .expecting(format!("a parameter after it, e.g. `{w} resonance`")));
        }
        Ok(r.word.effects.clone())
    }

    /// The steps of a word on a named target: its own effects on that target, else the
    /// target's `more` step in the word's direction.
    fn steps_for_target(&self, r: &RelativeStep<'_>, t: &Target) -> Result<Vec<Step>, PhraseError> {
        let own: Vec<Step> = r
            .word
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
            return Ok(own);
        }
        let Some(dir) = r.word.direction else {
            let own_params: Vec<&str> = r.word.effects.iter().map(|s| s.param.name()).collect();
            let w = r.word_text;
            return Err(self
                .error(
                    PhraseErrorKind::BadValue,
                    t.span.clone(),
                    format!(
                        "\"{w}\" changes {}, not \"{}\"",
                        own_params.join(" and "),
                        &self.line[t.span.clone()]
                    ),
                )
                .expecting(format!("`{w}` alone or with {}", own_params.join(" or "))));
        };
        let param = match (r.word.time, t.param, t.module) {
            (true, None, Some(m)) => module_time(m).unwrap_or(self.single_param(t)?),
            _ => self.single_param(t)?,
        };
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
        Ok(vec![Step { param, op, amount }])
    }

    /// Applies steps from the working copy (multiplying steps start at the floor from 0).
    fn apply_steps(&mut self, steps: &[Step], intensity: f32, span: Range<usize>) {
        for s in steps {
            let mut current = self.patch.get(s.param);
            if s.op.is_multiplicative() && current <= 0.0 {
                current = self.vocab.floor(s.param);
            }
            let v = s.op.apply(current, s.amount, intensity);
            self.set(s.param, v, span.clone());
        }
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
