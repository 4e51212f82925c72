//! Voice filters in lanes: up to eight voices' filters run side by side, each lane with its
//! own cutoff ramp, envelope modulation and mode.
//!
//! Runs on the DSP worker thread: fixed-size arrays, no allocation. Coefficients (one `tan`
//! and one `exp2`) are recomputed at most every [`FILTER_UPDATE_FRAMES`] frames per lane, and
//! only while that lane's cutoff or resonance moves.

use super::filter::{process_lanes, Svf, LANES};
use super::params::FilterMode;
use super::smoother::Ramp;
use super::BLOCK_FRAMES;

/// Filter coefficients are recomputed at most once per this many frames, and only while the
/// cutoff or resonance moves.
pub const FILTER_UPDATE_FRAMES: usize = 16;

/// A voice's filter while the pool runs eight of them side by side.
#[derive(Clone, Debug)]
pub struct FilterLane {
    pub(crate) svf: Svf,
    pub(crate) coeff_cutoff: f32,
    pub(crate) coeff_res: f32,
    pub(crate) env_mod: f32,
    pub(crate) log_cutoff: Ramp,
    pub(crate) res: Ramp,
    pub(crate) mode: FilterMode,
    pub(crate) live: bool,
}

impl FilterLane {
    /// An unused lane: silent in, silent out, no coefficient work.
    pub const IDLE: FilterLane = FilterLane {
        svf: Svf::ZERO,
        coeff_cutoff: 0.0,
        coeff_res: 0.0,
        env_mod: 0.0,
        log_cutoff: Ramp {
            start: 0.0,
            step: 0.0,
        },
        res: Ramp {
            start: 0.0,
            step: 0.0,
        },
        mode: FilterMode::Lowpass,
        live: false,
    };
}

/// Filters `n` frames of up to eight voices side by side. Coefficients are recomputed per
/// lane at most every [`FILTER_UPDATE_FRAMES`] frames, and only when that lane's cutoff
/// (with its envelope) or resonance moved.
#[inline(always)]
pub fn filter_lanes(
    lanes: &mut [FilterLane; LANES],
    sig: &mut [[f32; BLOCK_FRAMES]; LANES],
    env: &[[f32; BLOCK_FRAMES]; LANES],
    at: usize,
    n: usize,
    sample_rate: f32,
) {
    let mut i = 0;
    while i < n {
        let end = (i + FILTER_UPDATE_FRAMES).min(n);
        for (l, lane) in lanes.iter_mut().enumerate() {
            if !lane.live {
                continue;
            }
            let lc = lane.log_cutoff.at(at + i) + env[l][i] * lane.env_mod;
            let res = lane.res.at(at + i);
            // Recompute only when the cutoff moved audibly (a thousandth of an octave).
            if !((lc - lane.coeff_cutoff).abs() < 1e-3 && (res - lane.coeff_res).abs() < 1e-4) {
                lane.svf.set(lc.exp2(), res, sample_rate);
                lane.coeff_cutoff = lc;
                lane.coeff_res = res;
            }
        }
        let mut filters: [Svf; LANES] = std::array::from_fn(|l| lanes[l].svf.clone());
        let weights: [[f32; 3]; LANES] =
            std::array::from_fn(|l| lanes[l].svf.mode_weights(lanes[l].mode));
        process_lanes(&mut filters, &weights, sig, i, end);
        for (lane, f) in lanes.iter_mut().zip(filters) {
            lane.svf = f;
        }
        i = end;
    }
}
