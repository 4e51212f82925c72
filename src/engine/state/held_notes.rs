//! The notes held down by `NoteOn` without a `NoteOff`, with their velocities: a `Copy`
//! table used by the patch state and the arpeggiator. Never allocates.

/// The notes held down (by `NoteOn` without a `NoteOff`), with their velocities.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeldNotes {
    /// Velocity × 127 per MIDI note, 0 when the note is not held.
    velocity: [u8; 128],
}

impl Default for HeldNotes {
    fn default() -> Self {
        HeldNotes { velocity: [0; 128] }
    }
}

impl HeldNotes {
    /// Holds `note` at `velocity` (0..1; a held note keeps at least the smallest velocity).
    pub fn hold(&mut self, note: u8, velocity: f32) {
        let v = (velocity.clamp(0.0, 1.0) * 127.0).round() as u8;
        self.velocity[usize::from(note.min(127))] = v.max(1);
    }

    /// Lets go of `note`.
    pub fn release(&mut self, note: u8) {
        self.velocity[usize::from(note.min(127))] = 0;
    }

    /// Lets go of every note.
    pub fn clear(&mut self) {
        self.velocity = [0; 128];
    }

    /// True when `note` is held.
    pub fn is_held(&self, note: u8) -> bool {
        self.velocity[usize::from(note.min(127))] > 0
    }

    /// The velocity (0..1) `note` is held with, 0 when it is not held.
    pub fn velocity(&self, note: u8) -> f32 {
        f32::from(self.velocity[usize::from(note.min(127))]) / 127.0
    }

    /// True when no note is held.
    pub fn is_empty(&self) -> bool {
        self.velocity.iter().all(|v| *v == 0)
    }

    /// The held notes from lowest to highest.
    pub fn iter(&self) -> impl Iterator<Item = u8> + '_ {
        (0u8..128).filter(|n| self.velocity[usize::from(*n)] > 0)
    }

    /// Writes the held notes, lowest first, into `out` and returns how many there are.
    pub fn sorted_into(&self, out: &mut [u8; 128]) -> usize {
        let mut count = 0;
        for note in self.iter() {
            out[count] = note;
            count += 1;
        }
        count
    }
}
