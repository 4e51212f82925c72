//! The control side: `Control`, which records every command in its mirror of the patch
//! ([`PatchState`], the same type and `apply` the engine uses) and sends it to the engine.
//! Beside the patch it keeps the tracks' patterns as typed ([`Rhythms`], language data that
//! rhythm words and `show` build on and that undo levels carry along).
//!
//! Runs on the control thread (the REPL/TUI/OSC side). May allocate; never touches audio.

pub mod extension;
pub mod inbox;
mod line;
pub mod patch_json;
pub mod performer;
pub mod session_recover;
mod taught_questions;
mod taught_words;
mod undo;

pub use line::{LineError, LineReport, UiRequest, REMOTE_QUIT_REPLY};
pub use taught_words::{definitions_file, read_definitions, DEFINITIONS_FILE};
pub use undo::{transition_commands, UndoHistory, UndoLevel, UNDO_LEVELS};

use crate::engine::command::{Command, StampedCommand};
use crate::engine::PatchState;
use crate::lang::pattern::rhythm::Rhythms;
use crate::rt::meters::Meters;
use crate::rt::rings::command_fanout::CommandFanOut;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

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
    /// The tracks' patterns as typed and the pattern seed (not engine state: see the module).
    rhythms: Rhythms,
    commands: CommandFanOut,
    meters: Arc<Meters>,
    // Language side (see control/line.rs): undo/redo and the `--faults` help flag.
    history: UndoHistory<UndoLevel>,
    faults_enabled: bool,
    saves_patches: bool,
    /// Words the performer taught (`define`), see control/definitions.rs.
    taught: taught_words::TaughtWords,
}

impl Control {
    /// A control side sending into `commands` (a fan-out, or one ring's producer), starting
    /// from the default patch.
    pub fn new(commands: impl Into<CommandFanOut>, meters: Arc<Meters>) -> Self {
        Control {
            patch: PatchState::default(),
            rhythms: Rhythms::default(),
            commands: commands.into(),
            meters,
            history: UndoHistory::default(),
            faults_enabled: false,
            saves_patches: true,
            taught: taught_words::TaughtWords::default(),
        }
    }

    /// The current patch.
    pub fn patch(&self) -> &PatchState {
        &self.patch
    }

    /// The tracks' patterns as typed (for rhythm words and `show`) and the pattern seed.
    pub fn rhythms(&self) -> &Rhythms {
        &self.rhythms
    }

    /// The meters shared with the pipeline.
    pub fn meters(&self) -> &Arc<Meters> {
        &self.meters
    }

    /// Commands waiting in the active worker's command ring.
    pub fn queue_depth(&self) -> usize {
        self.commands.queue_depth()
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
                self.rhythms.follow(&command);
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
