//! Reading captured audio and finding gaps in a tone (test thread).

use std::fs;
use std::path::Path;

/// Reads a raw little-endian f32 file (an ALSA `file` PCM's capture).
pub fn read_raw_f32(path: &Path) -> Vec<f32> {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// Reads a raw little-endian i32 file, scaled to -1.0..1.0.
pub fn read_raw_i32(path: &Path) -> Vec<f32> {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    bytes
        .chunks_exact(4)
        .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f32 / i32::MAX as f32)
        .collect()
}

/// Index of the first sample louder than `threshold`.
pub fn first_sound(x: &[f32], threshold: f32) -> Option<usize> {
    x.iter().position(|s| s.abs() > threshold)
}

/// Length and start of the longest run of samples at or below `threshold`.
pub fn longest_quiet_run(x: &[f32], threshold: f32) -> (usize, usize) {
    let (mut best, mut best_start, mut run) = (0, 0, 0);
    for (i, s) in x.iter().enumerate() {
        if s.abs() <= threshold {
            run += 1;
            if run > best {
                best = run;
                best_start = i + 1 - run;
            }
        } else {
            run = 0;
        }
    }
    (best, best_start)
}

/// The smallest peak level over any `window` consecutive samples, and where that window
/// starts. For a steady tone and a `window` of at least half its period this stays at the
/// tone's amplitude; a dropout (even one faded-out block) pulls it far down.
pub fn lowest_window_peak(x: &[f32], window: usize) -> (f32, usize) {
    let window = window.max(1);
    x.windows(window)
        .map(|w| w.iter().fold(0.0f32, |m, s| m.max(s.abs())))
        .enumerate()
        .fold(
            (f32::INFINITY, 0),
            |(low, at), (i, p)| {
                if p < low {
                    (p, i)
                } else {
                    (low, at)
                }
            },
        )
}
