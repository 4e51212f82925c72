//! Time-tagged bundles on the engine clock: bytes as a client sends them are decoded, routed,
//! turned into canonical lines, resolved by the phrase language into commands, placed at the engine frame `schedule_frame` gives,
//! and rendered offline. The sound must start within one block (64 frames) of the frame the
//! time tag names, at the start of the block that holds it.

use chronus::engine::params::ParamId;
use chronus::engine::PatchState;
use chronus::engine::{Engine, BLOCK_FRAMES};
use chronus::lang::{resolve_line, Vocabulary};
use chronus::osc::packet::{decode_datagram, flatten};
use chronus::osc::route::{route, Request};
use chronus::osc::timetag::{after, schedule_frame};
use chronus::session::offline::{render_frames, TimedCommand};
use rosc::{encoder, OscBundle, OscMessage, OscPacket, OscTime, OscType};
use std::time::Duration;

const RATE: u32 = 44_100;

/// A fixed "now", so the test does not depend on the wall clock.
const NOW: OscTime = OscTime {
    seconds: 3_960_000_000,
    fractional: 123_456_789,
};

fn msg(addr: &str, args: Vec<OscType>) -> OscPacket {
    OscPacket::Message(OscMessage {
        addr: addr.into(),
        args,
    })
}

/// What the engine would get for this datagram, if the engine is at `now_frame` at `NOW`.
fn timed_commands(bytes: &[u8], now_frame: u64) -> Vec<TimedCommand> {
    let packet = decode_datagram(bytes, 65_536).expect("decodes");
    let mut out: Vec<TimedCommand> = flatten(&packet)
        .into_iter()
        .map(|(due, message)| {
            let line = match route(message) {
                Ok(Request::Line(line)) => line,
                other => panic!("{}: {other:?}", message.addr),
            };
            // Each line alone against the default patch: these lines are all absolute.
            let actions = resolve_line(&line, &PatchState::default(), &Vocabulary::builtin())
                .unwrap_or_else(|e| panic!("{}", e.render(&line)));
            let [action] = actions.as_slice() else {
                panic!("{line}: {actions:?}")
            };
            TimedCommand {
                frame: schedule_frame(due, NOW, RATE, now_frame),
                command: action.command().expect("an engine command"),
            }
        })
        .collect();
    out.sort_by_key(|t| t.frame);
    out
}

fn first_sound(samples: &[f32]) -> Option<u64> {
    samples
        .chunks_exact(2)
        .position(|f| f[0] != 0.0 || f[1] != 0.0)
        .map(|i| i as u64)
}

#[test]
fn a_bundle_sounds_within_one_block_of_its_time_tag() {
    // Offsets that land at block starts, mid-block and just before a block end.
    for offset_us in [
        0u64,
        100_000,
        250_000,
        333_333,
        1_451_247,
        1_000_000 + 1_440,
    ] {
        let tag = after(NOW, Duration::from_micros(offset_us));
        let bytes = encoder::encode(&OscPacket::Bundle(OscBundle {
            timetag: tag,
            content: vec![msg("/gate", vec![OscType::Int(1)])],
        }))
        .expect("encodes");
        // The patch is set up "now", unscheduled: noise, no attack, so sound starts at once.
        let setup = encoder::encode(&OscPacket::Bundle(OscBundle {
            timetag: chronus::osc::timetag::IMMEDIATELY,
            content: vec![
                msg("/mod/osc/wave", vec![OscType::String("noise".into())]),
                msg("/mod/env/attack", vec![OscType::Int(0)]),
            ],
        }))
        .expect("encodes");
        let mut commands = timed_commands(&setup, 0);
        commands.extend(timed_commands(&bytes, 0));
        assert!(commands[..2].iter().all(|c| c.frame == 0));
        let expected = (offset_us as f64 * 1e-6 * f64::from(RATE)).round() as u64;
        assert_eq!(commands[2].frame, expected, "{offset_us} µs");

        let mut engine = Engine::new(RATE);
        let samples = render_frames(&mut engine, &commands, expected + 4 * 64, |_, _| {});
        let onset = first_sound(&samples).expect("the gate opened");
        let block_start = expected - expected % BLOCK_FRAMES as u64;
        // The gate lands at the start of the block that holds its time tag; a new voice's
        // filter answers one sample later (its first output sample is 0).
        assert!(
            (block_start..=block_start + 1).contains(&onset),
            "{offset_us} µs: expected frame {expected}, sound from {onset}"
        );
        assert!(expected.abs_diff(onset) < BLOCK_FRAMES as u64);
        assert_eq!(engine.value(ParamId::EnvAttack), 0.0);
    }
}

#[test]
fn nested_and_past_tags_map_to_frames_on_the_engine_clock() {
    let later = after(NOW, Duration::from_millis(500));
    let earlier = OscTime {
        seconds: NOW.seconds - 1,
        fractional: 0,
    };
    let bytes = encoder::encode(&OscPacket::Bundle(OscBundle {
        timetag: later,
        content: vec![
            msg("/mod/filter/cutoff", vec![OscType::Int(500)]),
            // A nested bundle "earlier" than its parent waits for the parent.
            OscPacket::Bundle(OscBundle {
                timetag: earlier,
                content: vec![msg("/note/on", vec![OscType::Int(60)])],
            }),
            OscPacket::Bundle(OscBundle {
                timetag: after(later, Duration::from_millis(250)),
                content: vec![msg("/note/off", vec![OscType::Int(60)])],
            }),
        ],
    }))
    .expect("encodes");
    let now_frame = 1_000_000;
    let frames: Vec<u64> = timed_commands(&bytes, now_frame)
        .iter()
        .map(|t| t.frame)
        .collect();
    assert_eq!(
        frames,
        vec![now_frame + 22_050, now_frame + 22_050, now_frame + 33_075]
    );
    let past = encoder::encode(&OscPacket::Bundle(OscBundle {
        timetag: earlier,
        content: vec![msg("/gate", vec![OscType::Int(1)])],
    }))
    .expect("encodes");
    assert_eq!(timed_commands(&past, now_frame)[0].frame, now_frame);
}
