//! The synthesis engine: one `Engine::render` for the live device, the null device and
//! offline rendering.
//!
//! `Engine` runs on whichever thread renders (the DSP worker thread live, the caller's thread
//! offline). `render` and `apply` never allocate, lock or block; every voice, pattern and
//! delay line is fixed-size and built in `Engine::new`. Commands apply at block starts;
//! sequencer steps, arpeggio notes and scheduled releases land on their exact frame inside
//! a block (the block is split there).

pub mod arp;
mod block_render;
pub mod command;
pub mod drums;
pub mod envelope;
pub mod filter;
pub mod fx;
mod hard_sync;
pub mod idle;
pub mod lfo;
pub mod note_tap;
pub mod oscillator;
pub mod params;
mod phase_mod;
pub mod position;
pub mod profile;
pub mod ramp;
pub mod sample_library;
pub mod sampler;
pub mod second_filter;
pub mod sequencer;
pub mod simd;
pub mod smoother;
pub mod state;
pub mod transport;
pub mod voice;
pub mod voice_filter;
pub mod voice_pool;
pub mod voice_sources;

use arp::{ArpMode, Arpeggiator};
use command::{midi_to_hz, Command, Fault, Step};
use fx::FxChain;
use idle::IdleWatch;
use params::ParamId;
use profile::SoundProfiles;
use sequencer::Sequencer;
use smoother::{db_to_gain, BlockSmoother};
pub use state::PatchState;
use transport::Transport;
use voice::{VoiceSource, NEVER};
use voice_pool::{VoicePool, DEFAULT_VOICES};

/// Frames per engine block: commands are applied at block starts.
pub const BLOCK_FRAMES: usize = 64;
/// Output channels (interleaved stereo).
pub const CHANNELS: usize = 2;
/// Samples per block (frames × channels).
pub const BLOCK_SAMPLES: usize = BLOCK_FRAMES * CHANNELS;
/// The default sample rate.
pub const DEFAULT_SAMPLE_RATE: u32 = 44_100;
/// The note number the gated voice and pattern hits at `osc.freq` are filed under.
const PITCH_NOTE: u8 = Step::TRACK_PITCH;

/// Everything the engine counts that the meters show.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EngineCounters {
    /// How often a module's state went non-finite and was reset.
    pub nan_resets: u64,
    /// Blocks in which the output guard had to silence non-finite samples.
    pub silenced_blocks: u64,
    /// Voices stolen because every voice was busy.
    pub voice_steals: u64,
}

/// A polyphonic synth: voice pool → drive → chorus → delay → reverb → master, with a
/// transport, a step sequencer and an arpeggiator.
pub struct Engine {
    sample_rate: f32,
    state: PatchState,
    pool: VoicePool,
    profiles: SoundProfiles,
    freq: BlockSmoother,
    master: BlockSmoother,
    transport: Transport,
    seq: Sequencer,
    arp: Arpeggiator,
    fx: FxChain,
    drums: drums::DrumKit,
    sampler: sampler::SamplerKit,
    lfo_phases: lfo::LfoPhases,
    lfo_was_on: bool,
    ramps: ramp::Ramps,
    duck: f32,
    sound_dirty: bool,
    fx_dirty: bool,
    frames: u64,
    counters: EngineCounters,
    /// MIDI out's view of the timeline, when attached (see `note_tap.rs`).
    note_tap: Option<std::sync::Arc<note_tap::NoteTap>>,
    idle: IdleWatch,
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
    /// A new engine with the default patch and [`DEFAULT_VOICES`] voices, gate closed.
    pub fn new(sample_rate: u32) -> Self {
        Self::from_state(sample_rate, &PatchState::default(), 0.0)
    }

    /// A new engine with `voices` voices (allocated here, never later).
    pub fn with_voices(sample_rate: u32, voices: usize) -> Self {
        Self::build(sample_rate, voices, &PatchState::default(), 0.0)
    }

    /// A new engine with the patch, held notes and tracks of `patch` already settled (no
    /// glide from defaults); if its transport runs, it runs from `position_beats` (beats from
    /// the top of bar 1).
    pub fn from_state(sample_rate: u32, patch: &PatchState, position_beats: f64) -> Self {
        Self::build(sample_rate, DEFAULT_VOICES, patch, position_beats)
    }

    /// [`Engine::from_state`] with `voices` voices.
    pub fn build(sample_rate: u32, voices: usize, patch: &PatchState, position_beats: f64) -> Self {
        let sr = sample_rate as f32;
        let v = &patch.values;
        let mut state = *patch;
        state.gate = false;
        state.note = None;
        state.held.clear();
        state.running = false;
        let mut engine = Engine {
            sample_rate: sr,
            pool: VoicePool::new(voices, sr),
            profiles: SoundProfiles::new(v, &patch.tracks, sr),
            freq: BlockSmoother::new(v[ParamId::OscFreq.index()], 0.003, sr),
            master: BlockSmoother::new(db_to_gain(v[ParamId::MasterGain.index()]), 0.01, sr),
            transport: Transport::new(
                sample_rate,
                v[ParamId::TransportTempo.index()],
                v[ParamId::TransportSwing.index()],
            ),
            seq: Sequencer::new(&patch.tracks),
            arp: Arpeggiator::new(),
            fx: FxChain::new(sr, v),
            drums: drums::DrumKit::new(sr),
            sampler: sampler::SamplerKit::new(sr),
            lfo_phases: lfo::LfoPhases::default(),
            lfo_was_on: false,
            ramps: ramp::Ramps::default(),
            duck: 1.0,
            sound_dirty: false,
            fx_dirty: false,
            frames: 0,
            counters: EngineCounters::default(),
            note_tap: None,
            idle: IdleWatch::new(),
            state,
        };
        engine.configure_arp();
        if patch.running {
            engine.transport.start(0, position_beats);
            engine.state.running = true;
            engine.seq.resync_all(&engine.transport, 0);
        }
        // Held notes first (each sets osc.freq), then the patch's own osc.freq and the gate.
        for note in patch.held.iter() {
            let velocity = patch.held.velocity(note);
            engine.apply(Command::NoteOn { note, velocity });
        }
        engine.state.note = patch.note;
        engine.set_value(ParamId::OscFreq, v[ParamId::OscFreq.index()]);
        engine.freq.snap(v[ParamId::OscFreq.index()]);
        if patch.gate {
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
        self.state.values[param.index()]
    }

    /// The patch as this engine has it (parameters, gate, held notes, tracks), for building
    /// a twin engine with [`Engine::from_state`].
    pub fn state(&self) -> PatchState {
        self.state
    }

    /// Where the transport is, in beats from the top of bar 1 (0 while it is stopped).
    pub fn position_beats(&self) -> f64 {
        if self.transport.is_running() {
            self.transport.beat_at(self.frames)
        } else {
            0.0
        }
    }

    /// Frames rendered since the engine was built (the engine's sample clock).
    pub fn frames_rendered(&self) -> u64 {
        self.frames
    }

    /// Fault, guard and voice counters.
    pub fn counters(&self) -> EngineCounters {
        let mut c = self.counters;
        c.voice_steals = self.pool.steals();
        c
    }

    /// Lets `render` skip the voices and effects while nothing sounds and every effect tail
    /// has decayed below -120 dB (see [`idle`]). Off by default; live workers switch it on.
    pub fn set_idle_skip(&mut self, on: bool) {
        self.idle.enable(on);
    }

    /// True while the last block was skipped as idle.
    pub fn is_idle(&self) -> bool {
        self.idle.is_idle()
    }

    /// True when the gated voice's gate is open.
    pub fn gate(&self) -> bool {
        self.state.gate
    }

    /// The loudest voice's envelope level (0..1).
    pub fn envelope_level(&self) -> f32 {
        self.pool.loudest_level()
    }

    /// Voices sounding now.
    pub fn active_voices(&self) -> usize {
        self.pool.active_count()
    }

    /// Voices in the pool.
    pub fn voice_count(&self) -> usize {
        self.pool.len()
    }

    /// True while the transport runs.
    pub fn is_running(&self) -> bool {
        self.transport.is_running()
    }

    /// The pattern step `track` played last (for the TUI), if it has played.
    pub fn current_step(&self, track: usize) -> Option<usize> {
        self.seq.current_step(track)
    }

    /// Moves every glide to its target and every envelope to where it ends up (sustain
    /// while gated, silence otherwise), without rendering. A warm standby calls this when
    /// it is promoted so its first block sounds like the patch.
    pub fn settle(&mut self) {
        self.freq.snap(self.freq.target());
        self.master.snap(self.master.target());
        self.refresh_profiles();
        if self.fx_dirty {
            self.fx.set(&self.state.values);
            self.fx_dirty = false;
        }
        self.profiles.settle();
        self.pool.settle(self.profiles.params());
        self.fx.settle();
        self.drums.stop_all();
        self.sampler.stop_all();
        self.duck = 1.0;
    }

    /// Brings the sound profiles up to date with the parameters (before releases, which
    /// read the release time).
    fn refresh_profiles(&mut self) {
        if self.sound_dirty {
            self.profiles
                .retarget(&self.state.values, self.seq.playing());
            self.sound_dirty = false;
        }
    }

    fn set_value(&mut self, param: ParamId, value: f32) {
        self.state.values[param.index()] = param.spec().clamp(value);
    }

    fn gate_voice_sounding(&self) -> bool {
        self.pool
            .voices()
            .iter()
            .any(|v| v.is_active() && v.source() == VoiceSource::Gate)
    }

    fn configure_arp(&mut self) {
        let v = &self.state.values;
        self.arp.configure(
            ArpMode::from_value(v[ParamId::ArpMode.index()]),
            v[ParamId::ArpRate.index()],
            v[ParamId::ArpOctaves.index()],
            v[ParamId::ArpGate.index()],
        );
    }

    /// Applies one command. Values are clamped to their parameter's range; never allocates.
    pub fn apply(&mut self, command: Command) {
        let was_running = self.state.running;
        let ramp_from = match command {
            Command::Ramp { param, track, .. } => self.ramp_value(track, param),
            _ => 0.0,
        };
        self.state.apply(&command);
        let now = self.frames;
        if matches!(
            command,
            Command::Gate { on: false } | Command::NoteOff { .. } | Command::AllNotesOff
        ) {
            self.refresh_profiles();
        }
        match command {
            Command::Set { param, .. } => {
                self.ramps.cancel(0, param);
                self.param_changed(param);
            }
            Command::Ramp {
                param,
                track,
                length,
                unit,
                ..
            } => self.start_ramp(track, param, ramp_from, length, unit),
            Command::SetLfo { .. } => {}
            Command::Gate { on: true } => {
                if !self.gate_voice_sounding() {
                    self.freq.snap(self.value(ParamId::OscFreq));
                }
                self.pool
                    .start(VoiceSource::Gate, PITCH_NOTE, 0.0, 1.0, NEVER);
            }
            Command::Gate { on: false } => {
                self.pool
                    .release(VoiceSource::Gate, None, self.profiles.params());
            }
            Command::NoteOn { note, velocity } => {
                let note = note.min(127);
                self.param_changed(ParamId::OscFreq);
                if self.arp.is_on() {
                    self.arp.start(now, &self.transport);
                } else {
                    let hz = midi_to_hz(f32::from(note));
                    self.pool
                        .start(VoiceSource::Live, note, hz, velocity, NEVER);
                }
            }
            Command::NoteOff { note } => {
                self.pool
                    .release(VoiceSource::Live, Some(note), self.profiles.params());
            }
            Command::AllNotesOff => {
                self.arp.stop();
                self.pool.release_all(self.profiles.params());
            }
            Command::TransportStart => {
                if !was_running {
                    self.transport.start(now, 0.0);
                    self.seq.rewind();
                    self.seq.resync_all(&self.transport, now);
                }
            }
            Command::TransportStop => {
                self.transport.stop();
                self.seq.stop(&self.state.tracks, &self.transport, now);
                self.sound_dirty = true;
            }
            Command::SetStep { track, .. }
            | Command::SetTrack { track, .. }
            | Command::ClearTrack { track } => {
                if let Command::SetTrack {
                    param: command::TrackParam::Sound(p),
                    ..
                } = command
                {
                    self.ramps.cancel(ramp::ramp_instrument(track), p);
                }
                let t = usize::from(track);
                if let Some(latest) = self.state.tracks.get(t) {
                    self.seq.track_edited(t, latest, &self.transport, now);
                    self.sound_dirty = true;
                }
            }
            Command::ApplyPending => {
                self.seq
                    .apply_staged(&self.state.tracks, &self.transport, now);
                self.sound_dirty = true;
            }
            Command::Fault(Fault::Nan) => self.pool.poison(),
            Command::Fault(_) => {}
        }
    }

    /// Reacts to a new value of `param` (already stored in the state).
    fn param_changed(&mut self, param: ParamId) {
        let v = self.value(param);
        let now = self.frames;
        match param {
            ParamId::OscFreq => {
                if self.gate_voice_sounding() {
                    self.freq.set_target(v);
                } else {
                    self.freq.snap(v);
                }
            }
            ParamId::MasterGain => self.master.set_target(db_to_gain(v)),
            ParamId::TransportTempo => {
                self.transport.set_tempo(v, now);
                self.seq.resync_all(&self.transport, now);
                self.fx_dirty = true;
            }
            ParamId::TransportSwing => {
                self.transport.set_swing(v);
                self.seq.resync_all(&self.transport, now);
            }
            ParamId::ArpMode | ParamId::ArpRate | ParamId::ArpOctaves | ParamId::ArpGate => {
                let was_on = self.arp.is_on();
                self.configure_arp();
                let params = *self.profiles.params();
                if was_on && !self.arp.is_on() {
                    // Back to chords: the held notes sound together.
                    self.pool.release(VoiceSource::Arp, None, &params);
                    for note in self.state.held.iter() {
                        let hz = midi_to_hz(f32::from(note));
                        let vel = self.state.held.velocity(note);
                        self.pool.start(VoiceSource::Live, note, hz, vel, NEVER);
                    }
                } else if !was_on && self.arp.is_on() {
                    self.pool.release(VoiceSource::Live, None, &params);
                    if !self.state.held.is_empty() {
                        self.arp.start(now, &self.transport);
                    }
                }
            }
            ParamId::DriveOn
            | ParamId::DriveAmount
            | ParamId::DriveMix
            | ParamId::ChorusOn
            | ParamId::ChorusRate
            | ParamId::ChorusDepth
            | ParamId::ChorusMix
            | ParamId::DelayOn
            | ParamId::DelayTime
            | ParamId::DelaySync
            | ParamId::DelayFeedback
            | ParamId::DelayDamping
            | ParamId::DelayMix
            | ParamId::ReverbOn
            | ParamId::ReverbSize
            | ParamId::ReverbDamping
            | ParamId::ReverbMix
            | ParamId::DriveOrder
            | ParamId::ChorusOrder
            | ParamId::DelayOrder
            | ParamId::ReverbOrder => self.fx_dirty = true,
            _ => self.sound_dirty = true,
        }
    }
}

impl Engine {
    /// The value a ramp of `param` on `track` starts from: the patch's, or what the track
    /// plays now (its own value, else the patch's).
    fn ramp_value(&self, track: u8, param: ParamId) -> f32 {
        if track == ramp::PATCH_RAMP {
            return self.value(param);
        }
        self.seq
            .playing()
            .get(usize::from(track))
            .and_then(|t| t.sound_override(param))
            .unwrap_or(self.value(param))
    }

    /// Writes a ramp's value: the patch's parameter, or a track's own value (at once, not
    /// staged to the bar line).
    fn write_ramp_value(&mut self, instrument: usize, param: ParamId, value: f32) {
        if instrument == 0 {
            self.set_value(param, value);
            self.param_changed(param);
        } else if let Some(t) = self.state.tracks.get_mut(instrument - 1) {
            t.set(command::TrackParam::Sound(param), value);
            self.seq.set_playing_sound(instrument - 1, param, value);
            self.sound_dirty = true;
        }
    }

    /// Starts moving `param` (of the patch, or of `track`'s own sound) from `from` to the
    /// value the state now holds (the clamped target) over `length`; a discrete parameter or
    /// a zero length jumps at once.
    fn start_ramp(
        &mut self,
        track: u8,
        param: ParamId,
        from: f32,
        length: f32,
        unit: ramp::RampUnit,
    ) {
        let instrument = ramp::ramp_instrument(track);
        let to = self.ramp_value_in_state(track, param);
        let frames = match unit {
            ramp::RampUnit::Beats => f64::from(length) * self.transport.frames_per_beat(),
            ramp::RampUnit::Seconds => f64::from(length) * f64::from(self.sample_rate),
        };
        if param.spec().scale == params::Scale::Discrete || !frames.is_finite() || frames < 1.0 {
            self.ramps.cancel(instrument, param);
            self.write_ramp_value(instrument, param, to);
            return;
        }
        self.write_ramp_value(instrument, param, from);
        self.ramps
            .start(instrument, param, (from, to), self.frames, frames as u64);
    }

    /// The ramp's target as the state holds it after `PatchState::apply`.
    fn ramp_value_in_state(&self, track: u8, param: ParamId) -> f32 {
        if track == ramp::PATCH_RAMP {
            return self.value(param);
        }
        self.state
            .tracks
            .get(usize::from(track))
            .and_then(|t| t.sound_override(param))
            .unwrap_or(self.value(param))
    }

    /// Moves every ramping parameter to its value at the present frame (block start).
    fn advance_ramps(&mut self) {
        if self.ramps.is_empty() {
            return;
        }
        let now = self.frames;
        let mut ramps = self.ramps;
        ramps.advance(now, |instrument, param, value| {
            self.write_ramp_value(instrument, param, value);
        });
        self.ramps = ramps;
    }

    /// The ramp `param` of the patch is on, if it moves (for meters and tests).
    pub fn ramp(&self, param: ParamId) -> Option<ramp::ActiveRamp> {
        self.ramps.get(0, param).copied()
    }

    /// The ramp a track's own `param` is on, if it moves.
    pub fn track_ramp(&self, track: u8, param: ParamId) -> Option<ramp::ActiveRamp> {
        self.ramps.get(1 + usize::from(track), param).copied()
    }

    /// Adds the LFOs' movement to this block's voice parameters.
    fn modulate(&mut self, n: usize) {
        let on = self.state.lfos.any_on();
        if !on && !self.lfo_was_on {
            return;
        }
        self.lfo_was_on = on;
        let bank = self.state.lfos;
        let start: [lfo::LfoOffsets; lfo::INSTRUMENTS] =
            std::array::from_fn(|i| self.lfo_phases.offsets(&bank, i));
        let beat_end = self
            .transport
            .is_running()
            .then(|| self.transport.beat_at(self.frames + n as u64));
        self.lfo_phases.advance(
            &bank,
            n,
            self.sample_rate,
            self.value(ParamId::TransportTempo),
            beat_end,
        );
        for (i, p) in self.profiles.params_mut().iter_mut().enumerate() {
            let end = self.lfo_phases.offsets(&bank, i);
            lfo::modulate(p, &start[i], &end, n);
        }
    }
}
