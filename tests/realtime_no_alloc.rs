//! Proof that the real-time paths never allocate: this test binary installs assert_no_alloc's
//! `AllocDisabler` as its global allocator, so every allocation inside `rt_guard` on the worker
//! and output threads is counted.

use chronus::engine::command::Command;
use chronus::engine::params::ParamId;
use chronus::rt::guard::{alloc_violations, rt_guard};
use chronus::rt::{AudioConfig, LiveAudio, OutputChoice};
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

#[global_allocator]
static ALLOC: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

#[test]
fn the_worker_and_the_output_never_allocate_while_commands_flow() {
    let config = AudioConfig {
        output: OutputChoice::Null,
        buffer_frames: Some(128),
        target_fill: 6,
        ..AudioConfig::default()
    };
    let audio = LiveAudio::start(&config).expect("live audio on the null device");
    let mut control = chronus::control::Control::new(audio.commands.clone(), audio.meters.clone());
    let _ = control.send(Command::Gate { on: true });
    for i in 0..200 {
        let _ = control.send(Command::Set {
            param: ParamId::FilterCutoff,
            value: 200.0 + i as f32 * 50.0,
        });
        let _ = control.send(Command::Set {
            param: ParamId::OscWave,
            value: (i % 5) as f32,
        });
        if i % 20 == 0 {
            let _ = control.send(Command::NoteOn {
                note: 40 + (i / 20) as u8,
                velocity: 0.8,
            });
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let meters = audio.meters.clone();
    audio.stop();
    assert!(meters.commands_applied.load(Relaxed) >= 200);
    assert!(meters.blocks_played.load(Relaxed) > 100);
    assert_eq!(alloc_violations(), 0, "allocations on a real-time thread");

    // The detector itself works: an allocation inside rt_guard is counted.
    let v = rt_guard(|| vec![1u8; 16].len());
    assert_eq!(v, 16);
    assert!(alloc_violations() > 0, "the allocation detector is live");
}
