//! Realtime factor of the voice chain: how many seconds of audio one thread renders per wall
//! second through the offline `Engine::render`, with 1 to 128 held voices, effects off and on.
//!
//! Runs on the caller's thread; timing claims live here, never in tests.

use crate::engine::command::Command;
use crate::engine::params::ParamId;
use crate::engine::{Engine, BLOCK_SAMPLES};
use serde::Serialize;
use std::time::Instant;

/// One measured realtime factor.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RealtimeFactor {
    /// What was rendered.
    pub label: String,
    /// Audio seconds rendered.
    pub audio_seconds: f64,
    /// Wall-clock seconds it took.
    pub wall_seconds: f64,
}

impl RealtimeFactor {
    /// Audio seconds per wall second.
    pub fn factor(&self) -> f64 {
        self.audio_seconds / self.wall_seconds.max(1e-9)
    }
}

/// Renders `seconds` of a saw → ADSR → resonant lowpass voice with the gate held, and times it.
pub fn voice_chain_realtime_factor(sample_rate: u32, seconds: f64) -> RealtimeFactor {
    let mut engine = Engine::new(sample_rate);
    for (param, value) in [
        (ParamId::OscWave, 1.0),
        (ParamId::FilterCutoff, 1200.0),
        (ParamId::FilterRes, 0.6),
    ] {
        engine.apply(Command::Set { param, value });
    }
    engine.apply(Command::Gate { on: true });
    let blocks = (seconds * f64::from(sample_rate) / crate::engine::BLOCK_FRAMES as f64) as u64;
    let mut block = [0.0f32; BLOCK_SAMPLES];
    let mut sink = 0.0f32;
    let start = Instant::now();
    for _ in 0..blocks {
        engine.render(&mut block);
        sink += block[0];
    }
    let wall = start.elapsed().as_secs_f64();
    std::hint::black_box(sink);
    RealtimeFactor {
        label: "1 voice: saw → ADSR → resonant lowpass".into(),
        audio_seconds: blocks as f64 * crate::engine::BLOCK_FRAMES as f64 / f64::from(sample_rate),
        wall_seconds: wall,
    }
}

/// The voice counts [`polyphony_realtime_factors`] measures by default.
pub const POLYPHONY_COUNTS: [usize; 4] = [1, 16, 64, 128];

/// Renders `seconds` with `voices` notes held on a pool of exactly that many voices (saw →
/// ADSR at sustain → resonant lowpass), optionally through drive, chorus, delay and reverb,
/// and reports the fastest quarter second. The render loop runs inside `rt_guard`
/// (denormals flushed) like the worker.
pub fn polyphony_realtime_factor(
    sample_rate: u32,
    seconds: f64,
    voices: usize,
    effects: bool,
) -> RealtimeFactor {
    let mut engine = Engine::with_voices(sample_rate, voices);
    for command in held_chord_commands(voices, effects) {
        engine.apply(command);
    }
    let (audio_seconds, wall_seconds) = time_renders(&mut engine, sample_rate, seconds);
    RealtimeFactor {
        label: format!(
            "{voices:>3} voices, effects {}",
            if effects { "on " } else { "off" }
        ),
        audio_seconds,
        wall_seconds,
    }
}

/// Times `engine` rendering about `seconds` of audio after one settling second, in runs of
/// a quarter second, and returns (audio seconds of one run, wall seconds of the fastest run):
/// the fastest run counts, so that other processes on a shared machine disturb the figure as
/// little as possible. The render loop runs inside `rt_guard` (denormals flushed) like the
/// worker.
pub fn time_renders(engine: &mut Engine, sample_rate: u32, seconds: f64) -> (f64, f64) {
    use crate::rt::guard::rt_guard;
    let mut block = [0.0f32; BLOCK_SAMPLES];
    // Past the attack and decay: held voices sustain.
    for _ in 0..(sample_rate as usize / crate::engine::BLOCK_FRAMES) {
        rt_guard(|| engine.render(&mut block));
    }
    let run_blocks = (sample_rate as usize / 4 / crate::engine::BLOCK_FRAMES).max(1);
    let runs = ((seconds * 4.0).ceil() as usize).max(1);
    let mut best = f64::MAX;
    let mut sink = 0.0f32;
    for _ in 0..runs {
        let start = Instant::now();
        rt_guard(|| {
            for _ in 0..run_blocks {
                engine.render(&mut block);
                sink += block[0];
            }
        });
        best = best.min(start.elapsed().as_secs_f64());
    }
    std::hint::black_box(sink);
    let audio = (run_blocks * crate::engine::BLOCK_FRAMES) as f64 / f64::from(sample_rate);
    (audio, best)
}

/// The patch and notes of the polyphony benchmark (and of `chronus render --voices`): saw →
/// ADSR → resonant lowpass (1200 Hz, resonance 0.6) at -30 dB, optionally through drive,
/// chorus, delay and reverb, then `voices` distinct held notes (MIDI note 37·i mod 128, so
/// every note gets its own voice on a pool of `voices` voices).
pub fn held_chord_commands(voices: usize, effects: bool) -> Vec<Command> {
    let mut settings = vec![
        (ParamId::OscWave, 1.0),
        (ParamId::FilterCutoff, 1200.0),
        (ParamId::FilterRes, 0.6),
        (ParamId::AmpGain, -30.0),
    ];
    if effects {
        settings.extend([
            (ParamId::DriveAmount, 0.3),
            (ParamId::ChorusMix, 0.3),
            (ParamId::DelayMix, 0.3),
            (ParamId::DelayFeedback, 0.5),
            (ParamId::ReverbMix, 0.3),
        ]);
    }
    let mut commands: Vec<Command> = settings
        .into_iter()
        .map(|(param, value)| Command::Set { param, value })
        .collect();
    commands.extend((0..voices.min(128)).map(|i| Command::NoteOn {
        // A permutation of 0..128: every note distinct.
        note: ((i * 37) % 128) as u8,
        velocity: 0.8,
    }));
    commands
}

/// [`polyphony_realtime_factor`] for every count in `counts`, effects off then on.
pub fn polyphony_realtime_factors(
    sample_rate: u32,
    seconds: f64,
    counts: &[usize],
) -> Vec<RealtimeFactor> {
    let mut out = Vec::new();
    for effects in [false, true] {
        for &voices in counts {
            out.push(polyphony_realtime_factor(
                sample_rate,
                seconds,
                voices,
                effects,
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_held_chord_plays_distinct_notes() {
        let mut engine = Engine::with_voices(44_100, 64);
        for c in held_chord_commands(64, false) {
            engine.apply(c);
        }
        let mut block = [0.0f32; BLOCK_SAMPLES];
        engine.render(&mut block);
        assert_eq!(engine.active_voices(), 64);
    }

    #[test]
    fn the_polyphony_benchmark_plays_every_voice() {
        let r = polyphony_realtime_factor(44_100, 0.05, 16, true);
        assert!(r.audio_seconds > 0.04);
        assert!(r.label.contains("16 voices, effects on"));
    }
}
