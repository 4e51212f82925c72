//! The arpeggiator: plays the held notes one at a time, up, down, up-and-down or at random,
//! over one or more octaves, at a rate in fractions of a bar.
//!
//! Runs on the DSP worker thread; reads the held notes from the engine's fixed state and
//! never allocates. While the transport runs the first note waits for the arpeggio's grid;
//! while it is stopped the arpeggio starts at once.

use super::state::HeldNotes;
use super::transport::Transport;
use super::voice::NEVER;

/// The arpeggio's direction, in the order of `arp.mode`'s choices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArpMode {
    /// Held notes sound together as a chord.
    Off,
    /// Lowest to highest.
    Up,
    /// Highest to lowest.
    Down,
    /// Up then down, without repeating the top and bottom notes.
    UpDown,
    /// A random held note each step (a fixed seed: renders repeat).
    Random,
}

impl ArpMode {
    /// The mode for a stored `arp.mode` value.
    pub fn from_value(value: f32) -> ArpMode {
        match value.round() as i32 {
            1 => ArpMode::Up,
            2 => ArpMode::Down,
            3 => ArpMode::UpDown,
            4 => ArpMode::Random,
            _ => ArpMode::Off,
        }
    }
}

/// A note the arpeggiator plays now.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ArpNote {
    /// MIDI note.
    pub note: u8,
    /// Velocity (that of the held note).
    pub velocity: f32,
    /// The frame it starts on.
    pub frame: u64,
    /// How many frames it lasts.
    pub gate_frames: u64,
}

/// The arpeggiator's settings and place.
#[derive(Clone, Debug)]
pub struct Arpeggiator {
    mode: ArpMode,
    rate: f64,
    octaves: u8,
    gate: f64,
    counter: u64,
    next_exact: f64,
    running: bool,
    rng: u32,
}

impl Default for Arpeggiator {
    fn default() -> Self {
        Self::new()
    }
}

impl Arpeggiator {
    /// An arpeggiator that is off.
    pub fn new() -> Self {
        Arpeggiator {
            mode: ArpMode::Off,
            rate: 1.0 / 16.0,
            octaves: 1,
            gate: 0.5,
            counter: 0,
            next_exact: 0.0,
            running: false,
            rng: 0x2545_F491,
        }
    }

    /// Sets the mode, the step (fraction of a bar), the octaves and the note length
    /// (fraction of a step).
    pub fn configure(&mut self, mode: ArpMode, rate: f32, octaves: f32, gate: f32) {
        self.mode = mode;
        self.rate = f64::from(rate).clamp(1.0 / 64.0, 1.0);
        self.octaves = octaves.round().clamp(1.0, 4.0) as u8;
        self.gate = f64::from(gate).clamp(0.05, 1.0);
        if mode == ArpMode::Off {
            self.running = false;
        }
    }

    /// True unless the mode is `off`.
    pub fn is_on(&self) -> bool {
        self.mode != ArpMode::Off
    }

    /// True while an arpeggio plays.
    pub fn is_running(&self) -> bool {
        self.running
    }

    /// Starts an arpeggio from its first note at frame `now` (or the next grid point while
    /// the transport runs).
    pub fn start(&mut self, now: u64, transport: &Transport) {
        if !self.is_on() || self.running {
            return;
        }
        self.counter = 0;
        self.running = true;
        self.next_exact = if transport.is_running() {
            let step = self.rate * 4.0;
            let first = (transport.beat_at(now) / step - 1e-9).ceil() * step;
            transport.frame_of(first).max(now as f64)
        } else {
            now as f64
        };
    }

    /// Notes played since the arpeggio started (its place in the pattern).
    pub fn step_count(&self) -> u64 {
        self.counter
    }

    /// Steps in beats (a 1/16 rate is a quarter beat).
    pub fn step_beats(&self) -> f64 {
        self.rate * 4.0
    }

    /// Continues a running arpeggio at step `counter`, its next note on the next grid point
    /// at or after frame `now` (a promoted worker takes over where the old one was).
    pub fn relocate(&mut self, now: u64, transport: &Transport, counter: u64) {
        if !self.running {
            return;
        }
        self.counter = counter;
        self.next_exact = if transport.is_running() {
            let step = self.step_beats();
            let first = (transport.beat_at(now) / step - 1e-9).ceil() * step;
            transport.frame_of(first).max(now as f64)
        } else {
            now as f64
        };
    }

    /// Stops the arpeggio (no notes are held any more).
    pub fn stop(&mut self) {
        self.running = false;
    }

    /// The frame of the next arpeggio note, or [`NEVER`].
    pub fn next_event(&self) -> u64 {
        if self.running {
            self.next_exact.round().max(0.0) as u64
        } else {
            NEVER
        }
    }

    /// The note due at or before frame `now`, if any. Stops when nothing is held.
    pub fn take_due(
        &mut self,
        now: u64,
        held: &HeldNotes,
        transport: &Transport,
    ) -> Option<ArpNote> {
        if !self.running || self.next_event() > now {
            return None;
        }
        let mut notes = [0u8; 128];
        let count = held.sorted_into(&mut notes);
        if count == 0 {
            self.running = false;
            return None;
        }
        let len = count * usize::from(self.octaves);
        let k = self.index(len);
        let base = notes[k % count];
        let note = (u32::from(base) + 12 * (k / count) as u32).min(127) as u8;
        let frame = self.next_event();
        let step_frames = self.rate * 4.0 * transport.frames_per_beat();
        self.next_exact += step_frames;
        self.counter += 1;
        Some(ArpNote {
            note,
            velocity: held.velocity(base),
            frame,
            gate_frames: (self.gate * step_frames).round().max(1.0) as u64,
        })
    }

    fn index(&mut self, len: usize) -> usize {
        let c = self.counter as usize;
        match self.mode {
            ArpMode::Off | ArpMode::Up => c % len,
            ArpMode::Down => len - 1 - c % len,
            ArpMode::UpDown => {
                if len < 2 {
                    return 0;
                }
                let period = 2 * len - 2;
                let p = c % period;
                if p < len {
                    p
                } else {
                    period - p
                }
            }
            ArpMode::Random => {
                let mut x = self.rng;
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                self.rng = x;
                x as usize % len
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(mode: ArpMode, octaves: f32, steps: usize) -> Vec<u8> {
        let mut held = HeldNotes::default();
        for n in [67, 60, 64] {
            held.hold(n, 1.0);
        }
        let t = Transport::new(44_100, 120.0, 0.0);
        let mut arp = Arpeggiator::new();
        arp.configure(mode, 1.0 / 16.0, octaves, 0.5);
        arp.start(0, &t);
        let mut out = Vec::new();
        let mut now = 0;
        while out.len() < steps {
            if let Some(n) = arp.take_due(now, &held, &t) {
                out.push(n.note);
            }
            now = arp.next_event();
        }
        out
    }

    #[test]
    fn modes_walk_the_held_notes_in_their_order() {
        assert_eq!(order(ArpMode::Up, 1.0, 6), [60, 64, 67, 60, 64, 67]);
        assert_eq!(order(ArpMode::Down, 1.0, 4), [67, 64, 60, 67]);
        assert_eq!(order(ArpMode::UpDown, 1.0, 7), [60, 64, 67, 64, 60, 64, 67]);
        assert_eq!(order(ArpMode::Up, 2.0, 7), [60, 64, 67, 72, 76, 79, 60]);
        let random = order(ArpMode::Random, 1.0, 32);
        assert!(random.iter().all(|n| [60, 64, 67].contains(n)));
        assert!([60, 64, 67].iter().all(|n| random.contains(n)));
    }

    #[test]
    fn steps_are_a_sixteenth_apart_at_120_bpm() {
        let mut held = HeldNotes::default();
        held.hold(60, 1.0);
        let t = Transport::new(44_100, 120.0, 0.0);
        let mut arp = Arpeggiator::new();
        arp.configure(ArpMode::Up, 1.0 / 16.0, 1.0, 0.5);
        arp.start(100, &t);
        let first = arp
            .take_due(100, &held, &t)
            .expect("plays at once while stopped");
        assert_eq!(first.frame, 100);
        assert_eq!(arp.next_event(), 100 + 5513);
        held.clear();
        assert_eq!(arp.take_due(100 + 5513, &held, &t), None);
        assert!(!arp.is_running(), "stops when nothing is held");
    }
}
