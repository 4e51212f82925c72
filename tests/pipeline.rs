//! The live pipeline with real threads: a DSP worker paced by the audio ring and a consumer
//! thread playing the callback's role at real-time pace (the null device).
//!
//! These tests count events (underruns, skipped and repeated blocks), never wall-clock
//! durations, so a busy machine cannot make them flake; target fills are generous for that.

use chronus::analysis::{estimate_frequency, find_clicks};
use chronus::engine::command::{Command, StampedCommand};
use chronus::engine::params::ParamId;
use chronus::engine::Engine;
use chronus::rt::meters::Meters;
use chronus::rt::output::block_player::BlockPlayer;
use chronus::rt::output::null_output::NullOutput;
use chronus::rt::rings::audio_ring::audio_ring;
use chronus::rt::supervise::worker::{wait_for_prefill, RenderLoop, Step, WorkerThread};
use rtrb::RingBuffer;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::Duration;

const SR: u32 = 44_100;

fn tone_commands() -> Vec<Command> {
    vec![
        Command::Set {
            param: ParamId::OscWave,
            value: 0.0,
        },
        Command::Set {
            param: ParamId::OscFreq,
            value: 440.0,
        },
        Command::Set {
            param: ParamId::FilterCutoff,
            value: 20_000.0,
        },
        Command::Gate { on: true },
    ]
}

#[test]
fn two_seconds_at_real_time_pace_deliver_every_block_once_in_order_without_underruns() {
    let meters = Arc::new(Meters::new());
    let (mut cmd_tx, cmd_rx) = RingBuffer::<StampedCommand>::new(64);
    for command in tone_commands() {
        cmd_tx
            .push(StampedCommand {
                command,
                sent_ns: meters.now_ns(),
            })
            .expect("room for the first commands");
    }
    let (producer, consumer) = audio_ring(32);
    let (cap_tx, mut cap_rx) = RingBuffer::<f32>::new(SR as usize * 2 * 3);
    let render_loop = RenderLoop::new(Engine::new(SR), cmd_rx, producer, meters.clone(), 12);
    let worker = WorkerThread::spawn(render_loop).expect("worker thread");
    assert!(wait_for_prefill(&meters, 12, Duration::from_secs(5)));
    let player = BlockPlayer::new(consumer, meters.clone(), SR).with_capture(cap_tx);
    let output = NullOutput::start(player, SR, 256).expect("null output thread");
    // Play until 2 s of audio have gone through, however long the machine takes.
    let want_blocks = 2 * SR as u64 / 64;
    let mut waited = 0;
    while meters.blocks_played.load(Relaxed) < want_blocks && waited < 600 {
        std::thread::sleep(Duration::from_millis(50));
        waited += 1;
    }
    drop(output.stop());
    drop(worker.stop());

    let m = meters.snapshot();
    assert!(m.blocks_played >= want_blocks, "played {}", m.blocks_played);
    assert_eq!(m.underruns, 0, "underruns");
    assert_eq!(m.blocks_skipped, 0, "blocks skipped");
    assert_eq!(m.blocks_repeated, 0, "blocks repeated");
    assert!(m.blocks_rendered >= m.blocks_played);
    assert!(
        m.blocks_rendered - m.blocks_played <= 32,
        "nothing lost in between"
    );

    let mut captured = Vec::new();
    while let Ok(s) = cap_rx.pop() {
        captured.push(s);
    }
    let left = chronus::analysis::left(&captured);
    let steady = &left[SR as usize / 10..];
    let f = estimate_frequency(steady, SR).expect("a tone");
    assert!((f - 440.0).abs() < 0.5, "measured {f} Hz");
    let clicks = find_clicks(steady, 64, 8.0, 0.01);
    assert!(clicks.is_empty(), "discontinuities at {clicks:?}");
    assert!(m.latency_ms > 0.0, "command-to-sound latency was measured");
}

#[test]
fn the_worker_keeps_only_its_target_fill_in_the_ring() {
    let meters = Arc::new(Meters::new());
    let (_tx, rx) = RingBuffer::<StampedCommand>::new(8);
    let (producer, _consumer) = audio_ring(16);
    let mut rl = RenderLoop::new(Engine::new(SR), rx, producer, meters, 3);
    assert_eq!(rl.step(), Step::Rendered);
    assert_eq!(rl.step(), Step::Rendered);
    assert_eq!(rl.step(), Step::Rendered);
    assert_eq!(
        rl.step(),
        Step::RingFull,
        "paced by the consumer, not a timer"
    );
    assert_eq!(rl.ring_fill(), 3);
}

#[test]
fn an_empty_ring_fades_the_last_block_out_and_counts_one_underrun() {
    let meters = Arc::new(Meters::new());
    let (_tx, rx) = RingBuffer::<StampedCommand>::new(8);
    let (producer, consumer) = audio_ring(8);
    let mut engine = Engine::new(SR);
    for c in tone_commands() {
        engine.apply(c);
    }
    engine.apply(Command::Set {
        param: ParamId::EnvAttack,
        value: 0.0,
    });
    let mut rl = RenderLoop::new(engine, rx, producer, meters.clone(), 4);
    // Warm the tone up, then drain.
    let mut player = BlockPlayer::new(consumer, meters.clone(), SR);
    let mut out = vec![0.0f32; 2 * 256];
    for _ in 0..8 {
        while rl.step() == Step::Rendered {}
        player.fill(&mut out, 2);
    }
    while rl.step() == Step::Rendered {}
    // Right after a callback the ring holds the margin (4 blocks) plus the first block of the
    // next buffer (the worker paces the rest through the device period). Play those, then
    // buffers from an empty ring: five 256-frame buffers in all.
    let good = rl.ring_fill() * 64;
    assert!((5 * 64..=8 * 64).contains(&good), "{good} frames ready");
    let mut played = Vec::new();
    for _ in 0..5 {
        player.fill(&mut out, 2);
        played.extend_from_slice(&out);
    }
    let m = meters.snapshot();
    assert_eq!(m.underruns, 1, "one underrun event however long it lasts");
    assert!(m.underrun_frames >= (5 * 256 - good) as u64);
    let left = chronus::analysis::left(&played);
    // The fade lasts at most one block (64 frames) after the last good sample.
    assert!(
        left[good + 64..].iter().all(|s| *s == 0.0),
        "silence after the fade"
    );
    let clicks = find_clicks(&left[..good + 64], 64, 8.0, 0.02);
    assert!(clicks.is_empty(), "the fade-out does not click: {clicks:?}");
    // Recovery: new blocks fade back in and the underrun count stays at one.
    while rl.step() == Step::Rendered {}
    player.fill(&mut out, 2);
    assert_eq!(meters.snapshot().underruns, 1);
    assert!(chronus::analysis::peak(&out) > 0.1);
}
