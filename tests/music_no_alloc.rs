//! Proof that notes, chords, patterns, the arpeggiator, the transport and the effects never
//! allocate on the rendering thread: this test binary installs assert_no_alloc's
//! `AllocDisabler`, and every `apply`/`render`/`snapshot` call runs inside `rt_guard`.

use chronus::engine::command::{Command, Step, StepLevel, TrackParam, MAX_STEPS, TRACKS};
use chronus::engine::params::{ParamId, PARAMS};
use chronus::engine::{Engine, BLOCK_SAMPLES};
use chronus::rt::guard::{alloc_violations, rt_guard};

#[global_allocator]
static ALLOC: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

fn set(param: ParamId, value: f32) -> Command {
    Command::Set { param, value }
}

/// A long, varied stream of music commands, built before the real-time part starts.
fn score() -> Vec<Vec<Command>> {
    let mut blocks = Vec::new();
    for b in 0..2000usize {
        let mut cmds = Vec::new();
        match b % 100 {
            0 => cmds.push(Command::TransportStart),
            5 => {
                for track in 0..TRACKS as u8 {
                    for index in 0..MAX_STEPS as u8 {
                        let step = match (index + track) % 4 {
                            0 => Step::hit(StepLevel::Accent),
                            1 => Step::note(36 + index % 24),
                            2 => Step::hit(StepLevel::Hit),
                            _ => Step::REST,
                        };
                        cmds.push(Command::SetStep { track, index, step });
                    }
                    cmds.push(Command::SetTrack {
                        track,
                        param: TrackParam::Length,
                        value: 16.0 + f32::from(track),
                    });
                    cmds.push(Command::SetTrack {
                        track,
                        param: TrackParam::Sound(ParamId::OscWave),
                        value: f32::from(track % 5),
                    });
                }
            }
            10 => cmds.push(Command::ApplyPending),
            20 => {
                for note in [48, 51, 55, 58, 62] {
                    cmds.push(Command::NoteOn {
                        note,
                        velocity: 0.8,
                    });
                }
            }
            30 => cmds.push(set(ParamId::ArpMode, (b / 100 % 5) as f32)),
            40 => {
                // More notes than voices: stealing.
                for note in 60..84 {
                    cmds.push(Command::NoteOn {
                        note,
                        velocity: 0.5,
                    });
                }
            }
            50 => cmds.push(Command::AllNotesOff),
            60 => {
                for (i, p) in PARAMS.iter().enumerate() {
                    let v = p.min + (p.max - p.min) * (((b / 100 + i) % 7) as f32 / 6.0);
                    if p.id != ParamId::MasterGain && p.id != ParamId::AmpGain {
                        cmds.push(set(p.id, v));
                    }
                }
            }
            70 => cmds.push(Command::Gate { on: true }),
            75 => cmds.push(Command::SetTrack {
                track: 1,
                param: TrackParam::Mute,
                value: 1.0,
            }),
            80 => cmds.push(Command::Gate { on: false }),
            85 => cmds.push(Command::ClearTrack { track: 2 }),
            90 => cmds.push(Command::TransportStop),
            _ => {}
        }
        blocks.push(cmds);
    }
    blocks
}

#[test]
fn music_commands_and_rendering_never_allocate() {
    let blocks = score();
    let mut engine = Engine::new(44_100);
    let mut out = [0.0f32; BLOCK_SAMPLES];
    let mut loud = 0usize;
    let mut snapshots = 0usize;
    for cmds in &blocks {
        rt_guard(|| {
            for c in cmds {
                engine.apply(*c);
            }
            engine.render(&mut out);
            if engine.frames_rendered().is_multiple_of(6400) {
                let s = engine.state();
                snapshots += usize::from(s.values()[0] >= 0.0);
            }
        });
        loud += usize::from(out.iter().any(|s| s.abs() > 1e-3));
    }
    assert!(loud > 1000, "the score made sound in {loud} blocks");
    assert!(snapshots > 0);
    assert_eq!(
        alloc_violations(),
        0,
        "allocations while applying or rendering"
    );

    // The detector itself works: an allocation inside rt_guard is counted.
    let v = rt_guard(|| vec![1u8; 16].len());
    assert_eq!(v, 16);
    assert!(alloc_violations() > 0, "the allocation detector is live");
}
