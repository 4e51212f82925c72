//! The real-time pipeline: command ring → DSP worker → audio ring → output.
//!
//! `LiveAudio::start` runs on the control thread and builds everything (rings, engine, worker
//! thread, output) up front. After that the worker thread ("chronus-dsp") and the output
//! (cpal's audio thread or "chronus-null-out") talk only through rtrb rings and atomics.

pub mod block;
pub mod cpal_output;
pub mod guard;
pub mod meters;
pub mod null_output;
pub mod offline;
pub mod player;
pub mod worker;

use crate::engine::command::StampedCommand;
use crate::engine::{Engine, BLOCK_FRAMES};
use block::audio_ring;
use cpal_output::{CpalOutput, OutputError};
use meters::Meters;
use null_output::NullOutput;
use player::BlockPlayer;
use rtrb::{Producer, RingBuffer};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::Duration;
use worker::{wait_for_prefill, RenderLoop, WorkerThread};

/// Which output to play through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OutputChoice {
    /// The sound card; if it cannot be opened, say so once and use the null device.
    #[default]
    Auto,
    /// The sound card or an error.
    Device,
    /// The real-time-paced null device.
    Null,
}

/// Settings for the live pipeline, validated before anything starts.
#[derive(Clone, Debug, PartialEq)]
pub struct AudioConfig {
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Device buffer size in frames (`None` = device default; the null device uses 256).
    pub buffer_frames: Option<u32>,
    /// Device name for `--device`.
    pub device: Option<String>,
    /// Which output to use.
    pub output: OutputChoice,
    /// Blocks the worker keeps ready in the audio ring.
    pub target_fill: usize,
    /// Capacity of the audio ring in blocks.
    pub ring_capacity: usize,
    /// Capacity of the command ring.
    pub command_capacity: usize,
}

impl Default for AudioConfig {
    fn default() -> Self {
        AudioConfig {
            sample_rate: crate::engine::DEFAULT_SAMPLE_RATE,
            buffer_frames: None,
            device: None,
            output: OutputChoice::Auto,
            target_fill: 3,
            ring_capacity: 32,
            command_capacity: 1024,
        }
    }
}

/// The buffer size the null device uses when none is given.
pub const NULL_DEFAULT_BUFFER: u32 = 256;

/// The output that is playing.
pub enum ActiveOutput {
    /// A sound card through cpal.
    Device(CpalOutput),
    /// The paced null device.
    Null(NullOutput),
}

/// The running live pipeline.
pub struct LiveAudio {
    /// Shared meters.
    pub meters: Arc<Meters>,
    /// Where the control side sends commands.
    pub commands: Producer<StampedCommand>,
    /// A one-line notice for the user (e.g. why the null device is used), if any.
    pub notice: Option<String>,
    /// Name of the output in use.
    pub output_name: String,
    worker: Option<WorkerThread>,
    output: Option<ActiveOutput>,
}

impl LiveAudio {
    /// Builds and starts the pipeline. Fails only when `OutputChoice::Device` was asked for and
    /// the device cannot be opened, or a thread cannot be spawned.
    pub fn start(config: &AudioConfig) -> Result<LiveAudio, LiveAudioError> {
        let meters = Arc::new(Meters::new());
        meters.sample_rate.store(config.sample_rate, Relaxed);
        let (cmd_tx, cmd_rx) = RingBuffer::<StampedCommand>::new(config.command_capacity.max(16));
        let mut notice = None;

        // Room for two device buffers (8192 frames when the device picks its own) plus the
        // worker's safety margin.
        let device_blocks = config.buffer_frames.unwrap_or(8192).div_ceil(64) as usize;
        let ring_capacity = config
            .ring_capacity
            .max(2 * device_blocks + config.target_fill + 4);
        let (producer, consumer) = audio_ring(ring_capacity);
        let start_null = |consumer| -> Result<ActiveOutput, LiveAudioError> {
            let buffer = config.buffer_frames.unwrap_or(NULL_DEFAULT_BUFFER);
            meters.buffer_frames.store(buffer, Relaxed);
            let player = BlockPlayer::new(consumer, meters.clone(), config.sample_rate);
            let null = NullOutput::start(player, config.sample_rate, buffer as usize)
                .map_err(LiveAudioError::Thread)?;
            Ok(ActiveOutput::Null(null))
        };
        let (producer, output_name, output) = if config.output == OutputChoice::Null {
            (producer, "null".to_string(), start_null(consumer)?)
        } else {
            let player = BlockPlayer::new(consumer, meters.clone(), config.sample_rate);
            match CpalOutput::open(
                config.device.as_deref(),
                config.sample_rate,
                config.buffer_frames,
                player,
            ) {
                Ok(out) => {
                    meters.buffer_frames.store(out.buffer_frames, Relaxed);
                    (producer, out.summary(), ActiveOutput::Device(out))
                }
                Err(e) if config.output == OutputChoice::Device => {
                    return Err(LiveAudioError::Output(e))
                }
                Err(e) => {
                    notice = Some(format!(
                        "{e}; playing to the null device instead (silent, real-time paced)"
                    ));
                    // The failed attempt dropped the ring's reader with it: use a fresh ring.
                    let (producer, consumer) = audio_ring(ring_capacity);
                    (producer, "null".to_string(), start_null(consumer)?)
                }
            }
        };
        let engine = Engine::new(config.sample_rate);
        let render_loop =
            RenderLoop::new(engine, cmd_rx, producer, meters.clone(), config.target_fill);
        let worker = WorkerThread::spawn(render_loop).map_err(LiveAudioError::Thread)?;
        wait_for_prefill(
            &meters,
            config.target_fill as u64,
            Duration::from_millis(500),
        );
        Ok(LiveAudio {
            meters,
            commands: cmd_tx,
            notice,
            output_name,
            worker: Some(worker),
            output: Some(output),
        })
    }

    /// The nominal length of one engine block.
    pub fn block_period(sample_rate: u32) -> Duration {
        Duration::from_secs_f64(BLOCK_FRAMES as f64 / f64::from(sample_rate))
    }

    /// Stops the output and the worker.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(out) = self.output.take() {
            match out {
                ActiveOutput::Device(d) => drop(d),
                ActiveOutput::Null(n) => drop(n.stop()),
            }
        }
        if let Some(w) = self.worker.take() {
            drop(w.stop());
        }
    }
}

impl Drop for LiveAudio {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Why the live pipeline could not start.
#[derive(Debug, thiserror::Error)]
pub enum LiveAudioError {
    /// The requested sound card could not be opened.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// A real-time thread could not be spawned.
    #[error("could not start an audio thread: {0}")]
    Thread(std::io::Error),
}
