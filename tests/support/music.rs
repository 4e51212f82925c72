//! Helpers for the music tests: building patches, patterns and renders (test thread only).
#![allow(dead_code)]

use chronus::analysis::left;
use chronus::engine::command::{Command, Step, StepLevel, TrackParam};
use chronus::engine::params::ParamId;
use chronus::engine::{Engine, BLOCK_SAMPLES};

pub const SR: u32 = 44_100;

pub fn set(engine: &mut Engine, param: ParamId, value: f32) {
    engine.apply(Command::Set { param, value });
}

pub fn set_track(engine: &mut Engine, track: u8, param: TrackParam, value: f32) {
    engine.apply(Command::SetTrack {
        track,
        param,
        value,
    });
}

/// Writes a pattern in the original notation (`x..X`) into `track`, and its length.
pub fn pattern(engine: &mut Engine, track: u8, text: &str) {
    for (i, c) in text.chars().enumerate() {
        let level = StepLevel::from_char(c).expect("pattern character");
        engine.apply(Command::SetStep {
            track,
            index: i as u8,
            step: Step::hit(level),
        });
    }
    set_track(engine, track, TrackParam::Length, text.len() as f32);
}

/// Writes a note sequence (`Some(midi)` or `None` for a rest) into `track`.
pub fn sequence(engine: &mut Engine, track: u8, notes: &[Option<u8>]) {
    for (i, n) in notes.iter().enumerate() {
        let step = n.map_or(Step::REST, Step::note);
        engine.apply(Command::SetStep {
            track,
            index: i as u8,
            step,
        });
    }
    set_track(engine, track, TrackParam::Length, notes.len() as f32);
}

/// An engine whose voices are plain and immediate: attack 0, full sustain, short release,
/// open filter, effects dry.
pub fn plain_engine(wave: &str) -> Engine {
    let mut e = Engine::new(SR);
    let w = ParamId::OscWave.spec().choice_index(wave).expect("wave") as f32;
    set(&mut e, ParamId::OscWave, w);
    set(&mut e, ParamId::EnvAttack, 0.0);
    set(&mut e, ParamId::EnvDecay, 0.0);
    set(&mut e, ParamId::EnvSustain, 1.0);
    set(&mut e, ParamId::EnvRelease, 0.005);
    set(&mut e, ParamId::FilterCutoff, 20_000.0);
    set(&mut e, ParamId::FilterRes, 0.0);
    e
}

/// Renders exactly `round(seconds × rate)` frames (in blocks, the last one partial) and
/// returns the left channel.
pub fn render(engine: &mut Engine, seconds: f32) -> Vec<f32> {
    let frames = (f64::from(seconds) * f64::from(SR)).round() as usize;
    let mut out = Vec::with_capacity(frames * 2);
    let mut block = [0.0f32; BLOCK_SAMPLES];
    let mut done = 0;
    while done < frames {
        let n = (frames - done).min(BLOCK_SAMPLES / 2);
        engine.render(&mut block[..n * 2]);
        out.extend_from_slice(&block[..n * 2]);
        done += n;
    }
    left(&out)
}

/// Frames where sound starts after at least `gap` frames of exact silence.
pub fn onsets(x: &[f32], gap: usize) -> Vec<usize> {
    let mut found = Vec::new();
    let mut silent = gap;
    for (i, s) in x.iter().enumerate() {
        if *s != 0.0 {
            if silent >= gap {
                found.push(i);
            }
            silent = 0;
        } else {
            silent += 1;
        }
    }
    found
}
