//! Resonant state-variable filter (topology-preserving transform, after Zavalishin/Simper).
//!
//! Runs on the DSP worker thread. Stable for every cutoff from 20 Hz to 20 kHz and resonance
//! from 0 to 1 because the cutoff is kept below Nyquist and damping never reaches zero.

use super::params::FilterMode;
use super::BLOCK_FRAMES;

/// How many filters [`process_lanes`] runs side by side.
pub const LANES: usize = 8;

/// A two-pole SVF with low-, high-, band-pass and notch outputs.
///
/// The TPT update is kept in its equivalent state-space form `s' = M s + b x`, whose
/// loop-carried path is one multiply-add per state instead of the textbook's chain of four,
/// so a block runs about twice as fast.
#[derive(Clone, Debug, Default)]
pub struct Svf {
    ic1eq: f32,
    ic2eq: f32,
    k: f32,
    m11: f32,
    m12: f32,
    m21: f32,
    m22: f32,
    b1: f32,
    b2: f32,
}

impl Svf {
    /// A filter with zero state and zero coefficients: silence in, silence out.
    pub const ZERO: Svf = Svf {
        ic1eq: 0.0,
        ic2eq: 0.0,
        k: 0.0,
        m11: 0.0,
        m12: 0.0,
        m21: 0.0,
        m22: 0.0,
        b1: 0.0,
        b2: 0.0,
    };

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
        let g = (std::f32::consts::PI * fc / sample_rate).tan();
        // Q from 0.5 (res 0) up to ~25 (res 1): damping k = 1/Q never reaches zero.
        self.k = 2.0 - 1.96 * res.clamp(0.0, 1.0);
        let a1 = 1.0 / (1.0 + g * (g + self.k));
        let a2 = g * a1;
        let a3 = g * a2;
        // ic1' = 2 v1 - ic1 and ic2' = 2 v2 - ic2 with v1, v2 expanded.
        self.m11 = 2.0 * a1 - 1.0;
        self.m12 = -2.0 * a2;
        self.b1 = 2.0 * a2;
        self.m21 = 2.0 * a2;
        self.m22 = 1.0 - 2.0 * a3;
        self.b2 = 2.0 * a3;
    }

    /// Filters one sample.
    #[inline]
    pub fn process(&mut self, x: f32, mode: FilterMode) -> f32 {
        let (s1, s2) = (self.ic1eq, self.ic2eq);
        let n1 = self.m11 * s1 + self.m12 * s2 + self.b1 * x;
        let n2 = self.m21 * s1 + self.m22 * s2 + self.b2 * x;
        self.ic1eq = n1;
        self.ic2eq = n2;
        let v1 = 0.5 * (s1 + n1);
        let v2 = 0.5 * (s2 + n2);
        match mode {
            FilterMode::Lowpass => v2,
            FilterMode::Bandpass => v1,
            FilterMode::Highpass => x - self.k * v1 - v2,
            FilterMode::Notch => x - self.k * v1,
        }
    }

    /// Filters a block in place with the present coefficients (the mode is chosen once).
    pub fn process_block(&mut self, buf: &mut [f32], mode: FilterMode) {
        let (m11, m12, m21, m22, b1, b2, k) = (
            self.m11, self.m12, self.m21, self.m22, self.b1, self.b2, self.k,
        );
        let (mut s1, mut s2) = (self.ic1eq, self.ic2eq);
        macro_rules! run {
            (|$x:ident, $v1:ident, $v2:ident| $out:expr) => {
                for s in buf.iter_mut() {
                    let $x = *s;
                    let n1 = m11 * s1 + m12 * s2 + b1 * $x;
                    let n2 = m21 * s1 + m22 * s2 + b2 * $x;
                    let $v1 = 0.5 * (s1 + n1);
                    let $v2 = 0.5 * (s2 + n2);
                    s1 = n1;
                    s2 = n2;
                    *s = $out;
                }
            };
        }
        match mode {
            FilterMode::Lowpass => run!(|_x, _v1, v2| v2),
            FilterMode::Bandpass => run!(|_x, v1, _v2| v1),
            FilterMode::Highpass => run!(|x, v1, v2| x - k * v1 - v2),
            FilterMode::Notch => run!(|x, v1, _v2| x - k * v1),
        }
        self.ic1eq = s1;
        self.ic2eq = s2;
    }

    /// Output weights `[lowpass, bandpass, input]` that pick this mode's output from the
    /// filter's two states: highpass is `x - k·bandpass - lowpass`.
    pub fn mode_weights(&self, mode: FilterMode) -> [f32; 3] {
        match mode {
            FilterMode::Lowpass => [1.0, 0.0, 0.0],
            FilterMode::Bandpass => [0.0, 1.0, 0.0],
            FilterMode::Highpass => [-1.0, -self.k, 1.0],
            FilterMode::Notch => [0.0, -self.k, 1.0],
        }
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

/// Runs [`LANES`] filters side by side over frames `from..to` of their buffers, each lane
/// with its own coefficients and mode weights ([`Svf::mode_weights`]). Same results as
/// [`Svf::process_block`] per lane. The input is first turned frame-major (all lanes of one
/// frame side by side), so each frame's update is a handful of vector operations across the
/// lanes, and the lanes' dependency chains overlap: eight voices cost little more than one.
#[allow(clippy::needless_range_loop)] // frames × lanes: both indexes address `buf`.
#[inline(always)]
pub fn process_lanes(
    filters: &mut [Svf; LANES],
    weights: &[[f32; 3]; LANES],
    buf: &mut [[f32; BLOCK_FRAMES]; LANES],
    from: usize,
    to: usize,
) {
    let to = to.min(BLOCK_FRAMES);
    if from >= to {
        return;
    }
    let get = |f: fn(&Svf) -> f32| -> [f32; LANES] { std::array::from_fn(|l| f(&filters[l])) };
    let (m11, m12, m21, m22) = (
        get(|f| f.m11),
        get(|f| f.m12),
        get(|f| f.m21),
        get(|f| f.m22),
    );
    let (b1, b2) = (get(|f| f.b1), get(|f| f.b2));
    let (mut s1, mut s2) = (get(|f| f.ic1eq), get(|f| f.ic2eq));
    // The output `w0·v2 + w1·v1 + w2·x`, with v1 = (s1 + n1)/2 and v2 = (s2 + n2)/2 expanded,
    // is one weighted sum of the old states and the input: three products, not five.
    let c1: [f32; LANES] = std::array::from_fn(|l| {
        let [w0, w1, _] = weights[l];
        0.5 * (w1 * (1.0 + m11[l]) + w0 * m21[l])
    });
    let c2: [f32; LANES] = std::array::from_fn(|l| {
        let [w0, w1, _] = weights[l];
        0.5 * (w1 * m12[l] + w0 * (1.0 + m22[l]))
    });
    let c3: [f32; LANES] = std::array::from_fn(|l| {
        let [w0, w1, w2] = weights[l];
        0.5 * (w1 * b1[l] + w0 * b2[l]) + w2
    });
    // Chunks of `CHUNK` frames keep the frame-major copy small (it is zeroed on every call).
    const CHUNK: usize = 16;
    let mut chunk = [[0.0f32; LANES]; CHUNK];
    let mut start = from;
    while start < to {
        let end = (start + CHUNK).min(to);
        let frames = &mut chunk[..end - start];
        for (i, frame) in frames.iter_mut().enumerate() {
            for l in 0..LANES {
                frame[l] = buf[l][start + i];
            }
        }
        for frame in frames.iter_mut() {
            let x = *frame;
            let mut y = [0.0f32; LANES];
            for l in 0..LANES {
                let n1 = m11[l] * s1[l] + m12[l] * s2[l] + b1[l] * x[l];
                let n2 = m21[l] * s1[l] + m22[l] * s2[l] + b2[l] * x[l];
                y[l] = c1[l] * s1[l] + c2[l] * s2[l] + c3[l] * x[l];
                s1[l] = n1;
                s2[l] = n2;
            }
            *frame = y;
        }
        for (i, frame) in frames.iter().enumerate() {
            for l in 0..LANES {
                buf[l][start + i] = frame[l];
            }
        }
        start = end;
    }
    for (l, f) in filters.iter_mut().enumerate() {
        f.ic1eq = s1[l];
        f.ic2eq = s2[l];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_match_one_filter_at_a_time() {
        let modes: [FilterMode; LANES] = std::array::from_fn(|l| {
            [
                FilterMode::Lowpass,
                FilterMode::Highpass,
                FilterMode::Bandpass,
            ][l % 3]
        });
        let mut lanes: [Svf; LANES] = std::array::from_fn(|_| Svf::new());
        let mut single: [Svf; LANES] = std::array::from_fn(|_| Svf::new());
        for l in 0..LANES {
            let res = (l % 5) as f32 * 0.25;
            lanes[l].set(300.0 * (l + 1) as f32, res, 44_100.0);
            single[l].set(300.0 * (l + 1) as f32, res, 44_100.0);
        }
        let weights: [[f32; 3]; LANES] = std::array::from_fn(|l| lanes[l].mode_weights(modes[l]));
        let input = |l: usize, i: usize| (((i * (7 + l)) % 23) as f32 - 11.0) / 11.0;
        let mut buf = [[0.0f32; BLOCK_FRAMES]; LANES];
        for (l, b) in buf.iter_mut().enumerate() {
            for (i, s) in b.iter_mut().enumerate() {
                *s = input(l, i);
            }
        }
        process_lanes(&mut lanes, &weights, &mut buf, 0, 40);
        process_lanes(&mut lanes, &weights, &mut buf, 40, BLOCK_FRAMES);
        for (l, lane) in buf.iter().enumerate() {
            for (i, got) in lane.iter().enumerate() {
                let want = single[l].process(input(l, i), modes[l]);
                assert!((got - want).abs() < 1e-5, "lane {l} frame {i}");
            }
        }
    }

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
