//! Drive: soft saturation with a level-matched output and a dry/wet mix.
//!
//! Runs on the DSP worker thread. A rational tanh approximation: no library calls per sample.

use super::{is_dry, WetControl, SMOOTHING_SECONDS};
use crate::engine::smoother::BlockSmoother;

/// Pre-gain at full amount.
const MAX_GAIN: f32 = 25.0;

/// Padé approximation of tanh, exact at 0 and saturating to ±1 at |x| >= 3.
#[inline]
pub fn saturate(x: f32) -> f32 {
    let x = x.clamp(-3.0, 3.0);
    let x2 = x * x;
    x * (27.0 + x2) / (27.0 + 9.0 * x2)
}

/// Saturation: `amount` 0..1 sets the pre-gain (1x to 25x).
pub struct Drive {
    wet: WetControl,
    amount: BlockSmoother,
}

impl Drive {
    /// A drive at amount 0 (no effect).
    pub fn new(sample_rate: f32) -> Self {
        Drive {
            wet: WetControl::new(1.0, true, sample_rate),
            amount: BlockSmoother::new(0.0, SMOOTHING_SECONDS, sample_rate),
        }
    }

    /// Sets amount, mix and switch.
    pub fn set(&mut self, amount: f32, mix: f32, on: bool) {
        self.amount.set_target(amount.clamp(0.0, 1.0));
        self.wet.set(mix, on);
    }

    /// Jumps to the targets.
    pub fn settle(&mut self) {
        self.wet.settle();
        self.amount.snap(self.amount.target());
    }

    /// Advances the controls over `frames` frames without processing (the drive holds no
    /// audio state).
    pub fn skip(&mut self, frames: usize) {
        self.wet.advance(frames);
        self.amount.advance(frames);
    }

    /// Drives a mono block in place.
    pub fn process(&mut self, buf: &mut [f32]) {
        self.process_channels(buf, None);
    }

    /// Drives a stereo block in place (the drive placed after the chorus), both sides with
    /// the same settings.
    pub fn process_stereo(&mut self, left: &mut [f32], right: &mut [f32]) {
        self.process_channels(left, Some(right));
    }

    fn process_channels(&mut self, buf: &mut [f32], second: Option<&mut [f32]>) {
        let n = buf.len();
        let wet = self.wet.advance(n);
        let amount = self.amount.advance(n);
        // Fading the wet amount with the drive amount itself makes amount 0 exactly dry.
        let presence = |a: f32| (a * 20.0).min(1.0);
        let m0 = wet.start * presence(amount.start);
        let m1 = wet.at(n) * presence(amount.at(n));
        if m0 == 0.0 && m1 == 0.0 || is_dry(&wet, n) {
            return;
        }
        let gain = |a: f32| 1.0 + (MAX_GAIN - 1.0) * a * a;
        let (g0, g1) = (gain(amount.start), gain(amount.at(n)));
        // Level matching: a 0.5 peak comes out at about 0.5 at any amount.
        let (c0, c1) = (0.5 / saturate(0.5 * g0), 0.5 / saturate(0.5 * g1));
        let inv = 1.0 / n as f32;
        for channel in std::iter::once(buf).chain(second) {
            for (i, s) in channel.iter_mut().enumerate() {
                let f = i as f32 * inv;
                let g = g0 + (g1 - g0) * f;
                let c = c0 + (c1 - c0) * f;
                let m = m0 + (m1 - m0) * f;
                let x = *s;
                *s = x + m * (saturate(x * g) * c - x);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saturation_is_odd_bounded_and_smooth_at_the_knee() {
        assert_eq!(saturate(0.0), 0.0);
        assert!((saturate(3.0) - 1.0).abs() < 1e-6);
        assert_eq!(saturate(10.0), 1.0);
        assert_eq!(saturate(-0.7), -saturate(0.7));
        assert!((saturate(0.1) - 0.1f32.tanh()).abs() < 1e-4);
    }

    #[test]
    fn amount_zero_leaves_the_signal_untouched() {
        let mut d = Drive::new(44_100.0);
        d.set(0.0, 1.0, true);
        let mut x: Vec<f32> = (0..64).map(|i| (i as f32 * 0.1).sin() * 0.9).collect();
        let before = x.clone();
        d.process(&mut x);
        assert_eq!(x, before);
    }
}
