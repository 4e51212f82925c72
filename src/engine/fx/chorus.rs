//! Chorus: one modulated delay line read by two taps whose LFOs are a quarter cycle apart,
//! which turns the mono voices into a wide stereo pair.
//!
//! Runs on the DSP worker thread. The LFO is evaluated twice per block per tap and
//! interpolated in between: no library calls per sample.

use super::{is_dry, WetControl, SMOOTHING_SECONDS};
use crate::engine::smoother::{BlockSmoother, Ramp};

/// The centre delay of the taps.
const BASE_SECONDS: f32 = 0.012;
/// The sweep either side of the centre at depth 1.
const DEPTH_SECONDS: f32 = 0.006;

/// A stereo chorus on a mono input.
pub struct Chorus {
    wet: WetControl,
    rate: BlockSmoother,
    depth: BlockSmoother,
    line: Box<[f32]>,
    mask: usize,
    write: usize,
    phase: f64,
    sample_rate: f32,
}

/// Reads `line` `delay` samples (>= 1, fractional) behind `write`, linearly interpolated.
#[inline]
pub fn read_frac(line: &[f32], mask: usize, write: usize, delay: f32) -> f32 {
    let d = delay.max(1.0);
    let di = d as usize;
    let frac = d - di as f32;
    let a = line[(write.wrapping_sub(di)) & mask];
    let b = line[(write.wrapping_sub(di + 1)) & mask];
    a + (b - a) * frac
}

impl Chorus {
    /// Allocates a line long enough for the deepest sweep.
    pub fn new(sample_rate: f32) -> Self {
        let need = ((BASE_SECONDS + DEPTH_SECONDS) * sample_rate) as usize + 4;
        let len = need.next_power_of_two();
        Chorus {
            wet: WetControl::new(0.0, true, sample_rate),
            rate: BlockSmoother::new(0.8, SMOOTHING_SECONDS, sample_rate),
            depth: BlockSmoother::new(0.5, SMOOTHING_SECONDS, sample_rate),
            line: vec![0.0; len].into_boxed_slice(),
            mask: len - 1,
            write: 0,
            phase: 0.0,
            sample_rate,
        }
    }

    /// Sets rate (Hz), depth (0..1), mix and switch.
    pub fn set(&mut self, rate: f32, depth: f32, mix: f32, on: bool) {
        self.rate.set_target(rate.clamp(0.01, 20.0));
        self.depth.set_target(depth.clamp(0.0, 1.0));
        self.wet.set(mix, on);
    }

    /// Jumps to the targets.
    pub fn settle(&mut self) {
        self.wet.settle();
        self.rate.snap(self.rate.target());
        self.depth.snap(self.depth.target());
    }

    /// Clears the line.
    pub fn clear(&mut self) {
        self.line.fill(0.0);
    }

    /// Advances the controls and the LFO over `frames` frames without touching the line.
    pub fn skip(&mut self, frames: usize) {
        self.wet.advance(frames);
        let rate = self.rate.advance(frames);
        self.depth.advance(frames);
        let p1 = self.phase + f64::from(rate.start) * frames as f64 / f64::from(self.sample_rate);
        self.phase = p1.fract();
    }

    /// The largest magnitude in the line.
    pub fn state_peak(&self) -> f32 {
        super::line_peak(&self.line)
    }

    /// Reads `input` and writes the stereo result into `left` and `right`.
    pub fn process(&mut self, input: &[f32], left: &mut [f32], right: &mut [f32]) {
        self.process_sent(input, left, right, Ramp::constant(1.0));
    }

    /// [`Self::process`] with the line's input scaled by `send`.
    /// `send` scales what enters the line (1 = all of it): a reorder of the effects fades
    /// it to 0 around the switch, so the line never stores the jump between two sources.
    pub fn process_sent(&mut self, input: &[f32], left: &mut [f32], right: &mut [f32], send: Ramp) {
        let n = input.len();
        let wet = self.wet.advance(n);
        let rate = self.rate.advance(n);
        let depth = self.depth.advance(n);
        let p0 = self.phase;
        let p1 = p0 + f64::from(rate.start) * n as f64 / f64::from(self.sample_rate);
        self.phase = p1.fract();
        if is_dry(&wet, n) {
            for (i, x) in input.iter().enumerate() {
                self.line[self.write] = *x * send.at(i);
                self.write = (self.write + 1) & self.mask;
                left[i] = *x;
                right[i] = *x;
            }
            return;
        }
        let sr = self.sample_rate;
        let tap = |phase: f64, d: f32| {
            let lfo = (phase * std::f64::consts::TAU).sin() as f32;
            (BASE_SECONDS + DEPTH_SECONDS * d * lfo) * sr
        };
        let (l0, l1) = (tap(p0, depth.start), tap(p1, depth.at(n)));
        let (r0, r1) = (tap(p0 + 0.25, depth.start), tap(p1 + 0.25, depth.at(n)));
        let inv = 1.0 / n as f32;
        for (i, x) in input.iter().enumerate() {
            self.line[self.write] = *x * send.at(i);
            let f = i as f32 * inv;
            let yl = read_frac(&self.line, self.mask, self.write, l0 + (l1 - l0) * f);
            let yr = read_frac(&self.line, self.mask, self.write, r0 + (r1 - r0) * f);
            self.write = (self.write + 1) & self.mask;
            let m = wet.at(i);
            left[i] = x + m * (yl - x);
            right[i] = x + m * (yr - x);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dry_chorus_copies_its_input_to_both_sides() {
        let mut c = Chorus::new(44_100.0);
        let x: Vec<f32> = (0..64).map(|i| i as f32 / 64.0).collect();
        let (mut l, mut r) = ([0.0f32; 64], [0.0f32; 64]);
        c.process(&x, &mut l, &mut r);
        assert_eq!(&l[..], &x[..]);
        assert_eq!(&r[..], &x[..]);
    }

    #[test]
    fn the_wet_chorus_widens_a_tone_into_two_different_sides() {
        let mut c = Chorus::new(44_100.0);
        c.set(1.0, 1.0, 0.5, true);
        c.settle();
        let mut diff = 0.0f32;
        for b in 0..200 {
            let x: Vec<f32> = (0..64)
                .map(|i| ((b * 64 + i) as f32 * 0.05).sin() * 0.5)
                .collect();
            let (mut l, mut r) = ([0.0f32; 64], [0.0f32; 64]);
            c.process(&x, &mut l, &mut r);
            diff = diff.max(
                l.iter()
                    .zip(&r)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f32::max),
            );
        }
        assert!(diff > 0.05, "left and right differ: {diff}");
    }
}
