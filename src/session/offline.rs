//! Offline rendering: the same `Engine::render` as live playback, driven by the caller's thread
//! with no clock and no other threads, then written to WAV with `hound`.
//!
//! Deterministic: the same commands at the same frames give the same bytes.

use crate::engine::command::Command;
use crate::engine::{Engine, BLOCK_FRAMES, BLOCK_SAMPLES, CHANNELS};
use std::path::Path;

/// A command to apply at a given frame (applied at the start of the block holding that frame).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimedCommand {
    /// Frame offset from the start of the render.
    pub frame: u64,
    /// The command.
    pub command: Command,
}

/// Renders `frames` frames of interleaved stereo, applying `commands` (sorted by frame) at the
/// start of the block that contains their frame. Calls `progress(done, total)` now and then.
pub fn render_frames(
    engine: &mut Engine,
    commands: &[TimedCommand],
    frames: u64,
    mut progress: impl FnMut(u64, u64),
) -> Vec<f32> {
    let mut out = Vec::with_capacity(frames as usize * CHANNELS);
    let mut block = [0.0f32; BLOCK_SAMPLES];
    let mut next = 0;
    let mut done = 0u64;
    while done < frames {
        let block_end = done + BLOCK_FRAMES as u64;
        while next < commands.len() && commands[next].frame < block_end {
            engine.apply(commands[next].command);
            next += 1;
        }
        let n = (frames - done).min(BLOCK_FRAMES as u64) as usize;
        engine.render(&mut block);
        out.extend_from_slice(&block[..n * CHANNELS]);
        done += n as u64;
        if done.is_multiple_of(BLOCK_FRAMES as u64 * 1024) || done == frames {
            progress(done, frames);
        }
    }
    out
}

/// Errors writing a WAV file.
#[derive(Debug, thiserror::Error)]
pub enum WavError {
    /// hound could not create or write the file.
    #[error("could not write {path}: {source}")]
    Write {
        /// The file.
        path: String,
        /// The cause.
        source: hound::Error,
    },
}

/// Writes interleaved stereo f32 samples as a 32-bit float WAV file.
pub fn write_wav(path: &Path, samples: &[f32], sample_rate: u32) -> Result<(), WavError> {
    let err = |source| WavError::Write {
        path: path.display().to_string(),
        source,
    };
    let spec = hound::WavSpec {
        channels: CHANNELS as u16,
        sample_rate,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut writer = hound::WavWriter::create(path, spec).map_err(err)?;
    for &s in samples {
        writer.write_sample(s).map_err(err)?;
    }
    writer.finalize().map_err(err)
}
