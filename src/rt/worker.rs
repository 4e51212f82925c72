//! The DSP worker: applies pending commands at each block start, renders one block, pushes it
//! into the audio ring, and is paced by the free space in that ring (the consumer's pace).
//!
//! `RenderLoop::step` runs on the "chronus-dsp" worker thread inside [`rt_guard`]: it never
//! allocates, locks, logs or blocks. Only the thread's outer loop sleeps, and only while the
//! ring already holds its target fill.

use super::block::{AudioProducer, Block};
use super::guard::rt_guard;
use super::meters::Meters;
use crate::engine::command::{Command, StampedCommand};
use crate::engine::{Engine, BLOCK_FRAMES};
use rtrb::Consumer;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The consumer side of a command ring.
pub type CommandConsumer = Consumer<StampedCommand>;

/// What one call of [`RenderLoop::step`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// A block was rendered and pushed.
    Rendered,
    /// The ring already holds the target fill; nothing was rendered.
    RingFull,
}

/// Everything the worker needs, built up front off the real-time path.
pub struct RenderLoop {
    engine: Engine,
    commands: CommandConsumer,
    audio: AudioProducer,
    meters: Arc<Meters>,
    target_fill: usize,
    capacity: usize,
    seq: u64,
    block: Block,
    block_period_ns: f32,
    extra_render_ns: u64,
}

impl RenderLoop {
    /// Builds a render loop that keeps `target_fill` blocks in the audio ring.
    pub fn new(
        engine: Engine,
        commands: CommandConsumer,
        audio: AudioProducer,
        meters: Arc<Meters>,
        target_fill: usize,
    ) -> Self {
        let capacity = audio.buffer().capacity();
        let block_period_ns = BLOCK_FRAMES as f32 * 1e9 / engine.sample_rate() as f32;
        RenderLoop {
            engine,
            commands,
            audio,
            meters,
            target_fill: target_fill.clamp(1, capacity),
            capacity,
            seq: 0,
            block: Block::SILENT,
            block_period_ns,
            extra_render_ns: 0,
        }
    }

    /// The engine (for inspection in tests and snapshots).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Blocks currently waiting in the audio ring.
    pub fn ring_fill(&self) -> usize {
        self.capacity - self.audio.slots()
    }

    /// The length of one block in nanoseconds.
    pub fn block_period(&self) -> Duration {
        Duration::from_nanos(self.block_period_ns as u64)
    }

    /// The fill the worker aims for: one device buffer (the output takes that much at once)
    /// plus `target_fill` blocks of safety, within the ring's capacity.
    pub fn effective_target(&self) -> usize {
        let device_blocks = (self.meters.device_buffer_frames() as usize).div_ceil(BLOCK_FRAMES);
        (self.target_fill + device_blocks).min(self.capacity)
    }

    /// Renders one block if the ring is below its target fill. Real-time safe.
    pub fn step(&mut self) -> Step {
        if self.ring_fill() >= self.effective_target() || self.audio.slots() == 0 {
            return Step::RingFull;
        }
        let start = self.meters.now_ns();
        let mut first_command_ns = 0;
        while let Ok(stamped) = self.commands.pop() {
            if first_command_ns == 0 {
                first_command_ns = stamped.sent_ns.max(1);
            }
            self.apply(stamped.command);
        }
        self.block.seq = self.seq;
        self.block.first_command_ns = first_command_ns;
        self.engine.render(&mut self.block.samples);
        if self.extra_render_ns > 0 {
            // Fault injection: burn time like a too-slow DSP would, without sleeping.
            let until = start + self.extra_render_ns;
            while self.meters.now_ns() < until {
                std::hint::spin_loop();
            }
        }
        if self.audio.push(self.block).is_err() {
            // Cannot happen: free space was checked above and only this thread pushes.
            return Step::RingFull;
        }
        self.seq += 1;
        let elapsed = self.meters.now_ns().saturating_sub(start) as f32;
        self.meters.record_dsp_load(elapsed / self.block_period_ns);
        self.meters
            .blocks_rendered
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.meters
            .nan_resets
            .store(self.engine.counters().nan_resets, Ordering::Relaxed);
        self.meters.beat();
        Step::Rendered
    }

    fn apply(&mut self, command: Command) {
        self.meters.commands_applied.fetch_add(1, Ordering::Relaxed);
        match command {
            Command::Fault(crate::engine::command::Fault::Slow { micros }) => {
                self.extra_render_ns = u64::from(micros) * 1000;
            }
            other => self.engine.apply(other),
        }
    }
}

/// A running worker thread.
pub struct WorkerThread {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<RenderLoop>>,
}

impl WorkerThread {
    /// Starts the "chronus-dsp" thread running `render_loop` until [`WorkerThread::stop`].
    pub fn spawn(mut render_loop: RenderLoop) -> std::io::Result<WorkerThread> {
        let stop = Arc::new(AtomicBool::new(false));
        let stop_flag = stop.clone();
        let idle = render_loop.block_period() / 4;
        let handle = std::thread::Builder::new()
            .name("chronus-dsp".into())
            .spawn(move || {
                while !stop_flag.load(Ordering::Acquire) {
                    match rt_guard(|| render_loop.step()) {
                        Step::Rendered => {}
                        Step::RingFull => std::thread::sleep(idle),
                    }
                }
                render_loop
            })?;
        Ok(WorkerThread {
            stop,
            handle: Some(handle),
        })
    }

    /// Asks the thread to finish and waits for it; returns the render loop if it exited cleanly.
    pub fn stop(mut self) -> Option<RenderLoop> {
        self.stop.store(true, Ordering::Release);
        self.handle.take().and_then(|h| h.join().ok())
    }
}

impl Drop for WorkerThread {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// Waits until the worker has filled the ring to its target, or `timeout` passes.
pub fn wait_for_prefill(meters: &Meters, blocks: u64, timeout: Duration) -> bool {
    let start = Instant::now();
    while meters.blocks_rendered.load(Ordering::Relaxed) < blocks {
        if start.elapsed() > timeout {
            return false;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    true
}
