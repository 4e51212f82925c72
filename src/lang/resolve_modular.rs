//! Resolving phrases about the modular voice: waveform words after `osc2` and `sub`
//! (`osc2 square`, `sub sine`), `fm on|off` (the FM index), and switching a source on when a
//! phrase shapes it (`osc2 octave -1` while osc2 is off turns it on; `sync` turns osc2 on).
//! Canonical `set` lines change exactly the parameter they name. Reordering the effects
//! (`delay before reverb`) becomes `set <effect>.order <place>` for each effect that moves.
//!
//! Runs on the control thread.

use super::ast::{Reorder, Target, Value};
use super::error::{PhraseError, PhraseErrorKind};
use super::modular_rules::is_switch;
use super::resolve::Resolver;
use crate::engine::fx::order::{order_of, Effect, EffectOrder};
use crate::engine::params::{ParamId, Unit};
use std::ops::Range;

/// The order a reorder phrase asks for, from the order now.
pub(crate) fn reordered(now: EffectOrder, reorder: &Reorder) -> Result<EffectOrder, String> {
    let mut order = Vec::with_capacity(4);
    match reorder {
        Reorder::List(list) => {
            for (e, _) in list {
                if order.contains(e) {
                    return Err(format!(
                        "{} is named twice: `effects order` names each effect once",
                        e.name()
                    ));
                }
                order.push(*e);
            }
            order.extend(
                now.iter()
                    .filter(|e| !order.contains(e))
                    .collect::<Vec<_>>(),
            );
        }
        Reorder::Place {
            moved,
            after,
            anchor,
        } => {
            if moved.0 == anchor.0 {
                return Err(format!("{} cannot move around itself", moved.0.name()));
            }
            order.extend(now.iter().filter(|e| **e != moved.0));
            let at = order.iter().position(|e| *e == anchor.0).unwrap_or(0);
            order.insert(at + usize::from(*after), moved.0);
        }
    }
    let mut out = Effect::ALL;
    out.copy_from_slice(&order[..4]);
    Ok(out)
}

/// Where a reorder error points: the second naming of a repeated effect, or the phrase.
fn reorder_span(reorder: &Reorder, span: Range<usize>) -> Range<usize> {
    match reorder {
        Reorder::List(list) => list
            .iter()
            .enumerate()
            .find(|(i, (e, _))| list[..*i].iter().any(|(x, _)| x == e))
            .map_or(span, |(_, (_, s))| s.clone()),
        Reorder::Place { anchor, .. } => anchor.1.clone(),
    }
}

/// The FM index `fm on` sets when FM was off.
const FM_ON_INDEX: f32 = 1.0;

fn target_module(t: &Target) -> Option<&'static str> {
    t.param.map(|p| p.spec().module()).or(t.module)
}

impl Resolver<'_> {
    /// A choice word read as another module's (`square` is filed under `osc.wave`) that
    /// names a choice of the target's module instead: `osc2 square` → `osc2.wave`,
    /// `sub sine` → `sub.wave`. Anything else is returned as it came.
    pub(super) fn modular_choice(
        &self,
        t: &Target,
        param: ParamId,
        index: usize,
    ) -> (ParamId, usize) {
        let Some(module) = target_module(t) else {
            return (param, index);
        };
        if param.spec().module() == module {
            return (param, index);
        }
        let Some(word) = param.spec().choices.get(index) else {
            return (param, index);
        };
        let candidates = t.param.into_iter().chain(
            ParamId::ALL
                .iter()
                .copied()
                .filter(|p| p.spec().module() == module),
        );
        candidates
            .filter(|p| p.spec().unit == Unit::Choice && !is_switch(*p))
            .find_map(|p| p.spec().choice_index(word).map(|i| (p, i)))
            .unwrap_or((param, index))
    }

    /// `fm on`, `fm off`: FM has no switch of its own; off is an index of 0, on brings back
    /// an index of 1 when it was 0. Returns false when the target is not `fm`.
    pub(super) fn fm_switch(&mut self, t: &Target, on: bool, span: Range<usize>) -> bool {
        if t.param.is_some() || t.module != Some(ParamId::FmIndex.spec().module()) {
            return false;
        }
        let now = self.patch.get(ParamId::FmIndex);
        let index = match (on, now > 0.0) {
            (false, _) => 0.0,
            (true, true) => now,
            (true, false) => FM_ON_INDEX,
        };
        self.set(ParamId::FmIndex, index, span);
        true
    }

    /// `effects order drive chorus delay reverb`, `delay before reverb`: sets the place of
    /// every effect that moves.
    pub(super) fn reorder(
        &mut self,
        reorder: &Reorder,
        span: Range<usize>,
    ) -> Result<(), PhraseError> {
        let now = order_of(self.patch.values());
        let order = reordered(now, reorder).map_err(|message| {
            self.error(
                PhraseErrorKind::BadValue,
                reorder_span(reorder, span.clone()),
                message,
            )
            .expecting("each of drive, chorus, delay, reverb at most once")
        })?;
        for (place, effect) in order.iter().enumerate() {
            let param = effect.order_param();
            let value = (place + 1) as f32;
            if self.patch.get(param) != value {
                self.set(param, value, span.clone());
            }
        }
        Ok(())
    }

    /// After a describing word moved osc's detune (`thicker`, `fatter`) while osc2 plays,
    /// osc2 is detuned as far the other way, so the two spread apart.
    pub(super) fn spread_osc2(&mut self, osc_detune_before: f32, span: Range<usize>) {
        let moved = self.patch.get(ParamId::OscDetune) - osc_detune_before;
        if moved == 0.0 || self.patch.get(ParamId::Osc2On) < 0.5 {
            return;
        }
        let osc2 = self.patch.get(ParamId::Osc2Detune);
        self.set(ParamId::Osc2Detune, osc2 - moved, span);
    }

    /// After a plain-words phrase shaped osc2, the sub or the noise source (or switched sync
    /// on), switch the source it needs on if it is off, so that the change is heard.
    pub(super) fn switch_on_source(&mut self, t: &Target, value: &Value, span: Range<usize>) {
        let off = match value {
            Value::Switch { on, .. } => !on,
            Value::Choice { param, index, .. } => is_switch(*param) && *index == 0,
            _ => false,
        };
        if t.canonical || off {
            return;
        }
        let switch = match target_module(t) {
            Some("osc2") => ParamId::Osc2On,
            Some("osc3") => ParamId::Osc3On,
            Some("sub") => ParamId::SubOn,
            Some("noise") => ParamId::NoiseOn,
            Some("sync") => ParamId::Osc2On,
            Some("filter2") => ParamId::Filter2On,
            _ => return,
        };
        if self.patch.get(switch) < 0.5 {
            self.set(switch, 1.0, span);
        }
    }
}
