//! Undo/redo of whole patch states, and the commands that move the engine from one patch
//! state to another.
//!
//! Runs on the control thread. May allocate.

use super::PatchState;
use crate::engine::command::{Command, TrackParam};
use crate::engine::params::ParamId;
use crate::engine::state::TRACK_SOUND_PARAMS;
use std::collections::VecDeque;

/// How many undo levels are kept by default.
pub const UNDO_LEVELS: usize = 256;

/// Previous and undone patch states. Each performed line that changed the patch is one level.
#[derive(Clone, Debug)]
pub struct UndoHistory {
    undo: VecDeque<PatchState>,
    redo: Vec<PatchState>,
    limit: usize,
}

impl Default for UndoHistory {
    fn default() -> Self {
        UndoHistory::with_limit(UNDO_LEVELS)
    }
}

impl UndoHistory {
    /// A history keeping at most `limit` undo levels (the oldest are forgotten).
    pub fn with_limit(limit: usize) -> Self {
        UndoHistory {
            undo: VecDeque::new(),
            redo: Vec::new(),
            limit: limit.max(1),
        }
    }

    /// Records that the patch was `before` until a line changed it; clears the redo stack.
    pub fn record(&mut self, before: PatchState) {
        if self.undo.len() == self.limit {
            self.undo.pop_front();
        }
        self.undo.push_back(before);
        self.redo.clear();
    }

    /// The state to go back to, remembering `current` for redo.
    pub fn undo(&mut self, current: &PatchState) -> Option<PatchState> {
        let previous = self.undo.pop_back()?;
        self.redo.push(*current);
        Some(previous)
    }

    /// The state to go forward to again, remembering `current` for undo.
    pub fn redo(&mut self, current: &PatchState) -> Option<PatchState> {
        let next = self.redo.pop()?;
        self.undo.push_back(*current);
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
    let mut out = Vec::new();
    let mut state = *from;
    let mut push = |state: &mut PatchState, c: Command| {
        state.apply(&c);
        out.push(c);
    };
    let want = to.held_notes();
    if state.held_notes() != want || state.note() != to.note() {
        if !state.held_notes().is_empty() || state.note().is_some() {
            push(&mut state, Command::AllNotesOff);
        }
        // The last note played goes last, so that it is the note again.
        let last = to.note().filter(|n| want.contains(n));
        for &note in want.iter().filter(|n| Some(**n) != last).chain(last.iter()) {
            let velocity = to.held_velocity(note);
            push(&mut state, Command::NoteOn { note, velocity });
        }
    }
    if to.gate() != state.gate() {
        push(&mut state, Command::Gate { on: to.gate() });
    }
    for &param in ParamId::ALL {
        let target = to.get(param);
        if state.get(param) != target {
            push(
                &mut state,
                Command::Set {
                    param,
                    value: target,
                },
            );
        }
    }
    for (i, want) in to.tracks().iter().enumerate() {
        let track = i as u8;
        let have = state.tracks()[i];
        for (index, step) in want.steps.iter().enumerate() {
            if have.steps[index] != *step {
                push(
                    &mut state,
                    Command::SetStep {
                        track,
                        index: index as u8,
                        step: *step,
                    },
                );
            }
        }
        let settings = [
            (
                TrackParam::Length,
                f32::from(have.length),
                f32::from(want.length),
            ),
            (TrackParam::Rate, have.rate, want.rate),
            (TrackParam::Mute, bit(have.mute), bit(want.mute)),
            (TrackParam::Solo, bit(have.solo), bit(want.solo)),
            (TrackParam::Level, have.level_db, want.level_db),
            (TrackParam::Gate, have.gate, want.gate),
            (TrackParam::Pitch, have.pitch, want.pitch),
        ];
        for (param, from_value, value) in settings {
            if from_value != value {
                push(
                    &mut state,
                    Command::SetTrack {
                        track,
                        param,
                        value,
                    },
                );
            }
        }
        for (slot, p) in TRACK_SOUND_PARAMS.iter().enumerate() {
            if have.sound[slot] != want.sound[slot] {
                let value = want.sound[slot].unwrap_or(f32::NAN);
                push(
                    &mut state,
                    Command::SetTrack {
                        track,
                        param: TrackParam::Sound(*p),
                        value,
                    },
                );
            }
        }
    }
    out
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
