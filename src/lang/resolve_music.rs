//! Resolving music phrases: notes with velocity, chords, the transport, patterns and
//! sequences on named tracks, mute/solo, `now`, per-track sounds, and patches. Track names
//! are looked up in the working copy's [`crate::engine::state::TrackNames`]; pattern steps, sequence
//! notes, chord words and patch names are checked here, with the caret on the exact word or
//! character that is wrong.
//!
//! Runs on the control thread. May allocate and read patch files (`load patch`).

use super::action::{Action, Meta};
use super::ast::{Phrase, PhraseKind, Word};
use super::chords::{chord_notes, quality, quality_names, quality_typo, root};
use super::error::{PhraseError, PhraseErrorKind};
use super::resolve::Resolver;
use super::units::{Quantity, UnitWord};
use super::vocab::closest;
use crate::engine::command::{Command, TrackParam, MAX_STEPS, TRACKS};
use crate::engine::params::ParamId;
use crate::engine::state::{track_sound_slot, TrackNames, MAX_TRACK_NAME_BYTES};
use crate::patch::{patch_store, PatchError, PatchName};
use std::ops::Range;

impl Resolver<'_> {
    /// `note C4`, `play A3 velocity 0.5`: one note on.
    pub(super) fn note_on(
        &mut self,
        midi: i32,
        at: &Range<usize>,
        velocity: Option<&Quantity>,
        span: Range<usize>,
    ) -> Result<(), PhraseError> {
        let note = self.midi(midi, at)?;
        let velocity = self.velocity(velocity)?;
        self.engine(Command::NoteOn { note, velocity }, span, None);
        Ok(())
    }

    /// `play C4 E4 G4`: every note is checked before any is played.
    pub(super) fn play(
        &mut self,
        notes: &[(i32, Range<usize>)],
        velocity: Option<&Quantity>,
        span: Range<usize>,
    ) -> Result<(), PhraseError> {
        let velocity = self.velocity(velocity)?;
        let mut checked = Vec::new();
        for (midi, at) in notes {
            checked.push(self.midi(*midi, at)?);
        }
        for note in checked {
            self.engine(Command::NoteOn { note, velocity }, span.clone(), None);
        }
        Ok(())
    }

    /// `stop`: the transport stops and held notes are released; `stop transport` only stops.
    pub(super) fn stop(&mut self, transport_only: bool, span: Range<usize>) {
        self.engine(Command::TransportStop, span.clone(), None);
        if !transport_only {
            self.engine(Command::AllNotesOff, span, None);
        }
    }

    /// `steps 16`: the current track's pattern length.
    pub(super) fn steps(&mut self, q: &Quantity, span: Range<usize>) -> Result<(), PhraseError> {
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
        Ok(())
    }

    /// `rate 1/16`: the current track's step length.
    pub(super) fn step_rate(
        &mut self,
        q: &Quantity,
        span: Range<usize>,
    ) -> Result<(), PhraseError> {
        let rate = self.rate(q)?;
        self.track_setting(TrackParam::Rate, rate, span);
        Ok(())
    }

    /// `mute bass`, `unsolo`: a track switch (the named track, else the current one).
    pub(super) fn track_switch(
        &mut self,
        param: TrackParam,
        name: Option<&Word>,
        on: bool,
        span: Range<usize>,
    ) -> Result<(), PhraseError> {
        let track = self.existing_track(name)?;
        self.track_command(track, param, f32::from(u8::from(on)), span);
        Ok(())
    }

    /// `track bass clear`: the current track's steps are cleared.
    pub(super) fn clear(&mut self, span: Range<usize>) {
        let track = self.patch.track_names().current();
        self.engine(Command::ClearTrack { track }, span, None);
    }

    /// `save patch NAME`: checked here, written by the control side.
    pub(super) fn save_patch(
        &mut self,
        name: Option<&Word>,
        span: Range<usize>,
    ) -> Result<(), PhraseError> {
        let name = self.patch_name(name, span, "save")?;
        self.actions.push(Action::Meta(Meta::SavePatch { name }));
        Ok(())
    }

    /// `load patch NAME`: the patch's values become ordinary `set` actions.
    pub(super) fn load_patch(
        &mut self,
        name: Option<&Word>,
        span: Range<usize>,
    ) -> Result<(), PhraseError> {
        let at = name.map_or(span.clone(), |(_, s)| s.clone());
        let name = self.patch_name(name, span.clone(), "load")?;
        let patch = patch_store().load(&name).map_err(|e| {
            let (message, suggestion) = match &e {
                PatchError::NotFound { name, suggestion } => {
                    (format!("no patch called \"{name}\""), suggestion.clone())
                }
                other => (other.to_string(), None),
            };
            self.error(PhraseErrorKind::BadValue, at.clone(), message)
                .expecting(
                    "a saved or built-in patch: acid, bass, pad, pluck (`patches` lists them)",
                )
                .suggesting(suggestion)
        })?;
        for c in patch.commands(self.patch.values()) {
            if let Command::Set { param, value } = c {
                self.set(param, value, span.clone());
            }
        }
        Ok(())
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
    pub(super) fn track(
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
        self.actions
            .push(Action::Meta(Meta::Track { index, name: named }));
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
    pub(super) fn chord(&mut self, words: &[Word], span: Range<usize>) -> Result<(), PhraseError> {
        let Some((first, rest)) = words.split_first() else {
            return Ok(());
        };
        let root = self.chord_root(first)?;
        let options = self.chord_options(rest)?;
        let (name, name_at) = self.chord_quality_name(first, &root, &options.quality_words)?;
        let intervals = match (quality(&name), quality_typo(&name)) {
            (Some(iv), _) => Some(iv),
            (None, Some(fixed)) => {
                let read = format!("chord {} {fixed} (\"{name}\" → \"{fixed}\")", first.0);
                self.actions.push(Action::Meta(Meta::ReadAs(read)));
                quality(fixed)
            }
            (None, None) => None,
        };
        let Some(intervals) = intervals else {
            return Err(self
                .error(PhraseErrorKind::BadValue, name_at, format!("unknown chord quality \"{name}\""))
                .expecting("major, minor, dim, aug, sus2, sus4, 7, maj7, m7, dim7, m7b5, 6, m6, 9, add9 ...")
                .suggesting(closest(&name, quality_names())));
        };
        let inversion = self.chord_inversion(intervals.len(), options.inversion)?;
        let velocity = self.velocity(options.velocity.as_ref())?;
        let octave = options.octave.unwrap_or(root.octave);
        let root_midi = (octave + 1) * 12 + root.pitch_class;
        let mut notes = Vec::new();
        for midi in chord_notes(root_midi, intervals, inversion) {
            notes.push(self.midi(midi, &first.1)?);
        }
        if self.patch.sounding() {
            self.engine(Command::AllNotesOff, span.clone(), None);
        }
        for note in notes {
            self.engine(Command::NoteOn { note, velocity }, span.clone(), None);
        }
        Ok(())
    }

    /// The root of a chord's first word (`F#maj7` → F#, quality `maj7`; `C3` → C, octave 3).
    fn chord_root(&self, (first, first_at): &Word) -> Result<ChordRoot, PhraseError> {
        let Some((pitch_class, len)) = root(first) else {
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
        Ok(ChordRoot {
            pitch_class,
            len,
            octave,
            suffix: suffix.to_string(),
        })
    }

    /// The words after the root: quality words, then `inversion N`, `octave N`, `velocity V`.
    fn chord_options<'w>(&self, rest: &'w [Word]) -> Result<ChordOptions<'w>, PhraseError> {
        let mut options = ChordOptions::default();
        let mut i = 0;
        while i < rest.len() {
            let (w, at) = &rest[i];
            let option = w.to_lowercase();
            if !matches!(
                option.as_str(),
                "inversion" | "inv" | "octave" | "velocity" | "vel"
            ) {
                options.quality_words.push(&rest[i]);
                i += 1;
                continue;
            }
            let Some((v, v_at)) = rest.get(i + 1) else {
                return Err(self
                    .error(
                        PhraseErrorKind::Incomplete,
                        at.end..at.end,
                        format!("{option} what?"),
                    )
                    .expecting("a number after it, e.g. `inversion 1`"));
            };
            let number = self.chord_option_number(&option, v, v_at)?;
            match option.as_str() {
                "inversion" | "inv" => {
                    options.inversion = Some((number.max(0.0) as usize, v_at.clone()))
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
                    options.octave = Some(number as i32);
                }
                _ => {
                    options.velocity = Some(Quantity {
                        value: number,
                        unit: None,
                        note_value: false,
                        span: v_at.clone(),
                    })
                }
            }
            i += 2;
        }
        Ok(options)
    }

    /// The number after a chord option (`0.6`, `80%`).
    fn chord_option_number(
        &self,
        option: &str,
        v: &str,
        at: &Range<usize>,
    ) -> Result<f64, PhraseError> {
        let number: Option<f64> = v.parse().ok().or_else(|| {
            v.strip_suffix('%')
                .and_then(|p| p.parse::<f64>().ok())
                .map(|p| p / 100.0)
        });
        number.filter(|n| n.is_finite()).ok_or_else(|| {
            self.error(
                PhraseErrorKind::BadValue,
                at.clone(),
                format!("\"{v}\" is not a number"),
            )
            .expecting(format!("a number after {option}"))
        })
    }

    /// The quality as written: on the root (`Dm7`) or as words (`D minor 7`), not both.
    fn chord_quality_name(
        &self,
        (first, first_at): &Word,
        root: &ChordRoot,
        words: &[&Word],
    ) -> Result<(String, Range<usize>), PhraseError> {
        match (root.suffix.is_empty(), words) {
            (_, []) => Ok((root.suffix.clone(), first_at.start + root.len..first_at.end)),
            (true, ws) => Ok((
                ws.iter()
                    .map(|(w, _)| w.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                ws[0].1.start..ws[ws.len() - 1].1.end,
            )),
            (false, ws) => Err(self
                .error(
                    PhraseErrorKind::Unexpected,
                    ws[0].1.clone(),
                    format!("\"{}\" does not fit after {first}", ws[0].0),
                )
                .expecting(
                    "the quality once: `Dm7` or `D minor 7`, then inversion, octave or velocity",
                )),
        }
    }

    /// The inversion, checked against the number of notes.
    fn chord_inversion(
        &self,
        notes_count: usize,
        inversion: Option<(usize, Range<usize>)>,
    ) -> Result<usize, PhraseError> {
        match inversion {
            Some((n, at)) if n >= notes_count => Err(self
                .error(
                    PhraseErrorKind::BadValue,
                    at,
                    format!(
                        "a {notes_count}-note chord has inversions 0 to {}",
                        notes_count - 1
                    ),
                )
                .expecting(format!("an inversion from 0 to {}", notes_count - 1))),
            Some((n, _)) => Ok(n),
            None => Ok(0),
        }
    }
}

/// A chord's root as read from its first word.
struct ChordRoot {
    pitch_class: i32,
    /// Bytes of the first word the root takes.
    len: usize,
    octave: i32,
    /// What follows the root and octave on the first word (`m7` in `Dm7`).
    suffix: String,
}

/// The words after a chord's root.
#[derive(Default)]
struct ChordOptions<'w> {
    quality_words: Vec<&'w Word>,
    inversion: Option<(usize, Range<usize>)>,
    octave: Option<i32>,
    velocity: Option<Quantity>,
}
