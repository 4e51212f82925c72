//! Where the music stands: the transport's beat and the arpeggio's step, handed from a DSP
//! worker that failed to the standby that replaces it, so patterns and arpeggios continue
//! on the same grid instead of restarting from bar 1.
//!
//! `Engine::musical_position` and `Engine::relocate` run on the DSP worker thread: no
//! allocation, no locks.

use super::{Engine, BLOCK_FRAMES};

/// The musical position at the end of a block.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MusicalPosition {
    /// Transport position in beats from the top of bar 1 (0 while stopped).
    pub beat: f64,
    /// How far one block moves the transport, in beats (0 while stopped).
    pub beats_per_block: f64,
    /// Notes the arpeggio has played since it started.
    pub arp_step: u64,
}

impl MusicalPosition {
    /// The position `beat` reached later, with the arpeggio moved on by the steps of its
    /// `step_beats` grid that fell in between (at or after this beat, before `beat`).
    pub fn advanced_to(self, beat: f64, step_beats: f64) -> MusicalPosition {
        if beat <= self.beat || self.beats_per_block == 0.0 || step_beats <= 0.0 {
            return self;
        }
        let grid_points_before = |b: f64| (b / step_beats - 1e-9).ceil().max(0.0) as u64;
        let steps = grid_points_before(beat) - grid_points_before(self.beat);
        MusicalPosition {
            beat,
            arp_step: self.arp_step + steps,
            ..self
        }
    }
}

impl Engine {
    /// Where the music stands after the last rendered block.
    pub fn musical_position(&self) -> MusicalPosition {
        let running = self.transport.is_running();
        MusicalPosition {
            beat: self.position_beats(),
            beats_per_block: if running {
                BLOCK_FRAMES as f64 / self.transport.frames_per_beat()
            } else {
                0.0
            },
            arp_step: self.arp.step_count(),
        }
    }

    /// Steps of the arpeggio in beats.
    pub fn arp_step_beats(&self) -> f64 {
        self.arp.step_beats()
    }

    /// Continues from `position`: the next block starts at its beat (when the transport
    /// runs), every track's next step is the one due from there, and a running arpeggio
    /// goes on from its step. Patch, held notes and voices are left alone.
    pub fn relocate(&mut self, position: MusicalPosition) {
        let now = self.frames;
        if self.transport.is_running() {
            self.transport.relocate(now, position.beat);
            self.seq.rewind();
            self.seq.resync_all(&self.transport, now);
        }
        self.arp.relocate(now, &self.transport, position.arp_step);
    }
}
