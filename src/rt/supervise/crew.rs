//! The crew the supervisor watches: the active DSP worker, its warm standby and the workers
//! it abandoned. Judges the active worker, promotes the standby (or cold-starts a worker),
//! offers the output the new ring, rebuilds a standby from the patch, and reaps or counts as
//! leaked the workers it gave up on.
//!
//! Runs on the "chronus-supervisor" thread (see [`supervisor`](crate::rt::supervise::supervisor)), which is
//! not real-time: it may allocate, spawn and join.

use crate::engine::{Engine, PatchState};
use crate::rt::meters::Meters;
use crate::rt::rings::audio_ring::{audio_ring, AudioConsumer};
use crate::rt::rings::command_fanout::CommandFanOut;
use crate::rt::rings::ring_switch::RingSwitchSender;
use crate::rt::supervise::cpu_progress::{CpuProgress, HangCheck, Silence, MAX_SPARED_TIMEOUTS};
use crate::rt::supervise::margin::{MarginPolicy, MarginReason};
use crate::rt::supervise::supervisor::{FailureKind, SupervisorConfig};
use crate::rt::supervise::worker::{CommandConsumer, RenderLoop};
use crate::rt::supervise::worker_thread::{WorkerLinks, WorkerMode, WorkerThread};
use rtrb::RingBuffer;
use std::collections::VecDeque;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How long a standby may go without a heartbeat (it beats every 5 ms) before it is replaced.
pub const STANDBY_STALE: Duration = Duration::from_millis(250);

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

/// The workers the supervisor watches, and what it needs to replace them.
pub(crate) struct Crew {
    /// The adaptive margin (`None` when `--target-fill` fixes it).
    margin: Option<MarginPolicy>,
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
    /// The active worker's CPU time since its heartbeat last moved.
    cpu: CpuProgress,
    /// The heartbeat count at which the active worker was last spared (counted once).
    spared_at_beats: Option<u64>,
}

impl Crew {
    /// A crew whose first worker, `active`, already renders; no standby yet.
    pub(crate) fn new(
        config: SupervisorConfig,
        meters: Arc<Meters>,
        fanout: CommandFanOut,
        switch: RingSwitchSender,
        links: WorkerLinks,
        active: WorkerThread,
    ) -> Crew {
        let adaptive =
            meters.margin_reason.load(Ordering::Relaxed) != u32::from(MarginReason::Fixed.code());
        let margin = adaptive.then(|| {
            MarginPolicy::start(
                meters.now_ns(),
                meters.underruns.load(Ordering::Relaxed),
                meters.near_misses.load(Ordering::Relaxed),
            )
        });
        Crew {
            margin,
            last_poll_ns: meters.now_ns(),
            config,
            meters,
            fanout,
            switch,
            links,
            active,
            standby: None,
            abandoned: Vec::new(),
            offers: VecDeque::new(),
            // The first worker is number 1.
            next_id: 2,
            generation: 1,
            next_standby_attempt_ns: 0,
            cpu: CpuProgress::new(),
            spared_at_beats: None,
        }
    }

    /// Watches until `stop` is set, then tells every worker to exit.
    pub(crate) fn run(&mut self, stop: &AtomicBool) {
        while !stop.load(Ordering::Acquire) {
            let timeout = self
                .config
                .hang_timeout_for(self.meters.device_buffer_frames());
            let timeout_ns = timeout.as_nanos() as u64;
            let sleep = self.sleep_until_judgement(timeout);
            std::thread::park_timeout(sleep);
            let now = self.meters.now_ns();
            // If this thread itself was kept off the CPU for longer than the timeout past when
            // it meant to wake, the worker probably was too: give it another round before
            // calling it hung.
            let meant = self.last_poll_ns + sleep.as_nanos() as u64;
            let late = now.saturating_sub(meant) > timeout_ns;
            self.last_poll_ns = now;
            self.switch.collect_retired();
            self.offer_pending();
            let signals = self.active.signals();
            self.cpu.observe(signals.thread_id(), signals.beats(), now);
            if let Some((kind, onset_ns)) = self.judge_active(now, late, timeout_ns) {
                self.fail_over(kind, onset_ns, now);
            }
            self.keep_standby_ready(now);
            self.reap(now);
            self.adapt_margin(now);
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

    /// How long to sleep: until the active worker's last heartbeat is a full `timeout` old
    /// (the first moment it could be judged hung), at least a short poll and at most the
    /// timeout. Failures reported by a worker wake the supervisor at once, so detection
    /// times do not depend on this; a working worker beats every block, so the supervisor
    /// wakes about once per timeout instead of every quarter of it.
    fn sleep_until_judgement(&self, timeout: Duration) -> Duration {
        let deadline = self.active.signals().last_beat_ns() + timeout.as_nanos() as u64;
        let left = Duration::from_nanos(deadline.saturating_sub(self.meters.now_ns()));
        left.clamp(SupervisorConfig::poll_interval(timeout), timeout)
    }

    /// Runs the adaptive margin policy (when the margin is not fixed) and publishes it.
    fn adapt_margin(&mut self, now: u64) {
        let Some(policy) = &mut self.margin else {
            return;
        };
        let underruns = self.meters.underruns.load(Ordering::Relaxed);
        let near = self.meters.near_misses.load(Ordering::Relaxed);
        let margin = policy.observe(now, underruns, near);
        self.meters.margin_blocks.store(margin, Ordering::Relaxed);
        self.meters
            .margin_reason
            .store(u32::from(policy.reason().code()), Ordering::Relaxed);
    }

    fn judge_active(
        &mut self,
        now: u64,
        late: bool,
        timeout_ns: u64,
    ) -> Option<(FailureKind, u64)> {
        let signals = self.active.signals().clone();
        if let Some(failure) = signals.failure() {
            return Some(failure);
        }
        let last_beat = signals.last_beat_ns();
        if self.active.is_finished() {
            // Died without reporting (a panic outside catch_unwind): treat as a panic.
            return Some((FailureKind::Panic, last_beat));
        }
        let silent_ns = now.saturating_sub(last_beat);
        if late || silent_ns <= timeout_ns {
            return None;
        }
        if silent_ns > timeout_ns.saturating_mul(MAX_SPARED_TIMEOUTS) {
            return Some((FailureKind::Hang, last_beat));
        }
        // Silent for a whole timeout: hung, or only kept off the CPU?
        let beats = signals.beats();
        match self.cpu.check(beats, now) {
            HangCheck::Found(Silence::Descheduled) => {
                if self.spared_at_beats != Some(beats) {
                    self.spared_at_beats = Some(beats);
                    self.meters.hangs_spared.fetch_add(1, Relaxed);
                }
                None
            }
            // The heartbeat moved since the last look: judge from the next poll on.
            HangCheck::TooSoon => None,
            HangCheck::Found(Silence::Stuck) | HangCheck::Unknown => {
                Some((FailureKind::Hang, last_beat))
            }
        }
    }

    fn fail_over(&mut self, kind: FailureKind, onset_ns: u64, now: u64) {
        self.active.request_exit();
        let standby = self.standby.take();
        // A standby that missed a command is never promoted: a fresh worker built from the
        // fan-out's patch (everything sent so far) replaces the failed one instead.
        let promoted = standby.is_some() && self.fanout.promote_standby();
        let (worker, ring) = match standby {
            Some(s) if promoted => {
                s.worker.promote(now);
                (s.worker, s.ring)
            }
            stale => {
                if let Some(s) = stale {
                    self.meters.stale_standbys.fetch_add(1, Relaxed);
                    self.abandon_standby(s, now);
                }
                match self.cold_start() {
                    Ok(pair) => pair,
                    // Could not spawn a thread: the failure stays flagged and is retried next poll.
                    Err(_) => return,
                }
            }
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

    /// Builds a warm standby from the patch as sent so far.
    pub(crate) fn build_standby(&mut self) -> std::io::Result<()> {
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
        patch: &PatchState,
        commands: CommandConsumer,
        mode: WorkerMode,
    ) -> std::io::Result<(WorkerThread, AudioConsumer)> {
        // Built where the output's music stands now; a standby is moved on to the exact
        // position when it takes over (`RenderLoop::take_over`).
        let beat = self.meters.played_beat();
        let mut engine = Engine::from_state(self.config.sample_rate, patch, beat);
        if let Some(tap) = &self.config.note_tap {
            engine.attach_note_tap(tap.0.clone());
        }
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
                self.abandon_standby(s, now);
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

    /// Lets a standby go (it went stale or missed commands) without waiting for it here.
    fn abandon_standby(&mut self, s: Standby, now: u64) {
        self.fanout.remove_standby();
        s.worker.request_exit();
        self.abandoned.push(Abandoned {
            worker: s.worker,
            deadline_ns: now + self.config.reap_timeout.as_nanos() as u64,
            reason: None,
        });
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
