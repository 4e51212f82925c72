//! Command-to-sound latency through the real live pipeline: one command at a time goes into
//! the command ring at a random moment, and the meters say when the first frame of the block
//! that carries it was played, split into queue wait, render, and ring/device buffering.
//!
//! Runs on the caller's thread (plus the pipeline's own threads). Timing claims live here,
//! never in tests.

use super::stats::Summary;
use crate::engine::command::{Command, StampedCommand};
use crate::engine::params::ParamId;
use crate::engine::BLOCK_FRAMES;
use crate::rt::{AudioConfig, LiveAudio, LiveAudioError};
use serde::Serialize;
use std::time::{Duration, Instant};

/// What the latency benchmark measured.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LatencyReport {
    /// The output the pipeline played to (`null` or the device).
    pub output: String,
    /// Frames per device buffer.
    pub buffer_frames: u32,
    /// Blocks of safety the worker kept beyond one device buffer at the end (the adaptive
    /// margin, or `--target-fill`).
    pub target_fill_blocks: usize,
    /// Why the margin last changed (`fixed` with `--target-fill`).
    pub margin_why: String,
    /// The DSP workers' scheduling (`fifo` or `normal`).
    pub rt: String,
    /// Blocks the worker keeps ready: one device buffer plus the target fill.
    pub ring_target_blocks: usize,
    /// The goal for the median: the ring target plus one block, in ms.
    pub bound_ms: f64,
    /// Commands whose latency was measured.
    pub commands: usize,
    /// Commands whose block was not seen within a second (should be 0).
    pub lost: usize,
    /// Sent to first frame played, ms.
    pub total_ms: Summary,
    /// Sent to taken by the worker at a block start, ms.
    pub queue_ms: Summary,
    /// The render of the block that carries it, ms.
    pub render_ms: Summary,
    /// Pushed into the audio ring to its first frame played (ring, then device buffer), ms.
    pub buffer_ms: Summary,
    /// Whether the median total is within `bound_ms`.
    pub median_within_bound: bool,
}

/// A small xorshift generator: random waits without a dependency.
pub(crate) struct XorShift(pub(crate) u64);

impl XorShift {
    /// The next value in `0..1`.
    pub(crate) fn unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Starts the pipeline described by `config`, plays a tone, then sends `commands` volume
/// changes one at a time, each at a random moment within two device buffers of the last one
/// being heard, and times each.
pub fn measure_latency(
    config: &AudioConfig,
    commands: usize,
) -> Result<LatencyReport, LiveAudioError> {
    let audio = LiveAudio::start(config)?;
    let send = |command: Command| {
        let _ = audio.commands.push(StampedCommand {
            command,
            sent_ns: audio.meters.now_ns(),
        });
    };
    send(Command::Set {
        param: ParamId::OscWave,
        value: 1.0,
    });
    send(Command::Gate { on: true });
    std::thread::sleep(Duration::from_millis(200));
    let buffer_frames = audio.meters.device_buffer_frames();
    let sample_rate = f64::from(config.sample_rate);
    let block_ms = BLOCK_FRAMES as f64 * 1000.0 / sample_rate;
    let buffer_period = Duration::from_secs_f64(f64::from(buffer_frames.max(1)) / sample_rate);
    let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
    let (mut total, mut queue, mut render, mut buffer) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut lost = 0;
    for i in 0..commands {
        std::thread::sleep(buffer_period.mul_f64(2.0 * rng.unit()));
        let (before, _) = audio.meters.last_latency_parts();
        send(Command::Set {
            param: ParamId::AmpGain,
            value: if i % 2 == 0 { -7.0 } else { -6.0 },
        });
        let deadline = Instant::now() + Duration::from_secs(1);
        let parts = loop {
            let (count, parts) = audio.meters.last_latency_parts();
            if count > before {
                break Some(parts);
            }
            if Instant::now() > deadline {
                break None;
            }
            std::thread::sleep(Duration::from_micros(100));
        };
        let Some(parts) = parts else {
            lost += 1;
            continue;
        };
        let ms = |ns: u64| ns as f64 / 1e6;
        total.push(ms(parts.total_ns()));
        queue.push(ms(parts.queue_ns));
        render.push(ms(parts.render_ns));
        buffer.push(ms(parts.buffer_ns));
    }
    let output = audio.output_name.clone();
    let meters = audio.meters.snapshot();
    audio.stop();
    let target_fill = match meters.margin {
        0 => config.supervisor_config().target_fill,
        m => m as usize,
    };
    let ring_target = target_fill + (buffer_frames as usize).div_ceil(BLOCK_FRAMES);
    let bound_ms = (ring_target + 1) as f64 * block_ms;
    let total_ms = Summary::of(&total);
    Ok(LatencyReport {
        output,
        buffer_frames,
        target_fill_blocks: target_fill,
        margin_why: meters.margin_why.to_string(),
        rt: meters.rt.to_string(),
        ring_target_blocks: ring_target,
        bound_ms,
        commands: total.len(),
        lost,
        total_ms,
        queue_ms: Summary::of(&queue),
        render_ms: Summary::of(&render),
        buffer_ms: Summary::of(&buffer),
        median_within_bound: total_ms.count > 0 && total_ms.median <= bound_ms,
    })
}
