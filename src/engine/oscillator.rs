//! Band-limited oscillators (PolyBLEP saw and square, PolyBLAMP triangle), sine and white noise.
//!
//! Runs on the DSP worker thread: fixed state, no allocation.

use super::params::Waveform;

/// A phase-accumulating oscillator with anti-aliased discontinuities.
#[derive(Clone, Debug)]
pub struct Oscillator {
    phase: f32,
    rng: u32,
}

/// PolyBLEP residual for a step discontinuity at phase 0, for phase `t` and increment `dt`.
#[inline]
fn poly_blep(t: f32, dt: f32) -> f32 {
    if t < dt {
        let x = t / dt;
        x + x - x * x - 1.0
    } else if t > 1.0 - dt {
        let x = (t - 1.0) / dt;
        x * x + x + x + 1.0
    } else {
        0.0
    }
}

/// PolyBLAMP residual for a slope discontinuity at phase 0.
#[inline]
fn poly_blamp(t: f32, dt: f32) -> f32 {
    if t < dt {
        let x = t / dt - 1.0;
        -x * x * x / 3.0
    } else if t > 1.0 - dt {
        let x = (t - 1.0) / dt + 1.0;
        x * x * x / 3.0
    } else {
        0.0
    }
}

impl Oscillator {
    /// A new oscillator at phase 0 with a fixed noise seed (deterministic renders).
    pub fn new(seed: u32) -> Self {
        Oscillator {
            phase: 0.0,
            rng: seed.max(1),
        }
    }

    /// Restarts the phase (and keeps the noise generator running).
    pub fn reset(&mut self) {
        self.phase = 0.0;
    }

    /// Renders one sample at frequency `freq` for a sample rate `sample_rate`.
    #[inline]
    pub fn next(&mut self, wave: Waveform, freq: f32, sample_rate: f32) -> f32 {
        let dt = (freq / sample_rate).clamp(0.0, 0.49);
        let t = self.phase;
        let out = match wave {
            Waveform::Sine => (t * std::f32::consts::TAU).sin(),
            Waveform::Saw => 2.0 * t - 1.0 - poly_blep(t, dt),
            Waveform::Square => {
                let naive = if t < 0.5 { 1.0 } else { -1.0 };
                let t2 = if t < 0.5 { t + 0.5 } else { t - 0.5 };
                naive + poly_blep(t, dt) - poly_blep(t2, dt)
            }
            Waveform::Triangle => {
                // Rises from -1 at t = 0 to 1 at t = 0.5; corners get a PolyBLAMP each.
                let naive = if t < 0.5 {
                    4.0 * t - 1.0
                } else {
                    3.0 - 4.0 * t
                };
                let t2 = if t < 0.5 { t + 0.5 } else { t - 0.5 };
                naive + 4.0 * dt * (poly_blamp(t, dt) - poly_blamp(t2, dt))
            }
            Waveform::Noise => self.white(),
        };
        self.phase += dt;
        if self.phase >= 1.0 {
            self.phase -= 1.0;
        }
        out
    }

    /// A uniformly distributed sample in [-1, 1) from a xorshift generator.
    #[inline]
    fn white(&mut self) -> f32 {
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.rng = x;
        (x as f32 / u32::MAX as f32) * 2.0 - 1.0
    }
}
