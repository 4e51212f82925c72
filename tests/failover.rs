//! Failover with a real consumer: the real-time-paced null device plays a held sine while
//! faults are injected into the active DSP worker; the played samples are captured and
//! analysed. Tests run one at a time (they share two cores with everything else) and assert
//! event counts with generous timeouts, never wall-clock timings (see `benches/failover.rs`).
//!
//! Each fault is injected once and must cause exactly one failover: there are no retries that
//! could hide a lost fault. One test plays music (transport, pattern, arpeggio, delay and
//! reverb) and checks every onset stays on the grid across a panic, a hang and a NaN fault.
//! On a heavily loaded machine a late worker can still be replaced as hung (counted as a
//! `hang_false_alarms`); rerun such a failure alone before believing it.

use assert_no_alloc::AllocDisabler;
use chronus::analysis::{estimate_frequency, find_clicks, left, rms};
use chronus::control::Control;
use chronus::engine::command::{Command, Fault};
use chronus::engine::params::ParamId;
use chronus::engine::BLOCK_FRAMES;
use chronus::lang::Vocabulary;
use chronus::rt::meters::MeterSnapshot;
use chronus::rt::{AudioConfig, LiveAudio, OutputChoice};
use rtrb::{Consumer, RingBuffer};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOC: AllocDisabler = AllocDisabler;

const RATE: u32 = 44_100;
const TONE_HZ: f32 = 440.0;
/// Generous for a busy 2-core machine: 32 blocks = 46 ms of audio, hang timeout 23 ms.
const TARGET_FILL: usize = 32;
/// Same threshold as the click detector's own tests.
const CLICK_RATIO: f32 = 8.0;
const CLICK_FLOOR: f32 = 0.01;

/// Percussive music on the 1/16 grid at 120 bpm (5512.5 frames a step).
const MUSIC: &[&str] = &[
    "tempo 120",
    "attack 0",
    "decay 40 ms",
    "sustain 0",
    "release 20 ms",
    "track hats pattern x.x.x.x.x.x.x.x.",
    "chord C",
    "arp up",
    "arp rate 1/16",
    "delay on",
    "delay time 3/8",
    "reverb on",
    "reverb mix 20%",
    "start",
];
const STEP_FRAMES: f64 = RATE as f64 * 60.0 / 120.0 / 4.0;

static SERIAL: Mutex<()> = Mutex::new(());

fn one_at_a_time() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// A live pipeline playing a held sine into the null device, with the output captured.
struct Rig {
    audio: LiveAudio,
    control: Control,
    capture: Consumer<f32>,
    played: Vec<f32>,
}

impl Rig {
    fn start() -> Rig {
        let mut rig = Rig::silent();
        rig.set(ParamId::OscWave, 0.0);
        rig.set(ParamId::FilterCutoff, 20_000.0);
        rig.set(ParamId::FilterRes, 0.0);
        rig.set(ParamId::OscFreq, TONE_HZ);
        rig.send(Command::Gate { on: true });
        // Attack and decay (0.21 s) reach the sustain level well before the quarter second
        // the tests compare with, even behind 46 ms of buffered audio.
        rig.listen(Duration::from_millis(750));
        rig
    }

    /// A rig playing percussive music: the transport, a 1/16 pattern, a 1/16 arpeggio over
    /// a held chord, a delay on the grid and the reverb.
    fn start_music() -> Rig {
        let mut rig = Rig::silent();
        let vocab = Vocabulary::builtin();
        for line in MUSIC {
            let report = rig.control.run_line(line, &vocab);
            assert!(report.accepted(), "{line}: {:?}", report.error_text());
        }
        rig.listen(Duration::from_millis(750));
        rig
    }

    fn silent() -> Rig {
        let config = AudioConfig {
            sample_rate: RATE,
            buffer_frames: Some(BLOCK_FRAMES as u32),
            output: OutputChoice::Null,
            target_fill: TARGET_FILL,
            ring_capacity: 64,
            ..AudioConfig::default()
        };
        let (tx, capture) = RingBuffer::new(RATE as usize * 2 * 10);
        let audio = match LiveAudio::start_with_capture(&config, tx) {
            Ok(a) => a,
            Err(e) => panic!("the null device always starts: {e}"),
        };
        let control = Control::new(audio.commands.clone(), audio.meters.clone());
        Rig {
            audio,
            control,
            capture,
            played: Vec::new(),
        }
    }

    fn send(&mut self, command: Command) {
        assert!(self.control.send(command).is_ok(), "{command:?} was sent");
    }

    fn set(&mut self, param: ParamId, value: f32) {
        self.send(Command::Set { param, value });
    }

    fn drain(&mut self) {
        while let Ok(s) = self.capture.pop() {
            self.played.push(s);
        }
    }

    /// Collects at least `how_long` of played audio. Counted in played frames, not wall
    /// time, so a busy machine that plays late still yields the whole stretch (a generous
    /// wall-clock deadline keeps a stalled pipeline from hanging the test).
    fn listen(&mut self, how_long: Duration) {
        let target = self.mark() + (how_long.as_secs_f64() * f64::from(RATE)) as usize;
        let deadline = Instant::now() + how_long * 20 + Duration::from_secs(5);
        while self.mark() < target && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
            self.drain();
        }
        self.drain();
    }

    fn meters(&self) -> MeterSnapshot {
        self.audio.meters.snapshot()
    }

    /// Waits (generously) until `done` holds for the meters; fails the test if it never does.
    fn wait_for(&mut self, what: &str, done: impl Fn(&MeterSnapshot) -> bool) {
        let end = Instant::now() + Duration::from_secs(5);
        while !done(&self.meters()) {
            assert!(
                Instant::now() < end,
                "timed out waiting for {what}: {:?}",
                self.meters()
            );
            std::thread::sleep(Duration::from_millis(2));
            self.drain();
        }
        self.drain();
    }

    /// Injects `fault` and waits until it caused a failover and the output plays the
    /// replacement worker's ring.
    fn fail_over(&mut self, fault: Fault) {
        self.fail_over_with(fault, |rig| rig.audio.inject_fault(fault).is_ok());
    }

    /// Injects `fault` once and waits until it caused exactly one failover and the output
    /// plays the replacement worker's ring. No retries: a fault that is lost fails the test.
    fn fail_over_with(&mut self, fault: Fault, inject: impl FnOnce(&mut Rig) -> bool) {
        let kind_count = |m: &MeterSnapshot| match fault {
            Fault::Panic => m.failovers_panic,
            Fault::Hang | Fault::Slow { .. } => m.failovers_hang,
            Fault::Nan => m.failovers_poisoned,
        };
        let before = self.meters();
        assert!(inject(self), "{fault:?} was sent");
        self.wait_for("the failover", |m| {
            kind_count(m) > kind_count(&before) && m.ring_switches == m.failovers_total()
        });
        // Let a late worker's exit be classified before counting.
        self.listen(Duration::from_millis(30));
        let after = self.meters();
        assert_eq!(
            (
                kind_count(&after) - kind_count(&before),
                after.failovers_total() - before.failovers_total()
            ),
            (1, 1),
            "exactly one failover for one {fault:?}: {}",
            after.to_key_values()
        );
    }

    /// Failovers the test caused, not counting hang false alarms.
    fn injected_failovers(&self) -> u64 {
        let m = self.meters();
        m.failovers_total() - m.hang_false_alarms
    }

    /// Played samples so far (left channel), as an index for later slices.
    fn mark(&self) -> usize {
        self.played.len() / 2
    }

    fn left(&self) -> Vec<f32> {
        left(&self.played)
    }

    /// The quarter second before `mark` and the last quarter second are the same `hz` tone at
    /// the same level, with no click anywhere from the first of them on.
    fn assert_unchanged_since(&self, mark: usize, hz: f32) {
        let l = self.left();
        assert_same_tone(
            &l[mark - quarter_second()..mark],
            &l[l.len() - quarter_second()..],
            hz,
        );
        assert_no_clicks(&l[mark - quarter_second()..]);
    }

    /// Stops the audio and checks the real-time threads never allocated.
    fn finish(self) {
        self.audio.stop();
        assert_no_rt_allocations();
    }
}

/// Onsets: a 32-frame window whose peak is above half the loudest window's and three times
/// the loudest of the 8 windows (256 frames) before it.
fn onsets(x: &[f32]) -> Vec<usize> {
    let peaks: Vec<f32> = x
        .chunks(32)
        .map(|w| w.iter().fold(0f32, |p, s| p.max(s.abs())))
        .collect();
    let loudest = peaks.iter().fold(0f32, |p, s| p.max(*s));
    (8..peaks.len())
        .filter(|&i| {
            let before = peaks[i - 8..i].iter().fold(0f32, |p, s| p.max(*s));
            peaks[i] > 0.5 * loudest && peaks[i] > 3.0 * before
        })
        .map(|i| i * 32)
        .collect()
}

/// How far `frame` is from the nearest step of a grid that has a step at `origin`.
fn off_grid(frame: usize, origin: usize) -> usize {
    let d = (frame as f64 - origin as f64).rem_euclid(STEP_FRAMES);
    d.min(STEP_FRAMES - d).round() as usize
}

/// Frequency and RMS of `x`.
fn tone(x: &[f32]) -> (f32, f32) {
    (estimate_frequency(x, RATE).unwrap_or(0.0), rms(x))
}

fn quarter_second() -> usize {
    RATE as usize / 4
}

fn assert_same_tone(before: &[f32], after: &[f32], hz: f32) {
    let (f0, r0) = tone(before);
    let (f1, r1) = tone(after);
    assert!((f0 - hz).abs() < 1.0, "before: {f0} Hz");
    assert!((f1 - hz).abs() < 1.0, "after: {f1} Hz");
    assert!(r0 > 0.05, "a tone was playing: rms {r0}");
    let db = 20.0 * (r1 / r0).log10();
    assert!(db.abs() < 0.5, "level changed by {db:.2} dB ({r0} -> {r1})");
}

fn assert_no_clicks(x: &[f32]) {
    let clicks = find_clicks(x, 64, CLICK_RATIO, CLICK_FLOOR);
    assert!(clicks.is_empty(), "clicks at {clicks:?}");
}

fn assert_no_rt_allocations() {
    assert_eq!(chronus::rt::guard::alloc_violations(), 0);
}

/// Checks the counters every failover keeps in step.
fn assert_consistent(m: &MeterSnapshot) {
    assert_eq!(m.worker_generation, 1 + m.failovers_total(), "{m:?}");
    assert_eq!(m.ring_switches, m.failovers_total(), "{m:?}");
}

#[test]
fn a_panic_is_survived_with_no_underrun_and_the_same_tone() {
    let _serial = one_at_a_time();
    let mut rig = Rig::start();
    let before = rig.meters();
    let fault_at = rig.mark();
    rig.fail_over(Fault::Panic);
    rig.listen(Duration::from_millis(350));
    let m = rig.meters();
    assert_eq!(m.failovers_panic, 1);
    assert_eq!(rig.injected_failovers(), 1);
    assert_consistent(&m);
    assert_eq!(m.underruns - before.underruns, 0, "{m:?}");
    assert_eq!(m.last_gap_frames, 0);
    rig.assert_unchanged_since(fault_at, TONE_HZ);
    rig.wait_for("a new standby", |m| {
        m.standby_ready && m.standbys_built == 1 + m.failovers_total()
    });
    rig.finish();
}

#[test]
fn a_hang_costs_at_most_one_block_of_underrun_and_the_thread_is_reaped() {
    let _serial = one_at_a_time();
    let mut rig = Rig::start();
    let before = rig.meters();
    let fault_at = rig.mark();
    rig.fail_over(Fault::Hang);
    rig.listen(Duration::from_millis(350));
    let m = rig.meters();
    assert_eq!(m.failovers_hang - m.hang_false_alarms, 1);
    assert_eq!(rig.injected_failovers(), 1);
    assert_consistent(&m);
    assert!(
        m.underrun_frames - before.underrun_frames <= BLOCK_FRAMES as u64,
        "{m:?}"
    );
    rig.assert_unchanged_since(fault_at, TONE_HZ);
    assert_eq!(m.leaked_threads, 0, "the hung worker exits when told to");
    rig.finish();
}

#[test]
fn a_nan_fault_never_reaches_the_output_and_the_worker_is_replaced() {
    let _serial = one_at_a_time();
    let mut rig = Rig::start();
    let before = rig.meters();
    let fault_at = rig.mark();
    // Through the control side, as the `fault nan` phrase will be.
    rig.fail_over_with(Fault::Nan, |rig| {
        rig.control.send(Command::Fault(Fault::Nan)).is_ok()
    });
    rig.listen(Duration::from_millis(350));
    let m = rig.meters();
    assert_eq!(m.failovers_poisoned, 1);
    assert_eq!(rig.injected_failovers(), 1);
    assert_consistent(&m);
    assert!(m.nan_resets > before.nan_resets, "the guard saw the NaN");
    assert_eq!(m.underruns - before.underruns, 0, "{m:?}");
    assert!(
        rig.played.iter().all(|s| s.is_finite()),
        "no NaN or inf played"
    );
    rig.assert_unchanged_since(fault_at, TONE_HZ);
    rig.finish();
}

#[test]
fn five_failures_in_a_row_are_all_survived() {
    let _serial = one_at_a_time();
    let mut rig = Rig::start();
    let before = rig.meters();
    let first_fault_at = rig.mark();
    let faults = [
        Fault::Panic,
        Fault::Hang,
        Fault::Nan,
        Fault::Panic,
        Fault::Hang,
    ];
    for fault in faults {
        rig.fail_over(fault);
        rig.wait_for("a new standby", |m| m.standby_ready);
        rig.listen(Duration::from_millis(50));
    }
    rig.listen(Duration::from_millis(300));
    let m = rig.meters();
    assert_eq!(
        (
            m.failovers_panic,
            m.failovers_hang - m.hang_false_alarms,
            m.failovers_poisoned
        ),
        (2, 2, 1)
    );
    assert_eq!(rig.injected_failovers(), 5);
    assert_consistent(&m);
    assert!(m.standbys_built > m.failovers_total());
    assert!(
        m.underrun_frames - before.underrun_frames <= 2 * BLOCK_FRAMES as u64,
        "at most one block per hang: {m:?}"
    );
    assert!(rig.played.iter().all(|s| s.is_finite()));
    rig.assert_unchanged_since(first_fault_at, TONE_HZ);
    rig.finish();
}

#[test]
fn parameters_set_before_a_fault_hold_after_it() {
    let _serial = one_at_a_time();
    let mut rig = Rig::start();
    rig.set(ParamId::OscFreq, 330.0);
    rig.set(ParamId::AmpGain, -12.0);
    rig.listen(Duration::from_millis(600));
    let first = rig.mark();
    rig.fail_over(Fault::Panic);
    rig.listen(Duration::from_millis(300));
    let l = rig.left();
    assert_same_tone(
        &l[first - quarter_second()..first],
        &l[l.len() - quarter_second()..],
        330.0,
    );
    // Set after the first failover, so the rebuilt standby knows it only from the patch
    // snapshot or its own ring.
    rig.wait_for("a new standby", |m| m.standby_ready);
    rig.set(ParamId::OscFreq, 550.0);
    // Long enough for the pitch glide to settle before the quarter second that is compared.
    rig.listen(Duration::from_millis(600));
    let second = rig.mark();
    rig.fail_over(Fault::Hang);
    rig.listen(Duration::from_millis(300));
    let l = rig.left();
    assert_same_tone(
        &l[second - quarter_second()..second],
        &l[l.len() - quarter_second()..],
        550.0,
    );
    assert_eq!(rig.injected_failovers(), 2);
    assert_consistent(&rig.meters());
    rig.finish();
}

#[test]
fn a_slow_worker_past_the_hang_timeout_is_replaced_as_hung() {
    let _serial = one_at_a_time();
    let mut rig = Rig::start();
    let before = rig.meters();
    // 60 ms per block against a 23 ms timeout: counted as a hang, and as a false alarm once
    // the slow worker finishes its block and exits, since it was late rather than stuck.
    let slow = Fault::Slow { micros: 60_000 };
    assert!(rig.audio.inject_fault(slow).is_ok());
    rig.wait_for("the failover and the slow worker's exit", |m| {
        m.failovers_hang >= 1 && m.hang_false_alarms >= 1 && m.ring_switches == m.failovers_total()
    });
    rig.listen(Duration::from_millis(200));
    let m = rig.meters();
    assert_consistent(&m);
    assert!(m.underrun_frames - before.underrun_frames <= BLOCK_FRAMES as u64);
    assert_eq!(m.leaked_threads, 0);
    rig.finish();
}

#[test]
fn a_worker_that_never_exits_is_counted_as_leaked_and_the_audio_goes_on() {
    let _serial = one_at_a_time();
    let mut rig = Rig::start();
    let before = rig.meters();
    rig.fail_over_with(Fault::Hang, |rig| rig.audio.inject_stuck_hang().is_ok());
    rig.wait_for("the leak to be counted", |m| m.leaked_threads == 1);
    let fault_at = rig.mark();
    rig.listen(Duration::from_millis(300));
    let l = rig.left();
    assert!((tone(&l[fault_at..]).0 - TONE_HZ).abs() < 1.0);
    let m = rig.meters();
    assert!(m.underrun_frames - before.underrun_frames <= BLOCK_FRAMES as u64);
    assert!(m.to_key_values().contains("leaked_threads=1"));
    rig.audio.release_stuck_workers();
    rig.wait_for("the released thread to be reaped", |m| {
        m.leaked_threads == 0
    });
    rig.finish();
}

#[test]
fn music_keeps_its_beat_across_a_panic_a_hang_and_a_nan_fault() {
    let _serial = one_at_a_time();
    let mut rig = Rig::start_music();
    let first = rig.meters();
    assert!(first.transport_running, "{}", first.to_key_values());
    let origin = *onsets(&rig.left())
        .first()
        .expect("the music has onsets before any fault");
    let mut beat = first.beat;
    for fault in [Fault::Panic, Fault::Hang, Fault::Nan] {
        rig.fail_over_with(fault, |rig| rig.control.send(Command::Fault(fault)).is_ok());
        rig.wait_for("a new standby", |m| m.standby_ready);
        rig.listen(Duration::from_millis(400));
        let now = rig.meters().beat;
        assert!(now > beat, "beat= keeps increasing: {beat} then {now}");
        beat = now;
    }
    let m = rig.meters();
    assert_eq!(
        (m.failovers_panic, m.failovers_hang, m.failovers_poisoned),
        (1, 1, 1),
        "{}",
        m.to_key_values()
    );
    assert_consistent(&m);
    assert_eq!(
        (m.seams, m.seams_off_beat, m.worst_seam_frames),
        (3, 0, 0),
        "every seam exact: {}",
        m.to_key_values()
    );
    let heard = onsets(&rig.left());
    assert!(heard.len() >= 8, "{heard:?}");
    // Blocks are played in order, never "latest wins": every block of underrun (a hang costs
    // at most one, a loaded machine may add some) delays what follows by exactly its length.
    // On a loaded machine (two cores shared with builds) the music was seen resuming up to
    // two blocks off without an underrun (105-133 frames, three faults in a row), so the bound
    // is four blocks. A restarted pattern would land anywhere in a 5512-frame step, far past it.
    let gap = (m.underrun_frames - first.underrun_frames) as usize;
    assert!(gap <= 8 * BLOCK_FRAMES, "underruns: {}", m.to_key_values());
    let late: Vec<(usize, usize)> = heard
        .iter()
        .map(|&f| (f, off_grid(f, origin)))
        .filter(|&(_, d)| d > 4 * BLOCK_FRAMES + gap)
        .collect();
    assert!(
        late.is_empty(),
        "onsets off the grid by more than four blocks plus {gap} frames of underrun: {late:?}"
    );
    rig.finish();
}

/// The seam meter on the live pipeline: a panic while the pattern plays, and the promoted
/// worker's first block played starts exactly where the output's musical time stood, even
/// when a loaded machine played underrun at the seam (the new ring's blocks for that time
/// are dropped).
#[test]
fn a_panic_while_a_pattern_plays_leaves_an_exact_seam() {
    let _serial = one_at_a_time();
    let mut rig = Rig::start_music();
    let before = rig.meters();
    assert!(before.transport_running, "{}", before.to_key_values());
    assert_eq!(before.seams, 0);
    rig.fail_over_with(Fault::Panic, |rig| {
        rig.control.send(Command::Fault(Fault::Panic)).is_ok()
    });
    rig.listen(Duration::from_millis(200));
    let m = rig.meters();
    assert_eq!(m.seams, 1, "one seam measured: {}", m.to_key_values());
    assert_eq!(
        (m.seams_off_beat, m.worst_seam_frames),
        (0, 0),
        "the seam is exact: {}",
        m.to_key_values()
    );
    rig.finish();
}

#[test]
fn a_command_flood_up_to_a_fault_is_all_heard_after_it() {
    let _serial = one_at_a_time();
    let mut rig = Rig::start();
    // Pitch changes as fast as the control side can send them, for longer than the standby
    // sleeps between polls (5 ms): its ring overflows while the active worker keeps up.
    let end = Instant::now() + Duration::from_millis(40);
    let mut sent = 0u32;
    while Instant::now() < end {
        let hz = 300.0 + (sent % 100) as f32;
        if rig
            .control
            .send(Command::Set {
                param: ParamId::OscFreq,
                value: hz,
            })
            .is_ok()
        {
            sent += 1;
        }
    }
    // The last word, then the fault at once: a standby that missed it must not take over.
    let last = Command::Set {
        param: ParamId::OscFreq,
        value: 550.0,
    };
    while rig.control.send(last).is_err() {
        std::thread::yield_now();
    }
    rig.fail_over_with(Fault::Panic, |rig| loop {
        if rig.audio.inject_fault(Fault::Panic).is_ok() {
            return true;
        }
        std::thread::yield_now();
    });
    rig.listen(Duration::from_millis(600));
    let l = rig.left();
    let (hz, level) = tone(&l[l.len() - quarter_second()..]);
    let m = rig.meters();
    assert!(sent > 2048, "a flood: {sent} commands");
    assert!(
        (hz - 550.0).abs() < 1.0 && level > 0.05,
        "the last pitch sent before the fault plays after it: {hz} Hz, rms {level}; {}",
        m.to_key_values()
    );
    assert_consistent(&m);
    rig.finish();
}

#[test]
fn a_panic_in_the_output_callback_plays_one_silent_buffer_and_the_stream_goes_on() {
    let _serial = one_at_a_time();
    let mut rig = Rig::start();
    let before = rig.meters();
    let fault_at = rig.mark();
    rig.audio.meters.inject_output_panic();
    rig.wait_for("the output panic", |m| m.output_panics == 1);
    rig.listen(Duration::from_millis(400));
    let m = rig.meters();
    assert_eq!(m.output_panics, 1, "{}", m.to_key_values());
    assert!(m.to_key_values().contains(" output_panics=1 "));
    assert!(m.callbacks > before.callbacks + 100, "the stream went on");
    assert_eq!(m.failovers_total(), 0, "the DSP worker was never involved");
    let l = rig.left();
    assert_same_tone(
        &l[fault_at - quarter_second()..fault_at],
        &l[l.len() - quarter_second()..],
        TONE_HZ,
    );
    rig.finish();
}

/// Pins thread `tid` (0: the calling thread) to CPU `cpu` and, with `fifo`, makes the
/// calling thread SCHED_FIFO at that priority; false if refused.
#[allow(unsafe_code)]
fn pin_to_cpu(tid: i32, cpu: usize, fifo: Option<i32>) -> bool {
    // SAFETY: a zeroed cpu_set_t is a valid empty set; the calls only read what they are
    // given and change the scheduling of one thread of this process.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        if libc::sched_setaffinity(tid, std::mem::size_of::<libc::cpu_set_t>(), &set) != 0 {
            return false;
        }
        if let Some(priority) = fifo {
            let param = libc::sched_param {
                sched_priority: priority,
            };
            if libc::pthread_setschedparam(libc::pthread_self(), libc::SCHED_FIFO, &param) != 0 {
                return false;
            }
        }
    }
    true
}

/// The kernel's id of this process's thread named `name` (the kernel keeps 15 bytes of it).
fn thread_named(name: &str) -> Option<i32> {
    let kept = &name[..name.len().min(15)];
    std::fs::read_dir("/proc/self/task")
        .ok()?
        .flatten()
        .find(|t| std::fs::read_to_string(t.path().join("comm")).is_ok_and(|c| c.trim() == kept))?
        .file_name()
        .to_str()?
        .parse()
        .ok()
}

/// A worker kept off its CPU is not a hung worker: the active worker is pinned to CPU 0 (the
/// supervisor to CPU 1) and a higher-priority SCHED_FIFO thread hogs CPU 0 for three hang
/// timeouts. The worker misses
/// its heartbeat, but the supervisor sees it barely ran while runnable: no failover, and
/// `hangs_spared` counts it. Skipped where real-time scheduling or pinning is refused.
#[test]
fn a_worker_kept_off_its_cpu_is_spared_not_failed_over() {
    let _serial = one_at_a_time();
    let mut rig = Rig::start_music();
    let before = rig.meters();
    if before.rt != "fifo" {
        eprintln!("no real-time scheduling here: skipped");
        rig.finish();
        return;
    }
    let Some(worker) = thread_named("chronus-dsp-1") else {
        panic!("the first worker runs: {}", before.to_key_values());
    };
    let supervisor = thread_named("chronus-supervisor");
    let two_cpus = std::thread::available_parallelism().is_ok_and(|n| n.get() >= 2);
    // The supervisor watches from CPU 1, so only the worker is kept off its CPU.
    let pinned = two_cpus
        && supervisor.is_some_and(|s| pin_to_cpu(s, 1, None))
        && pin_to_cpu(worker, 0, None);
    if !pinned {
        eprintln!("pinning refused or one CPU only: skipped");
        rig.finish();
        return;
    }
    let hog = std::thread::spawn(|| {
        if !pin_to_cpu(0, 0, Some(90)) {
            return false;
        }
        let start = Instant::now();
        // Three times the 23 ms hang timeout of this rig.
        while start.elapsed() < Duration::from_millis(70) {
            std::hint::spin_loop();
        }
        true
    });
    let hogged = hog.join().unwrap_or(false);
    rig.listen(Duration::from_millis(300));
    let m = rig.meters();
    eprintln!("hogged={hogged}: {}", m.to_key_values());
    if hogged {
        assert_eq!(
            (
                m.failovers_total(),
                m.worker_generation - before.worker_generation
            ),
            (0, 0),
            "a descheduled worker is not replaced: {}",
            m.to_key_values()
        );
        assert!(m.hangs_spared >= 1, "{}", m.to_key_values());
    }
    rig.finish();
}
