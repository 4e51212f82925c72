//! Lock-free meters: atomics written by real-time code, read by the UI at most ~30 times a second.
//!
//! Writers run on the audio callback, the DSP worker and the control thread; they only do
//! relaxed atomic stores and adds. `Meters::snapshot` runs on the UI/control thread.

use crate::engine::command::TRACKS;
use crate::engine::position::MusicalPosition;
use crate::rt::realtime_priority::Scheduling;
use crate::rt::rings::block_wake::BlockWake;
use crate::rt::supervise::margin::MarginReason;
use crate::rt::supervise::supervisor::FailureKind;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64};
use std::time::Instant;

/// An `f32` stored in an `AtomicU32`.
#[derive(Debug, Default)]
pub struct AtomicF32(AtomicU32);

impl AtomicF32 {
    /// Stores a value.
    pub fn set(&self, v: f32) {
        self.0.store(v.to_bits(), Relaxed);
    }
    /// Loads the value.
    pub fn get(&self) -> f32 {
        f32::from_bits(self.0.load(Relaxed))
    }
}

/// Where one command's latency went, in nanoseconds: waiting in the command ring for the
/// worker's next block, rendering that block, and waiting in the audio ring and the device
/// buffer until the block's first frame was played.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LatencyParts {
    /// Sent until the worker took it at the start of a block.
    pub queue_ns: u64,
    /// The block's render (commands applied, DSP, checks) until it was pushed.
    pub render_ns: u64,
    /// Pushed until its first frame was played (audio ring, then the device buffer).
    pub buffer_ns: u64,
}

impl LatencyParts {
    /// The whole latency.
    pub fn total_ns(&self) -> u64 {
        self.queue_ns + self.render_ns + self.buffer_ns
    }
}

/// Totals since start that never reset, for averages over a run (benchmarks, soak).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RunTotals {
    /// Nanoseconds the active worker spent rendering blocks.
    pub render_ns: u64,
    /// Blocks whose render time is in `render_ns`.
    pub rendered_blocks: u64,
    /// Sum of |callback interval - nominal period| in ns.
    pub jitter_ns: u64,
    /// Callback intervals in `jitter_ns`.
    pub intervals: u64,
    /// Largest |callback interval - nominal period| since start, in ns.
    pub jitter_max_ns: u64,
    /// Largest single-block DSP load since start (1.0 = the whole block period).
    pub dsp_load_peak: f32,
}

impl RunTotals {
    /// Mean DSP load (render time / block period) over the run, given the block period.
    pub fn mean_dsp_load(&self, block_period_ns: f64) -> f64 {
        if self.rendered_blocks == 0 {
            return 0.0;
        }
        self.render_ns as f64 / (self.rendered_blocks as f64 * block_period_ns)
    }

    /// Mean callback jitter in ns.
    pub fn mean_jitter_ns(&self) -> f64 {
        if self.intervals == 0 {
            return 0.0;
        }
        self.jitter_ns as f64 / self.intervals as f64
    }
}

/// Number of recent latency samples kept for percentiles.
pub const LATENCY_HISTORY: usize = 64;

/// Every live measurement of the pipeline. Shared through an `Arc`.
#[derive(Debug)]
pub struct Meters {
    epoch: Instant,
    /// Signalled by the output each time it takes a block from the ring; the active worker
    /// sleeps on it while the ring is full (see [`BlockWake`]).
    pub block_consumed: BlockWake,
    /// Blocks of margin the worker keeps beyond one device buffer (0: the render loop's own
    /// `target_fill`); set by the supervisor's margin policy or fixed by `--target-fill`.
    pub margin_blocks: AtomicU32,
    /// Why the margin last changed ([`MarginReason::code`]).
    pub margin_reason: AtomicU32,
    /// Blocks the output took that left the ring empty (a near miss, or an underrun next).
    pub near_misses: AtomicU64,
    /// Audio ring capacity in blocks.
    pub ring_capacity_blocks: AtomicU32,
    /// Audio ring fill in blocks, as the output last saw it.
    pub ring_fill: AtomicU32,
    ring_fill_min: AtomicU32,
    ring_fill_max: AtomicU32,
    /// Underrun events (the output needed a block and the ring was empty).
    pub underruns: AtomicU64,
    /// Frames the output had to fill with fade/silence because the ring was empty.
    pub underrun_frames: AtomicU64,
    /// Blocks the worker rendered and pushed.
    pub blocks_rendered: AtomicU64,
    /// Blocks the output played.
    pub blocks_played: AtomicU64,
    /// Blocks that arrived with a sequence number other than the next one (skips).
    pub blocks_skipped: AtomicU64,
    /// Blocks that arrived with a sequence number already played (duplicates or reordering).
    pub blocks_repeated: AtomicU64,
    /// Output callbacks run.
    pub callbacks: AtomicU64,
    /// Last interval between output callbacks, microseconds.
    pub callback_period_us: AtomicF32,
    /// Largest deviation of a callback interval from the nominal period since last snapshot, µs.
    pub callback_jitter_us: AtomicF32,
    /// Render time / block period for the last block (1.0 = 100 %).
    pub dsp_load: AtomicF32,
    dsp_load_max: AtomicF32,
    /// Commands waiting in the command ring, as last seen by the sender.
    pub command_queue_depth: AtomicU32,
    /// Commands dropped because the command ring was full.
    pub command_drops: AtomicU64,
    /// Commands the worker applied.
    pub commands_applied: AtomicU64,
    /// Last command-to-sound latency, microseconds.
    pub latency_us: AtomicF32,
    latency_history: [AtomicF32; LATENCY_HISTORY],
    latency_count: AtomicU64,
    latency_parts: [AtomicU64; 3],
    latency_parts_count: AtomicU64,
    render_ns_total: AtomicU64,
    render_blocks_total: AtomicU64,
    jitter_ns_total: AtomicU64,
    jitter_intervals: AtomicU64,
    jitter_max_ns: AtomicU64,
    dsp_load_peak: AtomicF32,
    /// Output peak level (linear) of the last callback.
    pub peak: AtomicF32,
    /// Output RMS level (linear) of the last callback.
    pub rms: AtomicF32,
    /// Samples at or above full scale since start.
    pub clipped_samples: AtomicU64,
    /// NaN/inf resets counted by the engine's guard.
    pub nan_resets: AtomicU64,
    /// Voices stolen because every voice was busy (an event of dense music, never a fault).
    pub voice_steals: AtomicU64,
    /// The musical position at the end of the last block the active worker pushed: beat and
    /// beats per block (f64 bits), arpeggio step.
    rendered_position: [AtomicU64; 3],
    /// The transport position in beats (f64 bits) at the end of the last block the output
    /// played, moved on through underruns so it keeps the musical time of the output.
    played_beat: AtomicU64,
    played_beats_per_block: AtomicU64,
    /// The worker's heartbeat: blocks rendered by the active worker.
    pub heartbeat: AtomicU64,
    /// Nanoseconds (meters clock) of the last heartbeat.
    pub heartbeat_ns: AtomicU64,
    /// Sample rate in Hz.
    pub sample_rate: AtomicU32,
    /// Device buffer size in frames (0 = device default).
    pub buffer_frames: AtomicU32,
    /// Generation of the active DSP worker: 1 for the first, one more per failover.
    pub worker_generation: AtomicU64,
    /// Failovers by cause, indexed by [`FailureKind::index`].
    failovers: [AtomicU64; FailureKind::COUNT],
    /// Nanoseconds from the last failure's onset to the supervisor's decision.
    pub last_detection_ns: AtomicU64,
    /// Underrun frames the output played between the failed worker's last block and its
    /// successor's first one (the audible gap of the last failover).
    pub last_failover_gap_frames: AtomicU64,
    /// Times the output adopted a new worker's ring.
    pub ring_switches: AtomicU64,
    /// 1 while a warm standby is built and ready to take over, else 0.
    pub standby_ready: AtomicU32,
    /// Output callbacks that panicked and were played as silence.
    pub output_panics: AtomicU64,
    /// Test hook: the next output callback panics (see [`Meters::inject_output_panic`]).
    pub output_panic_requested: AtomicBool,
    /// How the real-time threads are scheduled: 0 not asked yet, 1 SCHED_FIFO, 2 normal
    /// (at least one thread was refused real-time scheduling).
    scheduling: AtomicU32,
    /// Standby workers built since start.
    pub standbys_built: AtomicU64,
    /// Failovers that found the standby had missed commands and built a fresh worker from
    /// the patch instead of promoting it.
    pub stale_standbys: AtomicU64,
    /// Abandoned worker threads that ignored the order to exit and are still running.
    pub leaked_threads: AtomicU64,
    /// Workers replaced as hung that later exited on their own: they were late (starved of
    /// CPU or too slow), not stuck. Many of these mean the hang timeout is too tight.
    pub hang_false_alarms: AtomicU64,
    /// Seams (the first block of a promoted worker's ring) measured while the transport ran.
    pub seams: AtomicU64,
    /// Seams whose first block did not start where the output's musical time stood: the
    /// music jumped or lagged across the failover.
    pub seams_off_beat: AtomicU64,
    /// The largest seam offset so far, in frames (how far the promoted worker's first block
    /// started from where the output's musical time stood).
    pub worst_seam_frames: AtomicU64,
    /// Blocks of a promoted worker's ring dropped at the seam because they were for musical
    /// time the output had already spent in underrun (so the music resumes on its beat).
    pub seam_blocks_dropped: AtomicU64,
    /// Times the active worker missed its heartbeat for a whole hang timeout but was not
    /// replaced, because the kernel said it had barely run while it wanted to (descheduled on
    /// a busy machine, not hung; see `rt::supervise::cpu_progress`).
    pub hangs_spared: AtomicU64,
    /// Largest number of frames one output callback asked for so far.
    pub callback_frames: AtomicU32,
    /// Meters-clock time of the last output callback that played blocks (0: none yet). The
    /// worker paces itself through the device period from here.
    pub last_callback_ns: AtomicU64,
    /// OSC datagrams received (good or bad).
    pub osc_packets: AtomicU64,
    /// OSC messages handled (each message of a bundle counts once).
    pub osc_messages: AtomicU64,
    /// OSC packets or messages rejected: undecodable, wrong types, unknown addresses, too big.
    pub osc_bad_packets: AtomicU64,
    /// OSC datagrams dropped because their sender may not play (`--osc-allow`).
    pub osc_refused: AtomicU64,
    /// Voices sounding after the last block.
    pub active_voices: AtomicU32,
    /// 1 while the engine's transport runs.
    pub transport_running: AtomicU32,
    /// 1 while the engine skips its voices and effects (nothing sounds, tails decayed).
    pub engine_idle: AtomicU32,
    /// Per sequencer track: 1 + the step it played last, 0 before it has played.
    pub track_steps: [AtomicU32; TRACKS],
}

/// A plain copy of the meters at one moment, for display.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MeterSnapshot {
    /// Ring capacity in blocks.
    pub ring_capacity_blocks: u32,
    /// Ring fill in blocks.
    pub ring_fill: u32,
    /// Smallest fill since the last snapshot.
    pub ring_fill_min: u32,
    /// Largest fill since the last snapshot.
    pub ring_fill_max: u32,
    /// Underrun events since start.
    pub underruns: u64,
    /// Frames of fade/silence played for underruns.
    pub underrun_frames: u64,
    /// Blocks rendered.
    pub blocks_rendered: u64,
    /// Blocks played.
    pub blocks_played: u64,
    /// Sequence skips seen by the output.
    pub blocks_skipped: u64,
    /// Sequence repeats seen by the output.
    pub blocks_repeated: u64,
    /// Output callbacks.
    pub callbacks: u64,
    /// Last callback interval in ms.
    pub callback_period_ms: f32,
    /// Worst callback jitter since last snapshot, ms.
    pub callback_jitter_ms: f32,
    /// DSP load of the last block in percent.
    pub dsp_load_pct: f32,
    /// Peak DSP load since last snapshot in percent.
    pub dsp_load_max_pct: f32,
    /// Command ring depth.
    pub command_queue_depth: u32,
    /// Dropped commands.
    pub command_drops: u64,
    /// Applied commands.
    pub commands_applied: u64,
    /// Last command-to-sound latency in ms (0 if none yet).
    pub latency_ms: f32,
    /// 95th percentile over recent latencies in ms.
    pub latency_p95_ms: f32,
    /// Output peak in dBFS.
    pub peak_db: f32,
    /// Output RMS in dBFS.
    pub rms_db: f32,
    /// Clipped samples since start.
    pub clipped_samples: u64,
    /// NaN guard resets.
    pub nan_resets: u64,
    /// Voices stolen since start.
    pub voice_steals: u64,
    /// Transport position in beats (0 while stopped).
    pub beat: f64,
    /// Heartbeat counter.
    pub heartbeat: u64,
    /// Milliseconds since the last heartbeat.
    pub heartbeat_age_ms: f32,
    /// Sample rate.
    pub sample_rate: u32,
    /// Device buffer in frames.
    pub buffer_frames: u32,
    /// Generation of the active DSP worker (1 = the first).
    pub worker_generation: u64,
    /// Failovers after a worker panicked.
    pub failovers_panic: u64,
    /// Failovers after a worker stopped beating.
    pub failovers_hang: u64,
    /// Failovers after a worker's output was poisoned (NaN/inf or runaway level).
    pub failovers_poisoned: u64,
    /// Last failover's detection time in ms (failure onset to the supervisor's decision).
    pub last_detection_ms: f32,
    /// Last failover's audible gap in frames of underrun.
    pub last_gap_frames: u64,
    /// Ring switches the output made.
    pub ring_switches: u64,
    /// Whether a warm standby is ready.
    pub standby_ready: bool,
    /// Output callbacks that panicked (played as silence; the stream went on).
    pub output_panics: u64,
    /// How the real-time threads are scheduled: `fifo`, `normal` (refused), `none` (no
    /// real-time thread has started yet).
    pub rt: &'static str,
    /// Standbys built since start.
    pub standbys_built: u64,
    /// Failovers that rebuilt from the patch because the standby had missed commands.
    pub stale_standbys: u64,
    /// Worker threads that never exited after being abandoned.
    pub leaked_threads: u64,
    /// Workers replaced as hung that were only late.
    pub hang_false_alarms: u64,
    /// Seams measured while the transport ran.
    pub seams: u64,
    /// Seams off the output's musical time.
    pub seams_off_beat: u64,
    /// The largest seam offset in frames.
    pub worst_seam_frames: u64,
    /// Blocks dropped at seams to resume on the beat.
    pub seam_blocks_dropped: u64,
    /// Silent workers not replaced because they were only descheduled.
    pub hangs_spared: u64,
    /// OSC datagrams received.
    pub osc_packets: u64,
    /// OSC messages handled.
    pub osc_messages: u64,
    /// OSC packets or messages rejected.
    pub osc_bad_packets: u64,
    /// OSC datagrams from senders that may not play.
    pub osc_refused: u64,
    /// Voices sounding.
    pub active_voices: u32,
    /// Whether the engine's transport runs.
    pub transport_running: bool,
    /// Whether the engine is idle (skipping its voices and effects).
    pub idle: bool,
    /// Blocks of margin beyond one device buffer (0 when not reported).
    pub margin: u32,
    /// Why the margin last changed (`fixed`, `start`, `underrun`, `near_miss`, `clean`).
    pub margin_why: &'static str,
    /// The step each track played last (`None` before it has played).
    pub track_steps: [Option<u8>; TRACKS],
}

fn to_db(x: f32) -> f32 {
    crate::engine::smoother::gain_to_db(x)
}

impl Default for Meters {
    fn default() -> Self {
        Self::new()
    }
}

impl Meters {
    /// Fresh meters whose clock starts now.
    pub fn new() -> Self {
        Meters {
            epoch: Instant::now(),
            block_consumed: BlockWake::new(),
            margin_blocks: AtomicU32::new(0),
            margin_reason: AtomicU32::new(0),
            near_misses: AtomicU64::new(0),
            ring_capacity_blocks: AtomicU32::new(0),
            ring_fill: AtomicU32::new(0),
            ring_fill_min: AtomicU32::new(u32::MAX),
            ring_fill_max: AtomicU32::new(0),
            underruns: AtomicU64::new(0),
            underrun_frames: AtomicU64::new(0),
            blocks_rendered: AtomicU64::new(0),
            blocks_played: AtomicU64::new(0),
            blocks_skipped: AtomicU64::new(0),
            blocks_repeated: AtomicU64::new(0),
            callbacks: AtomicU64::new(0),
            callback_period_us: AtomicF32::default(),
            callback_jitter_us: AtomicF32::default(),
            dsp_load: AtomicF32::default(),
            dsp_load_max: AtomicF32::default(),
            command_queue_depth: AtomicU32::new(0),
            command_drops: AtomicU64::new(0),
            commands_applied: AtomicU64::new(0),
            latency_us: AtomicF32::default(),
            latency_history: std::array::from_fn(|_| AtomicF32::default()),
            latency_count: AtomicU64::new(0),
            latency_parts: std::array::from_fn(|_| AtomicU64::new(0)),
            latency_parts_count: AtomicU64::new(0),
            render_ns_total: AtomicU64::new(0),
            render_blocks_total: AtomicU64::new(0),
            jitter_ns_total: AtomicU64::new(0),
            jitter_intervals: AtomicU64::new(0),
            jitter_max_ns: AtomicU64::new(0),
            dsp_load_peak: AtomicF32::default(),
            peak: AtomicF32::default(),
            rms: AtomicF32::default(),
            clipped_samples: AtomicU64::new(0),
            nan_resets: AtomicU64::new(0),
            voice_steals: AtomicU64::new(0),
            rendered_position: std::array::from_fn(|_| AtomicU64::new(0)),
            played_beat: AtomicU64::new(0),
            played_beats_per_block: AtomicU64::new(0),
            heartbeat: AtomicU64::new(0),
            heartbeat_ns: AtomicU64::new(0),
            sample_rate: AtomicU32::new(0),
            buffer_frames: AtomicU32::new(0),
            worker_generation: AtomicU64::new(0),
            failovers: std::array::from_fn(|_| AtomicU64::new(0)),
            last_detection_ns: AtomicU64::new(0),
            last_failover_gap_frames: AtomicU64::new(0),
            ring_switches: AtomicU64::new(0),
            standby_ready: AtomicU32::new(0),
            output_panics: AtomicU64::new(0),
            output_panic_requested: AtomicBool::new(false),
            scheduling: AtomicU32::new(0),
            standbys_built: AtomicU64::new(0),
            stale_standbys: AtomicU64::new(0),
            leaked_threads: AtomicU64::new(0),
            hang_false_alarms: AtomicU64::new(0),
            hangs_spared: AtomicU64::new(0),
            seams: AtomicU64::new(0),
            seams_off_beat: AtomicU64::new(0),
            worst_seam_frames: AtomicU64::new(0),
            seam_blocks_dropped: AtomicU64::new(0),
            callback_frames: AtomicU32::new(0),
            last_callback_ns: AtomicU64::new(0),
            osc_packets: AtomicU64::new(0),
            osc_messages: AtomicU64::new(0),
            osc_bad_packets: AtomicU64::new(0),
            osc_refused: AtomicU64::new(0),
            active_voices: AtomicU32::new(0),
            transport_running: AtomicU32::new(0),
            engine_idle: AtomicU32::new(0),
            track_steps: std::array::from_fn(|_| AtomicU32::new(0)),
        }
    }

    /// Records what the engine plays after a block: sounding voices, the transport and each
    /// track's step (RT-safe: relaxed stores only).
    pub fn record_music(
        &self,
        voices: usize,
        running: bool,
        idle: bool,
        step: impl Fn(usize) -> Option<usize>,
    ) {
        self.active_voices.store(voices as u32, Relaxed);
        self.engine_idle.store(u32::from(idle), Relaxed);
        self.transport_running.store(u32::from(running), Relaxed);
        for (i, s) in self.track_steps.iter().enumerate() {
            s.store(step(i).map_or(0, |n| n as u32 + 1), Relaxed);
        }
    }

    /// Records the musical position at the end of the block just pushed (RT-safe).
    pub fn record_rendered_position(&self, position: MusicalPosition) {
        self.rendered_position[0].store(position.beat.to_bits(), Relaxed);
        self.rendered_position[1].store(position.beats_per_block.to_bits(), Relaxed);
        self.rendered_position[2].store(position.arp_step, Relaxed);
    }

    /// The musical position at the end of the last block the active worker pushed.
    pub fn rendered_position(&self) -> MusicalPosition {
        MusicalPosition {
            beat: f64::from_bits(self.rendered_position[0].load(Relaxed)),
            beats_per_block: f64::from_bits(self.rendered_position[1].load(Relaxed)),
            arp_step: self.rendered_position[2].load(Relaxed),
        }
    }

    /// Records that the output played a block ending at `position` (RT-safe).
    pub fn record_played_position(&self, position: &MusicalPosition) {
        self.played_beat.store(position.beat.to_bits(), Relaxed);
        self.played_beats_per_block
            .store(position.beats_per_block.to_bits(), Relaxed);
    }

    /// Measures a seam: `first` is the position at the end of the first block of a newly
    /// adopted ring, about to be played. Call it before [`Meters::record_played_position`]
    /// for that block. The block should start where the output's musical time stands (the
    /// end of the last block played, moved on through underruns); how far it starts from
    /// there, in frames, is the seam's offset. Only measured while the transport runs on
    /// both sides. Returns the offset in frames, if measured (RT-safe: atomics only).
    pub fn record_seam(&self, first: &MusicalPosition) -> Option<u64> {
        let before = f64::from_bits(self.played_beats_per_block.load(Relaxed));
        if first.beats_per_block <= 0.0 || before <= 0.0 {
            return None;
        }
        let starts_at = first.beat - first.beats_per_block;
        let offset_blocks = (starts_at - self.played_beat()) / first.beats_per_block;
        let frames = (offset_blocks.abs() * crate::engine::BLOCK_FRAMES as f64).round();
        let frames = if frames.is_finite() {
            frames as u64
        } else {
            u64::MAX
        };
        self.seams.fetch_add(1, Relaxed);
        if frames > 0 {
            self.seams_off_beat.fetch_add(1, Relaxed);
        }
        self.worst_seam_frames.fetch_max(frames, Relaxed);
        Some(frames)
    }

    /// Whole blocks by which a block ending at `position` starts before the output's musical
    /// time (0 when it does not, or while the transport is stopped on either side). RT-safe.
    pub fn blocks_behind(&self, position: &MusicalPosition) -> u64 {
        let before = f64::from_bits(self.played_beats_per_block.load(Relaxed));
        if position.beats_per_block <= 0.0 || before <= 0.0 {
            return 0;
        }
        let starts_at = position.beat - position.beats_per_block;
        let behind = (self.played_beat() - starts_at) / position.beats_per_block;
        if behind.is_finite() && behind >= 0.5 {
            behind.round() as u64
        } else {
            0
        }
    }

    /// Records that the output played a block of underrun: musical time goes on (RT-safe).
    pub fn record_played_gap(&self) {
        let step = f64::from_bits(self.played_beats_per_block.load(Relaxed));
        if step > 0.0 {
            let beat = self.played_beat() + step;
            self.played_beat.store(beat.to_bits(), Relaxed);
        }
    }

    /// The transport position in beats at the end of the last block the output played
    /// (0 while the transport is stopped).
    pub fn played_beat(&self) -> f64 {
        f64::from_bits(self.played_beat.load(Relaxed))
    }

    /// Where a worker taking over must continue so its first block follows the output's
    /// musical time: after the last block the failed worker finished, or, if the output has
    /// already played past that (an underrun), where the output's time has got to.
    pub fn takeover_position(&self, arp_step_beats: f64) -> MusicalPosition {
        let rendered = self.rendered_position();
        rendered.advanced_to(self.played_beat(), arp_step_beats)
    }

    /// Makes the next output callback panic (tests of the callback's panic guard).
    pub fn inject_output_panic(&self) {
        self.output_panic_requested.store(true, Relaxed);
    }

    /// Records how one real-time thread is scheduled; one thread at normal priority makes
    /// the whole pipeline count as `normal`.
    pub fn record_scheduling(&self, scheduling: Scheduling) {
        let code = match scheduling {
            Scheduling::Fifo => 1,
            Scheduling::Normal { .. } => 2,
        };
        self.scheduling.fetch_max(code, Relaxed);
    }

    /// Counts one failover of `kind` detected `detection_ns` after the failure began.
    pub fn record_failover(&self, kind: FailureKind, detection_ns: u64) {
        self.failovers[kind.index()].fetch_add(1, Relaxed);
        self.last_detection_ns.store(detection_ns, Relaxed);
    }

    /// Failovers of one kind since start.
    pub fn failovers(&self, kind: FailureKind) -> u64 {
        self.failovers[kind.index()].load(Relaxed)
    }

    /// Failovers of every kind since start.
    pub fn failovers_total(&self) -> u64 {
        self.failovers.iter().map(|c| c.load(Relaxed)).sum()
    }

    /// Nanoseconds since these meters were made: the clock every stamp uses.
    /// Reads the monotonic clock only; safe on the audio thread.
    pub fn now_ns(&self) -> u64 {
        self.epoch.elapsed().as_nanos() as u64
    }

    /// Records the ring fill seen by the output (RT-safe).
    pub fn record_fill(&self, fill: u32) {
        self.ring_fill.store(fill, Relaxed);
        self.ring_fill_min.fetch_min(fill, Relaxed);
        if fill <= 1 {
            // The block about to be taken is the last one ready.
            self.near_misses.fetch_add(1, Relaxed);
        }
        self.ring_fill_max.fetch_max(fill, Relaxed);
    }

    /// Records one block's DSP load (RT-safe).
    pub fn record_dsp_load(&self, load: f32) {
        self.dsp_load.set(load);
        if load > self.dsp_load_max.get() {
            self.dsp_load_max.set(load);
        }
        if load > self.dsp_load_peak.get() {
            self.dsp_load_peak.set(load);
        }
    }

    /// Records one command-to-sound latency in microseconds (RT-safe).
    pub fn record_latency_us(&self, us: f32) {
        self.latency_us.set(us);
        let n = self.latency_count.fetch_add(1, Relaxed);
        self.latency_history[(n % LATENCY_HISTORY as u64) as usize].set(us);
    }

    /// Records where one command's latency went (RT-safe): the parts first, then the count
    /// that tells a reader of [`Meters::last_latency_parts`] a new one arrived.
    pub fn record_latency_parts(&self, parts: LatencyParts) {
        self.latency_parts[0].store(parts.queue_ns, Relaxed);
        self.latency_parts[1].store(parts.render_ns, Relaxed);
        self.latency_parts[2].store(parts.buffer_ns, Relaxed);
        self.latency_parts_count.fetch_add(1, Release);
    }

    /// How many latencies were split into parts so far, and the last one. A reader that sends
    /// one command at a time and waits for the count to move reads that command's parts.
    pub fn last_latency_parts(&self) -> (u64, LatencyParts) {
        let count = self.latency_parts_count.load(Acquire);
        let parts = LatencyParts {
            queue_ns: self.latency_parts[0].load(Relaxed),
            render_ns: self.latency_parts[1].load(Relaxed),
            buffer_ns: self.latency_parts[2].load(Relaxed),
        };
        (count, parts)
    }

    /// Adds one block's render time to the run totals (RT-safe).
    pub fn record_render_ns(&self, ns: u64) {
        self.render_ns_total.fetch_add(ns, Relaxed);
        self.render_blocks_total.fetch_add(1, Relaxed);
    }

    /// The totals since start (they never reset).
    pub fn run_totals(&self) -> RunTotals {
        RunTotals {
            render_ns: self.render_ns_total.load(Relaxed),
            rendered_blocks: self.render_blocks_total.load(Relaxed),
            jitter_ns: self.jitter_ns_total.load(Relaxed),
            intervals: self.jitter_intervals.load(Relaxed),
            jitter_max_ns: self.jitter_max_ns.load(Relaxed),
            dsp_load_peak: self.dsp_load_peak.get(),
        }
    }

    /// Records a callback interval against the nominal period, both in µs (RT-safe).
    pub fn record_callback_interval(&self, interval_us: f32, nominal_us: f32) {
        self.callback_period_us.set(interval_us);
        let jitter = (interval_us - nominal_us).abs();
        let jitter_ns = (jitter * 1000.0) as u64;
        self.jitter_ns_total.fetch_add(jitter_ns, Relaxed);
        self.jitter_intervals.fetch_add(1, Relaxed);
        self.jitter_max_ns.fetch_max(jitter_ns, Relaxed);
        if jitter > self.callback_jitter_us.get() {
            self.callback_jitter_us.set(jitter);
        }
    }

    /// Frames one device buffer holds: the largest callback seen, or the configured buffer.
    pub fn device_buffer_frames(&self) -> u32 {
        self.callback_frames
            .load(Relaxed)
            .max(self.buffer_frames.load(Relaxed))
    }

    /// Records a worker heartbeat (RT-safe).
    pub fn beat(&self) {
        self.heartbeat.fetch_add(1, Relaxed);
        self.heartbeat_ns.store(self.now_ns(), Relaxed);
    }

    /// Recent latencies in µs (up to [`LATENCY_HISTORY`]), oldest first is not guaranteed.
    pub fn recent_latencies_us(&self) -> Vec<f32> {
        let n = (self.latency_count.load(Relaxed) as usize).min(LATENCY_HISTORY);
        (0..n).map(|i| self.latency_history[i].get()).collect()
    }

    /// Copies every meter and restarts the since-last-read min/max values.
    pub fn snapshot(&self) -> MeterSnapshot {
        let mut lat = self.recent_latencies_us();
        lat.sort_by(f32::total_cmp);
        let p95 = if lat.is_empty() {
            0.0
        } else {
            lat[((lat.len() - 1) as f32 * 0.95).round() as usize]
        };
        let fill = self.ring_fill.load(Relaxed);
        let min = self.ring_fill_min.swap(u32::MAX, Relaxed);
        let max = self.ring_fill_max.swap(0, Relaxed);
        let hb_ns = self.heartbeat_ns.load(Relaxed);
        let now = self.now_ns();
        MeterSnapshot {
            ring_capacity_blocks: self.ring_capacity_blocks.load(Relaxed),
            ring_fill: fill,
            ring_fill_min: if min == u32::MAX { fill } else { min },
            ring_fill_max: max.max(fill),
            underruns: self.underruns.load(Relaxed),
            underrun_frames: self.underrun_frames.load(Relaxed),
            blocks_rendered: self.blocks_rendered.load(Relaxed),
            blocks_played: self.blocks_played.load(Relaxed),
            blocks_skipped: self.blocks_skipped.load(Relaxed),
            blocks_repeated: self.blocks_repeated.load(Relaxed),
            callbacks: self.callbacks.load(Relaxed),
            callback_period_ms: self.callback_period_us.get() / 1000.0,
            callback_jitter_ms: f32::from_bits(self.callback_jitter_us.0.swap(0, Relaxed)) / 1000.0,
            dsp_load_pct: self.dsp_load.get() * 100.0,
            dsp_load_max_pct: f32::from_bits(self.dsp_load_max.0.swap(0, Relaxed)) * 100.0,
            command_queue_depth: self.command_queue_depth.load(Relaxed),
            command_drops: self.command_drops.load(Relaxed),
            commands_applied: self.commands_applied.load(Relaxed),
            latency_ms: self.latency_us.get() / 1000.0,
            latency_p95_ms: p95 / 1000.0,
            peak_db: to_db(self.peak.get()),
            rms_db: to_db(self.rms.get()),
            clipped_samples: self.clipped_samples.load(Relaxed),
            nan_resets: self.nan_resets.load(Relaxed),
            voice_steals: self.voice_steals.load(Relaxed),
            beat: self.played_beat(),
            heartbeat: self.heartbeat.load(Relaxed),
            heartbeat_age_ms: if hb_ns == 0 {
                0.0
            } else {
                now.saturating_sub(hb_ns) as f32 / 1e6
            },
            sample_rate: self.sample_rate.load(Relaxed),
            buffer_frames: self.buffer_frames.load(Relaxed),
            worker_generation: self.worker_generation.load(Relaxed),
            failovers_panic: self.failovers(FailureKind::Panic),
            failovers_hang: self.failovers(FailureKind::Hang),
            failovers_poisoned: self.failovers(FailureKind::Poisoned),
            last_detection_ms: self.last_detection_ns.load(Relaxed) as f32 / 1e6,
            last_gap_frames: self.last_failover_gap_frames.load(Relaxed),
            ring_switches: self.ring_switches.load(Relaxed),
            standby_ready: self.standby_ready.load(Relaxed) != 0,
            output_panics: self.output_panics.load(Relaxed),
            rt: match self.scheduling.load(Relaxed) {
                0 => "none",
                1 => "fifo",
                _ => "normal",
            },
            standbys_built: self.standbys_built.load(Relaxed),
            stale_standbys: self.stale_standbys.load(Relaxed),
            leaked_threads: self.leaked_threads.load(Relaxed),
            hang_false_alarms: self.hang_false_alarms.load(Relaxed),
            hangs_spared: self.hangs_spared.load(Relaxed),
            seams: self.seams.load(Relaxed),
            seams_off_beat: self.seams_off_beat.load(Relaxed),
            worst_seam_frames: self.worst_seam_frames.load(Relaxed),
            seam_blocks_dropped: self.seam_blocks_dropped.load(Relaxed),
            osc_packets: self.osc_packets.load(Relaxed),
            osc_messages: self.osc_messages.load(Relaxed),
            osc_bad_packets: self.osc_bad_packets.load(Relaxed),
            osc_refused: self.osc_refused.load(Relaxed),
            active_voices: self.active_voices.load(Relaxed),
            transport_running: self.transport_running.load(Relaxed) != 0,
            idle: self.engine_idle.load(Relaxed) != 0,
            margin: self.margin_blocks.load(Relaxed),
            margin_why: MarginReason::from_code(self.margin_reason.load(Relaxed) as u8).word(),
            track_steps: std::array::from_fn(|i| {
                let v = self.track_steps[i].load(Relaxed);
                (v > 0).then(|| (v - 1).min(255) as u8)
            }),
        }
    }
}

impl MeterSnapshot {
    /// Failovers of every kind.
    pub fn failovers_total(&self) -> u64 {
        self.failovers_panic + self.failovers_hang + self.failovers_poisoned
    }

    /// The meters as one line of `key=value` pairs (plain mode's `status`).
    pub fn to_key_values(&self) -> String {
        format!(
            "ring={}/{} ring_min={} ring_max={} underruns={} underrun_frames={} blocks_rendered={} \
             blocks_played={} skipped={} repeated={} callbacks={} callback_ms={:.2} jitter_ms={:.2} \
             dsp_load={:.1}% dsp_max={:.1}% queue={} drops={} applied={} latency_ms={:.2} \
             latency_p95_ms={:.2} peak_db={:.1} rms_db={:.1} clipped={} nan_resets={} steals={} beat={:.3} heartbeat={} \
             heartbeat_age_ms={:.1} rate={} buffer={} generation={} failovers={} \
             failovers_panic={} failovers_hang={} failovers_poisoned={} detect_ms={:.2} \
             gap_frames={} standby={} stale_standbys={} leaked_threads={} hang_false_alarms={} hangs_spared={} \
             seams={} seams_off_beat={} worst_seam_frames={} seam_dropped={} osc_packets={} osc_messages={} osc_bad={} osc_refused={} output_panics={} rt={} idle={} margin={} margin_why={}",
            self.ring_fill,
            self.ring_capacity_blocks,
            self.ring_fill_min,
            self.ring_fill_max,
            self.underruns,
            self.underrun_frames,
            self.blocks_rendered,
            self.blocks_played,
            self.blocks_skipped,
            self.blocks_repeated,
            self.callbacks,
            self.callback_period_ms,
            self.callback_jitter_ms,
            self.dsp_load_pct,
            self.dsp_load_max_pct,
            self.command_queue_depth,
            self.command_drops,
            self.commands_applied,
            self.latency_ms,
            self.latency_p95_ms,
            self.peak_db,
            self.rms_db,
            self.clipped_samples,
            self.nan_resets,
            self.voice_steals,
            self.beat,
            self.heartbeat,
            self.heartbeat_age_ms,
            self.sample_rate,
            self.buffer_frames,
            self.worker_generation,
            self.failovers_total(),
            self.failovers_panic,
            self.failovers_hang,
            self.failovers_poisoned,
            self.last_detection_ms,
            self.last_gap_frames,
            if self.standby_ready { "ready" } else { "none" },
            self.stale_standbys,
            self.leaked_threads,
            self.hang_false_alarms,
            self.hangs_spared,
            self.seams,
            self.seams_off_beat,
            self.worst_seam_frames,
            self.seam_blocks_dropped,
            self.osc_packets,
            self.osc_messages,
            self.osc_bad_packets,
            self.osc_refused,
            self.output_panics,
            self.rt,
            u8::from(self.idle),
            self.margin,
            self.margin_why,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_parts_and_run_totals_are_kept_for_benchmarks() {
        let m = Meters::new();
        assert_eq!(m.last_latency_parts().0, 0);
        m.record_latency_parts(LatencyParts {
            queue_ns: 1_000,
            render_ns: 20,
            buffer_ns: 5_000,
        });
        let (count, parts) = m.last_latency_parts();
        assert_eq!((count, parts.total_ns()), (1, 6_020));
        m.record_render_ns(100);
        m.record_render_ns(300);
        m.record_dsp_load(0.25);
        m.record_callback_interval(1500.0, 1451.0);
        m.record_callback_interval(1400.0, 1451.0);
        m.snapshot(); // snapshots restart their maxima; the run totals do not
        let t = m.run_totals();
        assert_eq!((t.render_ns, t.rendered_blocks, t.intervals), (400, 2, 2));
        assert!((t.mean_dsp_load(400.0) - 0.5).abs() < 1e-9);
        assert_eq!(t.jitter_max_ns, 51_000);
        assert!((t.mean_jitter_ns() - 50_000.0).abs() < 1.0);
        assert_eq!(t.dsp_load_peak, 0.25);
    }

    #[test]
    fn a_seam_is_measured_against_the_output_s_musical_time() {
        let m = Meters::new();
        let bpb = 0.01; // beats per block
        let at = |beat: f64| MusicalPosition {
            beat,
            beats_per_block: bpb,
            arp_step: 0,
        };
        // Nothing played with the transport running yet: nothing to measure.
        assert_eq!(m.record_seam(&at(1.0)), None);
        m.record_played_position(&at(1.0));
        // The promoted worker's first block starts where the last one ended: exact.
        assert_eq!(m.record_seam(&at(1.0 + bpb)), Some(0));
        m.record_played_position(&at(1.0 + bpb));
        // Two blocks of underrun move the output's time on; a first block that ignores them
        // starts two blocks early.
        m.record_played_gap();
        m.record_played_gap();
        assert_eq!(m.record_seam(&at(1.0 + 2.0 * bpb)), Some(128));
        // Half a block late.
        m.record_played_position(&at(2.0));
        assert_eq!(m.record_seam(&at(2.0 + 1.5 * bpb)), Some(32));
        // A stopped transport is not measured.
        let stopped = MusicalPosition::default();
        assert_eq!(m.record_seam(&stopped), None);
        let s = m.snapshot();
        assert_eq!(
            (s.seams, s.seams_off_beat, s.worst_seam_frames),
            (3, 2, 128)
        );
        let line = s.to_key_values();
        assert!(
            line.contains("seams=3 seams_off_beat=2 worst_seam_frames=128"),
            "{line}"
        );
    }

    #[test]
    fn failovers_are_counted_by_kind_and_shown_in_the_status_line() {
        let m = Meters::new();
        m.record_failover(FailureKind::Panic, 40_000);
        m.record_failover(FailureKind::Hang, 6_000_000);
        m.worker_generation.store(3, Relaxed);
        m.standby_ready.store(1, Relaxed);
        m.last_failover_gap_frames.store(64, Relaxed);
        let s = m.snapshot();
        assert_eq!(
            (s.failovers_panic, s.failovers_hang, s.failovers_poisoned),
            (1, 1, 0)
        );
        assert_eq!(s.failovers_total(), 2);
        assert!((s.last_detection_ms - 6.0).abs() < 1e-6);
        let line = s.to_key_values();
        for expected in [
            "generation=3",
            "failovers=2",
            "failovers_panic=1",
            "failovers_hang=1",
            "failovers_poisoned=0",
            "detect_ms=6.00",
            "gap_frames=64",
            "standby=ready",
            "leaked_threads=0",
        ] {
            assert!(line.contains(expected), "{expected} in {line}");
        }
    }
}
