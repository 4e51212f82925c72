//! The control side: `PatchState` (the single truth about the patch) and `Control`, which
//! records every command in the patch state and sends it to the engine.
//!
//! Runs on the control thread (the REPL/TUI/OSC side). May allocate; never touches audio.

mod history;
mod line;

pub use history::{transition_commands, UndoHistory, UNDO_LEVELS};
pub use line::{LineError, LineOutcome, UiRequest};

use crate::engine::command::{midi_to_hz, Command, StampedCommand};
use crate::engine::params::{default_values, ParamId, PARAM_COUNT};
use crate::engine::EngineSnapshot;
use crate::rt::fanout::CommandFanOut;
use crate::rt::meters::Meters;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

/// The patch as the control side knows it: every parameter, the gate and the held note.
#[derive(Clone, Debug, PartialEq)]
pub struct PatchState {
    values: [f32; PARAM_COUNT],
    gate: bool,
    note: Option<u8>,
}

impl Default for PatchState {
    fn default() -> Self {
        PatchState {
            values: default_values(),
            gate: false,
            note: None,
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

    /// The held note, if any.
    pub fn note(&self) -> Option<u8> {
        self.note
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
            Command::NoteOn { note, .. } => {
                self.set(ParamId::OscFreq, midi_to_hz(f32::from(note)));
                self.note = Some(note);
                self.gate = true;
            }
            Command::NoteOff { note } => {
                if self.note == Some(note) {
                    self.note = None;
                    self.gate = false;
                }
            }
            Command::AllNotesOff => {
                self.note = None;
                self.gate = false;
            }
            // Chords, transport and tracks: the engine's own mirror is
            // `EngineSnapshot::apply`; this state keeps the monophonic view for now.
            Command::TransportStart
            | Command::TransportStop
            | Command::SetStep { .. }
            | Command::SetTrack { .. }
            | Command::ClearTrack { .. }
            | Command::ApplyPending
            | Command::Fault(_) => {}
        }
    }

    /// The state as an engine snapshot, to build an identical engine elsewhere.
    pub fn to_snapshot(&self) -> EngineSnapshot {
        EngineSnapshot {
            values: self.values,
            gate: self.gate,
            note: self.note,
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
