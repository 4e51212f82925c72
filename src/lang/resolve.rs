//! The resolver: phrases (AST) + the current `PatchState` → absolute, clamped engine commands
//! with replies, and meta actions. Relative words are computed here, on the control side.
//!
//! Runs on the control thread. Never mutates the caller's patch (it works on a copy so that
//! phrases of one line chain).

use super::action::{describe_command, Action, EngineAction, Meta};
use super::ast::{FaultSpec, Phrase, PhraseKind, Target, Value};
use super::error::{PhraseError, PhraseErrorKind};
use super::help::topic_for;
use super::pattern::rhythm::Rhythms;
use super::resolve_steps::RelativeStep;
use super::units::{absolute, expected_for, Quantity, UnitWord, ValueError};
use super::vocab::Vocabulary;
use crate::engine::command::{Command, Fault, TrackParam};
use crate::engine::params::{ParamId, Unit};
use crate::engine::PatchState;
use std::ops::Range;

/// Resolves phrases in order against a working copy of the patch.
pub(crate) struct Resolver<'a> {
    pub line: &'a str,
    pub vocab: &'a Vocabulary,
    pub patch: PatchState,
    /// The tracks' patterns as typed (rhythm words change them), kept beside the patch.
    pub rhythms: Rhythms,
    pub actions: Vec<Action>,
    /// Where the first `undo`/`redo` is, and where the first engine action is.
    history_verb: Option<Range<usize>>,
    engine_action: Option<Range<usize>>,
}

impl<'a> Resolver<'a> {
    pub(crate) fn new(
        line: &'a str,
        vocab: &'a Vocabulary,
        patch: PatchState,
        rhythms: Rhythms,
    ) -> Self {
        Resolver {
            line,
            vocab,
            patch,
            rhythms,
            actions: Vec::new(),
            history_verb: None,
            engine_action: None,
        }
    }

    /// Resolves every phrase; `undo`/`redo` cannot share a line with engine actions.
    pub(crate) fn resolve_all(mut self, phrases: &[Phrase]) -> Result<Vec<Action>, PhraseError> {
        for p in phrases {
            self.phrase(p)?;
        }
        if let (Some(h), Some(_)) = (&self.history_verb, &self.engine_action) {
            return Err(self
                .error(
                    PhraseErrorKind::NotAllowed,
                    h.clone(),
                    "undo and redo go on a line of their own",
                )
                .expecting("`undo` or `redo` alone (several are fine: `undo, undo`)"));
        }
        Ok(self.actions)
    }

    pub(super) fn error(
        &self,
        kind: PhraseErrorKind,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> PhraseError {
        PhraseError::new(kind, self.line, span, message)
    }

    pub(super) fn value_error(&self, span: Range<usize>, e: ValueError) -> PhraseError {
        self.error(PhraseErrorKind::BadValue, span, e.message)
            .expecting(e.expected)
            .suggesting(e.suggestion)
    }

    fn meta(&mut self, m: Meta) {
        self.actions.push(Action::Meta(m));
    }

    /// Adds an engine command: clamps, notes the clamp, replies, and applies it to the copy.
    pub(super) fn engine(&mut self, command: Command, span: Range<usize>, note: Option<String>) {
        let reply = describe_command(&command, &self.patch);
        self.patch.apply(&command);
        self.rhythms.follow(&command);
        if self.engine_action.is_none() {
            self.engine_action = Some(span.clone());
        }
        self.actions.push(Action::Engine(EngineAction {
            command,
            reply,
            note,
            span,
        }));
    }

    pub(super) fn set(&mut self, param: ParamId, requested: f32, span: Range<usize>) {
        let spec = param.spec();
        let value = spec.clamp(requested);
        let note = if requested > spec.max {
            Some(format!(
                "clamped to {} (max)",
                spec.format_with_unit(spec.max)
            ))
        } else if requested < spec.min {
            Some(format!(
                "clamped to {} (min)",
                spec.format_with_unit(spec.min)
            ))
        } else {
            None
        };
        self.engine(Command::Set { param, value }, span, note);
    }

    /// Resolves one phrase: every phrase kind is named here, so a new kind does not compile
    /// until it is handled.
    pub(super) fn phrase(&mut self, p: &Phrase) -> Result<(), PhraseError> {
        let span = p.span.clone();
        match &p.kind {
            PhraseKind::Help(topic) => self.help(topic.as_ref())?,
            PhraseKind::Status => self.meta(Meta::Status),
            PhraseKind::Show => self.meta(Meta::Show),
            PhraseKind::Quit => self.meta(Meta::Quit),
            PhraseKind::Undo => self.history(Meta::Undo, span),
            PhraseKind::Redo => self.history(Meta::Redo, span),
            PhraseKind::Explain { text, phrases } => self.explain(text, phrases)?,
            PhraseKind::Gate(on) => self.engine(Command::Gate { on: *on }, span, None),
            PhraseKind::Hush => self.engine(Command::AllNotesOff, span, None),
            PhraseKind::NoteOn {
                midi,
                span: at,
                velocity,
            } => self.note_on(*midi, at, velocity.as_ref(), span)?,
            PhraseKind::NoteOff { midi, span: at } => {
                let note = self.midi(*midi, at)?;
                self.engine(Command::NoteOff { note }, span, None);
            }
            PhraseKind::Play { notes, velocity } => self.play(notes, velocity.as_ref(), span)?,
            PhraseKind::Chord(words) => self.chord(words, span)?,
            PhraseKind::Start => self.engine(Command::TransportStart, span, None),
            PhraseKind::Stop { transport_only } => self.stop(*transport_only, span),
            PhraseKind::Now => self.engine(Command::ApplyPending, span, None),
            PhraseKind::Pattern((text, at)) => self.mini_pattern(Some(text), at, false, span)?,
            PhraseKind::Seq(words) => {
                let at = words.first().map_or(span.clone(), |(_, f)| {
                    f.start..words.last().map_or(f.end, |(_, l)| l.end)
                });
                self.mini_pattern(None, &at, true, span)?
            }
            PhraseKind::Rhythm(r) => self.rhythm(r, span)?,
            PhraseKind::Steps(q) => self.steps(q, span)?,
            PhraseKind::Rate(q) => self.step_rate(q, span)?,
            PhraseKind::Track { name, then } => self.track(name, then.as_deref(), span)?,
            PhraseKind::Mute { name, on } => {
                self.track_switch(TrackParam::Mute, name.as_ref(), *on, span)?
            }
            PhraseKind::Solo { name, on } => {
                self.track_switch(TrackParam::Solo, name.as_ref(), *on, span)?
            }
            PhraseKind::Clear => self.clear(span),
            PhraseKind::SavePatch(name) => self.save_patch(name.as_ref(), span)?,
            PhraseKind::LoadPatch(name) => self.load_patch(name.as_ref(), span)?,
            PhraseKind::Patches => self.meta(Meta::Patches),
            PhraseKind::Reset(target) => self.reset(target.as_ref(), span)?,
            PhraseKind::Reorder(reorder) => self.reorder(reorder, span)?,
            PhraseKind::Set { target, value } => {
                self.set_value(target, value, span.clone())?;
                self.switch_on_source(target, value, span);
            }
            PhraseKind::Choose {
                param,
                index,
                target,
            } => self.choose(*param, *index, target.as_ref(), span)?,
            PhraseKind::Relative {
                word,
                word_text,
                word_span,
                intensity,
                target,
                amount,
            } => {
                let detune = self.patch.get(ParamId::OscDetune);
                self.relative(
                    &RelativeStep {
                        word,
                        word_text,
                        word_span,
                        intensity: *intensity,
                        target: target.as_ref(),
                        amount: amount.as_ref(),
                    },
                    span.clone(),
                )?;
                if target.is_none() {
                    self.spread_osc2(detune, span);
                }
            }
            PhraseKind::Transpose { sign, amount } => self.transpose(*sign, amount, span)?,
            PhraseKind::Instrument(p) => self.instrument(None, p, span)?,
            PhraseKind::Over { inner, length } => self.over(inner, length, span)?,
            PhraseKind::Fault(f) => self.fault(f, span)?,
            PhraseKind::Scale { factor, target } => self.scale(*factor, target, span)?,
            PhraseKind::Several(kinds) => {
                for kind in kinds {
                    self.phrase(&Phrase {
                        kind: kind.clone(),
                        span: span.clone(),
                    })?;
                }
            }
            PhraseKind::Ask(param) => self.answer(*param),
        }
        Ok(())
    }

    /// `help`, `help filter`.
    fn help(&mut self, topic: Option<&(String, Range<usize>)>) -> Result<(), PhraseError> {
        let Some((words, at)) = topic else {
            self.meta(Meta::Help(None));
            return Ok(());
        };
        match topic_for(words, self.vocab) {
            Ok(topic) => {
                self.meta(Meta::Help(Some(topic)));
                Ok(())
            }
            Err(suggestion) => Err(self
                .error(
                    PhraseErrorKind::UnknownWord,
                    at.clone(),
                    format!("no help about \"{words}\""),
                )
                .expecting(
                    "a module, a parameter, or one of: phrases, words, notes, units, meta, faults",
                )
                .suggesting(suggestion)),
        }
    }

    /// `undo` / `redo`: remembered, since they cannot share a line with engine actions.
    fn history(&mut self, meta: Meta, span: Range<usize>) {
        self.history_verb.get_or_insert(span);
        self.meta(meta);
    }

    /// `explain PHRASE`: its actions resolved at this point of the line, not performed.
    fn explain(&mut self, text: &str, phrases: &[Phrase]) -> Result<(), PhraseError> {
        let inner = Resolver::new(self.line, self.vocab, self.patch, self.rhythms.clone());
        let actions = inner.resolve_all(phrases)?;
        self.meta(Meta::Explain {
            phrase: text.to_string(),
            actions,
        });
        Ok(())
    }

    /// `saw`, `osc saw`: a choice word, checked against its target if one was named.
    fn choose(
        &mut self,
        param: ParamId,
        index: usize,
        target: Option<&Target>,
        span: Range<usize>,
    ) -> Result<(), PhraseError> {
        if let Some(t) = target {
            self.check_names(t, param)?;
        }
        self.set(param, index as f32, span);
        Ok(())
    }

    /// `double the tempo`: the parameter times the factor (a range end clamps and says so).
    fn scale(&mut self, factor: f32, t: &Target, span: Range<usize>) -> Result<(), PhraseError> {
        let param = self.single_param(t)?;
        if param.spec().unit == Unit::Choice {
            return Err(self
                .error(
                    PhraseErrorKind::BadValue,
                    t.span.clone(),
                    format!(
                        "{} is a choice; it cannot be doubled or halved",
                        param.name()
                    ),
                )
                .expecting(expected_for(param.spec())));
        }
        let mut current = self.patch.get(param);
        if current == 0.0 {
            current = self.vocab.floor(param);
        }
        self.set(param, current * factor, span);
        Ok(())
    }

    /// `what's the tempo?`: the current value, as a reply; nothing changes.
    fn answer(&mut self, param: ParamId) {
        let spec = param.spec();
        let text = format!(
            "{} is {}",
            param.name(),
            spec.format_with_unit(self.patch.get(param))
        );
        self.meta(Meta::Answer { param, text });
    }

    /// `fault slow 3ms` and the other injected faults.
    fn fault(&mut self, f: &FaultSpec, span: Range<usize>) -> Result<(), PhraseError> {
        let fault = match f {
            FaultSpec::Panic => Fault::Panic,
            FaultSpec::Hang => Fault::Hang,
            FaultSpec::Nan => Fault::Nan,
            FaultSpec::Slow(q) => Fault::Slow {
                micros: self.slow_micros(q.as_ref())?,
            },
        };
        self.engine(Command::Fault(fault), span, None);
        Ok(())
    }

    pub(super) fn midi(&self, midi: i32, at: &Range<usize>) -> Result<u8, PhraseError> {
        u8::try_from(midi)
            .ok()
            .filter(|m| *m <= 127)
            .ok_or_else(|| {
                self.error(
                    PhraseErrorKind::BadValue,
                    at.clone(),
                    "that note is outside the MIDI range",
                )
                .expecting("a note from C-1 (0) to G9 (127)")
            })
    }

    fn slow_micros(&self, q: Option<&Quantity>) -> Result<u32, PhraseError> {
        let Some(q) = q else { return Ok(1000) };
        let seconds = match q.unit {
            Some(UnitWord::Ms) => q.value / 1e3,
            Some(UnitWord::Micros) => q.value / 1e6,
            Some(UnitWord::Seconds) => q.value,
            None => q.value / 1e3,
            Some(_) => -1.0,
        };
        if !(0.0..=1.0).contains(&seconds) {
            return Err(self
                .error(
                    PhraseErrorKind::BadValue,
                    q.span.clone(),
                    "a slow-down is a time from 0 to 1 s",
                )
                .expecting("a time such as 3ms or 500us"));
        }
        Ok((seconds * 1e6).round() as u32)
    }

    /// The parameters a target covers (`filter` → mode, cutoff, res; `cutoff` → cutoff).
    fn covered(&self, t: &Target) -> Vec<ParamId> {
        match (t.param, t.module) {
            (Some(p), _) => vec![p],
            (None, Some(m)) => ParamId::ALL
                .iter()
                .copied()
                .filter(|p| p.spec().module() == m)
                .collect(),
            (None, None) => Vec::new(),
        }
    }

    fn reset(&mut self, target: Option<&Target>, span: Range<usize>) -> Result<(), PhraseError> {
        let params = match target {
            Some(t) => self.covered(t),
            None => ParamId::ALL.to_vec(),
        };
        for p in params {
            let default = p.spec().default;
            if self.patch.get(p) != default {
                self.set(p, default, span.clone());
            }
        }
        Ok(())
    }

    /// The one parameter a target means: its parameter, or its module's default.
    pub(super) fn single_param(&self, t: &Target) -> Result<ParamId, PhraseError> {
        if let Some(p) = t.param {
            return Ok(p);
        }
        let m = t.module.unwrap_or("?");
        self.vocab.module_default(m).ok_or_else(|| {
            let names: Vec<String> = self
                .covered(t)
                .iter()
                .map(|p| p.spec().param().to_string())
                .collect();
            self.error(
                PhraseErrorKind::Incomplete,
                t.span.clone(),
                format!("{m} has several parameters; name one"),
            )
            .expecting(format!("{m} {}", names.join(" | ")))
        })
    }

    /// A choice word must belong to the target (`osc saw` yes, `filter saw` no).
    fn check_names(&self, t: &Target, param: ParamId) -> Result<(), PhraseError> {
        let ok = match (t.param, t.module) {
            (Some(p), _) => p == param,
            (None, Some(m)) => param.spec().module() == m,
            (None, None) => false,
        };
        if ok {
            Ok(())
        } else {
            Err(self
                .error(
                    PhraseErrorKind::BadValue,
                    t.span.clone(),
                    format!(
                        "that word is a value of {}, not of \"{}\"",
                        param.name(),
                        &self.line[t.span.clone()]
                    ),
                )
                .expecting(format!(
                    "{} or nothing before the value",
                    param.spec().module()
                )))
        }
    }

    fn set_value(
        &mut self,
        t: &Target,
        value: &Value,
        span: Range<usize>,
    ) -> Result<(), PhraseError> {
        let tempo = self.patch.get(ParamId::TransportTempo);
        match value {
            Value::Choice { param, index, .. } => {
                let (param, index) = self.modular_choice(t, *param, *index);
                self.check_names(t, param)?;
                self.set(param, index as f32, span);
            }
            Value::Switch { on, .. } if self.fm_switch(t, *on, span.clone()) => {}
            Value::Switch { on, span: at } => {
                let param = self.switch_param(t, at)?;
                // `arp on` starts the arpeggio going up.
                self.set(param, f32::from(u8::from(*on)), span);
            }
            Value::Quantity(q)
                if (t.param == Some(ParamId::DelayTime)
                    || (t.param.is_none() && t.module == Some("delay")))
                    && (q.note_value
                        || matches!(q.unit, Some(UnitWord::Beats | UnitWord::Bars))) =>
            {
                // Musical delay times follow the tempo: `delay time 3/8` sets delay.sync.
                let bar = match q.unit {
                    Some(UnitWord::Beats) => q.value / 4.0,
                    _ => q.value,
                };
                self.set(ParamId::DelaySync, bar as f32, span);
            }
            Value::Note { midi, span: at } => {
                let param = self.single_param(t)?;
                let spec = param.spec();
                if spec.unit != Unit::Hz {
                    return Err(self
                        .error(
                            PhraseErrorKind::BadValue,
                            at.clone(),
                            format!("{} does not take a note", spec.name),
                        )
                        .expecting(expected_for(spec)));
                }
                let note = self.midi(*midi, at)?;
                self.set(
                    param,
                    crate::engine::command::midi_to_hz(f32::from(note)),
                    span,
                );
            }
            Value::Quantity(q) => {
                let param = match t.param {
                    Some(p) => p,
                    None => self.param_for_quantity(t, q, tempo)?,
                };
                let v = absolute(param.spec(), q, tempo, t.canonical)
                    .map_err(|e| self.value_error(q.span.clone(), e))?;
                self.check_not_below(param, v, &q.span)?;
                if param == ParamId::DelayTime && self.patch.get(ParamId::DelaySync) != 0.0 {
                    // A time in seconds only counts while the delay is not tempo-synced.
                    self.set(ParamId::DelaySync, 0.0, span.clone());
                }
                self.set(param, v, span);
            }
        }
        Ok(())
    }

    /// A typed value below a parameter's range is refused with the range (above it, the value
    /// clamps and the reply says so).
    fn check_not_below(
        &self,
        param: ParamId,
        v: f32,
        at: &Range<usize>,
    ) -> Result<(), PhraseError> {
        let spec = param.spec();
        if v >= spec.min - 1e-6 * spec.min.abs().max(1.0) {
            return Ok(());
        }
        Err(self
            .error(
                PhraseErrorKind::BadValue,
                at.clone(),
                format!(
                    "{} is below the range of {}",
                    spec.format_with_unit(v),
                    param.name()
                ),
            )
            .expecting(format!(
                "a value from {} to {}",
                spec.format_plain(spec.min),
                spec.format_with_unit(spec.max)
            )))
    }

    /// The on/off parameter a target means: a switch itself (`set delay.on off`), its
    /// module's switch (`delay off`), or `arp.mode` (`arp off`, `arp on` = up).
    fn switch_param(&self, t: &Target, at: &Range<usize>) -> Result<ParamId, PhraseError> {
        let is_switch = |p: &ParamId| matches!(p.spec().choices, ["off", "on"] | ["off", ..]);
        if let Some(p) = t.param.filter(is_switch) {
            return Ok(p);
        }
        let module = t.param.map(|p| p.spec().module()).or(t.module);
        module
            .and_then(|m| {
                ParamId::ALL
                    .iter()
                    .copied()
                    .find(|p| p.spec().module() == m && is_switch(p))
            })
            .ok_or_else(|| {
                self.error(
                    PhraseErrorKind::BadValue,
                    at.clone(),
                    format!(
                        "\"{}\" cannot be switched on or off",
                        &self.line[t.span.clone()]
                    ),
                )
                .expecting("an effect (drive, chorus, delay, reverb) or the arp before on/off")
            })
    }

    /// The parameter of a bare module that a value fits: the module's default if it fits,
    /// else the only parameter whose unit takes it (`delay 300ms` → delay.time).
    fn param_for_quantity(
        &self,
        t: &Target,
        q: &Quantity,
        tempo: f32,
    ) -> Result<ParamId, PhraseError> {
        let m = t.module.unwrap_or("?");
        let fits = |p: &ParamId| absolute(p.spec(), q, tempo, t.canonical).is_ok();
        let default = self.vocab.module_default(m);
        if let Some(d) = default.filter(fits) {
            return Ok(d);
        }
        let fitting: Vec<ParamId> = self.covered(t).into_iter().filter(fits).collect();
        match fitting.as_slice() {
            [p] => Ok(*p),
            [] => self.single_param(t),
            many => Err(self
                .error(
                    PhraseErrorKind::Incomplete,
                    t.span.clone(),
                    format!("{m} has several parameters that take this value; name one"),
                )
                .expecting(
                    many.iter()
                        .map(|p| p.name())
                        .collect::<Vec<_>>()
                        .join(" | "),
                )),
        }
    }
}
