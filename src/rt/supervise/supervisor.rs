//! The supervisor: watches the active DSP worker through its heartbeat and failure flag,
//! promotes the warm standby when the worker panics, hangs or poisons its output, offers the
//! output the promoted worker's ring, builds a new standby from the patch, and reaps (or counts
//! as leaked) the workers it abandoned.
//!
//! Runs on its own "chronus-supervisor" thread, which is not real-time: it may allocate, spawn
//! and join. It reaches the audio side only through atomics and the ring switch channel.

use crate::engine::{Engine, BLOCK_FRAMES};
use crate::rt::meters::Meters;
use crate::rt::rings::audio_ring::AudioProducer;
use crate::rt::rings::command_fanout::CommandFanOut;
use crate::rt::rings::ring_switch::RingSwitchSender;
use crate::rt::supervise::crew::Crew;
use crate::rt::supervise::worker::RenderLoop;
use crate::rt::supervise::worker_thread::{WorkerLinks, WorkerMode, WorkerThread};
use rtrb::RingBuffer;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::Duration;

/// Why a worker was replaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// The render loop panicked (caught by `catch_unwind` on the worker thread).
    Panic,
    /// No heartbeat for longer than the hang timeout.
    Hang,
    /// The output kept coming out NaN/inf (the guard kept firing) or pinned at a rail.
    Poisoned,
}

impl FailureKind {
    /// How many kinds there are.
    pub const COUNT: usize = 3;
    /// Every kind, in index order.
    pub const ALL: [FailureKind; FailureKind::COUNT] =
        [FailureKind::Panic, FailureKind::Hang, FailureKind::Poisoned];

    /// Position in [`FailureKind::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The word the meters and benchmarks use.
    pub fn name(self) -> &'static str {
        match self {
            FailureKind::Panic => "panic",
            FailureKind::Hang => "hang",
            FailureKind::Poisoned => "poisoned",
        }
    }

    pub(crate) fn code(self) -> u8 {
        self as u8 + 1
    }

    pub(crate) fn from_code(code: u8) -> Option<FailureKind> {
        FailureKind::ALL
            .get(usize::from(code).checked_sub(1)?)
            .copied()
    }
}

/// The shortest hang timeout chosen by default. Measured on the JACK dummy clock at 64 frames
/// with both cores busy: with real-time scheduling a worker still missed its heartbeat for
/// 3–4 ms now and then (6 false alarms a minute at 3 ms); a real hang costs at most this
/// much minus what the ring holds, as a faded gap.
pub const MIN_HANG_TIMEOUT: Duration = Duration::from_millis(10);

/// Default time an abandoned worker gets to exit before it counts as leaked.
pub const DEFAULT_REAP_TIMEOUT: Duration = Duration::from_millis(250);

/// Everything the supervisor needs to build and judge workers.
#[derive(Clone, Debug, PartialEq)]
pub struct SupervisorConfig {
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Blocks each worker keeps ready in its audio ring beyond one device buffer.
    pub target_fill: usize,
    /// Capacity of each worker's audio ring in blocks.
    pub ring_capacity: usize,
    /// Capacity of each worker's command ring.
    pub command_capacity: usize,
    /// No heartbeat for this long means the active worker hangs. `None`: half of what the
    /// ring holds (one device buffer plus `target_fill`), recomputed as the output reveals its
    /// buffer size.
    pub hang_timeout: Option<Duration>,
    /// An abandoned worker still running after this long counts as leaked.
    pub reap_timeout: Duration,
}

impl SupervisorConfig {
    /// The default hang timeout: half of what the ring holds at its target fill, so the
    /// standby is rendering while the old ring still has half its audio left, but never less
    /// than 3 ms (scheduling noise on a busy machine) nor more than 100 ms.
    pub fn default_hang_timeout(sample_rate: u32, target_fill: usize) -> Duration {
        let fill_s = target_fill as f64 * BLOCK_FRAMES as f64 / f64::from(sample_rate.max(1));
        Duration::from_secs_f64(fill_s / 2.0)
            .clamp(Duration::from_millis(3), Duration::from_millis(100))
    }

    /// The hang timeout while the output takes `device_frames` frames per callback: half of
    /// what the ring holds, but never less than two device periods (a worker paced by the
    /// device may rightly wait a whole period for room, and a little more when descheduled).
    pub fn hang_timeout_for(&self, device_frames: u32) -> Duration {
        self.hang_timeout.unwrap_or_else(|| {
            let device_blocks = (device_frames as usize).div_ceil(BLOCK_FRAMES);
            let half_ring =
                Self::default_hang_timeout(self.sample_rate, self.target_fill + device_blocks);
            let two_periods = Duration::from_secs_f64(
                2.0 * f64::from(device_frames) / f64::from(self.sample_rate.max(1)),
            );
            half_ring.max(two_periods).max(MIN_HANG_TIMEOUT)
        })
    }

    /// How often the supervisor looks at the heartbeat for a given hang timeout: a quarter of
    /// it, between 0.25 and 2 ms. Panics and poison wake it at once.
    pub fn poll_interval(hang_timeout: Duration) -> Duration {
        (hang_timeout / 4).clamp(Duration::from_micros(250), Duration::from_millis(2))
    }
}

struct Shared {
    stop: AtomicBool,
    stuck_hangs: Arc<AtomicBool>,
}

/// The running supervisor and the workers it watches.
pub struct Supervisor {
    shared: Arc<Shared>,
    handle: Option<JoinHandle<()>>,
}

impl Supervisor {
    /// Starts the first active worker (rendering into `first_ring`, which the output already
    /// reads), a warm standby, and the supervisor thread. Returns the fan-out the control side
    /// sends commands through.
    pub fn start(
        config: SupervisorConfig,
        meters: Arc<Meters>,
        first_ring: AudioProducer,
        switch: RingSwitchSender,
    ) -> std::io::Result<(Supervisor, CommandFanOut)> {
        let shared = Arc::new(Shared {
            stop: AtomicBool::new(false),
            stuck_hangs: Arc::new(AtomicBool::new(false)),
        });
        let (crew_tx, crew_rx) = mpsc::channel::<Crew>();
        let thread_shared = shared.clone();
        let handle = std::thread::Builder::new()
            .name("chronus-supervisor".into())
            .spawn(move || {
                if let Ok(mut crew) = crew_rx.recv() {
                    crew.run(&thread_shared.stop);
                }
            })?;
        let links = WorkerLinks {
            supervisor: Some(handle.thread().clone()),
            stuck_hangs: shared.stuck_hangs.clone(),
        };
        let (cmd_tx, cmd_rx) = RingBuffer::new(config.command_capacity.max(16));
        let fanout = CommandFanOut::new(cmd_tx);
        let engine = Engine::new(config.sample_rate);
        let render_loop = RenderLoop::new(
            engine,
            cmd_rx,
            first_ring,
            meters.clone(),
            config.target_fill,
        );
        let active =
            WorkerThread::spawn_supervised(render_loop, WorkerMode::Active, 1, links.clone())?;
        meters.worker_generation.store(1, Relaxed);
        let mut crew = Crew::new(config, meters, fanout.clone(), switch, links, active);
        crew.build_standby()?;
        let supervisor = Supervisor {
            shared,
            handle: Some(handle),
        };
        // The thread only fails to receive if it died, which `stop` then reports by joining.
        let _ = crew_tx.send(crew);
        Ok((supervisor, fanout))
    }

    /// While set, a worker hung with `fault hang` ignores the order to exit, so it leaks
    /// (tests of leaked-thread counting). Clearing it lets such threads finish.
    pub fn stuck_hangs(&self) -> &Arc<AtomicBool> {
        &self.shared.stuck_hangs
    }

    /// Stops watching, tells every worker to exit and joins those that do.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.shared.stop.store(true, Ordering::Release);
        if let Some(h) = self.handle.take() {
            h.thread().unpark();
            let _ = h.join();
        }
    }
}

impl Drop for Supervisor {
    fn drop(&mut self) {
        self.shutdown();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_kinds_round_trip_through_their_codes() {
        for kind in FailureKind::ALL {
            assert_eq!(FailureKind::from_code(kind.code()), Some(kind));
        }
        assert_eq!(FailureKind::from_code(0), None);
        assert_eq!(FailureKind::from_code(9), None);
    }

    #[test]
    fn the_hang_timeout_counts_the_device_buffer_unless_set() {
        let mut config = SupervisorConfig {
            sample_rate: 44_100,
            target_fill: 16,
            ring_capacity: 64,
            command_capacity: 64,
            hang_timeout: None,
            reap_timeout: DEFAULT_REAP_TIMEOUT,
        };
        let block = 64.0 / 44_100.0;
        let t = config.hang_timeout_for(256).as_secs_f64();
        assert!(
            (t - 0.5 * 20.0 * block).abs() < 1e-6,
            "(16 + 4 blocks) / 2: {t}"
        );
        // With a small margin the device period rules: never below two periods.
        config.target_fill = 3;
        let t = config.hang_timeout_for(256).as_secs_f64();
        assert!((t - 2.0 * 256.0 / 44_100.0).abs() < 1e-6, "{t}");
        let t = config.hang_timeout_for(2048).as_secs_f64();
        assert!((t - 2.0 * 2048.0 / 44_100.0).abs() < 1e-6, "{t}");
        config.hang_timeout = Some(Duration::from_millis(9));
        assert_eq!(config.hang_timeout_for(256), Duration::from_millis(9));
    }

    #[test]
    fn the_default_hang_timeout_is_half_the_ring_within_bounds() {
        let t = SupervisorConfig::default_hang_timeout(44_100, 16);
        assert!((t.as_secs_f64() - 0.5 * 16.0 * 64.0 / 44_100.0).abs() < 1e-6);
        assert_eq!(
            SupervisorConfig::default_hang_timeout(44_100, 1),
            Duration::from_millis(3)
        );
        assert_eq!(
            SupervisorConfig::default_hang_timeout(8_000, 1000),
            Duration::from_millis(100)
        );
    }
}
