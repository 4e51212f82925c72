//! Resolving instrument phrases (see `instrument_rules.rs`) into absolute commands: a track's
//! drum, tune, tone and note length, `drums`, LFO settings, fades, a patch loaded onto a
//! track, and ramps (`... over 4 bars` turns each `set` of the phrase into a `Ramp`).
//!
//! Runs on the control thread. May allocate.

use super::action::Action;
use super::ast::{Phrase, PhraseKind};
use super::error::{PhraseError, PhraseErrorKind};
use super::instrument_rules::{InstrumentPhrase, LfoPhrase, LfoPreset};
use super::resolve::Resolver;
use super::units::{Quantity, UnitWord};
use crate::engine::command::{Command, TrackParam};
use crate::engine::drums::DrumKind;
use crate::engine::lfo::{LfoField, LfoSettings, LfoShape, LfoTarget, LFOS_PER_INSTRUMENT};
use crate::engine::params::{format_decimal, ParamId, Scale};
use crate::engine::ramp::{RampUnit, PATCH_RAMP};
use crate::engine::state::track_sound_slot;
use std::ops::Range;

const DRUMS: &str = "a drum: kick, snare, hat, open hat, clap, tom, rim, cowbell, or off";
const LFO_TARGETS: &str = "filter (cutoff), resonance, pitch or level";

/// The canonical form of an LFO command: `lfo 1 on filter.cutoff`, `track 2 lfo 1 rate 1/8`.
pub fn canonical_lfo(instrument: u8, slot: u8, field: LfoField, value: f32) -> String {
    let prefix = if instrument == 0 {
        String::new()
    } else {
        format!("track {} ", instrument)
    };
    let n = u16::from(slot) + 1;
    let rest = match field {
        LfoField::Target => match LfoTarget::from_value(value) {
            LfoTarget::Off => "off".to_string(),
            t => format!("on {}", t.name()),
        },
        LfoField::Shape => format!("shape {}", LfoShape::from_value(value).name()),
        LfoField::RateHz => format!("rate {} hz", format_decimal(value)),
        LfoField::Sync => {
            let inv = 1.0 / value;
            if (inv - inv.round()).abs() < 1e-4 && inv >= 1.0 {
                format!("rate 1/{}", inv.round())
            } else {
                format!("rate {} bars", format_decimal(value))
            }
        }
        LfoField::Depth => format!("depth {}", format_decimal(value)),
    };
    format!("{prefix}lfo {n} {rest}")
}

/// The canonical form of a ramp: `set filter.cutoff 4000 over 16 beats`, `track 2 set
/// filter.cutoff 1600 over 4 beats`.
pub fn canonical_ramp(
    param: ParamId,
    track: u8,
    target: f32,
    length: f32,
    unit: RampUnit,
) -> String {
    let unit = match unit {
        RampUnit::Beats => "beats",
        RampUnit::Seconds => "s",
    };
    let prefix = if track == PATCH_RAMP {
        String::new()
    } else {
        format!("track {} ", u16::from(track) + 1)
    };
    format!(
        "{prefix}set {} {} over {} {unit}",
        param.name(),
        param.spec().format_plain(target),
        format_decimal(length)
    )
}

fn lfo_target_of(param: ParamId) -> Option<LfoTarget> {
    Some(match param {
        ParamId::FilterCutoff | ParamId::FilterEnv => LfoTarget::Cutoff,
        ParamId::FilterRes => LfoTarget::Resonance,
        ParamId::OscFreq | ParamId::OscDetune => LfoTarget::Pitch,
        ParamId::AmpGain | ParamId::MasterGain => LfoTarget::Level,
        _ => return None,
    })
}

impl Resolver<'_> {
    /// An instrument phrase for `track` (named in the phrase), else for the current track
    /// (drum settings) or the main voice (LFOs, fades).
    pub(super) fn instrument(
        &mut self,
        track: Option<u8>,
        p: &InstrumentPhrase,
        span: Range<usize>,
    ) -> Result<(), PhraseError> {
        let current = track.unwrap_or(self.patch.track_names().current());
        match p {
            InstrumentPhrase::Drum((word, at)) => {
                let value = if word.eq_ignore_ascii_case("off") || word.eq_ignore_ascii_case("none")
                {
                    0.0
                } else {
                    DrumKind::from_word(word)
                        .ok_or_else(|| {
                            self.error(
                                PhraseErrorKind::BadValue,
                                at.clone(),
                                format!("no drum called \"{word}\""),
                            )
                            .expecting(DRUMS)
                            .suggesting(super::vocab::closest(
                                &word.to_lowercase(),
                                DrumKind::ALL.iter().map(|k| k.name()),
                            ))
                        })?
                        .value()
                };
                self.track_param(current, TrackParam::Drum, value, span);
            }
            InstrumentPhrase::Tune(q) => {
                let st = match q.unit {
                    None | Some(UnitWord::Semitones) if !q.note_value => q.value,
                    Some(UnitWord::Cents) => q.value / 100.0,
                    _ => {
                        return Err(self.bad(
                            q,
                            "tune takes semitones",
                            "a number of semitones such as -2 or 3 st",
                        ))
                    }
                };
                self.track_param(current, TrackParam::Tune, st as f32, span);
            }
            InstrumentPhrase::Tone(q) => {
                let v = self.fraction(q, "tone")?;
                self.track_param(current, TrackParam::Tone, v, span);
            }
            InstrumentPhrase::Gate(q) => {
                let v = self.fraction(q, "a track's gate")?;
                self.track_param(current, TrackParam::Gate, v, span);
            }
            InstrumentPhrase::Drums => self.drums(span)?,
            InstrumentPhrase::LoadPatch(name) => self.load_patch_on_track(current, name, span)?,
            InstrumentPhrase::Fade { out } => {
                let value = if *out { -60.0 } else { 0.0 };
                self.set(ParamId::MasterGain, value, span);
            }
            InstrumentPhrase::Sample(word) => self.sample(current, word, span)?,
            InstrumentPhrase::SamplePoint { end, at } => {
                let v = self.fraction(at, "a sample point")?;
                let param = if *end {
                    TrackParam::SampleEnd
                } else {
                    TrackParam::SampleStart
                };
                self.track_param(current, param, v, span);
            }
            InstrumentPhrase::Reverse(on) => {
                self.track_param(current, TrackParam::Reverse, f32::from(u8::from(*on)), span)
            }
            InstrumentPhrase::Loop(on) => {
                self.track_param(current, TrackParam::Loop, f32::from(u8::from(*on)), span)
            }
            InstrumentPhrase::Samples => self
                .actions
                .push(Action::Meta(super::action::Meta::Samples)),
            InstrumentPhrase::Lfo(l) => {
                let instrument = track.map_or(0, |t| t + 1);
                self.lfo(instrument, l, span)?;
            }
        }
        Ok(())
    }

    pub(super) fn track_param(
        &mut self,
        track: u8,
        param: TrackParam,
        value: f32,
        span: Range<usize>,
    ) {
        self.engine(
            Command::SetTrack {
                track,
                param,
                value,
            },
            span,
            None,
        );
    }

    fn bad(&self, q: &Quantity, message: &str, expected: &str) -> PhraseError {
        self.error(PhraseErrorKind::BadValue, q.span.clone(), message)
            .expecting(expected)
    }

    pub(super) fn fraction(&self, q: &Quantity, what: &str) -> Result<f32, PhraseError> {
        let v = match q.unit {
            Some(UnitWord::Percent) => q.value / 100.0,
            None if !q.note_value && (0.0..=1.0).contains(&q.value) => q.value,
            _ => {
                return Err(self.bad(
                    q,
                    &format!("{what} goes from 0 to 1"),
                    "a number from 0 to 1 or a percentage such as 70%",
                ))
            }
        };
        if !(0.0..=1.0).contains(&v) {
            return Err(self.bad(
                q,
                &format!("{what} goes from 0% to 100%"),
                "a percentage such as 70%",
            ));
        }
        Ok(v as f32)
    }

    /// `drums`: kick, snare and hats tracks with a basic beat, and the transport running.
    fn drums(&mut self, span: Range<usize>) -> Result<(), PhraseError> {
        let parts = [
            ("kick", "kick", "x...x...x...x..."),
            ("snare", "snare", "....x.......x..."),
            ("hats", "hat", "x.x.x.x.x.x.x.X."),
        ];
        for (name, drum, pattern) in parts {
            let w = |t: &str| (t.to_string(), span.clone());
            let track = PhraseKind::Track {
                name: w(name),
                then: Some(Box::new(PhraseKind::Instrument(InstrumentPhrase::Drum(w(
                    drum,
                ))))),
            };
            self.phrase(&Phrase {
                kind: track,
                span: span.clone(),
            })?;
            self.phrase(&Phrase {
                kind: PhraseKind::Pattern(w(pattern)),
                span: span.clone(),
            })?;
        }
        if !self.patch.running() {
            self.engine(Command::TransportStart, span, None);
        }
        Ok(())
    }

    /// `track bass load patch acid`: the patch's voice settings become the track's own.
    fn load_patch_on_track(
        &mut self,
        track: u8,
        name: &Option<super::ast::Word>,
        span: Range<usize>,
    ) -> Result<(), PhraseError> {
        let saved = self.patch;
        let before = self.actions.len();
        self.phrase(&Phrase {
            kind: PhraseKind::LoadPatch(name.clone()),
            span: span.clone(),
        })?;
        let resolved: Vec<Action> = self.actions.drain(before..).collect();
        self.patch = saved;
        for a in resolved {
            if let Some(Command::Set { param, value }) = a.command() {
                if track_sound_slot(param).is_some() {
                    self.track_param(track, TrackParam::Sound(param), value, span.clone());
                }
            }
        }
        Ok(())
    }

    fn lfo(
        &mut self,
        instrument: u8,
        l: &LfoPhrase,
        span: Range<usize>,
    ) -> Result<(), PhraseError> {
        let current = self.patch.lfos().lfos[usize::from(instrument)];
        let preset_target = match l.preset {
            LfoPreset::Wobble => Some(LfoTarget::Cutoff),
            LfoPreset::Vibrato => Some(LfoTarget::Pitch),
            LfoPreset::Tremolo => Some(LfoTarget::Level),
            LfoPreset::Plain => None,
        };
        let named_target = match &l.target {
            Some(t) => {
                let param = self.single_param(t)?;
                Some(lfo_target_of(param).ok_or_else(|| {
                    self.error(
                        PhraseErrorKind::NotAllowed,
                        t.span.clone(),
                        format!("an LFO cannot move {}", param.name()),
                    )
                    .expecting(LFO_TARGETS)
                })?)
            }
            None => None,
        };
        let target = named_target.or(preset_target);
        let slot = match &l.slot {
            Some((n, at)) => {
                if n.fract() != 0.0 || *n < 1.0 || *n > LFOS_PER_INSTRUMENT as f64 {
                    return Err(self
                        .error(
                            PhraseErrorKind::BadValue,
                            at.clone(),
                            format!("there are {LFOS_PER_INSTRUMENT} LFOs per instrument"),
                        )
                        .expecting("lfo 1 or lfo 2"));
                }
                Some(*n as u8 - 1)
            }
            None => None,
        };
        let set = |r: &mut Self, slot: u8, field: LfoField, value: f32| {
            r.engine(
                Command::SetLfo {
                    instrument,
                    slot,
                    field,
                    value,
                },
                span.clone(),
                None,
            );
        };
        if l.off {
            // `lfo off` (all), `lfo 2 off`, `no wobble` (those on the filter).
            for (s, settings) in current.iter().enumerate() {
                let chosen = match (slot, target) {
                    (Some(n), _) => usize::from(n) == s,
                    (None, Some(t)) => settings.target == t,
                    (None, None) => true,
                };
                if chosen && settings.target != LfoTarget::Off {
                    set(self, s as u8, LfoField::Target, LfoTarget::Off.value());
                }
            }
            return Ok(());
        }
        // Which LFO: the one named, else one already on this target, else a free one.
        let slot = slot.unwrap_or_else(|| {
            let same = target.and_then(|t| current.iter().position(|s| s.target == t));
            let free = current.iter().position(|s| s.target == LfoTarget::Off);
            same.or(free).unwrap_or(0) as u8
        });
        let was: LfoSettings = current[usize::from(slot)];
        let target = target.unwrap_or(if was.target == LfoTarget::Off {
            LfoTarget::Cutoff
        } else {
            was.target
        });
        // A plain `lfo` phrase sets only what it says (plus a depth if it has none); the
        // named ones (`wobble`, `vibrato`, `tremolo`) start from their own defaults.
        let fresh = was.target != target && l.preset != LfoPreset::Plain;
        if l.preset != LfoPreset::Plain || l.target.is_some() || was.target == LfoTarget::Off {
            set(self, slot, LfoField::Target, target.value());
        }
        if let Some(shape) = l.shape {
            set(self, slot, LfoField::Shape, shape.value());
        } else if fresh {
            set(self, slot, LfoField::Shape, LfoShape::Sine.value());
        }
        match &l.rate {
            Some(q) => {
                let (field, value) = self.lfo_rate(q)?;
                set(self, slot, field, value);
            }
            None if fresh => {
                let (field, value) = match l.preset {
                    LfoPreset::Wobble => (LfoField::Sync, 0.125),
                    LfoPreset::Tremolo => (LfoField::Sync, 0.0625),
                    LfoPreset::Vibrato => (LfoField::RateHz, 5.0),
                    LfoPreset::Plain => (LfoField::RateHz, 1.0),
                };
                set(self, slot, field, value);
            }
            None => {}
        }
        match &l.depth {
            Some(q) => {
                let d = self.lfo_depth(target, q)?;
                set(self, slot, LfoField::Depth, d);
            }
            None if fresh || was.depth == 0.0 => {
                set(self, slot, LfoField::Depth, target.default_depth())
            }
            None => {}
        }
        Ok(())
    }

    fn lfo_rate(&self, q: &Quantity) -> Result<(LfoField, f32), PhraseError> {
        let v = q.value as f32;
        let out = match q.unit {
            None if q.note_value => (LfoField::Sync, v),
            Some(UnitWord::Bars) => (LfoField::Sync, v),
            Some(UnitWord::Beats) => (LfoField::Sync, v / 4.0),
            None | Some(UnitWord::Hz) => (LfoField::RateHz, v),
            Some(UnitWord::Ms) => (LfoField::RateHz, 1000.0 / v),
            Some(UnitWord::Seconds) => (LfoField::RateHz, 1.0 / v),
            _ => {
                return Err(self.bad(
                    q,
                    "an LFO's rate is in Hz or a note value",
                    "a rate such as 2 hz, 1/8 or 1 bar",
                ))
            }
        };
        if !out.1.is_finite() || out.1 <= 0.0 || (out.0 == LfoField::RateHz && out.1 > 50.0) {
            return Err(self.bad(
                q,
                "an LFO's rate is above 0 and at most 50 Hz",
                "a rate such as 2 hz, 1/8 or 1 bar",
            ));
        }
        Ok(out)
    }

    fn lfo_depth(&self, target: LfoTarget, q: &Quantity) -> Result<f32, PhraseError> {
        let v = q.value;
        let unit = target.depth_unit();
        let d = match (target, q.unit) {
            (_, Some(UnitWord::Percent)) if target == LfoTarget::Level => {
                -20.0 * (1.0 - (v / 100.0).clamp(0.0, 0.999)).log10()
            }
            (_, Some(UnitWord::Percent)) => v / 100.0 * f64::from(target.max_depth()),
            (LfoTarget::Cutoff, None) => v,
            (LfoTarget::Cutoff, Some(UnitWord::Semitones)) => v / 12.0,
            (LfoTarget::Pitch, None | Some(UnitWord::Cents)) => v,
            (LfoTarget::Pitch, Some(UnitWord::Semitones)) => v * 100.0,
            (LfoTarget::Level, None | Some(UnitWord::Db)) => v.abs(),
            (LfoTarget::Resonance, None) => v,
            _ => {
                return Err(self.bad(
                    q,
                    &format!(
                        "this LFO's depth is in {}",
                        if unit.is_empty() { "a fraction" } else { unit }
                    ),
                    "a depth such as 1 octave, 20 cents, 6 db or 30%",
                ))
            }
        };
        if !d.is_finite() || d < 0.0 || d > f64::from(target.max_depth()) {
            return Err(self.bad(
                q,
                &format!(
                    "this LFO's depth goes from 0 to {} {unit}",
                    format_decimal(target.max_depth())
                ),
                "a smaller depth",
            ));
        }
        Ok(d as f32)
    }

    /// `PHRASE over LENGTH`: every `set` the phrase makes becomes a ramp to that value.
    pub(super) fn over(
        &mut self,
        inner: &PhraseKind,
        length: &Quantity,
        span: Range<usize>,
    ) -> Result<(), PhraseError> {
        let v = length.value as f32;
        let (len, unit) = match length.unit {
            None if length.note_value => (v * 4.0, RampUnit::Beats),
            Some(UnitWord::Beats) => (v, RampUnit::Beats),
            Some(UnitWord::Bars) => (v * 4.0, RampUnit::Beats),
            Some(UnitWord::Seconds) => (v, RampUnit::Seconds),
            Some(UnitWord::Ms) => (v / 1000.0, RampUnit::Seconds),
            _ => {
                return Err(self.bad(
                    length,
                    "over how long?",
                    "a length such as 4 bars, 2 beats or 10 s",
                ))
            }
        };
        if !len.is_finite() || len <= 0.0 || len > 10_000.0 {
            return Err(self.bad(
                length,
                "a ramp lasts more than 0 and at most 10000 beats or seconds",
                "a length such as 4 bars",
            ));
        }
        let saved = self.patch;
        let before = self.actions.len();
        self.phrase(&Phrase {
            kind: inner.clone(),
            span: span.clone(),
        })?;
        let resolved: Vec<Action> = self.actions.drain(before..).collect();
        self.patch = saved;
        let mut any = false;
        for a in resolved {
            let target = match a.command() {
                Some(Command::Set { param, value }) => Some((PATCH_RAMP, param, value)),
                Some(Command::SetTrack {
                    track,
                    param: TrackParam::Sound(param),
                    value,
                }) if value.is_finite() => Some((track, param, value)),
                _ => None,
            };
            match (target, a.command()) {
                (Some((track, param, value)), _) => {
                    if param.spec().scale == Scale::Discrete {
                        return Err(self
                            .error(
                                PhraseErrorKind::NotAllowed,
                                span,
                                format!("{} switches; it cannot move over time", param.name()),
                            )
                            .expecting("a continuous parameter such as cutoff, level or tempo"));
                    }
                    any = true;
                    self.engine(
                        Command::Ramp {
                            param,
                            track,
                            target: value,
                            length: len,
                            unit,
                        },
                        span.clone(),
                        None,
                    );
                }
                (None, Some(_)) => {
                    return Err(self
                        .error(
                            PhraseErrorKind::NotAllowed,
                            span,
                            "only parameter values can move over time",
                        )
                        .expecting("a phrase that sets a value, such as `filter 4k over 4 bars`"))
                }
                (None, None) => self.actions.push(a),
            }
        }
        if !any {
            return Err(self
                .error(
                    PhraseErrorKind::Incomplete,
                    span,
                    "nothing to move over time",
                )
                .expecting("a phrase that sets a value, such as `filter 4k over 4 bars`"));
        }
        Ok(())
    }
}
