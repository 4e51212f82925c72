//! The "full arrangement" realtime factor: 8 tracks (kick, snare, closed and open hat drums,
//! two sample tracks, a bass and a lead synth sequence), a held chord on the main voice so 16
//! voices sound, two LFOs (a filter wobble and a vibrato) and every effect on, with the
//! transport running at 174 bpm. Rendered offline on one thread, like the other realtime rows.

use super::realtime::RealtimeFactor;
use crate::engine::command::{Command, Step, StepLevel, TrackParam};
use crate::engine::drums::DrumKind;
use crate::engine::lfo::{LfoField, LfoTarget};
use crate::engine::params::ParamId;
use crate::engine::sample_library::{self, SampleData};
use crate::engine::Engine;
use std::sync::OnceLock;

/// A one-second sample for the sample tracks, added to the library once per process.
fn bench_sample() -> Option<u16> {
    static SLOT: OnceLock<Option<u16>> = OnceLock::new();
    *SLOT.get_or_init(|| {
        sample_library::insert(SampleData {
            name: "bench-saw".into(),
            frames: (0..44_100)
                .map(|i| ((i % 150) as f32 / 75.0 - 1.0) * (-(i as f32) / 20_000.0).exp())
                .collect(),
            rate: 44_100,
        })
        .ok()
    })
}

/// The commands that set up the arrangement.
pub fn arrangement_commands() -> Vec<Command> {
    let mut c = Vec::new();
    let set = |param, value| Command::Set { param, value };
    for (param, value) in [
        (ParamId::TransportTempo, 174.0),
        (ParamId::AmpGain, -30.0),
        (ParamId::FilterCutoff, 1200.0),
        (ParamId::FilterRes, 0.5),
        (ParamId::DriveAmount, 0.3),
        (ParamId::ChorusMix, 0.3),
        (ParamId::DelayMix, 0.3),
        (ParamId::DelayFeedback, 0.5),
        (ParamId::ReverbMix, 0.3),
    ] {
        c.push(set(param, value));
    }
    let track = |c: &mut Vec<Command>, t: u8, param: TrackParam, value: f32| {
        c.push(Command::SetTrack {
            track: t,
            param,
            value,
        })
    };
    let pattern = |c: &mut Vec<Command>, t: u8, text: &str| {
        for (i, ch) in text.chars().enumerate() {
            let level = StepLevel::from_char(ch).unwrap_or(StepLevel::Rest);
            c.push(Command::SetStep {
                track: t,
                index: i as u8,
                step: Step::hit(level),
            });
        }
    };
    for (t, (kind, steps)) in [
        (DrumKind::Kick, "x.........x....."),
        (DrumKind::Snare, "....x.......x..."),
        (DrumKind::ClosedHat, "xxxxxxxxxxxxxxx."),
        (DrumKind::OpenHat, "...............x"),
    ]
    .into_iter()
    .enumerate()
    {
        track(&mut c, t as u8, TrackParam::Drum, kind.value());
        pattern(&mut c, t as u8, steps);
    }
    if let Some(slot) = bench_sample() {
        for t in [4u8, 5] {
            track(&mut c, t, TrackParam::Sample, f32::from(slot) + 1.0);
            pattern(
                &mut c,
                t,
                if t == 4 {
                    "x...x...x...x..."
                } else {
                    "..x...x...x...x."
                },
            );
        }
        track(&mut c, 5, TrackParam::Loop, 1.0);
    }
    for (t, notes) in [(6u8, [28u8, 28, 31, 33]), (7, [64, 67, 71, 74])] {
        for i in 0..16u8 {
            c.push(Command::SetStep {
                track: t,
                index: i,
                step: Step::note(notes[usize::from(i % 4)]),
            });
        }
        track(&mut c, t, TrackParam::Gate, 0.9);
    }
    let lfo = |instrument, field, value| Command::SetLfo {
        instrument,
        slot: 0,
        field,
        value,
    };
    c.push(lfo(0, LfoField::Target, LfoTarget::Cutoff.value()));
    c.push(lfo(0, LfoField::Sync, 0.125));
    c.push(lfo(0, LfoField::Depth, 1.0));
    c.push(lfo(8, LfoField::Target, LfoTarget::Pitch.value()));
    c.push(lfo(8, LfoField::RateHz, 5.0));
    c.push(lfo(8, LfoField::Depth, 20.0));
    // A held chord on the main voice: with the two synth tracks, 16 voices.
    for i in 0..14u8 {
        c.push(Command::NoteOn {
            note: 40 + i * 3,
            velocity: 0.7,
        });
    }
    c.push(Command::TransportStart);
    c
}

/// Times the arrangement for about `seconds` of audio (the fastest quarter second counts).
pub fn full_arrangement_realtime_factor(sample_rate: u32, seconds: f64) -> RealtimeFactor {
    let mut engine = Engine::with_voices(sample_rate, 16);
    for command in arrangement_commands() {
        engine.apply(command);
    }
    let (audio_seconds, wall_seconds) =
        super::realtime::time_renders(&mut engine, sample_rate, seconds);
    RealtimeFactor {
        label: "full arrangement".into(),
        audio_seconds,
        wall_seconds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_arrangement_sounds_with_sixteen_voices_busy() {
        let mut engine = Engine::with_voices(44_100, 16);
        for command in arrangement_commands() {
            engine.apply(command);
        }
        let mut block = [0.0f32; crate::engine::BLOCK_SAMPLES];
        let mut loud = 0;
        let mut busiest = 0;
        for _ in 0..2000 {
            engine.render(&mut block);
            loud += usize::from(block.iter().any(|s| s.abs() > 1e-3));
            busiest = busiest.max(engine.active_voices());
        }
        assert!(loud > 1900, "{loud}");
        assert_eq!(busiest, 16);
        let r = full_arrangement_realtime_factor(44_100, 0.25);
        assert!(r.factor() > 0.0);
    }
}
