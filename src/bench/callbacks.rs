//! Callback jitter and DSP load of the live pipeline at several device buffer sizes, while
//! sixteen held voices play through every effect.
//!
//! Runs on the caller's thread (plus the pipeline's own threads). Timing claims live here,
//! never in tests.

use super::realtime::held_chord_commands;
use crate::engine::command::StampedCommand;
use crate::engine::voice_pool::DEFAULT_VOICES;
use crate::engine::BLOCK_FRAMES;
use crate::rt::{AudioConfig, LiveAudio, LiveAudioError};
use serde::Serialize;
use std::time::{Duration, Instant};

/// The device buffer sizes measured by default, in frames.
pub const CALLBACK_BUFFERS: [u32; 3] = [64, 128, 256];

/// One buffer size's measurements.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CallbackReport {
    /// The output played to.
    pub output: String,
    /// Frames per device buffer.
    pub buffer_frames: u32,
    /// Seconds measured.
    pub seconds: f64,
    /// Callbacks in that time.
    pub callbacks: u64,
    /// The nominal callback period, ms.
    pub period_ms: f64,
    /// Mean |interval - period|, ms.
    pub jitter_mean_ms: f64,
    /// Largest |interval - period|, ms.
    pub jitter_max_ms: f64,
    /// Mean render time per block / block period, percent.
    pub dsp_load_mean_pct: f64,
    /// Largest single-block render time / block period, percent.
    pub dsp_load_peak_pct: f64,
    /// Underruns in that time.
    pub underruns: u64,
}

/// Plays [`DEFAULT_VOICES`] held notes through every effect on a pipeline built from `base`
/// with each of `buffers`, for `seconds` each, and reads jitter and load from the meters.
pub fn measure_callbacks(
    base: &AudioConfig,
    buffers: &[u32],
    seconds: f64,
) -> Result<Vec<CallbackReport>, LiveAudioError> {
    let mut out = Vec::new();
    for &frames in buffers {
        let config = AudioConfig {
            buffer_frames: Some(frames),
            ..base.clone()
        };
        let audio = LiveAudio::start(&config)?;
        for command in held_chord_commands(DEFAULT_VOICES, true) {
            let _ = audio.commands.push(StampedCommand {
                command,
                sent_ns: audio.meters.now_ns(),
            });
        }
        std::thread::sleep(Duration::from_millis(300));
        let before = audio.meters.snapshot();
        let totals_before = audio.meters.run_totals();
        let start = Instant::now();
        let window = Duration::from_secs_f64(seconds.max(0.05));
        let (mut jitter_max_ms, mut load_peak_pct) = (0.0f64, 0.0f64);
        while start.elapsed() < window {
            std::thread::sleep(Duration::from_millis(50));
            let s = audio.meters.snapshot();
            jitter_max_ms = jitter_max_ms.max(f64::from(s.callback_jitter_ms));
            load_peak_pct = load_peak_pct.max(f64::from(s.dsp_load_max_pct));
        }
        let elapsed = start.elapsed().as_secs_f64();
        let after = audio.meters.snapshot();
        let totals = audio.meters.run_totals();
        let buffer = audio.meters.device_buffer_frames();
        let rate = f64::from(config.sample_rate);
        let block_period_ns = BLOCK_FRAMES as f64 * 1e9 / rate;
        let rendered = totals.rendered_blocks - totals_before.rendered_blocks;
        let intervals = totals.intervals - totals_before.intervals;
        out.push(CallbackReport {
            output: audio.output_name.clone(),
            buffer_frames: buffer,
            seconds: elapsed,
            callbacks: after.callbacks - before.callbacks,
            period_ms: f64::from(buffer) * 1000.0 / rate,
            jitter_mean_ms: if intervals == 0 {
                0.0
            } else {
                (totals.jitter_ns - totals_before.jitter_ns) as f64 / intervals as f64 / 1e6
            },
            jitter_max_ms,
            dsp_load_mean_pct: if rendered == 0 {
                0.0
            } else {
                (totals.render_ns - totals_before.render_ns) as f64
                    / (rendered as f64 * block_period_ns)
                    * 100.0
            },
            dsp_load_peak_pct: load_peak_pct,
            underruns: after.underruns - before.underruns,
        });
        audio.stop();
    }
    Ok(out)
}
