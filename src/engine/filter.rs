//! Resonant state-variable filter (topology-preserving transform, after Zavalishin/Simper).
//!
//! Runs on the DSP worker thread. Stable for every cutoff from 20 Hz to 20 kHz and resonance
//! from 0 to 1 because the cutoff is kept below Nyquist and damping never reaches zero.

use super::params::FilterMode;

/// A two-pole SVF with low-, high- and band-pass outputs.
#[derive(Clone, Debug, Default)]
pub struct Svf {
    ic1eq: f32,
    ic2eq: f32,
    g: f32,
    k: f32,
    a1: f32,
    a2: f32,
    a3: f32,
}

impl Svf {
    /// A filter at rest.
    pub fn new() -> Self {
        let mut f = Svf::default();
        f.set(1000.0, 0.0, 44_100.0);
        f
    }

    /// Recomputes coefficients for `cutoff` Hz and resonance `res` (0..1).
    #[inline]
    pub fn set(&mut self, cutoff: f32, res: f32, sample_rate: f32) {
        let fc = cutoff.clamp(10.0, sample_rate * 0.45);
        self.g = (std::f32::consts::PI * fc / sample_rate).tan();
        // Q from 0.5 (res 0) up to ~25 (res 1): damping k = 1/Q never reaches zero.
        self.k = 2.0 - 1.96 * res.clamp(0.0, 1.0);
        self.a1 = 1.0 / (1.0 + self.g * (self.g + self.k));
        self.a2 = self.g * self.a1;
        self.a3 = self.g * self.a2;
    }

    /// Filters one sample.
    #[inline]
    pub fn process(&mut self, x: f32, mode: FilterMode) -> f32 {
        let v3 = x - self.ic2eq;
        let v1 = self.a1 * self.ic1eq + self.a2 * v3;
        let v2 = self.ic2eq + self.a2 * self.ic1eq + self.a3 * v3;
        self.ic1eq = 2.0 * v1 - self.ic1eq;
        self.ic2eq = 2.0 * v2 - self.ic2eq;
        match mode {
            FilterMode::Lowpass => v2,
            FilterMode::Bandpass => v1,
            FilterMode::Highpass => x - self.k * v1 - v2,
        }
    }

    /// Filters a block in place with the present coefficients (the mode is chosen once).
    pub fn process_block(&mut self, buf: &mut [f32], mode: FilterMode) {
        let (a1, a2, a3, k) = (self.a1, self.a2, self.a3, self.k);
        let (mut ic1, mut ic2) = (self.ic1eq, self.ic2eq);
        macro_rules! run {
            (|$x:ident, $v1:ident, $v2:ident| $out:expr) => {
                for s in buf.iter_mut() {
                    let $x = *s;
                    let v3 = $x - ic2;
                    let $v1 = a1 * ic1 + a2 * v3;
                    let $v2 = ic2 + a2 * ic1 + a3 * v3;
                    ic1 = 2.0 * $v1 - ic1;
                    ic2 = 2.0 * $v2 - ic2;
                    *s = $out;
                }
            };
        }
        match mode {
            FilterMode::Lowpass => run!(|_x, _v1, v2| v2),
            FilterMode::Bandpass => run!(|_x, v1, _v2| v1),
            FilterMode::Highpass => run!(|x, v1, v2| x - k * v1 - v2),
        }
        self.ic1eq = ic1;
        self.ic2eq = ic2;
    }

    /// True when the internal state holds only finite numbers.
    pub fn is_finite(&self) -> bool {
        self.ic1eq.is_finite() && self.ic2eq.is_finite()
    }

    /// Clears the internal state.
    pub fn reset(&mut self) {
        self.ic1eq = 0.0;
        self.ic2eq = 0.0;
    }

    /// Puts NaN into the state (fault injection only).
    pub fn poison(&mut self) {
        self.ic1eq = f32::NAN;
        self.ic2eq = f32::NAN;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_processing_matches_sample_by_sample() {
        for mode in [
            FilterMode::Lowpass,
            FilterMode::Highpass,
            FilterMode::Bandpass,
        ] {
            let mut a = Svf::new();
            let mut b = Svf::new();
            a.set(800.0, 0.7, 44_100.0);
            b.set(800.0, 0.7, 44_100.0);
            let input: Vec<f32> = (0..256)
                .map(|i| ((i * 37 % 19) as f32 - 9.0) / 9.0)
                .collect();
            let mut block = input.clone();
            a.process_block(&mut block, mode);
            for (x, y) in input.iter().zip(&block) {
                assert!((b.process(*x, mode) - y).abs() < 1e-6);
            }
        }
    }
}
