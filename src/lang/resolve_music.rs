//! Resolving music phrases: notes with velocity, chords, the transport, patterns and
//! sequences on named tracks, mute/solo, `now`, per-track sounds, and patches. Track names
//! are looked up in the working copy's [`crate::engine::state::TrackNames`]; pattern steps, sequence
//! notes, chord words and patch names are checked here, with the caret on the exact word or
//! character that is wrong.
//!
//! Runs on the control thread. May allocate and read patch files (`load patch`).

use super::action::Meta;
use super::ast::{Phrase, PhraseKind, Word};
use super::chords::{chord_notes, quality, quality_names, root};
use super::error::{PhraseError, PhraseErrorKind};
use super::resolve::Resolver;
use super::units::{Quantity, UnitWord};
use super::vocab::closest;
use crate::engine::command::{Command, TrackParam, MAX_STEPS, TRACKS};
use crate::engine::params::ParamId;
use crate::engine::state::{track_sound_slot, TrackNames, MAX_TRACK_NAME_BYTES};
use crate::patch::{PatchError, PatchName, PatchStore};
use std::ops::Range;

/// The patch directory phrases use: `$CHRONUS_PATCH_DIR` if set, else the user data dir's
/// `patches/` (else `./patches-user`).
pub fn patch_store() -> PatchStore {
    let dir = std::env::var_os("CHRONUS_PATCH_DIR")
        .map(std::path::PathBuf::from)
        .or_else(PatchStore::default_dir)
        .unwrap_or_else(|| "patches-user".into());
    PatchStore::new(dir)
}

impl Resolver<'_> {
    /// Music phrases; `Ok(false)` when `kind` is not one.
    pub(super) fn music(
        &mut self,
        kind: &PhraseKind,
        span: Range<usize>,
    ) -> Result<bool, PhraseError> {
        match kind {
            PhraseKind::NoteOn {
                midi,
                span: at,
                velocity,
            } => {
                let note = self.midi(*midi, at)?;
                let velocity = self.velocity(velocity.as_ref())?;
                self.engine(Command::NoteOn { note, velocity }, span, None);
            }
            PhraseKind::Play { notes, velocity } => {
                let velocity = self.velocity(velocity.as_ref())?;
                let mut checked = Vec::new();
                for (midi, at) in notes {
                    checked.push(self.midi(*midi, at)?);
                }
                for note in checked {
                    self.engine(Command::NoteOn { note, velocity }, span.clone(), None);
                }
            }
            PhraseKind::Chord(words) => self.chord(words, span)?,
            PhraseKind::Start => self.engine(Command::TransportStart, span, None),
            PhraseKind::Stop { transport_only } => {
                self.engine(Command::TransportStop, span.clone(), None);
                if !transport_only {
                    self.engine(Command::AllNotesOff, span, None);
                }
            }
            PhraseKind::Now => self.engine(Command::ApplyPending, span, None),
            PhraseKind::Pattern((text, at)) => self.mini_pattern(Some(text), at, false, span)?,
            PhraseKind::Seq(words) => {
                let at = words.first().map_or(span.clone(), |(_, f)| {
                    f.start..words.last().map_or(f.end, |(_, l)| l.end)
                });
                self.mini_pattern(None, &at, true, span)?
            }
            PhraseKind::Steps(q) => {
                let n = q.value;
                if q.unit.is_some() || n.fract() != 0.0 || !(1.0..=MAX_STEPS as f64).contains(&n) {
                    return Err(self
                        .error(
                            PhraseErrorKind::BadValue,
                            q.span.clone(),
                            format!("a pattern has 1 to {MAX_STEPS} steps"),
                        )
                        .expecting(format!(
                            "a whole number from 1 to {MAX_STEPS}, e.g. `steps 16`"
                        )));
                }
                self.track_setting(TrackParam::Length, n as f32, span);
            }
            PhraseKind::Rate(q) => {
                let rate = self.rate(q)?;
                self.track_setting(TrackParam::Rate, rate, span);
            }
            PhraseKind::Mute { name, on } => {
                let track = self.existing_track(name.as_ref())?;
                self.track_command(track, TrackParam::Mute, f32::from(u8::from(*on)), span);
            }
            PhraseKind::Solo { name, on } => {
                let track = self.existing_track(name.as_ref())?;
                self.track_command(track, TrackParam::Solo, f32::from(u8::from(*on)), span);
            }
            PhraseKind::Clear => {
                let track = self.patch.track_names().current();
                self.engine(Command::ClearTrack { track }, span, None);
            }
            PhraseKind::Track { name, then } => self.track(name, then.as_deref(), span)?,
            PhraseKind::Rhythm(r) => self.rhythm(r, span)?,
            PhraseKind::SavePatch(name) => {
                let name = self.patch_name(name.as_ref(), span, "save")?;
                self.actions
                    .push(super::action::Action::Meta(Meta::SavePatch { name }));
            }
            PhraseKind::LoadPatch(name) => {
                let at = name.as_ref().map_or(span.clone(), |(_, s)| s.clone());
                let name = self.patch_name(name.as_ref(), span.clone(), "load")?;
                let patch = patch_store().load(&name).map_err(|e| {
                    let (message, suggestion) = match &e {
                        PatchError::NotFound { name, suggestion } => {
                            (format!("no patch called \"{name}\""), suggestion.clone())
                        }
                        other => (other.to_string(), None),
                    };
                    self.error(PhraseErrorKind::BadValue, at.clone(), message)
                        .expecting("a saved or built-in patch: acid, bass, pad, pluck (`patches` lists them)")
                        .suggesting(suggestion)
                })?;
                for c in patch.commands(self.patch.values()) {
                    if let Command::Set { param, value } = c {
                        self.set(param, value, span.clone());
                    }
                }
            }
            PhraseKind::Patches => self
                .actions
                .push(super::action::Action::Meta(Meta::Patches)),
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn velocity(&self, q: Option<&Quantity>) -> Result<f32, PhraseError> {
        let Some(q) = q else { return Ok(1.0) };
        let v = match q.unit {
            None => q.value,
            Some(UnitWord::Percent) => q.value / 100.0,
            Some(_) => -1.0,
        };
        if !(0.0..=1.0).contains(&v) {
            return Err(self
                .error(
                    PhraseErrorKind::BadValue,
                    q.span.clone(),
                    "a velocity goes from 0 to 1",
                )
                .expecting("a number from 0 to 1 or a percentage, e.g. `velocity 0.5`"));
        }
        Ok(v as f32)
    }

    /// `rate 1/16`, `rate 16` (sixteenths), `rate 0.0625`: a step as a fraction of a bar.
    fn rate(&self, q: &Quantity) -> Result<f32, PhraseError> {
        let v = match q.unit {
            None if q.note_value || q.value <= 1.0 => q.value,
            None => 1.0 / q.value,
            Some(_) => f64::NAN,
        };
        if !(1.0 / 64.0 - 1e-9..=1.0).contains(&v) {
            return Err(self
                .error(
                    PhraseErrorKind::BadValue,
                    q.span.clone(),
                    "a step is from 1/64 to 1 bar long",
                )
                .expecting("a note value such as 1/16, 1/8 or 1/4"));
        }
        Ok(v as f32)
    }

    fn track_setting(&mut self, param: TrackParam, value: f32, span: Range<usize>) {
        let track = self.patch.track_names().current();
        self.track_command(track, param, value, span);
    }

    fn track_command(&mut self, track: u8, param: TrackParam, value: f32, span: Range<usize>) {
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

    /// A track that must already exist by name (or a number 1–8); none = the current one.
    fn existing_track(&self, name: Option<&Word>) -> Result<u8, PhraseError> {
        let Some((name, at)) = name else {
            return Ok(self.patch.track_names().current());
        };
        self.patch.track_names().find(name).ok_or_else(|| {
            let names: Vec<&str> = self.patch.track_names().names().collect();
            let listed = if names.is_empty() {
                format!("a number from 1 to {TRACKS}, or a name given first with `track NAME ...`")
            } else {
                format!(
                    "a track name ({}) or a number from 1 to {TRACKS}",
                    names.join(", ")
                )
            };
            self.error(
                PhraseErrorKind::UnknownWord,
                at.clone(),
                format!("no track called \"{name}\""),
            )
            .expecting(listed)
            .suggesting(closest(name, names.iter().copied()))
        })
    }

    /// `track NAME [phrase]`: selects (naming if new) a track, then resolves the phrase for it.
    fn track(
        &mut self,
        (name, at): &Word,
        then: Option<&PhraseKind>,
        span: Range<usize>,
    ) -> Result<(), PhraseError> {
        let index = match self.patch.track_names().find(name) {
            Some(i) => i,
            None if name.chars().all(|c| c.is_ascii_digit()) => {
                return Err(self
                    .error(
                        PhraseErrorKind::BadValue,
                        at.clone(),
                        format!("tracks are numbered 1 to {TRACKS}"),
                    )
                    .expecting(format!(
                        "a number from 1 to {TRACKS} or a name such as bass"
                    )))
            }
            None => {
                if !name
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
                    || !TrackNames::fits(name)
                {
                    return Err(self
                        .error(
                            PhraseErrorKind::BadValue,
                            at.clone(),
                            format!(
                                "a track name is one plain word of at most {MAX_TRACK_NAME_BYTES} letters"
                            ),
                        )
                        .expecting("a name such as bass, hats or lead"));
                }
                let patch = &self.patch;
                patch
                    .track_names()
                    .free_index(|i| patch.track_used(i))
                    .ok_or_else(|| {
                        self.error(
                            PhraseErrorKind::NotAllowed,
                            at.clone(),
                            format!("all {TRACKS} tracks have names already"),
                        )
                        .expecting(format!(
                            "one of the names: {}",
                            self.patch
                                .track_names()
                                .names()
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                    })?
            }
        };
        let named = (!name.chars().all(|c| c.is_ascii_digit())).then(|| name.to_lowercase());
        self.patch.select_track(index, named.as_deref());
        self.actions.push(super::action::Action::Meta(Meta::Track {
            index,
            name: named,
        }));
        let Some(then) = then else { return Ok(()) };
        match then {
            PhraseKind::Set { .. } | PhraseKind::Choose { .. } | PhraseKind::Relative { .. } => {
                self.track_sound(index, then, span)
            }
            PhraseKind::Instrument(p) => self.instrument(Some(index), p, span),
            other => {
                let inner = Phrase {
                    kind: other.clone(),
                    span: span.clone(),
                };
                self.phrase(&inner)
            }
        }
    }

    /// A sound phrase for one track: resolved as for the patch, then turned into per-track
    /// settings (`osc.wave` → `Sound(osc.wave)`, a pitch → the track's note).
    fn track_sound(
        &mut self,
        track: u8,
        kind: &PhraseKind,
        span: Range<usize>,
    ) -> Result<(), PhraseError> {
        let saved = self.patch;
        // Relative words start from the track's own values.
        if let Some(t) = self.patch.tracks().get(usize::from(track)).copied() {
            for p in crate::engine::state::TRACK_SOUND_PARAMS {
                if let Some(v) = t.sound_override(p) {
                    self.patch.set(p, v);
                }
            }
        }
        let before = self.actions.len();
        self.phrase(&Phrase {
            kind: kind.clone(),
            span: span.clone(),
        })?;
        let resolved: Vec<_> = self.actions.drain(before..).collect();
        self.patch = saved;
        for a in resolved {
            let Some(Command::Set { param, value }) = a.command() else {
                continue;
            };
            let (param, value) = if param == ParamId::OscFreq {
                let midi = 69.0 + 12.0 * (value / 440.0).log2();
                (TrackParam::Pitch, midi.round().clamp(0.0, 127.0))
            } else if track_sound_slot(param).is_some() {
                (TrackParam::Sound(param), value)
            } else {
                let names: Vec<&str> = crate::engine::state::TRACK_SOUND_PARAMS
                    .iter()
                    .map(|p| p.name())
                    .collect();
                return Err(self
                    .error(
                        PhraseErrorKind::NotAllowed,
                        span,
                        format!("a track has no {} of its own", param.name()),
                    )
                    .expecting(format!("one of {}, or a pitch", names.join(", "))));
            };
            self.track_command(track, param, value, span.clone());
        }
        Ok(())
    }

    fn patch_name(
        &self,
        name: Option<&Word>,
        span: Range<usize>,
        verb: &str,
    ) -> Result<String, PhraseError> {
        let Some((name, at)) = name else {
            return Err(self
                .error(
                    PhraseErrorKind::Incomplete,
                    span.end..span.end,
                    format!("{verb} which patch?"),
                )
                .expecting(format!("a name, e.g. `{verb} patch my-bass`")));
        };
        PatchName::new(name)
            .map(|n| n.as_str().to_string())
            .map_err(|e| {
                self.error(PhraseErrorKind::BadValue, at.clone(), e.to_string())
                    .expecting("a name of letters, digits, - and _ (at most 64)")
            })
    }

    /// `chord Dm7`, `chord C minor inversion 1`, `chord C3 maj7 velocity 0.6`.
    fn chord(&mut self, words: &[Word], span: Range<usize>) -> Result<(), PhraseError> {
        let Some(((first, first_at), rest)) = words.split_first() else {
            return Ok(());
        };
        let Some((pc, len)) = root(first) else {
            return Err(self
                .error(
                    PhraseErrorKind::BadValue,
                    first_at.clone(),
                    format!("\"{first}\" does not start with a note name"),
                )
                .expecting("a chord such as C, Dm7, F#maj7 or Bb minor"));
        };
        let mut suffix = &first[len..];
        let mut octave = 4;
        if quality(suffix).is_none() {
            let digits = suffix.len()
                - suffix
                    .trim_start_matches(|c: char| c.is_ascii_digit())
                    .len();
            if digits > 0 {
                octave = suffix[..digits].parse().unwrap_or(4);
                suffix = &suffix[digits..];
            }
        }
        // Words after the root: quality words, then options.
        let mut quality_words: Vec<&Word> = Vec::new();
        let mut inversion: Option<(usize, Range<usize>)> = None;
        let mut velocity = None;
        let mut i = 0;
        while i < rest.len() {
            let (w, at) = &rest[i];
            let option = w.to_lowercase();
            if matches!(
                option.as_str(),
                "inversion" | "inv" | "octave" | "velocity" | "vel"
            ) {
                let Some((v, v_at)) = rest.get(i + 1) else {
                    return Err(self
                        .error(
                            PhraseErrorKind::Incomplete,
                            at.end..at.end,
                            format!("{option} what?"),
                        )
                        .expecting("a number after it, e.g. `inversion 1`"));
                };
                let number: Option<f64> = v.parse().ok().or_else(|| {
                    v.strip_suffix('%')
                        .and_then(|p| p.parse::<f64>().ok())
                        .map(|p| p / 100.0)
                });
                let Some(number) = number.filter(|n| n.is_finite()) else {
                    return Err(self
                        .error(
                            PhraseErrorKind::BadValue,
                            v_at.clone(),
                            format!("\"{v}\" is not a number"),
                        )
                        .expecting(format!("a number after {option}")));
                };
                match option.as_str() {
                    "inversion" | "inv" => {
                        inversion = Some((number.max(0.0) as usize, v_at.clone()))
                    }
                    "octave" => {
                        if !(0.0..=8.0).contains(&number) {
                            return Err(self
                                .error(
                                    PhraseErrorKind::BadValue,
                                    v_at.clone(),
                                    "a chord's octave is from 0 to 8",
                                )
                                .expecting("e.g. `octave 3`"));
                        }
                        octave = number as i32;
                    }
                    _ => {
                        velocity = Some(Quantity {
                            value: number,
                            unit: None,
                            note_value: false,
                            span: v_at.clone(),
                        })
                    }
                }
                i += 2;
                continue;
            }
            quality_words.push(&rest[i]);
            i += 1;
        }
        let (name, name_at) = match (suffix.is_empty(), quality_words.as_slice()) {
            (_, []) => (suffix.to_string(), first_at.start + len..first_at.end),
            (true, ws) => (
                ws.iter()
                    .map(|(w, _)| w.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                ws[0].1.start..ws[ws.len() - 1].1.end,
            ),
            (false, ws) => return Err(self
                .error(
                    PhraseErrorKind::Unexpected,
                    ws[0].1.clone(),
                    format!("\"{}\" does not fit after {first}", ws[0].0),
                )
                .expecting(
                    "the quality once: `Dm7` or `D minor 7`, then inversion, octave or velocity",
                )),
        };
        let Some(intervals) = quality(&name) else {
            return Err(self
                .error(PhraseErrorKind::BadValue, name_at, format!("unknown chord quality \"{name}\""))
                .expecting("major, minor, dim, aug, sus2, sus4, 7, maj7, m7, dim7, m7b5, 6, m6, 9, add9 ...")
                .suggesting(closest(&name, quality_names())));
        };
        let notes_count = intervals.len();
        let inversion = match inversion {
            Some((n, at)) if n >= notes_count => {
                return Err(self
                    .error(
                        PhraseErrorKind::BadValue,
                        at,
                        format!(
                            "a {notes_count}-note chord has inversions 0 to {}",
                            notes_count - 1
                        ),
                    )
                    .expecting(format!("an inversion from 0 to {}", notes_count - 1)))
            }
            Some((n, _)) => n,
            None => 0,
        };
        let velocity = self.velocity(velocity.as_ref())?;
        let root_midi = (octave + 1) * 12 + pc;
        let mut notes = Vec::new();
        for midi in chord_notes(root_midi, intervals, inversion) {
            notes.push(self.midi(midi, first_at)?);
        }
        if self.patch.sounding() {
            self.engine(Command::AllNotesOff, span.clone(), None);
        }
        for note in notes {
            self.engine(Command::NoteOn { note, velocity }, span.clone(), None);
        }
        Ok(())
    }
}
