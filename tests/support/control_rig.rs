//! A `Control` on a command ring that a test reads instead of a DSP worker.

use chronus::control::Control;
use chronus::engine::command::{Command, StampedCommand};
use chronus::lang::Vocabulary;
use chronus::rt::meters::Meters;
use rtrb::{Consumer, RingBuffer};
use std::sync::Arc;

/// A control side, the ring its commands go into, and the built-in vocabulary.
pub fn control() -> (Control, Consumer<StampedCommand>, Vocabulary) {
    let (tx, rx) = RingBuffer::new(8192);
    (
        Control::new(tx, Arc::new(Meters::new())),
        rx,
        Vocabulary::builtin(),
    )
}

/// Every command sent so far, in order.
pub fn drain(rx: &mut Consumer<StampedCommand>) -> Vec<Command> {
    let mut out = Vec::new();
    while let Ok(c) = rx.pop() {
        out.push(c.command);
    }
    out
}
