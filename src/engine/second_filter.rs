//! The voice's second filter (`filter2.*`): another state-variable filter after the first
//! (series) or beside it on the oscillators' signal (parallel, the two outputs summed).
//!
//! Runs on the DSP worker thread: every voice always holds it (fixed capacity), and a voice
//! whose profile has it off skips it entirely, so the default sound is bit-identical to the
//! one-filter voice. Switching it on or off fades its wet amount over the profile smoothing
//! time; mode and routing switch under the engine's one-block duck (or at once while silent).

use super::filter::Svf;
use super::params::FilterMode;
use super::smoother::Ramp;
use super::voice_filter::FILTER_UPDATE_FRAMES;

/// How the second filter is wired to the first (`filter2.routing`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Routing {
    /// oscillators → filter → filter2.
    Series,
    /// oscillators → filter and oscillators → filter2, summed.
    Parallel,
}

impl Routing {
    /// The routing for a stored `filter2.routing` value.
    pub fn from_value(value: f32) -> Routing {
        if value.round() as i32 == 1 {
            Routing::Parallel
        } else {
            Routing::Series
        }
    }
}

/// What the second filter of a group of voices does during one block.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SecondFilterParams {
    /// Filter mode.
    pub mode: FilterMode,
    /// Series or parallel.
    pub routing: Routing,
    /// How much of the second filter is heard, 0 (off) to 1, through the block.
    pub wet: Ramp,
    /// Cutoff as log2(Hz) through the block.
    pub log_cutoff: Ramp,
    /// Resonance through the block.
    pub res: Ramp,
    /// Octaves the envelope adds to the cutoff at full level and velocity.
    pub env_octaves: f32,
}

impl Default for SecondFilterParams {
    fn default() -> Self {
        SecondFilterParams {
            mode: FilterMode::Highpass,
            routing: Routing::Series,
            wet: Ramp::constant(0.0),
            log_cutoff: Ramp::constant(200f32.log2()),
            res: Ramp::constant(0.2),
            env_octaves: 0.0,
        }
    }
}

impl SecondFilterParams {
    /// True when the second filter is heard anywhere in a block of `frames`.
    #[inline]
    pub fn is_active(&self, frames: usize) -> bool {
        self.wet.start != 0.0 || self.wet.at(frames) != 0.0
    }

    /// True when it is heard and needs the oscillators' signal before the first filter.
    #[inline]
    pub fn needs_dry(&self, frames: usize) -> bool {
        self.routing == Routing::Parallel && self.is_active(frames)
    }
}

/// One voice's second filter.
#[derive(Clone, Debug)]
pub struct SecondFilter {
    svf: Svf,
    coeff_cutoff: f32,
    coeff_res: f32,
}

impl Default for SecondFilter {
    fn default() -> Self {
        Self::new()
    }
}

impl SecondFilter {
    /// A filter at rest.
    pub fn new() -> Self {
        SecondFilter {
            svf: Svf::new(),
            coeff_cutoff: f32::NAN,
            coeff_res: f32::NAN,
        }
    }

    /// Clears the state (a new note, or the filter fading in from off).
    pub fn reset(&mut self) {
        self.svf.reset();
        self.coeff_cutoff = f32::NAN;
    }

    /// True when the state holds only finite numbers.
    pub fn is_finite(&self) -> bool {
        self.svf.is_finite()
    }

    /// Filters `sig` (the first filter's output, `at` frames into the block) in place:
    /// series filters `sig`, parallel filters `dry` (the oscillators) and adds it. `env` is
    /// the voice's envelope. Does nothing while `p` is inactive.
    #[allow(clippy::too_many_arguments)] // the voice's buffers and the block position.
    pub fn process(
        &mut self,
        p: &SecondFilterParams,
        velocity: f32,
        dry: &[f32],
        sig: &mut [f32],
        env: &[f32],
        at: usize,
        sample_rate: f32,
    ) {
        let n = sig.len().min(env.len());
        if !p.is_active(at + n) {
            return;
        }
        if p.wet.at(at) == 0.0 {
            self.reset();
        }
        let env_mod = p.env_octaves * velocity;
        let mut i = 0;
        while i < n {
            let end = (i + FILTER_UPDATE_FRAMES).min(n);
            let lc = p.log_cutoff.at(at + i) + env[i] * env_mod;
            let res = p.res.at(at + i);
            if !((lc - self.coeff_cutoff).abs() < 1e-3 && (res - self.coeff_res).abs() < 1e-4) {
                self.svf.set(lc.exp2(), res, sample_rate);
                self.coeff_cutoff = lc;
                self.coeff_res = res;
            }
            match p.routing {
                Routing::Series => {
                    for (k, s) in sig.iter_mut().enumerate().take(end).skip(i) {
                        let y = self.svf.process(*s, p.mode);
                        *s += p.wet.at(at + k) * (y - *s);
                    }
                }
                Routing::Parallel => {
                    for (k, s) in sig.iter_mut().enumerate().take(end).skip(i) {
                        let x = dry.get(k).copied().unwrap_or(0.0);
                        *s += p.wet.at(at + k) * self.svf.process(x, p.mode);
                    }
                }
            }
            i = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(mode: FilterMode, routing: Routing, cutoff: f32) -> SecondFilterParams {
        SecondFilterParams {
            mode,
            routing,
            wet: Ramp::constant(1.0),
            log_cutoff: Ramp::constant(cutoff.log2()),
            res: Ramp::constant(0.0),
            env_octaves: 0.0,
        }
    }

    fn rms_after(p: &SecondFilterParams, freq: f32) -> f32 {
        let mut f = SecondFilter::new();
        let env = [1.0f32; 64];
        let mut sum = 0.0;
        let mut count = 0;
        for b in 0..200 {
            let mut sig: [f32; 64] = std::array::from_fn(|i| {
                let t = (b * 64 + i) as f32 / 44_100.0;
                (std::f32::consts::TAU * freq * t).sin()
            });
            let dry = sig;
            f.process(p, 1.0, &dry, &mut sig, &env, 0, 44_100.0);
            if b >= 100 {
                sum += sig.iter().map(|s| s * s).sum::<f32>();
                count += 64;
            }
        }
        (sum / count as f32).sqrt()
    }

    #[test]
    fn off_leaves_the_signal_untouched() {
        let mut f = SecondFilter::new();
        let mut sig: [f32; 64] = std::array::from_fn(|i| (i as f32 * 0.3).sin());
        let before = sig;
        f.process(
            &SecondFilterParams::default(),
            1.0,
            &before,
            &mut sig,
            &[1.0; 64],
            0,
            44_100.0,
        );
        assert_eq!(sig, before);
    }

    #[test]
    fn series_highpass_removes_lows_and_notch_its_band() {
        let hp = on(FilterMode::Highpass, Routing::Series, 1000.0);
        assert!(rms_after(&hp, 100.0) < 0.02, "{}", rms_after(&hp, 100.0));
        assert!(rms_after(&hp, 8000.0) > 0.6);
        let notch = on(FilterMode::Notch, Routing::Series, 1000.0);
        assert!(
            rms_after(&notch, 1000.0) < 0.02,
            "{}",
            rms_after(&notch, 1000.0)
        );
        assert!(rms_after(&notch, 100.0) > 0.65);
        assert!(rms_after(&notch, 10_000.0) > 0.65);
    }

    #[test]
    fn parallel_adds_the_filtered_oscillators() {
        // sig (the first filter's output) is the same sine: parallel adds a second copy
        // where filter2 passes it.
        let lp = on(FilterMode::Lowpass, Routing::Parallel, 5000.0);
        assert!((rms_after(&lp, 100.0) - std::f32::consts::SQRT_2).abs() < 0.02);
    }
}
