//! Reverb: Freeverb (Jezar's public-domain design): eight damped combs and four allpasses
//! per side, the right side's delays 23 samples longer for width.
//!
//! Runs on the DSP worker thread. Delay lengths are scaled from 44.1 kHz to the engine's
//! rate and allocated in `Reverb::new`. While dry the reverb clears itself once and sleeps.

use super::{is_dry, WetControl, SMOOTHING_SECONDS};
use crate::engine::smoother::{BlockSmoother, Ramp};
use crate::engine::BLOCK_FRAMES;

const COMBS: [usize; 8] = [1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617];
const ALLPASSES: [usize; 4] = [556, 441, 341, 225];
const SPREAD: usize = 23;
const INPUT_GAIN: f32 = 0.015;
const WET_GAIN: f32 = 3.0;

struct Comb {
    buf: Box<[f32]>,
    idx: usize,
    store: f32,
}

impl Comb {
    fn new(len: usize) -> Self {
        Comb {
            buf: vec![0.0; len.max(1)].into_boxed_slice(),
            idx: 0,
            store: 0.0,
        }
    }

    /// One sample through the comb: returns its output and writes the new input.
    #[inline(always)]
    fn tick(&mut self, x: f32, feedback: f32, damp: f32) -> f32 {
        let y = self.buf[self.idx];
        self.store = y + (self.store - y) * damp;
        self.buf[self.idx] = x + self.store * feedback;
        self.idx += 1;
        if self.idx == self.buf.len() {
            self.idx = 0;
        }
        y
    }
}

/// Runs a bank of combs sample by sample, all combs inside the sample loop, so their
/// damping filters (each a chain of dependent operations) overlap in the CPU.
fn comb_bank(combs: &mut [Comb], input: &[f32], out: &mut [f32], feedback: f32, damp: f32) {
    for (x, o) in input.iter().zip(out.iter_mut()) {
        let mut acc = 0.0;
        for c in combs.iter_mut() {
            acc += c.tick(*x, feedback, damp);
        }
        *o = acc;
    }
}

struct Allpass {
    buf: Box<[f32]>,
    idx: usize,
}

impl Allpass {
    fn new(len: usize) -> Self {
        Allpass {
            buf: vec![0.0; len.max(1)].into_boxed_slice(),
            idx: 0,
        }
    }

    #[inline]
    fn process(&mut self, io: &mut [f32]) {
        let len = self.buf.len();
        for s in io.iter_mut() {
            let b = self.buf[self.idx];
            let x = *s;
            self.buf[self.idx] = x + b * 0.5;
            self.idx += 1;
            if self.idx == len {
                self.idx = 0;
            }
            *s = b - x;
        }
    }
}

/// A stereo Freeverb.
pub struct Reverb {
    wet: WetControl,
    size: BlockSmoother,
    damping: BlockSmoother,
    combs: [Vec<Comb>; 2],
    allpasses: [Vec<Allpass>; 2],
    clean: bool,
}

impl Reverb {
    /// Allocates every comb and allpass for `sample_rate`.
    pub fn new(sample_rate: f32) -> Self {
        let scale = |n: usize| ((n as f32) * sample_rate / 44_100.0).round() as usize;
        let side = |extra: usize| {
            (
                COMBS.iter().map(|n| Comb::new(scale(n + extra))).collect(),
                ALLPASSES
                    .iter()
                    .map(|n| Allpass::new(scale(n + extra)))
                    .collect(),
            )
        };
        let (cl, al) = side(0);
        let (cr, ar) = side(SPREAD);
        Reverb {
            wet: WetControl::new(0.0, true, sample_rate),
            size: BlockSmoother::new(0.5, SMOOTHING_SECONDS, sample_rate),
            damping: BlockSmoother::new(0.5, SMOOTHING_SECONDS, sample_rate),
            combs: [cl, cr],
            allpasses: [al, ar],
            clean: true,
        }
    }

    /// Sets size (0..1), damping (0..1), mix and switch.
    pub fn set(&mut self, size: f32, damping: f32, mix: f32, on: bool) {
        self.size.set_target(size.clamp(0.0, 1.0));
        self.damping.set_target(damping.clamp(0.0, 1.0));
        self.wet.set(mix, on);
    }

    /// Jumps to the targets.
    pub fn settle(&mut self) {
        self.wet.settle();
        self.size.snap(self.size.target());
        self.damping.snap(self.damping.target());
    }

    /// Clears every line.
    pub fn clear(&mut self) {
        for c in self.combs.iter_mut().flatten() {
            c.buf.fill(0.0);
            c.store = 0.0;
        }
        for a in self.allpasses.iter_mut().flatten() {
            a.buf.fill(0.0);
        }
        self.clean = true;
    }

    /// Advances the controls over `frames` frames without touching the lines (clearing
    /// them, as processing would, when the reverb has just gone dry).
    pub fn skip(&mut self, frames: usize) {
        let n = frames.min(BLOCK_FRAMES);
        let wet = self.wet.advance(n);
        self.size.advance(n);
        self.damping.advance(n);
        if is_dry(&wet, n) && !self.clean {
            self.clear();
        }
    }

    /// The largest magnitude in every comb, comb filter and allpass.
    pub fn state_peak(&self) -> f32 {
        let combs = self.combs.iter().flatten().fold(0.0f32, |m, c| {
            m.max(super::line_peak(&c.buf)).max(c.store.abs())
        });
        self.allpasses
            .iter()
            .flatten()
            .fold(combs, |m, a| m.max(super::line_peak(&a.buf)))
    }

    /// Processes a stereo block in place.
    pub fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        self.process_sent(left, right, Ramp::constant(1.0));
    }

    /// [`Self::process`] with the combs' input scaled by `send`.
    /// `send` scales what enters the line (1 = all of it): a reorder of the effects fades
    /// it to 0 around the switch, so the line never stores the jump between two sources.
    pub fn process_sent(&mut self, left: &mut [f32], right: &mut [f32], send: Ramp) {
        let n = left.len().min(BLOCK_FRAMES);
        let wet = self.wet.advance(n);
        let size = self.size.advance(n).at(n);
        let damp = self.damping.advance(n).at(n) * 0.4;
        if is_dry(&wet, n) {
            if !self.clean {
                self.clear();
            }
            return;
        }
        self.clean = false;
        let feedback = size * 0.28 + 0.7;
        let mut input = [0.0f32; BLOCK_FRAMES];
        for i in 0..n {
            input[i] = (left[i] + right[i]) * INPUT_GAIN * send.at(i);
        }
        for (side, io) in [left, right].into_iter().enumerate() {
            let mut acc = [0.0f32; BLOCK_FRAMES];
            comb_bank(
                &mut self.combs[side],
                &input[..n],
                &mut acc[..n],
                feedback,
                damp,
            );
            for a in self.allpasses[side].iter_mut() {
                a.process(&mut acc[..n]);
            }
            for (i, x) in io[..n].iter_mut().enumerate() {
                *x += wet.at(i) * (acc[i] * WET_GAIN - *x);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tail_energy(size: f32) -> Vec<f32> {
        let mut r = Reverb::new(44_100.0);
        r.set(size, 0.5, 1.0, true);
        r.settle();
        let mut energy = Vec::new();
        for b in 0..700 {
            let mut l = [0.0f32; 64];
            let mut rr = [0.0f32; 64];
            if b == 0 {
                l[0] = 1.0;
            }
            r.process(&mut l, &mut rr);
            energy.push(l.iter().map(|x| x * x).sum::<f32>());
        }
        energy
    }

    #[test]
    fn a_bigger_room_rings_longer() {
        let small: f32 = tail_energy(0.1)[300..].iter().sum();
        let big: f32 = tail_energy(0.9)[300..].iter().sum();
        assert!(big > small * 10.0, "big {big} small {small}");
    }
}
