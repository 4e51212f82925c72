//! A failover keeps the beat. An active `RenderLoop` and a warm standby are fed through the
//! same fan-out, as the supervisor wires them, with the transport, a 1/16 pattern, a 1/16
//! arpeggio over a held chord, a delay on the grid (3/8) and the reverb running. The active worker "dies"
//! after two seconds, the output plays some blocks of underrun, and the standby takes over.
//! Its music must go on on the same grid as a run that never failed: same beat, same
//! pattern step, same arpeggio step, onsets within one block of the reference's. Block
//! counts, not wall time: nothing here depends on the machine's speed.

use chronus::control::Control;
use chronus::engine::{Engine, PatchState, BLOCK_FRAMES};
use chronus::lang::Vocabulary;
use chronus::rt::meters::Meters;
use chronus::rt::rings::audio_ring::{audio_ring, AudioConsumer};
use chronus::rt::rings::command_fanout::CommandFanOut;
use chronus::rt::supervise::worker::{RenderLoop, Step};
use rtrb::RingBuffer;
use std::sync::Arc;

const RATE: u32 = 44_100;

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

/// What the output heard: samples (left channel) and gaps, like `BlockPlayer` plays them.
struct Output {
    meters: Arc<Meters>,
    left: Vec<f32>,
    /// The next block is the first of a new ring: measure the seam, as `BlockPlayer` does.
    fresh: bool,
}

impl Output {
    fn new(meters: &Arc<Meters>) -> Output {
        Output {
            meters: meters.clone(),
            left: Vec::new(),
            fresh: false,
        }
    }

    fn play(&mut self, ring: &mut AudioConsumer) -> bool {
        match ring.pop() {
            Ok(block) => {
                if std::mem::take(&mut self.fresh) {
                    self.meters.record_seam(&block.position);
                }
                self.meters.record_played_position(&block.position);
                self.left.extend(block.samples.iter().step_by(2));
                true
            }
            Err(_) => false,
        }
    }

    fn gap(&mut self) {
        self.meters.record_played_gap();
        self.left.extend([0.0; BLOCK_FRAMES]);
    }
}

fn render_blocks(rl: &mut RenderLoop, ring: &mut AudioConsumer, out: &mut Output, n: usize) {
    for _ in 0..n {
        assert_eq!(rl.step(), Step::Rendered);
        assert!(out.play(ring));
    }
}

fn control_for(fanout: CommandFanOut, meters: &Arc<Meters>) -> Control {
    let mut control = Control::new(fanout, meters.clone());
    let vocab = Vocabulary::builtin();
    for line in MUSIC {
        let report = control.run_line(line, &vocab);
        assert!(report.accepted(), "{line}: {:?}", report.error_text());
    }
    control
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

#[test]
fn a_promoted_standby_continues_the_pattern_and_the_arpeggio_on_the_grid() {
    let before_blocks = 2 * RATE as usize / BLOCK_FRAMES;
    let gap_blocks = 5;
    let after_blocks = 2 * RATE as usize / BLOCK_FRAMES;

    // The reference: one worker that never fails, playing through the gap too.
    let ref_meters = Arc::new(Meters::new());
    let (tx, rx) = RingBuffer::new(1024);
    let _ref_control = control_for(CommandFanOut::new(tx), &ref_meters);
    let (prod, mut ref_ring) = audio_ring(4);
    let mut reference = RenderLoop::new(Engine::new(RATE), rx, prod, ref_meters.clone(), 1);
    let mut ref_out = Output::new(&ref_meters);
    render_blocks(
        &mut reference,
        &mut ref_ring,
        &mut ref_out,
        before_blocks + gap_blocks + after_blocks,
    );

    // The failover run: active and standby on one fan-out, the standby built like the
    // supervisor builds it (from the patch at position 0, then its own ring).
    let meters = Arc::new(Meters::new());
    let (tx, rx) = RingBuffer::new(1024);
    let fanout = CommandFanOut::new(tx);
    let (standby_tx, standby_rx) = RingBuffer::new(1024);
    let snapshot: PatchState = fanout.install_standby(standby_tx);
    let _control = control_for(fanout, &meters);
    let (prod, mut ring) = audio_ring(4);
    let mut active = RenderLoop::new(Engine::new(RATE), rx, prod, meters.clone(), 1);
    let (standby_prod, mut standby_ring) = audio_ring(4);
    let mut standby = RenderLoop::new(
        Engine::from_state(RATE, &snapshot, 0.0),
        standby_rx,
        standby_prod,
        meters.clone(),
        1,
    );
    let mut out = Output::new(&meters);
    render_blocks(&mut active, &mut ring, &mut out, before_blocks);
    standby.stand_by();
    let beat_at_failure = meters.snapshot().beat;
    // The active worker is gone; the output plays underrun until the standby delivers.
    for _ in 0..gap_blocks {
        out.gap();
    }
    assert!(meters.snapshot().beat > beat_at_failure, "beat= moves on");
    standby.take_over();
    out.fresh = true;
    render_blocks(&mut standby, &mut standby_ring, &mut out, after_blocks);
    let m = meters.snapshot();
    assert_eq!(
        (m.seams, m.seams_off_beat, m.worst_seam_frames),
        (1, 0, 0),
        "the seam is exact: {}",
        m.to_key_values()
    );

    let (ours, theirs) = (standby.engine(), reference.engine());
    assert!(
        (ours.position_beats() - theirs.position_beats()).abs() < 1e-9,
        "beat {} vs {}",
        ours.position_beats(),
        theirs.position_beats()
    );
    assert!(ours.is_running());
    assert_eq!(ours.current_step(0), theirs.current_step(0), "pattern step");
    assert_eq!(
        ours.musical_position().arp_step,
        theirs.musical_position().arp_step,
        "arpeggio step"
    );
    assert_eq!(ours.state(), theirs.state(), "the same patch");

    // Onsets after the takeover sit where the reference has them, within one block.
    let takeover = (before_blocks + gap_blocks) * BLOCK_FRAMES;
    let expected: Vec<usize> = onsets(&ref_out.left)
        .into_iter()
        .filter(|&f| f > takeover + BLOCK_FRAMES)
        .collect();
    let heard = onsets(&out.left);
    assert!(expected.len() >= 8, "the music has onsets: {expected:?}");
    for f in &expected {
        assert!(
            heard.iter().any(|h| h.abs_diff(*f) <= BLOCK_FRAMES),
            "onset at frame {f} is missing after the failover: {heard:?}"
        );
    }
    let grid = RATE as usize / 8; // 1/16 at 120 bpm
    let off_grid: Vec<usize> = heard
        .iter()
        .copied()
        .filter(|&h| h > takeover + BLOCK_FRAMES)
        .filter(|&h| {
            let d = h % grid;
            d.min(grid - d) > BLOCK_FRAMES
        })
        .collect();
    assert!(
        off_grid.is_empty(),
        "onsets off the 1/16 grid: {off_grid:?}"
    );
}

/// The seam meter sees a lag: a standby that takes over while the old ring still plays, and
/// whose first block arrives only after blocks of underrun, starts where the failed worker
/// stopped, behind the output's musical time by exactly the underrun.
#[test]
fn the_seam_meter_counts_a_takeover_that_ignores_the_underrun_after_it() {
    let meters = Arc::new(Meters::new());
    let (tx, rx) = RingBuffer::new(1024);
    let fanout = CommandFanOut::new(tx);
    let (standby_tx, standby_rx) = RingBuffer::new(1024);
    let snapshot: PatchState = fanout.install_standby(standby_tx);
    let _control = control_for(fanout, &meters);
    let (prod, mut ring) = audio_ring(4);
    let mut active = RenderLoop::new(Engine::new(RATE), rx, prod, meters.clone(), 1);
    let (standby_prod, mut standby_ring) = audio_ring(4);
    let mut standby = RenderLoop::new(
        Engine::from_state(RATE, &snapshot, 0.0),
        standby_rx,
        standby_prod,
        meters.clone(),
        1,
    );
    let mut out = Output::new(&meters);
    render_blocks(&mut active, &mut ring, &mut out, 200);
    standby.stand_by();
    standby.take_over();
    for _ in 0..3 {
        out.gap();
    }
    out.fresh = true;
    render_blocks(&mut standby, &mut standby_ring, &mut out, 10);
    let m = meters.snapshot();
    assert_eq!(
        (m.seams, m.seams_off_beat, m.worst_seam_frames),
        (1, 1, 3 * BLOCK_FRAMES as u64),
        "{}",
        m.to_key_values()
    );
}
