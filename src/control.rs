//! The control side: `PatchState` (the single truth about the patch) and `Control`, which
//! records every command in the patch state and sends it to the engine.
//!
//! Runs on the control thread (the REPL/TUI/OSC side). May allocate; never touches audio.

mod history;
mod line;
mod tracks;

pub use history::{transition_commands, UndoHistory, UNDO_LEVELS};
pub use line::{LineError, LineOutcome, UiRequest};
pub use tracks::TrackNames;

use crate::engine::command::{midi_to_hz, Command, StampedCommand, TRACKS};
use crate::engine::params::{default_values, ParamId, PARAM_COUNT};
use crate::engine::snapshot::{apply_track_command, HeldNotes, TrackState};
use crate::engine::EngineSnapshot;
use crate::lang::pattern::rhythm::{Rhythms, TrackRhythm};
use crate::rt::fanout::CommandFanOut;
use crate::rt::meters::Meters;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

/// The patch as the control side knows it: every parameter, the gate and the held notes,
/// the transport, the sequencer tracks (mirrored the way the engine applies commands) and
/// the track names.
#[derive(Clone, Debug, PartialEq)]
pub struct PatchState {
    values: [f32; PARAM_COUNT],
    gate: bool,
    note: Option<u8>,
    held: HeldNotes,
    running: bool,
    tracks: [TrackState; TRACKS],
    names: TrackNames,
    rhythms: Rhythms,
}

impl Default for PatchState {
    fn default() -> Self {
        PatchState {
            values: default_values(),
            gate: false,
            note: None,
            held: HeldNotes::default(),
            running: false,
            tracks: [TrackState::default(); TRACKS],
            names: TrackNames::default(),
            rhythms: Rhythms::default(),
        }
    }
}

impl PatchState {
    /// The value of a parameter.
    pub fn get(&self, param: ParamId) -> f32 {
        self.values[param.index()]
    }

    /// Sets a parameter (clamped to its range) and returns the stored value.
    pub fn set(&mut self, param: ParamId, value: f32) -> f32 {
        let v = param.spec().clamp(value);
        self.values[param.index()] = v;
        v
    }

    /// Whether the gate is open.
    pub fn gate(&self) -> bool {
        self.gate
    }

    /// The held note, if any (the last one played).
    pub fn note(&self) -> Option<u8> {
        self.note
    }

    /// Every parameter value, in table order.
    pub fn values(&self) -> &[f32; PARAM_COUNT] {
        &self.values
    }

    /// The notes held by `note`, `play` and `chord` (lowest first).
    pub fn held_notes(&self) -> Vec<u8> {
        let mut out = [0u8; 128];
        let n = self.held.sorted_into(&mut out);
        out[..n].to_vec()
    }

    /// The velocity a held note was played with (1 when it is not held).
    pub fn held_velocity(&self, note: u8) -> f32 {
        if self.held.is_held(note) {
            self.held.velocity(note)
        } else {
            1.0
        }
    }

    /// Whether the transport runs.
    pub fn running(&self) -> bool {
        self.running
    }

    /// The sequencer tracks as the engine will have them (staged edits included).
    pub fn tracks(&self) -> &[TrackState; TRACKS] {
        &self.tracks
    }

    /// Whether track `index` has been given anything to play or any setting.
    pub fn track_used(&self, index: u8) -> bool {
        self.tracks
            .get(usize::from(index))
            .is_some_and(|t| *t != TrackState::default())
    }

    /// Track names and the current track.
    pub fn track_names(&self) -> &TrackNames {
        &self.names
    }

    /// Names (optionally) and selects a track: what a `track NAME` phrase does.
    pub fn select_track(&mut self, index: u8, name: Option<&str>) {
        self.names.select(index, name);
    }

    /// The tracks' patterns as typed, and the seed of their random choices.
    pub fn rhythms(&self) -> &Rhythms {
        &self.rhythms
    }

    /// Remembers (or forgets) track `index`'s pattern as typed.
    pub fn set_rhythm(&mut self, index: u8, rhythm: Option<TrackRhythm>) {
        if let Some(slot) = self.rhythms.tracks.get_mut(usize::from(index)) {
            *slot = rhythm;
        }
    }

    /// Takes the patterns as typed (and the seed) from `other` (undo and redo).
    pub fn restore_rhythms(&mut self, other: &PatchState) {
        self.rhythms = other.rhythms.clone();
    }

    /// Sets the seed of random pattern choices (`?`, `|`).
    pub fn set_pattern_seed(&mut self, seed: u64) {
        self.rhythms.seed = seed;
    }

    /// Whether the two states sound the same: parameters, gate, note and tracks (not the
    /// transport, held chord notes or track names). Undo levels are made of changes to these.
    pub fn same_sound(&self, other: &PatchState) -> bool {
        self.values == other.values
            && self.gate == other.gate
            && self.note == other.note
            && self.tracks == other.tracks
    }

    /// Updates the state the way the engine will when it receives `command`.
    pub fn apply(&mut self, command: &Command) {
        match *command {
            Command::Set { param, value } => {
                self.set(param, value);
            }
            Command::Gate { on } => {
                self.gate = on;
                if !on {
                    self.note = None;
                }
            }
            Command::NoteOn { note, velocity } => {
                self.set(ParamId::OscFreq, midi_to_hz(f32::from(note)));
                self.note = Some(note);
                self.held.hold(note.min(127), velocity);
                self.gate = true;
            }
            Command::NoteOff { note } => {
                self.held.release(note);
                if self.note == Some(note) {
                    self.note = None;
                    self.gate = !self.held.is_empty();
                }
            }
            Command::AllNotesOff => {
                self.held.clear();
                self.note = None;
                self.gate = false;
            }
            Command::TransportStart => self.running = true,
            Command::TransportStop => self.running = false,
            Command::SetStep { .. } | Command::SetTrack { .. } | Command::ClearTrack { .. } => {
                if let Command::ClearTrack { track } = *command {
                    self.set_rhythm(track, None);
                }
                apply_track_command(&mut self.tracks, *command);
            }
            Command::ApplyPending | Command::Fault(_) => {}
        }
    }

    /// The state as an engine snapshot, to build an identical engine elsewhere.
    pub fn to_snapshot(&self) -> EngineSnapshot {
        EngineSnapshot {
            values: self.values,
            gate: self.gate,
            note: self.note,
            held: self.held,
            running: self.running,
            tracks: self.tracks,
            ..EngineSnapshot::default()
        }
    }

    /// The commands that turn a default engine into this patch.
    pub fn to_commands(&self) -> Vec<Command> {
        let defaults = default_values();
        let mut out: Vec<Command> = ParamId::ALL
            .iter()
            .filter(|p| self.values[p.index()] != defaults[p.index()])
            .map(|&param| Command::Set {
                param,
                value: self.values[param.index()],
            })
            .collect();
        if let Some(note) = self.note {
            out.push(Command::NoteOn {
                note,
                velocity: 1.0,
            });
        } else if self.gate {
            out.push(Command::Gate { on: true });
        }
        out
    }
}

/// Why a command did not reach the engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The command ring was full (the engine is not keeping up); the command was dropped and
    /// counted in the meters.
    #[error("command queue full: the engine is not keeping up; command dropped")]
    QueueFull,
}

/// Owns the patch state and the sending end of the command rings (active worker and standby).
pub struct Control {
    patch: PatchState,
    commands: CommandFanOut,
    meters: Arc<Meters>,
    // Language side (see control/line.rs): undo/redo and the `--faults` help flag.
    history: UndoHistory,
    faults_enabled: bool,
    saves_patches: bool,
}

impl Control {
    /// A control side sending into `commands` (a fan-out, or one ring's producer), starting
    /// from the default patch.
    pub fn new(commands: impl Into<CommandFanOut>, meters: Arc<Meters>) -> Self {
        Control {
            patch: PatchState::default(),
            commands: commands.into(),
            meters,
            history: UndoHistory::default(),
            faults_enabled: false,
            saves_patches: true,
        }
    }

    /// The current patch.
    pub fn patch(&self) -> &PatchState {
        &self.patch
    }

    /// The meters shared with the pipeline.
    pub fn meters(&self) -> &Arc<Meters> {
        &self.meters
    }

    /// Records `command` in the patch state and sends it to the engine, stamped with the time.
    pub fn send(&mut self, command: Command) -> Result<(), SendError> {
        let stamped = StampedCommand {
            command,
            sent_ns: self.meters.now_ns(),
        };
        let result = self.commands.push(stamped);
        let depth = self.commands.queue_depth();
        self.meters.command_queue_depth.store(depth as u32, Relaxed);
        match result {
            Ok(()) => {
                self.patch.apply(&command);
                Ok(())
            }
            Err(_) => {
                self.meters.command_drops.fetch_add(1, Relaxed);
                Err(SendError::QueueFull)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_state_follows_commands() {
        let mut p = PatchState::default();
        p.apply(&Command::Set {
            param: ParamId::FilterCutoff,
            value: 99_999.0,
        });
        assert_eq!(p.get(ParamId::FilterCutoff), 20_000.0);
        p.apply(&Command::NoteOn {
            note: 69,
            velocity: 1.0,
        });
        assert!(p.gate());
        assert!((p.get(ParamId::OscFreq) - 440.0).abs() < 1e-3);
        p.apply(&Command::NoteOff { note: 60 });
        assert!(p.gate(), "a different note's off leaves the gate open");
        p.apply(&Command::NoteOff { note: 69 });
        assert!(!p.gate());
    }

    #[test]
    fn a_full_command_ring_drops_and_counts() {
        let (tx, _rx) = rtrb::RingBuffer::new(2);
        let meters = Arc::new(Meters::new());
        let mut c = Control::new(tx, meters.clone());
        assert!(c.send(Command::Gate { on: true }).is_ok());
        assert!(c.send(Command::Gate { on: false }).is_ok());
        assert_eq!(
            c.send(Command::Gate { on: true }),
            Err(SendError::QueueFull)
        );
        assert_eq!(meters.command_drops.load(Relaxed), 1);
        assert!(
            !c.patch().gate(),
            "a dropped command does not change the patch"
        );
    }
}
