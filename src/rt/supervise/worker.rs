//! The DSP worker's render loop: applies pending commands at each block start, renders one
//! block, checks it for poison, pushes it into the audio ring, and is paced by the free space
//! in that ring (the consumer's pace). As a warm standby it only applies commands.
//!
//! `RenderLoop::step` and `RenderLoop::stand_by` run on a "chronus-dsp-N" worker thread inside
//! [`rt_guard`](crate::rt::guard::rt_guard): they never allocate, lock, log or block. The thread
//! around them lives in [`worker_thread`](crate::rt::supervise::worker_thread).

use crate::engine::command::{Command, Fault, StampedCommand};
use crate::engine::{Engine, BLOCK_FRAMES};
use crate::rt::meters::Meters;
use crate::rt::rings::audio_ring::{AudioProducer, Block};
use crate::rt::supervise::poison::{PoisonDetector, Verdict};
use rtrb::Consumer;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use crate::rt::supervise::worker_thread::WorkerThread;

/// The consumer side of a command ring.
pub type CommandConsumer = Consumer<StampedCommand>;

/// The longest extra render time `fault slow` can ask for, so a typo cannot wedge a worker
/// for hours (it would still be replaced as hung).
pub const MAX_SLOW_FAULT: Duration = Duration::from_secs(1);

/// What one call of [`RenderLoop::step`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// A block was rendered and pushed.
    Rendered,
    /// The ring already holds the target fill; nothing was rendered.
    RingFull,
    /// The NaN guard fired: the block was dropped instead of pushed.
    Rejected,
    /// The output keeps coming out poisoned; this worker must be replaced.
    Poisoned,
    /// A `fault panic` command arrived: the thread must panic (outside the allocation guard,
    /// since unwinding allocates).
    PanicRequested,
    /// A `fault hang` command arrived: the thread must stop making progress.
    HangRequested,
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
    poison: PoisonDetector,
    nan_fault: bool,
    nan_resets_seen: u64,
    steals_seen: u64,
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
        let poison = PoisonDetector::new(engine.sample_rate());
        let counters = engine.counters();
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
            poison,
            nan_fault: false,
            nan_resets_seen: counters.nan_resets,
            steals_seen: counters.voice_steals,
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

    /// The meters this loop reports to.
    pub fn meters(&self) -> &Arc<Meters> {
        &self.meters
    }

    /// When the poisoning that made [`step`](Self::step) return [`Step::Poisoned`] began.
    pub fn poison_onset_ns(&self) -> u64 {
        self.poison.onset_ns()
    }

    /// The fill the worker aims for: `target_fill` blocks of safety plus the part of the next
    /// device buffer that is due by now, within the ring's capacity. The output takes a whole
    /// device buffer at once; rather than refill all of it in a burst right after a callback
    /// (where a command arriving mid-period would wait for the next burst and then sit behind
    /// the whole buffer), the worker renders one block per block period through the device
    /// period, so that the buffer is complete when the next callback comes. Before the first
    /// callback, and for buffers of one block, it is simply `target_fill` + one device buffer.
    pub fn effective_target(&self) -> usize {
        let device_blocks = (self.meters.device_buffer_frames() as usize).div_ceil(BLOCK_FRAMES);
        (self.target_fill + self.device_blocks_due(device_blocks)).min(self.capacity)
    }

    /// How many blocks of the next device buffer should be ready by now: one more for every
    /// block period since the last callback, at least one, at most the whole buffer.
    fn device_blocks_due(&self, device_blocks: usize) -> usize {
        let last = self.meters.last_callback_ns.load(Relaxed);
        if last == 0 || device_blocks <= 1 {
            return device_blocks;
        }
        let since = self.meters.now_ns().saturating_sub(last);
        blocks_due(since, self.block_period_ns, device_blocks)
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
            match stamped.command {
                Command::Fault(Fault::Panic) => return Step::PanicRequested,
                Command::Fault(Fault::Hang) => return Step::HangRequested,
                other => self.apply(other),
            }
        }
        if self.nan_fault {
            // `fault nan` models state that stays corrupt: poison the filter every block.
            self.engine.apply(Command::Fault(Fault::Nan));
        }
        let before = self.engine.counters();
        self.block.seq = self.seq;
        self.block.first_command_ns = first_command_ns;
        self.block.render_start_ns = start;
        self.engine.render(&mut self.block.samples);
        let after = self.engine.counters();
        self.block.position = self.engine.musical_position();
        if self.extra_render_ns > 0 {
            // Fault injection: burn time like a too-slow DSP would, without sleeping.
            let until = start + self.extra_render_ns;
            while self.meters.now_ns() < until {
                std::hint::spin_loop();
            }
        }
        self.meters
            .nan_resets
            .fetch_add(after.nan_resets - self.nan_resets_seen, Relaxed);
        self.nan_resets_seen = after.nan_resets;
        self.meters
            .voice_steals
            .fetch_add(after.voice_steals - self.steals_seen, Relaxed);
        self.steals_seen = after.voice_steals;
        // Steals, state resets and clipping are events of the music; only a block whose
        // output went non-finite (and was silenced by the guard) or that is pinned to a rail
        // counts against the worker.
        let non_finite = after.silenced_blocks != before.silenced_blocks;
        let verdict = self
            .poison
            .check(&self.block.samples, non_finite, self.meters.now_ns());
        match verdict {
            Verdict::Clean => {}
            Verdict::Reject => return Step::Rejected,
            Verdict::Poisoned => return Step::Poisoned,
        }
        self.block.pushed_ns = self.meters.now_ns();
        if self.audio.push(self.block).is_err() {
            // Cannot happen: free space was checked above and only this thread pushes.
            return Step::RingFull;
        }
        self.seq += 1;
        let elapsed = self.meters.now_ns().saturating_sub(start);
        self.meters.record_render_ns(elapsed);
        self.meters
            .record_dsp_load(elapsed as f32 / self.block_period_ns);
        self.meters.blocks_rendered.fetch_add(1, Relaxed);
        let engine = &self.engine;
        self.meters
            .record_music(engine.active_voices(), engine.is_running(), |t| {
                engine.current_step(t)
            });
        self.meters.record_rendered_position(self.block.position);
        self.meters.beat();
        Step::Rendered
    }

    /// What a warm standby does instead of rendering: applies every pending command to its
    /// engine (faults excepted: they are meant for the active worker) and renders nothing.
    /// Returns how many commands it took. Real-time safe.
    pub fn stand_by(&mut self) -> usize {
        let mut taken = 0;
        while let Ok(stamped) = self.commands.pop() {
            if !matches!(stamped.command, Command::Fault(_)) {
                self.engine.apply(stamped.command);
            }
            taken += 1;
        }
        taken
    }

    /// Prepares a standby to render: every glide jumps to its target and the envelope to the
    /// level a held gate has reached, so the first block matches what the listener hears.
    /// Commands still waiting in the ring are left for [`step`](Self::step), which applies
    /// (and times) them like any others.
    /// The transport and the arpeggio continue from where the output's music stands (see
    /// [`Meters::takeover_position`]), so onsets stay on the grid across the failover.
    pub fn take_over(&mut self) {
        let position = self.meters.takeover_position(self.engine.arp_step_beats());
        self.engine.relocate(position);
        self.engine.settle();
    }

    fn apply(&mut self, command: Command) {
        self.meters.commands_applied.fetch_add(1, Relaxed);
        match command {
            Command::Fault(Fault::Slow { micros }) => {
                self.extra_render_ns =
                    (u64::from(micros) * 1000).min(MAX_SLOW_FAULT.as_nanos() as u64);
            }
            Command::Fault(Fault::Nan) => {
                self.nan_fault = true;
                self.engine.apply(command);
            }
            other => self.engine.apply(other),
        }
    }
}

/// Waits until the worker has filled the ring to its target, or `timeout` passes.
pub fn wait_for_prefill(meters: &Meters, blocks: u64, timeout: Duration) -> bool {
    let start = Instant::now();
    while meters.blocks_rendered.load(Relaxed) < blocks {
        if start.elapsed() > timeout {
            return false;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    true
}

/// Blocks of a `device_blocks`-block device buffer due `since_ns` after the callback that
/// took the last one: one more per block period, at least one, at most the whole buffer.
fn blocks_due(since_ns: u64, block_period_ns: f32, device_blocks: usize) -> usize {
    let periods = (since_ns as f64 / f64::from(block_period_ns)) as usize;
    (periods + 1).min(device_blocks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::params::ParamId;
    use crate::rt::rings::audio_ring::audio_ring;
    use rtrb::{Producer, RingBuffer};

    fn rig(
        target_fill: usize,
    ) -> (
        RenderLoop,
        Producer<StampedCommand>,
        crate::rt::rings::audio_ring::AudioConsumer,
    ) {
        let (tx, rx) = RingBuffer::new(64);
        let (prod, cons) = audio_ring(16);
        let rl = RenderLoop::new(
            Engine::new(44_100),
            rx,
            prod,
            Arc::new(Meters::new()),
            target_fill,
        );
        (rl, tx, cons)
    }

    fn send(tx: &mut Producer<StampedCommand>, command: Command) {
        assert!(tx
            .push(StampedCommand {
                command,
                sent_ns: 1
            })
            .is_ok());
    }

    #[test]
    fn the_loop_renders_up_to_its_target_fill_then_waits() {
        let (mut rl, _tx, cons) = rig(3);
        for _ in 0..3 {
            assert_eq!(rl.step(), Step::Rendered);
        }
        assert_eq!(rl.step(), Step::RingFull);
        assert_eq!(cons.slots(), 3);
    }

    #[test]
    fn the_next_device_buffer_is_rendered_through_the_period_not_in_a_burst() {
        let period = 1_451_247.0; // 64 frames at 44.1 kHz, in ns
                                  // Just after a callback only the first block of the next 4-block buffer is due, ...
        assert_eq!(blocks_due(0, period, 4), 1);
        assert_eq!(blocks_due(1_000_000, period, 4), 1);
        // ... one more each block period, never more than the buffer holds.
        assert_eq!(blocks_due(2_200_000, period, 4), 2);
        assert_eq!(blocks_due(3_700_000, period, 4), 3);
        assert_eq!(blocks_due(5_000_000, period, 4), 4);
        assert_eq!(blocks_due(60_000_000, period, 4), 4);
    }

    #[test]
    fn before_the_first_callback_the_target_is_a_whole_device_buffer_plus_the_margin() {
        let (rl, _tx, _cons) = rig(3);
        rl.meters().callback_frames.store(256, Relaxed);
        assert_eq!(rl.effective_target(), 7);
        // Once a callback has played, at least margin + one block and at most margin + buffer.
        rl.meters().last_callback_ns.store(1, Relaxed);
        assert!((4..=7).contains(&rl.effective_target()));
    }

    #[test]
    fn a_nan_fault_is_caught_as_poison_without_pushing_a_bad_block() {
        let (mut rl, mut tx, cons) = rig(8);
        send(&mut tx, Command::Gate { on: true });
        assert_eq!(rl.step(), Step::Rendered);
        send(&mut tx, Command::Fault(Fault::Nan));
        let mut steps = Vec::new();
        for _ in 0..5 {
            let s = rl.step();
            steps.push(s);
            if s == Step::Poisoned {
                break;
            }
        }
        assert_eq!(
            steps,
            [Step::Rejected, Step::Rejected, Step::Poisoned],
            "three guard hits in a row"
        );
        assert_eq!(cons.slots(), 1, "only the clean block reached the ring");
        assert!(rl.poison_onset_ns() > 0);
    }

    #[test]
    fn panic_and_hang_faults_are_handed_to_the_thread() {
        let (mut rl, mut tx, _cons) = rig(8);
        send(&mut tx, Command::Fault(Fault::Panic));
        assert_eq!(rl.step(), Step::PanicRequested);
        send(&mut tx, Command::Fault(Fault::Hang));
        assert_eq!(rl.step(), Step::HangRequested);
    }

    #[test]
    fn a_standby_applies_commands_ignores_faults_and_renders_nothing() {
        let (mut rl, mut tx, cons) = rig(8);
        send(
            &mut tx,
            Command::Set {
                param: ParamId::OscFreq,
                value: 330.0,
            },
        );
        send(&mut tx, Command::Fault(Fault::Panic));
        send(&mut tx, Command::Fault(Fault::Nan));
        send(&mut tx, Command::Gate { on: true });
        assert_eq!(rl.stand_by(), 4);
        assert_eq!(cons.slots(), 0);
        assert_eq!(rl.engine().value(ParamId::OscFreq), 330.0);
        assert!(rl.engine().gate());
        rl.take_over();
        assert_eq!(rl.step(), Step::Rendered, "no fault reached the engine");
    }

    #[test]
    fn a_promoted_standby_starts_at_the_sustain_level_not_a_new_attack() {
        let (mut rl, mut tx, mut cons) = rig(8);
        send(&mut tx, Command::Gate { on: true });
        rl.stand_by();
        rl.take_over();
        assert!((rl.engine().envelope_level() - 0.7).abs() < 1e-6);
        assert_eq!(rl.step(), Step::Rendered);
        let block = cons.pop().map(|b| b.samples).unwrap_or([0.0; 128]);
        assert!(
            crate::analysis::peak(&block) > 0.1,
            "sound from the first block"
        );
    }

    #[test]
    fn a_slow_fault_is_capped() {
        let (mut rl, mut tx, _cons) = rig(8);
        send(&mut tx, Command::Fault(Fault::Slow { micros: u32::MAX }));
        rl.stand_by();
        send(&mut tx, Command::Fault(Fault::Slow { micros: 10 }));
        assert_eq!(rl.step(), Step::Rendered);
        assert_eq!(rl.extra_render_ns, 10_000);
        rl.apply(Command::Fault(Fault::Slow { micros: u32::MAX }));
        assert_eq!(rl.extra_render_ns, 1_000_000_000);
    }
}
