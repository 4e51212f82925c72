//! Commands the control side sends to the engine: small `Copy` values with absolute values.
//!
//! Built on the control thread, carried through an rtrb ring, applied on the DSP worker
//! thread at the start of a block. Nothing here allocates.

use super::params::ParamId;

/// One instruction for the engine. Every value is absolute: relative phrases are resolved
/// against `PatchState` on the control side before a `Command` is made.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Command {
    /// Set a parameter to an absolute value in its unit (choices by index).
    Set {
        /// Which parameter.
        param: ParamId,
        /// The new value; the engine clamps it to the parameter's range.
        value: f32,
    },
    /// Open or close the gate of the voice at its current frequency.
    Gate {
        /// `true` opens the gate (attack), `false` closes it (release).
        on: bool,
    },
    /// Play a MIDI note: sets the frequency and opens the gate.
    NoteOn {
        /// MIDI note number (69 = A4 = 440 Hz).
        note: u8,
        /// Velocity from 0 to 1.
        velocity: f32,
    },
    /// Release a MIDI note if it is the one sounding.
    NoteOff {
        /// MIDI note number.
        note: u8,
    },
    /// Close every gate and release every note at once.
    AllNotesOff,
    /// Deliberately break the worker, for failover tests and demos.
    Fault(Fault),
}

/// Faults that can be injected into a DSP worker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The render loop panics.
    Panic,
    /// The render loop stops making progress.
    Hang,
    /// The filter state becomes NaN.
    Nan,
    /// Each block takes this many extra microseconds to render.
    Slow {
        /// Extra render time per block in microseconds.
        micros: u32,
    },
}

/// A command with the moment the control side sent it, so the output can measure
/// command-to-sound latency.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StampedCommand {
    /// The command.
    pub command: Command,
    /// Nanoseconds on the meters clock when the control side sent it.
    pub sent_ns: u64,
}

/// Converts a MIDI note number to its frequency in Hz (A4 = 69 = 440 Hz).
pub fn midi_to_hz(note: f32) -> f32 {
    440.0 * 2f32.powf((note - 69.0) / 12.0)
}

// Commands travel through a lock-free ring many times per second; keep them small.
const _: () = assert!(std::mem::size_of::<Command>() <= 12);
const _: () = assert!(std::mem::size_of::<StampedCommand>() <= 24);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn midi_notes_map_to_concert_pitch() {
        assert!((midi_to_hz(69.0) - 440.0).abs() < 1e-3);
        assert!((midi_to_hz(57.0) - 220.0).abs() < 1e-3);
        assert!((midi_to_hz(60.0) - 261.6256).abs() < 1e-2);
    }
}
