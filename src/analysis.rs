//! Measuring rendered audio: frequency, level, steps and clicks.
//!
//! Used by tests, `chronus bench` and soak runs on ordinary (non-real-time) threads.

/// The left channel of interleaved stereo.
pub fn left(interleaved: &[f32]) -> Vec<f32> {
    interleaved.iter().step_by(2).copied().collect()
}

/// Peak absolute sample value.
pub fn peak(x: &[f32]) -> f32 {
    x.iter().fold(0.0f32, |m, s| m.max(s.abs()))
}

/// Root mean square.
pub fn rms(x: &[f32]) -> f32 {
    if x.is_empty() {
        return 0.0;
    }
    (x.iter().map(|s| f64::from(*s) * f64::from(*s)).sum::<f64>() / x.len() as f64).sqrt() as f32
}

/// Largest absolute difference between neighbouring samples.
pub fn max_step(x: &[f32]) -> f32 {
    x.windows(2).fold(0.0f32, |m, w| m.max((w[1] - w[0]).abs()))
}

/// Estimates the fundamental of a periodic signal from its rising zero crossings, interpolated
/// between samples. Accurate to a small fraction of a hertz over a second of a clean tone.
pub fn estimate_frequency(x: &[f32], sample_rate: u32) -> Option<f32> {
    let mut first = None;
    let mut last = 0.0f64;
    let mut count = 0u64;
    for (i, w) in x.windows(2).enumerate() {
        if w[0] < 0.0 && w[1] >= 0.0 {
            let frac = f64::from(-w[0]) / f64::from(w[1] - w[0]);
            let t = i as f64 + frac;
            if first.is_none() {
                first = Some(t);
            } else {
                count += 1;
            }
            last = t;
        }
    }
    let first = first?;
    if count == 0 {
        return None;
    }
    Some((count as f64 * f64::from(sample_rate) / (last - first)) as f32)
}

/// Finds clicks: samples whose step from the previous sample is far above the local signal's
/// typical step (`ratio` times the RMS step over the surrounding `window` samples, plus a floor
/// of `floor`). Returns the indexes of the clicks.
pub fn find_clicks(x: &[f32], window: usize, ratio: f32, floor: f32) -> Vec<usize> {
    if x.len() < 3 {
        return Vec::new();
    }
    let d: Vec<f32> = x.windows(2).map(|w| w[1] - w[0]).collect();
    // Running sum of squared steps for a centred window.
    let mut prefix = Vec::with_capacity(d.len() + 1);
    prefix.push(0.0f64);
    for v in &d {
        let last = *prefix.last().unwrap_or(&0.0);
        prefix.push(last + f64::from(*v) * f64::from(*v));
    }
    let half = window.max(4) / 2;
    let mut clicks = Vec::new();
    for (i, v) in d.iter().enumerate() {
        let lo = i.saturating_sub(half);
        let hi = (i + half + 1).min(d.len());
        let n = (hi - lo - 1).max(1) as f64;
        // Exclude the step itself from its own neighbourhood.
        let energy = prefix[hi] - prefix[lo] - f64::from(*v) * f64::from(*v);
        let local = (energy.max(0.0) / n).sqrt() as f32;
        if v.abs() > ratio * local + floor {
            clicks.push(i + 1);
        }
    }
    clicks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f32, secs: f32) -> Vec<f32> {
        (0..(secs * 44_100.0) as usize)
            .map(|i| (i as f32 * freq * std::f32::consts::TAU / 44_100.0).sin() * 0.5)
            .collect()
    }

    #[test]
    fn frequency_of_a_known_sine() {
        let f = estimate_frequency(&sine(440.0, 1.0), 44_100).unwrap_or(0.0);
        assert!((f - 440.0).abs() < 0.05, "{f}");
        assert_eq!(estimate_frequency(&[0.0; 100], 44_100), None);
    }

    #[test]
    fn the_click_detector_finds_a_step_and_ignores_a_clean_tone() {
        let mut x = sine(440.0, 0.2);
        assert!(find_clicks(&x, 64, 8.0, 0.01).is_empty());
        x[4000] += 0.4;
        let clicks = find_clicks(&x, 64, 8.0, 0.01);
        assert!(clicks.contains(&4000), "{clicks:?}");
    }

    #[test]
    fn levels() {
        let x = sine(100.0, 1.0);
        assert!((peak(&x) - 0.5).abs() < 1e-3);
        assert!((rms(&x) - 0.5 / 2f32.sqrt()).abs() < 1e-3);
        assert!(max_step(&[0.0, 0.5, 0.2]) == 0.5);
    }
}
