//! The real-time pipeline: command fan-out → supervised DSP workers → audio rings → output.
//!
//! `LiveAudio::start` runs on the control thread and builds everything (rings, engines, the
//! active worker and its warm standby, the supervisor, the output) up front. After that the
//! worker threads ("chronus-dsp-N"), the supervisor ("chronus-supervisor") and the output
//! (cpal's audio thread or "chronus-null-out") talk only through rtrb rings and atomics.
//!
//! Failover numbers (44.1 kHz, 64-frame blocks of 1.45 ms). The worker keeps
//! `target_fill` blocks ready beyond one device buffer ([`AudioConfig::supervisor_config`]);
//! the hang timeout defaults to half of what the ring then holds (at least 3 ms); the
//! supervisor polls every quarter timeout and is woken at once by a panic or poisoned output.
//! A panic or poisoned output costs no underrun as long as the standby renders its first
//! block before the old ring's blocks run out (it takes well under a millisecond). A hang
//! costs at most one block as long as detection (timeout + one poll + scheduling delay) stays
//! under the ring's duration. With `target_fill` 8 and a 64-frame buffer (the benchmark's
//! settings) that is 11.6 ms of audio against a 5.8 ms timeout and a 1.45 ms poll; the
//! real-time tests use `target_fill` 32 (46 ms against 23 ms) because they share two busy
//! cores. `cargo bench --bench failover` prints the measured detection times and gaps.

pub mod guard;
pub mod meters;
pub mod output;
pub mod realtime_priority;
pub mod rings;
pub mod supervise;

use crate::engine::command::{Command, Fault, StampedCommand};
use crate::engine::BLOCK_FRAMES;
use meters::Meters;
use output::block_player::BlockPlayer;
use output::cpal_output::{CpalOutput, OutputError};
use output::null_output::NullOutput;
use rings::audio_ring::{audio_ring, AudioProducer};
use rings::command_fanout::{CommandFanOut, CommandRingFull};
use rings::ring_switch::{ring_switch_channel, RingSwitchSender};
use rtrb::Producer;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering::{self, Relaxed};
use std::sync::Arc;
use std::time::Duration;
use supervise::supervisor::{Supervisor, SupervisorConfig, DEFAULT_REAP_TIMEOUT};
use supervise::worker::wait_for_prefill;

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
    /// How long the active worker may go without a heartbeat before it is replaced as hung
    /// (`None`: half of what the ring holds, one device buffer plus the target fill, at least
    /// 3 ms; see [`SupervisorConfig::hang_timeout_for`]).
    pub hang_timeout: Option<Duration>,
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
            hang_timeout: None,
        }
    }
}

impl AudioConfig {
    /// The supervision settings these audio settings imply. Each worker keeps one device
    /// buffer plus `target_fill` blocks ready (see `RenderLoop::effective_target`); each ring
    /// has room for two device buffers (8192 frames when the device picks its own) plus that
    /// margin.
    pub fn supervisor_config(&self) -> SupervisorConfig {
        let target_fill = self.target_fill.max(1);
        let device_blocks = self.buffer_frames.unwrap_or(8192).div_ceil(64) as usize;
        SupervisorConfig {
            sample_rate: self.sample_rate,
            target_fill,
            ring_capacity: self.ring_capacity.max(2 * device_blocks + target_fill + 4),
            command_capacity: self.command_capacity.max(16),
            hang_timeout: self.hang_timeout,
            reap_timeout: DEFAULT_REAP_TIMEOUT,
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
    /// Where the control side sends commands: every command reaches the active worker and
    /// the warm standby. The control layer's `Control` sends through it.
    pub commands: CommandFanOut,
    /// A one-line notice for the user (e.g. why the null device is used), if any.
    pub notice: Option<String>,
    /// Name of the output in use.
    pub output_name: String,
    supervisor: Option<Supervisor>,
    output: Option<ActiveOutput>,
    mute: Arc<AtomicBool>,
}

/// The supervisor's ends of the rings a player reads: the first worker's audio ring and the
/// channel that hands the player later rings.
struct SupervisorEnds {
    first_ring: AudioProducer,
    switch: RingSwitchSender,
}

/// Builds a player together with the supervisor's ends of its rings (built again if the sound
/// card refuses the first player, which drops it).
fn player_with_rings(
    config: &AudioConfig,
    meters: &Arc<Meters>,
    mute: &Arc<AtomicBool>,
    capture: Option<Producer<f32>>,
) -> (BlockPlayer, SupervisorEnds) {
    let (first_ring, consumer) = audio_ring(config.supervisor_config().ring_capacity);
    let (switch, receiver) = ring_switch_channel();
    let mut player = BlockPlayer::new(consumer, meters.clone(), config.sample_rate)
        .with_ring_switch(receiver)
        .with_mute(mute.clone());
    if let Some(capture) = capture {
        player = player.with_capture(capture);
    }
    (player, SupervisorEnds { first_ring, switch })
}

impl LiveAudio {
    /// Builds and starts the pipeline. Fails only when `OutputChoice::Device` was asked for and
    /// the device cannot be opened, or a thread cannot be spawned.
    pub fn start(config: &AudioConfig) -> Result<LiveAudio, LiveAudioError> {
        Self::start_inner(config, None)
    }

    /// Like [`LiveAudio::start`], and also copies every sample the output plays (interleaved
    /// stereo) into `capture`, for tests and soak runs. The copy is lost if `Auto` falls back
    /// from a sound card that refused to open.
    pub fn start_with_capture(
        config: &AudioConfig,
        capture: Producer<f32>,
    ) -> Result<LiveAudio, LiveAudioError> {
        Self::start_inner(config, Some(capture))
    }

    fn start_inner(
        config: &AudioConfig,
        capture: Option<Producer<f32>>,
    ) -> Result<LiveAudio, LiveAudioError> {
        let meters = Arc::new(Meters::new());
        meters.sample_rate.store(config.sample_rate, Relaxed);
        let mute = Arc::new(AtomicBool::new(false));
        let mut notice = None;

        let start_null = |player| -> Result<ActiveOutput, LiveAudioError> {
            let buffer = config.buffer_frames.unwrap_or(NULL_DEFAULT_BUFFER);
            meters.buffer_frames.store(buffer, Relaxed);
            let null = NullOutput::start(player, config.sample_rate, buffer as usize)
                .map_err(LiveAudioError::Thread)?;
            Ok(ActiveOutput::Null(null))
        };
        let (player, ends) = player_with_rings(config, &meters, &mute, capture);
        let (ends, output_name, output) = if config.output == OutputChoice::Null {
            (ends, "null".to_string(), start_null(player)?)
        } else {
            match CpalOutput::open(
                config.device.as_deref(),
                config.sample_rate,
                config.buffer_frames,
                player,
            ) {
                Ok(out) => {
                    meters.buffer_frames.store(out.buffer_frames, Relaxed);
                    (ends, out.summary(), ActiveOutput::Device(out))
                }
                Err(e) if config.output == OutputChoice::Device => {
                    return Err(LiveAudioError::Output(e))
                }
                Err(e) => {
                    notice = Some(format!(
                        "{e}; playing to the null device instead (silent, real-time paced)"
                    ));
                    // The failed attempt dropped the player and its rings: build fresh ones.
                    let (player, ends) = player_with_rings(config, &meters, &mute, None);
                    (ends, "null".to_string(), start_null(player)?)
                }
            }
        };
        let supervision = config.supervisor_config();
        let target_fill = supervision.target_fill as u64;
        let (supervisor, commands) =
            Supervisor::start(supervision, meters.clone(), ends.first_ring, ends.switch)
                .map_err(LiveAudioError::Thread)?;
        wait_for_prefill(&meters, target_fill, Duration::from_millis(500));
        let refused = meters.snapshot().rt == "normal";
        if let Some(text) = realtime_priority::last_refusal()
            .filter(|_| refused)
            .and_then(|r| r.notice())
        {
            notice = Some(match notice {
                Some(n) => format!("{n}; {text}"),
                None => text,
            });
        }
        Ok(LiveAudio {
            meters,
            commands,
            notice,
            output_name,
            supervisor: Some(supervisor),
            output: Some(output),
            mute,
        })
    }

    /// The nominal length of one engine block.
    pub fn block_period(sample_rate: u32) -> Duration {
        Duration::from_secs_f64(BLOCK_FRAMES as f64 / f64::from(sample_rate))
    }

    /// Breaks the active worker on purpose (tests, demos, `fault ...` phrases): the command
    /// goes through the same rings as any other, and the warm standby ignores it.
    pub fn inject_fault(&self, fault: Fault) -> Result<(), CommandRingFull> {
        self.commands.push(StampedCommand {
            command: Command::Fault(fault),
            sent_ns: self.meters.now_ns(),
        })
    }

    /// Test-only: hangs the active worker for good (it ignores the order to exit), so the
    /// supervisor must count it as leaked. [`LiveAudio::release_stuck_workers`] lets it go.
    pub fn inject_stuck_hang(&self) -> Result<(), CommandRingFull> {
        if let Some(s) = &self.supervisor {
            s.stuck_hangs().store(true, Ordering::Release);
        }
        self.inject_fault(Fault::Hang)
    }

    /// Lets workers hung by [`LiveAudio::inject_stuck_hang`] exit after all.
    pub fn release_stuck_workers(&self) {
        if let Some(s) = &self.supervisor {
            s.stuck_hangs().store(false, Ordering::Release);
        }
    }

    /// The switch that fades the output to silence (a panic hook sets it before exiting).
    pub fn mute_switch(&self) -> Arc<AtomicBool> {
        self.mute.clone()
    }

    /// Stops the output, the supervisor and every worker.
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
        if let Some(s) = self.supervisor.take() {
            s.stop();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ring_has_room_for_two_device_buffers_and_the_margin() {
        let config = AudioConfig {
            buffer_frames: Some(256),
            target_fill: 3,
            ring_capacity: 4,
            ..AudioConfig::default()
        };
        let s = config.supervisor_config();
        assert_eq!((s.target_fill, s.ring_capacity), (3, 2 * 4 + 3 + 4));
        assert_eq!(s.hang_timeout, None);
        let config = AudioConfig {
            hang_timeout: Some(Duration::from_millis(7)),
            ..AudioConfig::default()
        };
        assert_eq!(
            config.supervisor_config().hang_timeout_for(64),
            Duration::from_millis(7)
        );
    }
}
