//! `CommandFanOut`: the control side's sending end. Pushes every command into the active
//! worker's command ring and the warm standby's, and keeps its own copy of the patch so the
//! supervisor can build a new standby that is exactly in step with what was sent.
//!
//! Runs on the control thread (`push`) and the supervisor thread (swapping rings). Both are
//! non-real-time, so the two share a `Mutex`; no real-time thread ever touches it.

use crate::engine::command::StampedCommand;
use crate::engine::PatchState;
use rtrb::Producer;
use std::sync::{Arc, Mutex, MutexGuard};

/// The sending end of a command ring.
pub type CommandProducer = Producer<StampedCommand>;

/// The active worker's command ring was full: the command was not sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("command ring full")]
pub struct CommandRingFull;

struct Rings {
    active: CommandProducer,
    standby: Option<CommandProducer>,
    standby_stale: bool,
    patch: PatchState,
}

/// Sends each command to the active worker and the warm standby. Cheap to clone: clones
/// share the same rings.
#[derive(Clone)]
pub struct CommandFanOut {
    rings: Arc<Mutex<Rings>>,
}

impl From<CommandProducer> for CommandFanOut {
    fn from(active: CommandProducer) -> Self {
        CommandFanOut::new(active)
    }
}

impl CommandFanOut {
    /// A fan-out to one worker's ring, with no standby yet, starting from the default patch.
    pub fn new(active: CommandProducer) -> Self {
        CommandFanOut {
            rings: Arc::new(Mutex::new(Rings {
                active,
                standby: None,
                standby_stale: false,
                patch: PatchState::default(),
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Rings> {
        // A panic while holding the lock cannot leave the rings half-updated in a way that
        // matters: every field is valid on its own. Keep going.
        self.rings.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends `stamped` to the active worker and, if it went through, to the standby.
    /// A full standby ring does not fail the send: the standby is marked stale and the
    /// supervisor rebuilds it from the patch.
    pub fn push(&self, stamped: StampedCommand) -> Result<(), CommandRingFull> {
        let mut rings = self.lock();
        rings.active.push(stamped).map_err(|_| CommandRingFull)?;
        rings.patch.apply(&stamped.command);
        if let Some(standby) = rings.standby.as_mut() {
            if standby.push(stamped).is_err() {
                rings.standby_stale = true;
            }
        }
        Ok(())
    }

    /// Commands waiting in the active worker's ring.
    pub fn queue_depth(&self) -> usize {
        let rings = self.lock();
        rings.active.buffer().capacity() - rings.active.slots()
    }

    /// The patch as sent so far.
    pub fn patch(&self) -> PatchState {
        self.lock().patch
    }

    /// True when a command could not reach the standby, which must then be rebuilt.
    pub fn standby_stale(&self) -> bool {
        self.lock().standby_stale
    }

    /// True while a standby ring is installed.
    pub fn has_standby(&self) -> bool {
        self.lock().standby.is_some()
    }

    /// Installs a new standby's ring and returns the patch it must start from. Every command
    /// sent before this call is in the snapshot; every later one goes into `standby`.
    pub fn install_standby(&self, standby: CommandProducer) -> PatchState {
        let mut rings = self.lock();
        rings.standby = Some(standby);
        rings.standby_stale = false;
        rings.patch
    }

    /// Forgets the standby ring (its worker is gone). The old ring is dropped here, on the
    /// caller's (non-real-time) thread.
    pub fn remove_standby(&self) {
        let old = {
            let mut rings = self.lock();
            rings.standby_stale = false;
            rings.standby.take()
        };
        drop(old);
    }

    /// Makes the standby's ring the active one (its worker was promoted). False when there is
    /// no standby, or when it missed a command (its ring was full): a stale standby is never
    /// promoted; the caller builds a fresh worker from the patch instead
    /// ([`replace_active`](Self::replace_active)). The check and the swap happen under one
    /// lock, so no command can slip in between. The failed worker's ring is dropped here, off
    /// the real-time path.
    pub fn promote_standby(&self) -> bool {
        let old = {
            let mut rings = self.lock();
            if rings.standby_stale {
                return false;
            }
            match rings.standby.take() {
                Some(standby) => Some(std::mem::replace(&mut rings.active, standby)),
                None => None,
            }
        };
        old.is_some()
    }

    /// Replaces the active ring with a freshly built worker's (no standby was ready) and
    /// returns the patch that worker must start from.
    pub fn replace_active(&self, active: CommandProducer) -> PatchState {
        let (old, snapshot) = {
            let mut rings = self.lock();
            let old = std::mem::replace(&mut rings.active, active);
            (old, rings.patch)
        };
        drop(old);
        snapshot
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::command::Command;
    use crate::engine::params::ParamId;
    use rtrb::RingBuffer;

    fn stamped(command: Command) -> StampedCommand {
        StampedCommand {
            command,
            sent_ns: 0,
        }
    }

    fn freq(value: f32) -> Command {
        Command::Set {
            param: ParamId::OscFreq,
            value,
        }
    }

    #[test]
    fn every_command_reaches_the_active_and_the_standby() {
        let (tx, mut rx) = RingBuffer::new(8);
        let fan = CommandFanOut::new(tx);
        let (stx, mut srx) = RingBuffer::new(8);
        fan.install_standby(stx);
        assert!(fan.push(stamped(freq(330.0))).is_ok());
        assert_eq!(rx.pop().map(|s| s.command), Ok(freq(330.0)));
        assert_eq!(srx.pop().map(|s| s.command), Ok(freq(330.0)));
        assert_eq!(fan.patch().get(ParamId::OscFreq), 330.0);
    }

    #[test]
    fn a_new_standby_starts_from_everything_sent_before_it() {
        let (tx, _rx) = RingBuffer::new(8);
        let fan = CommandFanOut::new(tx);
        assert!(fan.push(stamped(freq(110.0))).is_ok());
        assert!(fan.push(stamped(Command::Gate { on: true })).is_ok());
        let (stx, mut srx) = RingBuffer::new(8);
        let snapshot = fan.install_standby(stx);
        assert_eq!(snapshot.get(ParamId::OscFreq), 110.0);
        assert!(snapshot.gate());
        assert!(
            srx.pop().is_err(),
            "earlier commands are in the snapshot only"
        );
    }

    #[test]
    fn a_full_standby_ring_marks_it_stale_without_failing_the_send() {
        let (tx, _rx) = RingBuffer::new(8);
        let fan = CommandFanOut::new(tx);
        let (stx, _srx) = RingBuffer::new(1);
        fan.install_standby(stx);
        assert!(fan.push(stamped(freq(200.0))).is_ok());
        assert!(!fan.standby_stale());
        assert!(fan.push(stamped(freq(300.0))).is_ok());
        assert!(fan.standby_stale());
    }

    #[test]
    fn a_full_active_ring_fails_and_leaves_the_patch_alone() {
        let (tx, _rx) = RingBuffer::new(1);
        let fan = CommandFanOut::new(tx);
        assert!(fan.push(stamped(freq(200.0))).is_ok());
        assert_eq!(fan.push(stamped(freq(300.0))), Err(CommandRingFull));
        assert_eq!(fan.patch().get(ParamId::OscFreq), 200.0);
        assert_eq!(fan.queue_depth(), 1);
    }

    #[test]
    fn a_standby_that_missed_a_command_is_never_promoted() {
        let (tx, _rx) = RingBuffer::new(64);
        let fan = CommandFanOut::new(tx);
        let (stx, _srx) = RingBuffer::new(2);
        fan.install_standby(stx);
        for hz in [200.0, 300.0, 400.0] {
            assert!(fan.push(stamped(freq(hz))).is_ok());
        }
        assert!(fan.standby_stale());
        assert!(!fan.promote_standby(), "400 Hz never reached the standby");
        // The fresh worker that replaces it starts from everything sent.
        let (fresh, _frx) = RingBuffer::new(8);
        assert_eq!(fan.replace_active(fresh).get(ParamId::OscFreq), 400.0);
    }

    #[test]
    fn promotion_moves_the_standby_ring_into_the_active_slot() {
        let (tx, _rx) = RingBuffer::new(4);
        let fan = CommandFanOut::new(tx);
        assert!(!fan.promote_standby());
        let (stx, mut srx) = RingBuffer::new(4);
        fan.install_standby(stx);
        assert!(fan.promote_standby());
        assert!(!fan.has_standby());
        assert!(fan.push(stamped(freq(250.0))).is_ok());
        assert_eq!(srx.pop().map(|s| s.command), Ok(freq(250.0)));
    }
}
