//! `chronus bench`: measurements that print numbers (realtime factor of the voice chain).
//!
//! Runs on the caller's thread; timing claims live here, never in tests.

use crate::engine::command::Command;
use crate::engine::params::ParamId;
use crate::engine::{Engine, BLOCK_SAMPLES};
use std::time::Instant;

/// One measured realtime factor.
#[derive(Clone, Debug, PartialEq)]
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
