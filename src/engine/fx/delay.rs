//! Delay: a stereo echo with feedback, damping in the feedback path and smoothly gliding time.
//!
//! Runs on the DSP worker thread. Lines are allocated in `Delay::new` for the longest time
//! (2 s); while dry the input is still written (without feedback), so turning the delay on
//! brings in the echo of what was just played instead of stale audio.

use super::chorus::read_frac;
use super::{is_dry, WetControl, SMOOTHING_SECONDS};
use crate::engine::smoother::{BlockSmoother, Ramp};

/// The longest delay time.
pub const MAX_SECONDS: f32 = 2.0;
/// How fast the time glides to a new setting (a tape-like pitch bend, never a jump).
const TIME_GLIDE_SECONDS: f32 = 0.05;

/// A stereo delay line pair.
pub struct Delay {
    wet: WetControl,
    time: BlockSmoother,
    feedback: BlockSmoother,
    damping: BlockSmoother,
    left: Box<[f32]>,
    right: Box<[f32]>,
    mask: usize,
    write: usize,
    lp: [f32; 2],
    sample_rate: f32,
}

impl Delay {
    /// Allocates lines for [`MAX_SECONDS`].
    pub fn new(sample_rate: f32) -> Self {
        let len = ((MAX_SECONDS * sample_rate) as usize + 4).next_power_of_two();
        Delay {
            wet: WetControl::new(0.0, true, sample_rate),
            time: BlockSmoother::new(0.375 * sample_rate, TIME_GLIDE_SECONDS, sample_rate),
            feedback: BlockSmoother::new(0.35, SMOOTHING_SECONDS, sample_rate),
            damping: BlockSmoother::new(0.3, SMOOTHING_SECONDS, sample_rate),
            left: vec![0.0; len].into_boxed_slice(),
            right: vec![0.0; len].into_boxed_slice(),
            mask: len - 1,
            write: 0,
            lp: [0.0; 2],
            sample_rate,
        }
    }

    /// Sets time (s), feedback (0..0.95), damping (0..1), mix and switch.
    pub fn set(&mut self, seconds: f32, feedback: f32, damping: f32, mix: f32, on: bool) {
        let samples = (seconds.clamp(0.0, MAX_SECONDS) * self.sample_rate).max(1.0);
        if self.wet.is_silent() {
            // Nobody hears the glide: start at the new time.
            self.time.snap(samples);
        } else {
            self.time.set_target(samples);
        }
        self.feedback.set_target(feedback.clamp(0.0, 0.95));
        self.damping.set_target(damping.clamp(0.0, 1.0));
        self.wet.set(mix, on);
    }

    /// Jumps to the targets.
    pub fn settle(&mut self) {
        self.wet.settle();
        for s in [&mut self.time, &mut self.feedback, &mut self.damping] {
            s.snap(s.target());
        }
    }

    /// Clears the lines.
    pub fn clear(&mut self) {
        self.left.fill(0.0);
        self.right.fill(0.0);
        self.lp = [0.0; 2];
    }

    /// Advances the controls over `frames` frames without touching the lines.
    pub fn skip(&mut self, frames: usize) {
        let wet = self.wet.advance(frames);
        self.time.advance(frames);
        self.feedback.advance(frames);
        self.damping.advance(frames);
        if is_dry(&wet, frames) {
            self.lp = [0.0; 2];
        }
    }

    /// The largest magnitude in the lines and the loop filters.
    pub fn state_peak(&self) -> f32 {
        super::line_peak(&self.left)
            .max(super::line_peak(&self.right))
            .max(super::line_peak(&self.lp))
    }

    /// Processes a stereo block in place.
    pub fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        self.process_sent(left, right, Ramp::constant(1.0));
    }

    /// [`Self::process`] with the line's input scaled by `send`.
    /// `send` scales what enters the line (1 = all of it): a reorder of the effects fades
    /// it to 0 around the switch, so the line never stores the jump between two sources.
    pub fn process_sent(&mut self, left: &mut [f32], right: &mut [f32], send: Ramp) {
        let n = left.len();
        let wet = self.wet.advance(n);
        let time = self.time.advance(n);
        let fb = self.feedback.advance(n);
        let damp = self.damping.advance(n);
        if is_dry(&wet, n) {
            for (i, (l, r)) in left.iter().zip(right.iter()).enumerate() {
                self.left[self.write] = *l * send.at(i);
                self.right[self.write] = *r * send.at(i);
                self.write = (self.write + 1) & self.mask;
            }
            self.lp = [0.0; 2];
            return;
        }
        // One-pole lowpass in the loop: y += (x - y) * (1 - a), a up to 0.85.
        let a = damp.at(n) * 0.85;
        let [mut lp_l, mut lp_r] = self.lp;
        for i in 0..n {
            let d = time.at(i);
            let g = fb.at(i);
            let m = wet.at(i);
            let yl = read_frac(&self.left, self.mask, self.write, d);
            let yr = read_frac(&self.right, self.mask, self.write, d);
            lp_l = yl + (lp_l - yl) * a;
            lp_r = yr + (lp_r - yr) * a;
            let (xl, xr) = (left[i], right[i]);
            let s = send.at(i);
            self.left[self.write] = xl * s + lp_l * g;
            self.right[self.write] = xr * s + lp_r * g;
            self.write = (self.write + 1) & self.mask;
            left[i] = xl + m * (yl - xl);
            right[i] = xr + m * (yr - xr);
        }
        self.lp = [lp_l, lp_r];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_impulse_comes_back_after_the_delay_time_and_decays() {
        let mut d = Delay::new(44_100.0);
        d.set(0.01, 0.5, 0.0, 1.0, true);
        d.settle();
        let mut out = Vec::new();
        for b in 0..30 {
            let mut l = [0.0f32; 64];
            let mut r = [0.0f32; 64];
            if b == 0 {
                l[0] = 1.0;
                r[0] = 1.0;
            }
            d.process(&mut l, &mut r);
            out.extend_from_slice(&l);
        }
        assert_eq!(out[441], 1.0, "first echo after 441 samples");
        assert!(
            (out[882] - 0.5).abs() < 1e-6,
            "second echo at feedback level"
        );
        assert_eq!(out[0], 0.0, "fully wet: no dry impulse");
    }
}
