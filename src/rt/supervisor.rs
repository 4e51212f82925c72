//! The supervisor: watches the active DSP worker through its heartbeat and failure flag,
//! promotes the warm standby when the worker panics, hangs or poisons its output, offers the
//! output the promoted worker's ring, builds a new standby from the patch, and reaps (or counts
//! as leaked) the workers it abandoned.
//!
//! Runs on its own "chronus-supervisor" thread, which is not real-time: it may allocate, spawn
//! and join. It reaches the audio side only through atomics and the ring switch channel.

use super::block::{audio_ring, AudioConsumer, AudioProducer};
use super::fanout::CommandFanOut;
use super::meters::Meters;
use super::ring_switch::RingSwitchSender;
use super::worker::RenderLoop;
use super::worker_thread::{WorkerLinks, WorkerMode, WorkerThread};
use crate::engine::{Engine, EngineSnapshot, BLOCK_FRAMES};
use rtrb::RingBuffer;
use std::collections::VecDeque;
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

/// How long a standby may go without a heartbeat (it beats every 5 ms) before it is replaced.
pub const STANDBY_STALE: Duration = Duration::from_millis(250);
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

    /// The hang timeout while the output takes `device_frames` frames per callback.
    pub fn hang_timeout_for(&self, device_frames: u32) -> Duration {
        self.hang_timeout.unwrap_or_else(|| {
            let device_blocks = (device_frames as usize).div_ceil(BLOCK_FRAMES);
            Self::default_hang_timeout(self.sample_rate, self.target_fill + device_blocks)
        })
    }

    /// How often the supervisor looks at the heartbeat for a given hang timeout: a quarter of
    /// it, between 0.25 and 2 ms. Panics and poison wake it at once.
    pub fn poll_interval(hang_timeout: Duration) -> Duration {
        (hang_timeout / 4).clamp(Duration::from_micros(250), Duration::from_millis(2))
    }
}

struct Standby {
    worker: WorkerThread,
    ring: AudioConsumer,
}

struct Abandoned {
    worker: WorkerThread,
    deadline_ns: u64,
    /// Why it was abandoned (`None`: a standby that went stale).
    reason: Option<FailureKind>,
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
        let (crew_tx, crew_rx) = mpsc::channel::<Watch>();
        let thread_shared = shared.clone();
        let handle = std::thread::Builder::new()
            .name("chronus-supervisor".into())
            .spawn(move || {
                if let Ok(mut watch) = crew_rx.recv() {
                    watch.run(&thread_shared);
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
        let mut watch = Watch {
            last_poll_ns: meters.now_ns(),
            config,
            meters,
            fanout: fanout.clone(),
            switch,
            links,
            active,
            standby: None,
            abandoned: Vec::new(),
            offers: VecDeque::new(),
            next_id: 2,
            generation: 1,
            next_standby_attempt_ns: 0,
        };
        watch.build_standby()?;
        let supervisor = Supervisor {
            shared,
            handle: Some(handle),
        };
        // The thread only fails to receive if it died, which `stop` then reports by joining.
        let _ = crew_tx.send(watch);
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

/// The supervisor thread's state.
struct Watch {
    config: SupervisorConfig,
    meters: Arc<Meters>,
    fanout: CommandFanOut,
    switch: RingSwitchSender,
    links: WorkerLinks,
    active: WorkerThread,
    standby: Option<Standby>,
    abandoned: Vec<Abandoned>,
    offers: VecDeque<AudioConsumer>,
    next_id: u64,
    generation: u64,
    last_poll_ns: u64,
    next_standby_attempt_ns: u64,
}

impl Watch {
    fn run(&mut self, shared: &Shared) {
        while !shared.stop.load(Ordering::Acquire) {
            let timeout = self
                .config
                .hang_timeout_for(self.meters.device_buffer_frames());
            let timeout_ns = timeout.as_nanos() as u64;
            std::thread::park_timeout(SupervisorConfig::poll_interval(timeout));
            let now = self.meters.now_ns();
            // If this thread itself was kept off the CPU for longer than the timeout, the
            // worker probably was too: give it another round before calling it hung.
            let late = now.saturating_sub(self.last_poll_ns) > timeout_ns;
            self.last_poll_ns = now;
            self.switch.collect_retired();
            self.offer_pending();
            if let Some((kind, onset_ns)) = self.judge_active(now, late, timeout_ns) {
                self.fail_over(kind, onset_ns, now);
            }
            self.keep_standby_ready(now);
            self.reap(now);
        }
        self.active.request_exit();
        if let Some(s) = &self.standby {
            s.worker.request_exit();
        }
        for a in &self.abandoned {
            a.worker.request_exit();
        }
        // Dropping the workers joins those that exit; stuck ones are left detached.
    }

    fn judge_active(&self, now: u64, late: bool, timeout_ns: u64) -> Option<(FailureKind, u64)> {
        let signals = self.active.signals();
        if let Some(failure) = signals.failure() {
            return Some(failure);
        }
        let last_beat = signals.last_beat_ns();
        if self.active.is_finished() {
            // Died without reporting (a panic outside catch_unwind): treat as a panic.
            return Some((FailureKind::Panic, last_beat));
        }
        (!late && now.saturating_sub(last_beat) > timeout_ns)
            .then_some((FailureKind::Hang, last_beat))
    }

    fn fail_over(&mut self, kind: FailureKind, onset_ns: u64, now: u64) {
        self.active.request_exit();
        let standby = self
            .standby
            .take()
            .filter(|_| self.fanout.promote_standby());
        let (worker, ring) = match standby {
            Some(s) => {
                s.worker.promote(now);
                (s.worker, s.ring)
            }
            None => match self.cold_start() {
                Ok(pair) => pair,
                // Could not spawn a thread: the failure stays flagged and is retried next poll.
                Err(_) => return,
            },
        };
        let failed = std::mem::replace(&mut self.active, worker);
        self.abandoned.push(Abandoned {
            worker: failed,
            deadline_ns: now + self.config.reap_timeout.as_nanos() as u64,
            reason: Some(kind),
        });
        self.generation += 1;
        self.meters
            .worker_generation
            .store(self.generation, Relaxed);
        self.meters
            .record_failover(kind, now.saturating_sub(onset_ns));
        self.offers.push_back(ring);
        self.offer_pending();
        self.meters.standby_ready.store(0, Relaxed);
        if self.build_standby().is_err() {
            self.next_standby_attempt_ns = now + 100_000_000;
        }
    }

    /// Hands the output every promoted ring it has room for, oldest first.
    fn offer_pending(&mut self) {
        while let Some(ring) = self.offers.pop_front() {
            if let Err(ring) = self.switch.offer(ring) {
                self.offers.push_front(ring);
                break;
            }
        }
    }

    /// No standby was ready: build a worker from the patch and make it active at once.
    fn cold_start(&mut self) -> std::io::Result<(WorkerThread, AudioConsumer)> {
        let (cmd_tx, cmd_rx) = RingBuffer::new(self.config.command_capacity.max(16));
        let snapshot = self.fanout.replace_active(cmd_tx);
        let (worker, ring) = self.spawn_worker(&snapshot, cmd_rx, WorkerMode::Active)?;
        worker.promote(self.meters.now_ns());
        Ok((worker, ring))
    }

    fn build_standby(&mut self) -> std::io::Result<()> {
        let (cmd_tx, cmd_rx) = RingBuffer::new(self.config.command_capacity.max(16));
        let snapshot = self.fanout.install_standby(cmd_tx);
        match self.spawn_worker(&snapshot, cmd_rx, WorkerMode::Standby) {
            Ok((worker, ring)) => {
                self.standby = Some(Standby { worker, ring });
                self.meters.standbys_built.fetch_add(1, Relaxed);
                self.meters.standby_ready.store(1, Relaxed);
                Ok(())
            }
            Err(e) => {
                self.fanout.remove_standby();
                Err(e)
            }
        }
    }

    fn spawn_worker(
        &mut self,
        snapshot: &EngineSnapshot,
        commands: super::worker::CommandConsumer,
        mode: WorkerMode,
    ) -> std::io::Result<(WorkerThread, AudioConsumer)> {
        let engine = Engine::from_snapshot(self.config.sample_rate, snapshot);
        let (producer, consumer) = audio_ring(self.config.ring_capacity);
        let render_loop = RenderLoop::new(
            engine,
            commands,
            producer,
            self.meters.clone(),
            self.config.target_fill,
        );
        let id = self.next_id;
        self.next_id += 1;
        let worker = WorkerThread::spawn_supervised(render_loop, mode, id, self.links.clone())?;
        Ok((worker, consumer))
    }

    fn keep_standby_ready(&mut self, now: u64) {
        let stale_ns = STANDBY_STALE.as_nanos() as u64;
        let stale = self.fanout.standby_stale()
            || self.standby.as_ref().is_some_and(|s| {
                s.worker.is_finished()
                    || now.saturating_sub(s.worker.signals().last_beat_ns()) > stale_ns
            });
        if stale {
            if let Some(s) = self.standby.take() {
                self.fanout.remove_standby();
                s.worker.request_exit();
                self.abandoned.push(Abandoned {
                    worker: s.worker,
                    deadline_ns: now + self.config.reap_timeout.as_nanos() as u64,
                    reason: None,
                });
            }
        }
        if self.standby.is_none()
            && now >= self.next_standby_attempt_ns
            && self.build_standby().is_err()
        {
            self.next_standby_attempt_ns = now + 100_000_000;
        }
        self.meters
            .standby_ready
            .store(u32::from(self.standby.is_some()), Relaxed);
    }

    fn reap(&mut self, now: u64) {
        let mut leaked = 0;
        let meters = &self.meters;
        self.abandoned.retain_mut(|a| {
            if !a.worker.is_finished() {
                if now > a.deadline_ns {
                    leaked += 1;
                }
                return true;
            }
            let signals = a.worker.signals();
            if a.reason == Some(FailureKind::Hang)
                && !signals.was_hung()
                && signals.failure().is_none()
            {
                // It came back and exited on its own: it was late, not stuck.
                meters.hang_false_alarms.fetch_add(1, Relaxed);
            }
            // The render loop is freed here, on the supervisor thread.
            drop(a.worker.try_join());
            false
        });
        self.meters.leaked_threads.store(leaked, Relaxed);
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
            target_fill: 3,
            ring_capacity: 16,
            command_capacity: 64,
            hang_timeout: None,
            reap_timeout: DEFAULT_REAP_TIMEOUT,
        };
        let block = 64.0 / 44_100.0;
        let t = config.hang_timeout_for(256).as_secs_f64();
        assert!(
            (t - 0.5 * 7.0 * block).abs() < 1e-6,
            "(3 + 4 blocks) / 2: {t}"
        );
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
