//! The DSP worker threads ("chronus-dsp-N"): the loop around a [`RenderLoop`] that a
//! supervisor watches (heartbeat, failure flag), promotes from warm standby to active, and
//! tells to exit.
//!
//! The thread body runs on the worker thread. Each render or standby step runs inside
//! [`rt_guard`]; the loop around it only sleeps while the ring is full (until the output takes a block
//! or the next block falls due), parks while standing
//! by, and catches panics with `catch_unwind` so a broken render loop is reported, not fatal.
//! The rest of this file (spawn, promote, join) runs on the supervisor or control thread.

use crate::rt::guard::rt_guard;
use crate::rt::realtime_priority::{request_fifo, WORKER_PRIORITY};
use crate::rt::supervise::cpu_progress::current_thread_id;
use crate::rt::supervise::supervisor::FailureKind;
use crate::rt::supervise::worker::{RenderLoop, Step};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;
use std::thread::{JoinHandle, Thread};
use std::time::{Duration, Instant};

/// How often a standby wakes to take the commands waiting in its ring (it is also woken at
/// once when promoted).
pub const STANDBY_POLL: Duration = Duration::from_millis(5);
/// How often a hung worker checks whether it was told to exit.
pub const HANG_POLL: Duration = Duration::from_millis(2);

/// The payload of a panic injected with `fault panic`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InjectedPanic;

/// What a worker thread is told to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum WorkerMode {
    /// Apply commands, render nothing, wait to be promoted.
    Standby = 0,
    /// Render into the worker's audio ring.
    Active = 1,
    /// Leave the loop and hand the render loop back.
    Exit = 2,
}

/// The atomics a worker and its supervisor share.
#[derive(Debug)]
pub struct WorkerSignals {
    id: u64,
    mode: AtomicU8,
    beats: AtomicU64,
    beat_ns: AtomicU64,
    failure: AtomicU8,
    failure_onset_ns: AtomicU64,
    hung: AtomicBool,
    tid: AtomicU32,
}

impl WorkerSignals {
    fn new(id: u64, mode: WorkerMode, now_ns: u64) -> Self {
        WorkerSignals {
            id,
            mode: AtomicU8::new(mode as u8),
            beats: AtomicU64::new(0),
            beat_ns: AtomicU64::new(now_ns),
            failure: AtomicU8::new(0),
            failure_onset_ns: AtomicU64::new(0),
            hung: AtomicBool::new(false),
            tid: AtomicU32::new(0),
        }
    }

    /// The kernel's id of the worker's thread (0 until it has started, or where unknown), so
    /// the supervisor can ask whether a silent worker got any CPU time
    /// ([`cpu_progress`](crate::rt::supervise::cpu_progress)).
    pub fn thread_id(&self) -> u32 {
        self.tid.load(Ordering::Acquire)
    }

    /// The worker's number (1 = the first worker started).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// What the worker is told to do.
    pub fn mode(&self) -> WorkerMode {
        match self.mode.load(Ordering::Acquire) {
            0 => WorkerMode::Standby,
            1 => WorkerMode::Active,
            _ => WorkerMode::Exit,
        }
    }

    /// Loop turns the worker has made (its heartbeat).
    pub fn beats(&self) -> u64 {
        self.beats.load(Ordering::Relaxed)
    }

    /// Meters-clock time of the last heartbeat (or of the promotion, whichever is later).
    pub fn last_beat_ns(&self) -> u64 {
        self.beat_ns.load(Ordering::Relaxed)
    }

    /// The failure the worker reported itself (a panic or poisoned output) and when it began.
    pub fn failure(&self) -> Option<(FailureKind, u64)> {
        let kind = FailureKind::from_code(self.failure.load(Ordering::Acquire))?;
        Some((kind, self.failure_onset_ns.load(Ordering::Relaxed)))
    }

    /// True once the worker stopped for a `fault hang` (as opposed to merely running late).
    pub fn was_hung(&self) -> bool {
        self.hung.load(Ordering::Acquire)
    }

    fn beat(&self, now_ns: u64) {
        self.beats.fetch_add(1, Ordering::Relaxed);
        self.beat_ns.store(now_ns, Ordering::Relaxed);
    }

    fn fail(&self, kind: FailureKind, onset_ns: u64) {
        self.failure_onset_ns.store(onset_ns, Ordering::Relaxed);
        self.failure.store(kind.code(), Ordering::Release);
    }
}

/// What a supervised worker needs from its supervisor.
#[derive(Clone, Debug)]
pub struct WorkerLinks {
    /// Woken when the worker fails, so detection does not wait for the next poll.
    pub supervisor: Option<Thread>,
    /// While set, a hung worker ignores the order to exit (to test leaked-thread counting).
    pub stuck_hangs: Arc<AtomicBool>,
}

impl Default for WorkerLinks {
    fn default() -> Self {
        WorkerLinks {
            supervisor: None,
            stuck_hangs: Arc::new(AtomicBool::new(false)),
        }
    }
}

/// A running worker thread.
pub struct WorkerThread {
    signals: Arc<WorkerSignals>,
    handle: Option<JoinHandle<RenderLoop>>,
}

impl WorkerThread {
    /// Starts an unsupervised "chronus-dsp-0" thread rendering `render_loop` until
    /// [`WorkerThread::stop`].
    pub fn spawn(render_loop: RenderLoop) -> std::io::Result<WorkerThread> {
        Self::spawn_supervised(render_loop, WorkerMode::Active, 0, WorkerLinks::default())
    }

    /// Starts worker number `id` in `mode`, watched through its [`WorkerSignals`].
    pub fn spawn_supervised(
        render_loop: RenderLoop,
        mode: WorkerMode,
        id: u64,
        links: WorkerLinks,
    ) -> std::io::Result<WorkerThread> {
        let now = render_loop.meters().now_ns();
        let signals = Arc::new(WorkerSignals::new(id, mode, now));
        let thread_signals = signals.clone();
        let handle = std::thread::Builder::new()
            .name(format!("chronus-dsp-{id}"))
            .spawn(move || run(render_loop, &thread_signals, &links))?;
        Ok(WorkerThread {
            signals,
            handle: Some(handle),
        })
    }

    /// The atomics shared with this worker.
    pub fn signals(&self) -> &Arc<WorkerSignals> {
        &self.signals
    }

    /// Turns a standby into the active worker and wakes it. `now_ns` restarts its heartbeat
    /// clock so the supervisor gives it a full timeout before judging it.
    pub fn promote(&self, now_ns: u64) {
        self.signals.beat_ns.store(now_ns, Ordering::Relaxed);
        self.signals
            .mode
            .store(WorkerMode::Active as u8, Ordering::Release);
        self.wake();
    }

    /// Tells the worker to leave its loop (it will, unless it is stuck) and wakes it.
    pub fn request_exit(&self) {
        self.signals
            .mode
            .store(WorkerMode::Exit as u8, Ordering::Release);
        self.wake();
    }

    fn wake(&self) {
        if let Some(h) = &self.handle {
            h.thread().unpark();
        }
    }

    /// True once the thread has returned.
    pub fn is_finished(&self) -> bool {
        self.handle.as_ref().is_none_or(|h| h.is_finished())
    }

    /// Joins the thread if it has returned; hands back its render loop (to be dropped here,
    /// off the real-time path). `None` while it runs or if it died outside `catch_unwind`.
    pub fn try_join(&mut self) -> Option<RenderLoop> {
        if !self.is_finished() {
            return None;
        }
        self.handle.take().and_then(|h| h.join().ok())
    }

    /// Waits up to `timeout` for the thread to return; true if it did (and was joined).
    pub fn join_within(&mut self, timeout: Duration) -> bool {
        let start = Instant::now();
        while !self.is_finished() {
            if start.elapsed() > timeout {
                return false;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        drop(self.try_join());
        true
    }

    /// Asks the thread to finish and waits for it; returns the render loop if it exited cleanly.
    pub fn stop(mut self) -> Option<RenderLoop> {
        self.request_exit();
        self.handle.take().and_then(|h| h.join().ok())
    }
}

impl Drop for WorkerThread {
    fn drop(&mut self) {
        self.request_exit();
        // A stuck thread cannot be joined; after a short wait it is left to run detached.
        self.join_within(Duration::from_millis(100));
    }
}

/// The worker thread's body.
fn run(mut rl: RenderLoop, signals: &WorkerSignals, links: &WorkerLinks) -> RenderLoop {
    // Once, before the render loop: it reads a /proc link and allocates.
    signals
        .tid
        .store(current_thread_id().unwrap_or(0), Ordering::Release);
    request_fifo(WORKER_PRIORITY, rl.meters());
    let mut taken_over = false;
    let mut stood_by = false;
    loop {
        match signals.mode() {
            WorkerMode::Exit => break,
            WorkerMode::Standby => {
                rt_guard(|| rl.stand_by());
                stood_by = true;
                signals.beat(rl.meters().now_ns());
                std::thread::park_timeout(STANDBY_POLL);
            }
            WorkerMode::Active => {
                if !taken_over {
                    if stood_by {
                        // Take what arrived since the last poll as a standby still: a fault in
                        // there was meant for the worker this one replaces.
                        rt_guard(|| rl.stand_by());
                    }
                    rt_guard(|| rl.take_over());
                    taken_over = true;
                }
                let seen = rl.meters().block_consumed.seen();
                let step = catch_unwind(AssertUnwindSafe(|| {
                    let step = rt_guard(|| rl.step());
                    if step == Step::PanicRequested {
                        // Unwinds like any panic, outside the allocation guard, but skips the
                        // panic hook: printing a backtrace can take longer than the hang
                        // timeout, and an injected panic needs no report.
                        std::panic::resume_unwind(Box::new(InjectedPanic));
                    }
                    step
                }));
                let now = rl.meters().now_ns();
                match step {
                    Ok(Step::Rendered | Step::Rejected) => signals.beat(now),
                    Ok(Step::RingFull) => {
                        signals.beat(now);
                        let wait = rl.wait_limit();
                        rt_guard(|| rl.meters().block_consumed.wait(seen, wait));
                    }
                    Ok(Step::Poisoned) => {
                        signals.fail(FailureKind::Poisoned, rl.poison_onset_ns());
                        wake_supervisor(links);
                        break;
                    }
                    Ok(Step::HangRequested) => {
                        hang(signals, links);
                        break;
                    }
                    Ok(Step::PanicRequested) | Err(_) => {
                        signals.fail(FailureKind::Panic, now);
                        wake_supervisor(links);
                        break;
                    }
                }
            }
        }
    }
    rl
}

fn wake_supervisor(links: &WorkerLinks) {
    if let Some(t) = &links.supervisor {
        t.unpark();
    }
}

/// Makes no progress and beats no more, like a DSP stuck in a loop, until told to exit
/// (or for good while `stuck_hangs` is set).
fn hang(signals: &WorkerSignals, links: &WorkerLinks) {
    signals.hung.store(true, Ordering::Release);
    loop {
        if signals.mode() == WorkerMode::Exit && !links.stuck_hangs.load(Ordering::Acquire) {
            return;
        }
        std::thread::park_timeout(HANG_POLL);
    }
}
