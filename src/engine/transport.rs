//! The transport: a sample-accurate musical clock mapping beats to frames.
//!
//! Runs on the DSP worker thread. Positions are kept in `f64` frames so that at 120 bpm and
//! 44.1 kHz step `n` of a 1/16 pattern lands on frame `round(n * 5512.5)` exactly, however
//! long the transport has run. The clock keeps counting while stopped (the arpeggiator uses
//! it); starting re-anchors beat 0 at the start frame.

/// Beats in a bar (4/4).
pub const BEATS_PER_BAR: f64 = 4.0;

/// Tempo, swing and where beat 0 is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Transport {
    sample_rate: f64,
    tempo: f64,
    frames_per_beat: f64,
    anchor_frame: f64,
    anchor_beat: f64,
    swing: f64,
    running: bool,
}

impl Transport {
    /// A stopped transport at `tempo` bpm with `swing` (see [`Transport::set_swing`]).
    pub fn new(sample_rate: u32, tempo: f32, swing: f32) -> Self {
        let mut t = Transport {
            sample_rate: f64::from(sample_rate),
            tempo: 120.0,
            frames_per_beat: 1.0,
            anchor_frame: 0.0,
            anchor_beat: 0.0,
            swing: 0.5,
            running: false,
        };
        t.set_tempo(tempo, 0);
        t.set_swing(swing);
        t
    }

    /// True while the sequencer plays.
    pub fn is_running(&self) -> bool {
        self.running
    }

    /// The tempo in bpm.
    pub fn tempo(&self) -> f32 {
        self.tempo as f32
    }

    /// Frames per beat at the present tempo.
    pub fn frames_per_beat(&self) -> f64 {
        self.frames_per_beat
    }

    /// Changes the tempo from frame `now` on; beats before `now` keep their frames.
    pub fn set_tempo(&mut self, bpm: f32, now: u64) {
        let beat = self.beat_at(now);
        self.anchor_frame = now as f64;
        self.anchor_beat = beat;
        self.tempo = f64::from(bpm).clamp(1.0, 1000.0);
        self.frames_per_beat = self.sample_rate * 60.0 / self.tempo;
    }

    /// Sets swing: where the second step of each pair lands, as a fraction of the pair.
    /// 0.5 or less is straight, the most is 0.75.
    pub fn set_swing(&mut self, swing: f32) {
        self.swing = f64::from(swing).clamp(0.5, 0.75);
    }

    /// Starts from beat `beat` at frame `now` (does nothing while running).
    pub fn start(&mut self, now: u64, beat: f64) {
        if !self.running {
            self.running = true;
            self.anchor_frame = now as f64;
            self.anchor_beat = beat;
        }
    }

    /// Makes frame `now` land on beat `beat` while running (a promoted worker takes over
    /// the musical position of the one it replaces). Does nothing while stopped.
    pub fn relocate(&mut self, now: u64, beat: f64) {
        if self.running && beat.is_finite() {
            self.anchor_frame = now as f64;
            self.anchor_beat = beat.max(0.0);
        }
    }

    /// Stops the sequencer; the clock keeps counting.
    pub fn stop(&mut self) {
        self.running = false;
    }

    /// The beat (from the top of bar 1) at a frame.
    pub fn beat_at(&self, frame: u64) -> f64 {
        self.anchor_beat + (frame as f64 - self.anchor_frame) / self.frames_per_beat
    }

    /// The exact (fractional) frame of a beat.
    pub fn frame_of(&self, beat: f64) -> f64 {
        self.anchor_frame + (beat - self.anchor_beat) * self.frames_per_beat
    }

    /// The frame a beat is played on: the exact frame rounded to the nearest.
    pub fn frame_at(&self, beat: f64) -> u64 {
        self.frame_of(beat).round().max(0.0) as u64
    }

    /// The beat of step `n` of a grid with steps `step_beats` long, with swing applied to
    /// every second step.
    pub fn step_beat(&self, n: u64, step_beats: f64) -> f64 {
        let straight = n as f64 * step_beats;
        if n % 2 == 1 {
            straight + (self.swing - 0.5) * 2.0 * step_beats
        } else {
            straight
        }
    }

    /// The first step of a `step_beats` grid played at or after frame `now`.
    pub fn first_step_from(&self, now: u64, step_beats: f64) -> u64 {
        let beat = self.beat_at(now);
        let mut n = (beat / step_beats).floor().max(0.0) as u64;
        // A swung odd step before the straight position may still be ahead.
        if n > 0 && self.frame_at(self.step_beat(n - 1, step_beats)) >= now {
            n -= 1;
        }
        while self.frame_at(self.step_beat(n, step_beats)) < now {
            n += 1;
        }
        n
    }

    /// The frame of the first bar line at or after frame `now`.
    pub fn next_bar_frame(&self, now: u64) -> u64 {
        let beat = self.beat_at(now);
        let mut bar = (beat / BEATS_PER_BAR - 1e-9).ceil().max(0.0);
        while self.frame_at(bar * BEATS_PER_BAR) < now {
            bar += 1.0;
        }
        self.frame_at(bar * BEATS_PER_BAR)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteenths_at_120_bpm_land_on_rounded_exact_frames() {
        let mut t = Transport::new(44_100, 120.0, 0.0);
        t.start(0, 0.0);
        for n in [0u64, 1, 2, 3, 7, 1001, 100_001] {
            let want = (n as f64 * 44_100.0 * 0.125).round() as u64;
            assert_eq!(t.frame_at(t.step_beat(n, 0.25)), want, "step {n}");
        }
    }

    #[test]
    fn swing_delays_only_the_second_step_of_each_pair() {
        let t = Transport::new(44_100, 120.0, 0.75);
        assert_eq!(t.step_beat(2, 0.25), 0.5);
        assert!((t.step_beat(1, 0.25) - 0.375).abs() < 1e-12);
        let straight = Transport::new(44_100, 120.0, 0.2);
        assert_eq!(straight.step_beat(1, 0.25), 0.25);
    }

    #[test]
    fn a_tempo_change_keeps_the_past_and_rescales_the_future() {
        let mut t = Transport::new(44_100, 120.0, 0.0);
        t.start(1000, 0.0);
        t.set_tempo(60.0, 1000 + 22_050);
        assert!((t.beat_at(1000 + 22_050) - 1.0).abs() < 1e-12);
        assert_eq!(t.frame_at(2.0), 1000 + 22_050 + 44_100);
    }

    #[test]
    fn the_next_step_and_bar_are_found_from_any_frame() {
        let mut t = Transport::new(44_100, 120.0, 0.0);
        t.start(0, 0.0);
        assert_eq!(t.first_step_from(0, 0.25), 0);
        assert_eq!(t.first_step_from(1, 0.25), 1);
        assert_eq!(t.first_step_from(5513, 0.25), 1);
        assert_eq!(t.first_step_from(5514, 0.25), 2);
        assert_eq!(t.next_bar_frame(0), 0);
        assert_eq!(t.next_bar_frame(1), 88_200);
        assert_eq!(t.next_bar_frame(88_200), 88_200);
    }
}
