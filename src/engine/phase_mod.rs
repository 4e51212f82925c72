//! FM for osc1: a sine operator at `fm.ratio` × osc1's frequency moves osc1's phase by
//! `fm.index / 2π` cycles at its peak (phase modulation, which gives the same spectrum as
//! linear FM: sidebands at f ± k·ratio·f with Bessel weights J_k(index)).
//!
//! Runs on the DSP worker thread: fixed state, no allocation. Like [`Oscillator::fill`], every
//! sample's phases are computed from its index, not carried, so samples do not wait on each
//! other. Saw and square keep their PolyBLEP, with the band-limiting width taken from the
//! instantaneous frequency.

use super::oscillator::Oscillator;
use super::oscillator::{fast_sine, fract_of_non_negative, poly_blamp, poly_blep_smooth, MIN_DT};
use super::params::Waveform;
use super::smoother::{Ramp, FRAME_INDEX};

const INV_TAU: f32 = 1.0 / std::f32::consts::TAU;
/// Added to a modulated phase before wrapping so it stays positive (|offset| ≤ 10/2π < 2).
const PHASE_LIFT: f32 = 4.0;

/// One sample of a band-limited waveform at phase `t` with phase increment `dt` (noise is
/// handled by the caller).
#[inline(always)]
pub(super) fn shape(wave: Waveform, t: f32, dt: f32) -> f32 {
    match wave {
        Waveform::Sine | Waveform::Noise => fast_sine(t),
        Waveform::Saw => 2.0 * t - 1.0 - poly_blep_smooth(t, 1.0 / dt.max(MIN_DT)),
        Waveform::Square => {
            let high = t < 0.5;
            let naive = if high { 1.0 } else { -1.0 };
            let t2 = if high { t + 0.5 } else { t - 0.5 };
            let inv_dt = 1.0 / dt.max(MIN_DT);
            naive + poly_blep_smooth(t, inv_dt) - poly_blep_smooth(t2, inv_dt)
        }
        Waveform::Triangle => {
            let (naive, t2) = if t < 0.5 {
                (4.0 * t - 1.0, t + 0.5)
            } else {
                (3.0 - 4.0 * t, t - 0.5)
            };
            naive + 4.0 * dt * (poly_blamp(t, dt) - poly_blamp(t2, dt))
        }
    }
}

/// Fills `out` with `osc` phase-modulated by a sine at `ratio` × its frequency, whose phase
/// is `mod_phase` (advanced here); `index` is the modulation index through the block, read
/// from frame `at`. `freq` and `freq_step` as for [`Oscillator::fill`]. Noise is not
/// modulated.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub fn fill_phase_modulated(
    osc: &mut Oscillator,
    wave: Waveform,
    freq: f32,
    freq_step: f32,
    sample_rate: f32,
    (ratio, index, at): (f32, &Ramp, usize),
    mod_phase: &mut f32,
    out: &mut [f32],
) {
    if wave == Waveform::Noise {
        osc.fill(wave, freq, freq_step, sample_rate, out);
        return;
    }
    let inv = 1.0 / sample_rate;
    let dt0 = freq * inv;
    let ddt = freq_step * inv;
    let t0 = osc.phase();
    let m0 = *mod_phase;
    let dm0 = dt0 * ratio;
    let ddm = ddt * ratio;
    let index_start = index.at(at);
    for (o, &fi) in out.iter_mut().zip(FRAME_INDEX.iter()) {
        let dt = (dt0 + fi * ddt).clamp(0.0, 0.49);
        let ramp = 0.5 * fi * (fi - 1.0);
        let raw = t0 + fi * dt0 + ramp * ddt;
        let tm = fract_of_non_negative(m0 + fi * dm0 + ramp * ddm);
        let i = index_start + fi * index.step;
        let t = fract_of_non_negative(raw + i * INV_TAU * fast_sine(tm) + PHASE_LIFT);
        let cos = fast_sine(fract_of_non_negative(tm + 0.25));
        let inst_dt = (dt * (1.0 + i * ratio * cos)).abs().min(0.49);
        *o = shape(wave, t, inst_dt);
    }
    let n = out.len() as f32;
    let ramp = 0.5 * n * (n - 1.0);
    osc.set_phase(t0 + n * dt0 + ramp * ddt);
    let end = m0 + n * dm0 + ramp * ddm;
    *mod_phase = (end - end.floor()).clamp(0.0, 0.999_999_9);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_zero_is_the_plain_oscillator() {
        for wave in [
            Waveform::Sine,
            Waveform::Saw,
            Waveform::Square,
            Waveform::Triangle,
        ] {
            let mut plain = Oscillator::new(3);
            let mut modulated = Oscillator::new(3);
            let mut phase = 0.0;
            let (mut a, mut b) = ([0.0f32; 64], [0.0f32; 64]);
            for _ in 0..10 {
                plain.fill(wave, 331.0, 0.0, 44_100.0, &mut a);
                fill_phase_modulated(
                    &mut modulated,
                    wave,
                    331.0,
                    0.0,
                    44_100.0,
                    (2.0, &Ramp::constant(0.0), 0),
                    &mut phase,
                    &mut b,
                );
                for (x, y) in a.iter().zip(b.iter()) {
                    assert!((x - y).abs() < 1e-2, "{wave:?}: {x} vs {y}");
                }
            }
        }
    }
}
