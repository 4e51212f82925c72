//! The synthesis engine: one `Engine::render` for the live device, the null device and
//! offline rendering.
//!
//! `Engine` runs on whichever thread renders (the DSP worker thread live, the caller's thread
//! offline). `render` and `apply` never allocate, lock or block; all state is fixed-size and
//! built in `Engine::new`.

pub mod command;
pub mod envelope;
pub mod filter;
pub mod oscillator;
pub mod params;
pub mod smoother;

use command::{midi_to_hz, Command, Fault};
use envelope::{Adsr, AdsrSettings};
use filter::Svf;
use oscillator::Oscillator;
use params::{default_values, FilterMode, ParamId, Waveform, PARAM_COUNT};
use smoother::{db_to_gain, Smoother};

/// Frames per engine block: commands are applied at block starts.
pub const BLOCK_FRAMES: usize = 64;
/// Output channels (interleaved stereo).
pub const CHANNELS: usize = 2;
/// Samples per block (frames × channels).
pub const BLOCK_SAMPLES: usize = BLOCK_FRAMES * CHANNELS;
/// The default sample rate.
pub const DEFAULT_SAMPLE_RATE: u32 = 44_100;

/// Everything the engine counts that the meters show.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EngineCounters {
    /// How often a module's state went non-finite and was reset.
    pub nan_resets: u64,
    /// Blocks in which the output guard had to silence non-finite samples.
    pub silenced_blocks: u64,
}

/// The monophonic voice chain: oscillator → ADSR → filter → amp → master.
pub struct Engine {
    sample_rate: f32,
    values: [f32; PARAM_COUNT],
    osc: Oscillator,
    env: Adsr,
    filter: Svf,
    freq: Smoother,
    log_cutoff: Smoother,
    res: Smoother,
    amp: Smoother,
    master: Smoother,
    velocity: f32,
    gate: bool,
    note: Option<u8>,
    frames: u64,
    counters: EngineCounters,
}

/// A copy of what the engine needs to rebuild an identical patch elsewhere.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EngineSnapshot {
    /// Every parameter value, indexed by [`ParamId`].
    pub values: [f32; PARAM_COUNT],
    /// Whether the gate is open.
    pub gate: bool,
    /// The note that is held, if any.
    pub note: Option<u8>,
}

impl Default for EngineSnapshot {
    fn default() -> Self {
        EngineSnapshot {
            values: default_values(),
            gate: false,
            note: None,
        }
    }
}

/// Soft clip that leaves everything below 0.8 untouched and bends smoothly to ±1.
#[inline]
pub fn soft_clip(x: f32) -> f32 {
    let a = x.abs();
    if a <= 0.8 {
        x
    } else {
        (0.8 + 0.2 * ((a - 0.8) / 0.2).tanh()).copysign(x)
    }
}

impl Engine {
    /// A new engine with the default patch, gate closed.
    pub fn new(sample_rate: u32) -> Self {
        Self::from_snapshot(sample_rate, &EngineSnapshot::default())
    }

    /// A new engine with the patch of `snapshot` already settled (no glide from defaults).
    pub fn from_snapshot(sample_rate: u32, snapshot: &EngineSnapshot) -> Self {
        let sr = sample_rate as f32;
        let v = &snapshot.values;
        let mut engine = Engine {
            sample_rate: sr,
            values: *v,
            osc: Oscillator::new(0x9E37_79B9),
            env: Adsr::new(),
            filter: Svf::new(),
            freq: Smoother::new(v[ParamId::OscFreq.index()], 0.003, sr),
            log_cutoff: Smoother::new(v[ParamId::FilterCutoff.index()].log2(), 0.01, sr),
            res: Smoother::new(v[ParamId::FilterRes.index()], 0.01, sr),
            amp: Smoother::new(db_to_gain(v[ParamId::AmpGain.index()]), 0.01, sr),
            master: Smoother::new(db_to_gain(v[ParamId::MasterGain.index()]), 0.01, sr),
            velocity: 1.0,
            gate: false,
            note: None,
            frames: 0,
            counters: EngineCounters::default(),
        };
        if let Some(note) = snapshot.note {
            engine.apply(Command::NoteOn {
                note,
                velocity: 1.0,
            });
        } else if snapshot.gate {
            engine.apply(Command::Gate { on: true });
        }
        engine
    }

    /// The sample rate in Hz.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate as u32
    }

    /// The current value of a parameter (the target, after clamping).
    pub fn value(&self, param: ParamId) -> f32 {
        self.values[param.index()]
    }

    /// Patch, gate and note, for building a twin engine.
    pub fn snapshot(&self) -> EngineSnapshot {
        EngineSnapshot {
            values: self.values,
            gate: self.gate,
            note: self.note,
        }
    }

    /// Frames rendered since the engine was built (the engine's sample clock).
    pub fn frames_rendered(&self) -> u64 {
        self.frames
    }

    /// Fault and guard counters.
    pub fn counters(&self) -> EngineCounters {
        self.counters
    }

    /// True when the gate is open.
    pub fn gate(&self) -> bool {
        self.gate
    }

    /// The present envelope level (0..1).
    pub fn envelope_level(&self) -> f32 {
        self.env.level()
    }

    /// Moves every glide to its target and the envelope to where the held gate ends up
    /// (sustain) or a closed one does (silence), without rendering. A warm standby, which
    /// applies commands but renders nothing, calls this when it is promoted so its first
    /// block sounds like the patch instead of gliding or re-attacking into it.
    pub fn settle(&mut self) {
        for s in [
            &mut self.freq,
            &mut self.log_cutoff,
            &mut self.res,
            &mut self.amp,
            &mut self.master,
        ] {
            s.snap(s.target());
        }
        self.env
            .settle(self.gate, self.values[ParamId::EnvSustain.index()]);
    }

    fn adsr_settings(&self) -> AdsrSettings {
        AdsrSettings {
            attack: self.values[ParamId::EnvAttack.index()],
            decay: self.values[ParamId::EnvDecay.index()],
            sustain: self.values[ParamId::EnvSustain.index()],
            release: self.values[ParamId::EnvRelease.index()],
        }
    }

    /// Applies one command. Values are clamped to their parameter's range; never allocates.
    pub fn apply(&mut self, command: Command) {
        match command {
            Command::Set { param, value } => {
                let v = param.spec().clamp(value);
                self.values[param.index()] = v;
                match param {
                    ParamId::OscFreq => self.freq.set_target(v),
                    ParamId::FilterCutoff => self.log_cutoff.set_target(v.log2()),
                    ParamId::FilterRes => self.res.set_target(v),
                    ParamId::AmpGain => self.amp.set_target(db_to_gain(v)),
                    ParamId::MasterGain => self.master.set_target(db_to_gain(v)),
                    _ => {}
                }
            }
            Command::Gate { on } => {
                self.gate = on;
                if on {
                    self.env.gate_on();
                } else {
                    self.note = None;
                    let s = self.adsr_settings();
                    self.env.gate_off(&s, self.sample_rate);
                }
            }
            Command::NoteOn { note, velocity } => {
                let hz = ParamId::OscFreq.spec().clamp(midi_to_hz(note as f32));
                self.values[ParamId::OscFreq.index()] = hz;
                if self.env.is_idle() {
                    // A new note from silence starts on pitch, not gliding from the last one.
                    self.freq.snap(hz);
                } else {
                    self.freq.set_target(hz);
                }
                self.velocity = velocity.clamp(0.0, 1.0);
                self.note = Some(note);
                self.gate = true;
                self.env.gate_on();
            }
            Command::NoteOff { note } => {
                if self.note == Some(note) {
                    self.apply(Command::Gate { on: false });
                }
            }
            Command::AllNotesOff => self.apply(Command::Gate { on: false }),
            Command::Fault(Fault::Nan) => self.filter.poison(),
            Command::Fault(_) => {}
        }
    }

    /// Renders interleaved stereo into `out` (any length that is a multiple of 2).
    /// Never allocates, locks or blocks.
    pub fn render(&mut self, out: &mut [f32]) {
        let sr = self.sample_rate;
        let wave = Waveform::from_value(self.values[ParamId::OscWave.index()]);
        let mode = FilterMode::from_value(self.values[ParamId::FilterMode.index()]);
        let detune = 2f32.powf(self.values[ParamId::OscDetune.index()] / 1200.0);
        let adsr = self.adsr_settings();
        for frame in out.chunks_exact_mut(CHANNELS) {
            let freq = self.freq.tick() * detune;
            let cutoff = self.log_cutoff.tick().exp2();
            let res = self.res.tick();
            self.filter.set(cutoff, res, sr);
            let env = self.env.next(&adsr, sr);
            let raw = self.osc.next(wave, freq, sr);
            let filtered = self.filter.process(raw, mode);
            let voice = filtered * env * self.velocity * self.amp.tick();
            let y = soft_clip(voice * self.master.tick());
            frame[0] = y;
            frame[1] = y;
        }
        self.frames += (out.len() / CHANNELS) as u64;
        self.guard_non_finite(out);
    }

    /// The NaN/inf guard: a module whose state went non-finite is reset and counted, and a
    /// block holding non-finite samples is silenced so they never reach the output.
    fn guard_non_finite(&mut self, out: &mut [f32]) {
        if !self.filter.is_finite() {
            self.filter.reset();
            self.counters.nan_resets += 1;
        }
        if out.iter().any(|s| !s.is_finite()) {
            out.fill(0.0);
            self.counters.silenced_blocks += 1;
        }
    }
}
