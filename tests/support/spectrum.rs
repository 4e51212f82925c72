//! FFT helpers for audio tests (test thread only).
#![allow(dead_code)]

use rustfft::{num_complex::Complex, FftPlanner};

/// Power spectrum (|X|^2) of a Hann-windowed frame; bin k is k * rate / n Hz.
pub fn power_spectrum(x: &[f32]) -> Vec<f64> {
    let n = x.len();
    let mut buf: Vec<Complex<f64>> = x
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let w = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / n as f64).cos();
            Complex::new(f64::from(*s) * w, 0.0)
        })
        .collect();
    FftPlanner::new().plan_fft_forward(n).process(&mut buf);
    buf[..n / 2].iter().map(|c| c.norm_sqr()).collect()
}

/// Energy in bins within `width` bins of `freq`.
pub fn band_energy(spec: &[f64], freq: f64, rate: f64, n: usize, width: usize) -> f64 {
    let centre = (freq * n as f64 / rate).round() as usize;
    let lo = centre.saturating_sub(width);
    let hi = (centre + width + 1).min(spec.len());
    spec[lo..hi].iter().sum()
}

/// Fraction of the energy (in dB) that is NOT at harmonics of `f0`: the alias floor.
pub fn inharmonic_db(x: &[f32], f0: f64, rate: f64) -> f64 {
    let n = x.len();
    let spec = power_spectrum(x);
    let total: f64 = spec.iter().skip(3).sum();
    let mut harmonic = 0.0;
    let mut k = 1.0;
    while k * f0 < rate / 2.0 - 2.0 * rate / n as f64 {
        harmonic += band_energy(&spec, k * f0, rate, n, 4);
        k += 1.0;
    }
    10.0 * ((total - harmonic).max(1e-30) / total).log10()
}
