//! Dense music is not a fault: the phrase list from the reliability issue (three stacked
//! chords with a long release, a 3-octave 1/32 arpeggio, a 16-step hats track and a 1/32
//! lead) is typed into a control side, and 60 s of it are rendered by a real `RenderLoop`,
//! block by block, the way the active DSP worker renders it. Voices are stolen all the time; no block may be
//! rejected and the worker must never be judged poisoned. Counts, not timings.

use chronus::control::Control;
use chronus::engine::{Engine, BLOCK_FRAMES};
use chronus::lang::Vocabulary;
use chronus::rt::meters::Meters;
use chronus::rt::rings::audio_ring::audio_ring;
use chronus::rt::supervise::worker::{RenderLoop, Step};
use rtrb::RingBuffer;
use std::sync::Arc;

const RATE: u32 = 44_100;

/// The phrases from the issue, as a new user typed them.
const DENSE: &[&str] = &[
    "tempo 180",
    "release 2 s",
    "chord C3m7",
    "chord Dm9 octave 4",
    "chord G7 octave 5",
    "arp up",
    "arp rate 1/32",
    "arp octaves 3",
    "track hats pattern xxxxxxxxxxxxxxxx",
    "track lead seq C5 D5 E5 F5 G5 A5 B5 C6",
    "track lead rate 1/32",
    "start",
];

#[test]
fn dense_music_steals_voices_but_never_rejects_a_block() {
    let (tx, rx) = RingBuffer::new(4096);
    let meters = Arc::new(Meters::new());
    let mut control = Control::new(tx, meters.clone());
    let vocab = Vocabulary::builtin();
    for phrase in DENSE {
        let report = control.run_line(phrase, &vocab);
        assert!(report.accepted(), "{phrase}: {:?}", report.error_text());
    }
    let (producer, mut consumer) = audio_ring(8);
    let mut render = RenderLoop::new(Engine::new(RATE), rx, producer, meters.clone(), 4);
    let blocks = 60 * RATE as usize / BLOCK_FRAMES;
    let (mut rendered, mut rejected, mut poisoned) = (0, 0, 0);
    let mut peak = 0f32;
    while rendered < blocks {
        match render.step() {
            Step::Rendered => rendered += 1,
            Step::RingFull => {}
            Step::Rejected => rejected += 1,
            Step::Poisoned => {
                poisoned += 1;
                break;
            }
            other => panic!("no fault was injected, yet the worker asked for {other:?}"),
        }
        while let Ok(block) = consumer.pop() {
            peak = block.samples.iter().fold(peak, |p, s| p.max(s.abs()));
        }
    }
    let m = meters.snapshot();
    assert_eq!((rejected, poisoned), (0, 0), "{}", m.to_key_values());
    assert!(
        m.voice_steals > 100,
        "the music is dense enough to steal voices: {}",
        m.to_key_values()
    );
    assert!(m.to_key_values().contains("steals="));
    assert!(peak > 0.1, "the music sounds: peak {peak}");
    let beat = meters.rendered_position().beat;
    assert!(
        beat > 60.0 * 3.0 - 1.0,
        "60 s at 180 bpm is 180 beats: {beat}"
    );
}
