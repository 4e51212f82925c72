//! Hard sync: osc2 restarts its cycle whenever osc1's cycle restarts. Every jump of the
//! synced wave (the restart itself and its own saw/square edges) gets a two-sample PolyBLEP
//! placed at the exact fractional time of the jump, so a synced saw stays band-limited.
//!
//! Runs on the DSP worker thread: fixed state, no allocation. The loop carries osc2's phase
//! from sample to sample (a restart depends on where osc1 is), so it does not vectorise; it
//! only runs while `sync.on` is set.

use super::oscillator::{fast_sine, Oscillator};
use super::params::Waveform;

/// The naive (not band-limited) waveform at phase `t`.
#[inline(always)]
fn naive(wave: Waveform, t: f32) -> f32 {
    match wave {
        Waveform::Sine | Waveform::Noise => fast_sine(t),
        Waveform::Saw => 2.0 * t - 1.0,
        Waveform::Square => {
            if t < 0.5 {
                1.0
            } else {
                -1.0
            }
        }
        Waveform::Triangle => {
            if t < 0.5 {
                4.0 * t - 1.0
            } else {
                3.0 - 4.0 * t
            }
        }
    }
}

/// The edges a waveform jumps at by itself: (phase, height of the jump).
fn own_edges(wave: Waveform) -> &'static [(f32, f32)] {
    match wave {
        Waveform::Saw => &[(1.0, -2.0)],
        Waveform::Square => &[(0.5, -2.0), (1.0, 2.0)],
        _ => &[],
    }
}

/// The master oscillator (osc1) over a block: its phase at the block's start and its phase
/// increment and the change of that increment per frame (cycles).
#[derive(Clone, Copy, Debug)]
pub struct Master {
    /// Phase at frame 0.
    pub phase: f32,
    /// Phase increment at frame 0.
    pub dt: f32,
    /// Change of the increment per frame.
    pub ddt: f32,
}

impl Master {
    /// Unwrapped phase at frame `i`.
    #[inline(always)]
    fn at(&self, i: f32) -> f32 {
        self.phase + i * self.dt + 0.5 * i * (i - 1.0) * self.ddt
    }
}

/// Fills `out` with `osc` at `freq` (+ `freq_step` per frame) restarted at every cycle of
/// `master`. `carry` holds the second half of a PolyBLEP that falls into the next block.
#[allow(clippy::too_many_arguments)]
pub fn fill_synced(
    osc: &mut Oscillator,
    wave: Waveform,
    freq: f32,
    freq_step: f32,
    sample_rate: f32,
    master: Master,
    carry: &mut f32,
    out: &mut [f32],
) {
    let inv = 1.0 / sample_rate;
    let mut t = osc.phase();
    let edges = own_edges(wave);
    for (i, o) in out.iter_mut().enumerate() {
        let fi = i as f32;
        let dt = ((freq + fi * freq_step) * inv).clamp(0.0, 0.49);
        let (m_now, m_next) = (master.at(fi), master.at(fi + 1.0));
        // Where in this sample interval (0..1) osc1 restarts, if it does.
        let restart = if m_next.floor() > m_now.floor() && m_next > m_now {
            ((m_next.floor() - m_now) / (m_next - m_now)).clamp(0.0, 1.0)
        } else {
            2.0
        };
        let mut v = naive(wave, t) + *carry;
        let mut next_carry = 0.0;
        // The waveform's own edges that come before the restart.
        if dt > 0.0 {
            for &(edge, height) in edges {
                let d = (edge - t) / dt;
                if edge > t && d < 1.0 && d < restart {
                    v += 0.5 * height * (1.0 - d) * (1.0 - d);
                    next_carry -= 0.5 * height * d * d;
                }
            }
        }
        if restart <= 1.0 {
            let at_restart = t + restart * dt;
            let before = naive(wave, at_restart - at_restart.floor());
            let height = naive(wave, 0.0) - before;
            v += 0.5 * height * (1.0 - restart) * (1.0 - restart);
            next_carry -= 0.5 * height * restart * restart;
            t = (1.0 - restart) * dt;
        } else {
            t += dt;
            if t >= 1.0 {
                t -= 1.0;
            }
        }
        *o = v;
        *carry = next_carry;
    }
    osc.set_phase(t);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_synced_oscillator_restarts_with_its_master() {
        // osc2 at 2.5 × the master: every master cycle holds two and a half saw cycles,
        // cut short, so the output repeats at the master's period exactly.
        let sr = 48_000.0;
        let master_hz = 480.0; // 100 samples a cycle
        let mut osc = Oscillator::new(1);
        let mut carry = 0.0;
        let mut out = vec![0.0f32; 1000];
        let mut master = Master {
            phase: 0.0,
            dt: master_hz / sr,
            ddt: 0.0,
        };
        for chunk in out.chunks_mut(50) {
            fill_synced(
                &mut osc,
                Waveform::Saw,
                master_hz * 2.5,
                0.0,
                sr,
                master,
                &mut carry,
                chunk,
            );
            master.phase = (master.at(50.0)).fract();
        }
        for i in 200..900 {
            assert!(
                (out[i] - out[i + 100]).abs() < 0.05,
                "frame {i}: {} vs {}",
                out[i],
                out[i + 100]
            );
        }
        assert!(out.iter().all(|s| s.abs() <= 1.2), "no overshoot");
    }
}
