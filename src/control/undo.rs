//! Undo/redo of whole patch states (with the patterns as typed), and the commands that move
//! the engine from one patch state to another.
//!
//! Runs on the control thread. May allocate.

use super::PatchState;
use crate::engine::command::{Command, TrackParam};
use crate::engine::lfo::{LfoField, LfoSettings};
use crate::engine::params::ParamId;
use crate::engine::state::{TrackState, TRACK_SOUND_PARAMS};
use crate::lang::pattern::rhythm::Rhythms;
use std::collections::VecDeque;

/// How many undo levels are kept by default.
pub const UNDO_LEVELS: usize = 256;

/// What one undo level holds on the control side: the patch, and the tracks' patterns as
/// typed, which go back with their steps.
#[derive(Clone, Debug, PartialEq)]
pub struct UndoLevel {
    /// The patch (what the engine plays).
    pub patch: PatchState,
    /// The patterns as typed and the pattern seed.
    pub rhythms: Rhythms,
}

/// Previous and undone states (`T`: a patch state, or an [`UndoLevel`]). Each performed line
/// that changed the patch is one level.
#[derive(Clone, Debug)]
pub struct UndoHistory<T = PatchState> {
    undo: VecDeque<T>,
    redo: Vec<T>,
    limit: usize,
}

impl<T: Clone> Default for UndoHistory<T> {
    fn default() -> Self {
        UndoHistory::with_limit(UNDO_LEVELS)
    }
}

impl<T: Clone> UndoHistory<T> {
    /// A history keeping at most `limit` undo levels (the oldest are forgotten).
    pub fn with_limit(limit: usize) -> Self {
        UndoHistory {
            undo: VecDeque::new(),
            redo: Vec::new(),
            limit: limit.max(1),
        }
    }

    /// Records that the patch was `before` until a line changed it; clears the redo stack.
    pub fn record(&mut self, before: T) {
        if self.undo.len() == self.limit {
            self.undo.pop_front();
        }
        self.undo.push_back(before);
        self.redo.clear();
    }

    /// The state to go back to, remembering `current` for redo.
    pub fn undo(&mut self, current: &T) -> Option<T> {
        let previous = self.undo.pop_back()?;
        self.redo.push(current.clone());
        Some(previous)
    }

    /// The state to go forward to again, remembering `current` for undo.
    pub fn redo(&mut self, current: &T) -> Option<T> {
        let next = self.redo.pop()?;
        self.undo.push_back(current.clone());
        if self.undo.len() > self.limit {
            self.undo.pop_front();
        }
        Some(next)
    }

    /// Undo levels available.
    pub fn undo_depth(&self) -> usize {
        self.undo.len()
    }

    /// Redo levels available.
    pub fn redo_depth(&self) -> usize {
        self.redo.len()
    }
}

/// The commands that turn an engine in state `from` into state `to` (gate and note first,
/// then every parameter that differs), so that applying them to `from` gives exactly `to`.
pub fn transition_commands(from: &PatchState, to: &PatchState) -> Vec<Command> {
    let mut transition = Transition {
        state: *from,
        out: Vec::new(),
    };
    transition.notes_and_gate(to);
    transition.params(to);
    for (i, want) in to.tracks().iter().enumerate() {
        transition.track(i, want);
    }
    transition.lfos(to);
    transition.out
}

/// A state on its way to another one, and the commands sent so far.
struct Transition {
    state: PatchState,
    out: Vec<Command>,
}

impl Transition {
    fn push(&mut self, c: Command) {
        self.state.apply(&c);
        self.out.push(c);
    }

    /// The held notes (the last played last, so that it is the note again), then the gate.
    fn notes_and_gate(&mut self, to: &PatchState) {
        let want = to.held_notes();
        if self.state.held_notes() != want || self.state.note() != to.note() {
            if !self.state.held_notes().is_empty() || self.state.note().is_some() {
                self.push(Command::AllNotesOff);
            }
            let last = to.note().filter(|n| want.contains(n));
            for &note in want.iter().filter(|n| Some(**n) != last).chain(last.iter()) {
                let velocity = to.held_velocity(note);
                self.push(Command::NoteOn { note, velocity });
            }
        }
        if to.gate() != self.state.gate() {
            self.push(Command::Gate { on: to.gate() });
        }
    }

    /// Every parameter of the table that differs.
    fn params(&mut self, to: &PatchState) {
        for &param in ParamId::ALL {
            let value = to.get(param);
            if self.state.get(param) != value {
                self.push(Command::Set { param, value });
            }
        }
    }

    /// One track: its steps, its settings, then its sound overrides.
    fn track(&mut self, i: usize, want: &TrackState) {
        let track = i as u8;
        let have = self.state.tracks()[i];
        for (index, step) in want.steps.iter().enumerate() {
            if have.steps[index] != *step {
                self.push(Command::SetStep {
                    track,
                    index: index as u8,
                    step: *step,
                });
            }
        }
        for (param, from_value, value) in track_settings(&have, want) {
            if from_value != value {
                self.push(Command::SetTrack {
                    track,
                    param,
                    value,
                });
            }
        }
        for (slot, p) in TRACK_SOUND_PARAMS.iter().enumerate() {
            if have.sound[slot] != want.sound[slot] {
                self.push(Command::SetTrack {
                    track,
                    param: TrackParam::Sound(*p),
                    value: want.sound[slot].unwrap_or(f32::NAN),
                });
            }
        }
    }

    /// Every LFO field that differs, the target first (it limits the depth); a free rate
    /// clears the sync, so the rate goes before the sync.
    fn lfos(&mut self, to: &PatchState) {
        for (instrument, lfos) in to.lfos().lfos.iter().enumerate() {
            for (slot, want) in lfos.iter().enumerate() {
                for field in [
                    LfoField::Target,
                    LfoField::Shape,
                    LfoField::RateHz,
                    LfoField::Sync,
                    LfoField::Depth,
                ] {
                    let have = self.state.lfos().lfos[instrument][slot];
                    if let Some(value) = lfo_change(field, &have, want) {
                        self.push(Command::SetLfo {
                            instrument: instrument as u8,
                            slot: slot as u8,
                            field,
                            value,
                        });
                    }
                }
            }
        }
    }
}

/// The value `field` must be sent with to go from `have` to `want`, if it must be sent.
fn lfo_change(field: LfoField, have: &LfoSettings, want: &LfoSettings) -> Option<f32> {
    let (from_value, value) = match field {
        LfoField::Target => (have.target.value(), want.target.value()),
        LfoField::Shape => (have.shape.value(), want.shape.value()),
        LfoField::RateHz => (
            have.rate_hz,
            // A sync to clear is cleared by setting the free rate.
            if have.sync > 0.0 && want.sync <= 0.0 {
                f32::NAN
            } else {
                want.rate_hz
            },
        ),
        LfoField::Sync => (have.sync, want.sync),
        LfoField::Depth => (have.depth, want.depth),
    };
    if from_value == value || (field == LfoField::Sync && value <= 0.0) {
        return None;
    }
    Some(if value.is_nan() { want.rate_hz } else { value })
}

/// A track's settings as (parameter, value in `have`, value in `want`).
fn track_settings(have: &TrackState, want: &TrackState) -> [(TrackParam, f32, f32); 17] {
    [
        (
            TrackParam::Length,
            f32::from(have.length),
            f32::from(want.length),
        ),
        (TrackParam::Rate, have.rate, want.rate),
        (TrackParam::CycleSteps, have.cycle_steps, want.cycle_steps),
        (TrackParam::CycleSlots, have.cycle_slots, want.cycle_slots),
        (TrackParam::Mute, bit(have.mute), bit(want.mute)),
        (TrackParam::Solo, bit(have.solo), bit(want.solo)),
        (TrackParam::Level, have.level_db, want.level_db),
        (TrackParam::Gate, have.gate, want.gate),
        (TrackParam::Pitch, have.pitch, want.pitch),
        (TrackParam::Drum, f32::from(have.drum), f32::from(want.drum)),
        (TrackParam::Tune, have.tune, want.tune),
        (TrackParam::Tone, have.tone, want.tone),
        (
            TrackParam::Sample,
            f32::from(have.sample),
            f32::from(want.sample),
        ),
        (
            TrackParam::SampleStart,
            have.sample_start,
            want.sample_start,
        ),
        (TrackParam::SampleEnd, have.sample_end, want.sample_end),
        (TrackParam::Reverse, bit(have.reverse), bit(want.reverse)),
        (TrackParam::Loop, bit(have.looped), bit(want.looped)),
    ]
}

fn bit(on: bool) -> f32 {
    f32::from(u8::from(on))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patched(cmds: &[Command]) -> PatchState {
        let mut p = PatchState::default();
        for c in cmds {
            p.apply(c);
        }
        p
    }

    #[test]
    fn transitions_reach_the_target_state_exactly() {
        let states = [
            PatchState::default(),
            patched(&[Command::Gate { on: true }]),
            patched(&[Command::NoteOn {
                note: 57,
                velocity: 1.0,
            }]),
            patched(&[
                Command::NoteOn {
                    note: 60,
                    velocity: 1.0,
                },
                Command::Set {
                    param: ParamId::OscFreq,
                    value: 523.0,
                },
                Command::Set {
                    param: ParamId::FilterCutoff,
                    value: 700.0,
                },
            ]),
            patched(&[Command::Set {
                param: ParamId::TransportTempo,
                value: 90.0,
            }]),
            patched(&[
                Command::SetLfo {
                    instrument: 0,
                    slot: 0,
                    field: LfoField::Target,
                    value: 1.0,
                },
                Command::SetLfo {
                    instrument: 0,
                    slot: 0,
                    field: LfoField::Sync,
                    value: 0.125,
                },
                Command::SetLfo {
                    instrument: 0,
                    slot: 0,
                    field: LfoField::Depth,
                    value: 2.0,
                },
                Command::SetLfo {
                    instrument: 3,
                    slot: 1,
                    field: LfoField::Target,
                    value: 2.0,
                },
                Command::SetLfo {
                    instrument: 3,
                    slot: 1,
                    field: LfoField::Depth,
                    value: 30.0,
                },
            ]),
        ];
        for from in &states {
            for to in &states {
                let mut s = *from;
                for c in transition_commands(from, to) {
                    s.apply(&c);
                }
                assert_eq!(&s, to, "from {from:?}");
            }
        }
        assert!(transition_commands(&states[3], &states[3]).is_empty());
    }

    #[test]
    fn history_keeps_at_most_its_limit_and_redo_is_cleared_by_new_lines() {
        let mut h = UndoHistory::with_limit(100);
        let mut p = PatchState::default();
        for i in 0..150 {
            h.record(p);
            p.set(ParamId::TransportTempo, 30.0 + i as f32);
        }
        assert_eq!(h.undo_depth(), 100);
        let back = h.undo(&p).map(|s| s.get(ParamId::TransportTempo));
        assert_eq!(back, Some(30.0 + 148.0));
        assert_eq!(h.redo_depth(), 1);
        h.record(p);
        assert_eq!(h.redo_depth(), 0);
    }
}
