//! One synth voice: oscillator → ADSR → filter → amp, rendered a block at a time.
//!
//! Runs on the DSP worker thread: fixed state, no allocation. An idle voice is never
//! rendered; a sustaining voice on a settled filter computes no filter coefficients.

use super::envelope::{Adsr, AdsrSettings};
use super::filter::{Svf, LANES};
use super::oscillator::Oscillator;
use super::params::{FilterMode, Waveform};
use super::second_filter::{SecondFilter, SecondFilterParams};
use super::smoother::{Ramp, FRAME_INDEX};
pub use super::voice_filter::{filter_lanes, FilterLane, FILTER_UPDATE_FRAMES};
use super::voice_sources::{SourceParams, VoiceSources};
use super::BLOCK_FRAMES;

/// A frame number meaning "never".
pub const NEVER: u64 = u64::MAX;

/// What a group of voices (the patch, or one track) sounds like during one block.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VoiceParams {
    /// Oscillator waveform.
    pub wave: Waveform,
    /// Filter mode.
    pub mode: FilterMode,
    /// Detune as a frequency ratio.
    pub detune: f32,
    /// Envelope times and sustain.
    pub adsr: AdsrSettings,
    /// Filter cutoff as log2(Hz) through the block.
    pub log_cutoff: Ramp,
    /// Filter resonance through the block.
    pub res: Ramp,
    /// Linear voice gain through the block.
    pub gain: Ramp,
    /// Octaves the envelope adds to the cutoff at full level and velocity.
    pub env_octaves: f32,
    /// Pitch modulation (vibrato) as a frequency ratio, 1 when no LFO moves the pitch.
    pub pitch_mod: f32,
    /// osc2, osc3, sub, noise, FM and ring modulation.
    pub sources: SourceParams,
    /// The second filter.
    pub filter2: SecondFilterParams,
}

impl Default for VoiceParams {
    fn default() -> Self {
        VoiceParams {
            wave: Waveform::Saw,
            mode: FilterMode::Lowpass,
            detune: 1.0,
            adsr: AdsrSettings {
                attack: 0.01,
                decay: 0.2,
                sustain: 0.7,
                release: 0.3,
            },
            log_cutoff: Ramp::constant(11.0),
            res: Ramp::constant(0.2),
            gain: Ramp::constant(0.5),
            env_octaves: 0.0,
            pitch_mod: 1.0,
            sources: SourceParams::default(),
            filter2: SecondFilterParams::default(),
        }
    }
}

/// Who started a voice; note-offs and releases only touch voices of their own source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoiceSource {
    /// The gated voice of `Gate{on}`, which follows `osc.freq`.
    Gate,
    /// A note played with `NoteOn`.
    Live,
    /// A note of the arpeggiator.
    Arp,
    /// A step of sequencer track N.
    Track(u8),
}

impl VoiceSource {
    /// Which sound profile the voice uses: 0 for the patch, 1 + N for track N.
    pub fn profile(self) -> usize {
        match self {
            VoiceSource::Track(t) => 1 + usize::from(t),
            _ => 0,
        }
    }
}

/// One voice of the pool.
#[derive(Clone, Debug)]
pub struct Voice {
    osc: Oscillator,
    sources: VoiceSources,
    env: Adsr,
    filter: Svf,
    filter2: SecondFilter,
    source: VoiceSource,
    note: u8,
    freq: f32,
    velocity: f32,
    age: u64,
    release_at: u64,
    fade: f32,
    fade_step: f32,
    coeff_cutoff: f32,
    coeff_res: f32,
    active: bool,
}

impl Voice {
    /// A silent voice whose noise generator starts from `seed`.
    pub fn new(seed: u32) -> Self {
        Voice {
            osc: Oscillator::new(seed),
            sources: VoiceSources::new(seed),
            env: Adsr::new(),
            filter: Svf::new(),
            filter2: SecondFilter::new(),
            source: VoiceSource::Live,
            note: 0,
            freq: 440.0,
            velocity: 1.0,
            age: 0,
            release_at: NEVER,
            fade: 1.0,
            fade_step: 0.0,
            coeff_cutoff: f32::NAN,
            coeff_res: f32::NAN,
            active: false,
        }
    }

    /// Starts a note from silence: phase, filter and envelope begin afresh.
    pub fn start(&mut self, source: VoiceSource, note: u8, freq: f32, velocity: f32, age: u64) {
        self.osc.reset();
        self.sources.reset();
        self.filter.reset();
        self.filter2.reset();
        self.env = Adsr::new();
        self.env.gate_on();
        self.source = source;
        self.note = note;
        self.freq = freq;
        self.velocity = velocity.clamp(0.0, 1.0);
        self.age = age;
        self.release_at = NEVER;
        self.fade = 1.0;
        self.fade_step = 0.0;
        self.coeff_cutoff = f32::NAN;
        self.active = true;
    }

    /// Plays the same voice again: the envelope attacks from its present level (no click).
    pub fn retrigger(&mut self, freq: f32, velocity: f32, age: u64) {
        self.env.gate_on();
        self.freq = freq;
        self.velocity = velocity.clamp(0.0, 1.0);
        self.age = age;
        self.release_at = NEVER;
    }

    /// Closes the gate: the envelope releases from where it is.
    pub fn release(&mut self, adsr: &AdsrSettings, sample_rate: f32) {
        self.env.gate_off(adsr, sample_rate);
        self.release_at = NEVER;
    }

    /// Schedules the release for an absolute frame.
    pub fn release_at(&mut self, frame: u64) {
        self.release_at = frame;
    }

    /// The frame the voice is scheduled to release at, or [`NEVER`].
    pub fn scheduled_release(&self) -> u64 {
        self.release_at
    }

    /// Fades the voice to silence over `frames` frames, then frees it (voice stealing).
    pub fn fade_out(&mut self, frames: f32) {
        self.fade_step = self.fade / frames.max(1.0);
        self.release_at = NEVER;
    }

    /// True while the voice sounds.
    pub fn is_active(&self) -> bool {
        self.active
    }

    /// True while the gate is open (attack, decay or sustain).
    pub fn is_gated(&self) -> bool {
        self.active && self.env.is_gated()
    }

    /// Who started the voice.
    pub fn source(&self) -> VoiceSource {
        self.source
    }

    /// The MIDI note it plays.
    pub fn note(&self) -> u8 {
        self.note
    }

    /// The pitch in Hz (before detune); the gated voice follows `osc.freq` instead.
    pub fn freq(&self) -> f32 {
        self.freq
    }

    /// The order it was started in (larger is newer).
    pub fn age(&self) -> u64 {
        self.age
    }

    /// How loud it is now: envelope × fade.
    pub fn level(&self) -> f32 {
        if self.active {
            self.env.level() * self.fade
        } else {
            0.0
        }
    }

    /// True when the fade of a stolen voice has finished or nothing is left to fade.
    pub fn fade_remaining(&self) -> f32 {
        self.fade
    }

    /// Silences the voice at once.
    pub fn stop(&mut self) {
        self.active = false;
        self.env.reset();
        self.release_at = NEVER;
    }

    /// Jumps the envelope to where it ends up (sustain while gated, silence otherwise).
    pub fn settle(&mut self, sustain: f32) {
        let gated = self.is_gated();
        self.env.settle(gated, sustain);
        if !gated {
            self.stop();
        }
    }

    /// Puts NaN into the filter state (fault injection only).
    pub fn poison(&mut self) {
        self.filter.poison();
    }

    /// Resets the filter if its state went non-finite; returns true if it did.
    pub fn repair(&mut self) -> bool {
        if self.filter.is_finite() && self.filter2.is_finite() {
            return false;
        }
        self.filter.reset();
        self.filter2.reset();
        self.coeff_cutoff = f32::NAN;
        true
    }

    /// First stage of rendering `sig.len()` frames starting `at` frames into the block: the
    /// envelope into `env` and the oscillator into `sig` (both as long). Returns the voice's
    /// filter as a lane for [`filter_lanes`]; `gate_freq` is the gated voice's pitch (Hz).
    #[inline(always)]
    pub fn prepare(
        &mut self,
        at: usize,
        p: &VoiceParams,
        gate_freq: &Ramp,
        sample_rate: f32,
        sig: &mut [f32],
        env: &mut [f32],
    ) -> FilterLane {
        self.env.fill(&p.adsr, sample_rate, env);
        let detune = p.detune * p.pitch_mod;
        let (f0, df) = if self.source == VoiceSource::Gate {
            (gate_freq.at(at) * detune, gate_freq.step * detune)
        } else {
            (self.freq * detune, 0.0)
        };
        if p.sources.only_osc1() {
            self.osc.fill(p.wave, f0, df, sample_rate, sig);
        } else {
            let osc1 = (f0, df, p.detune);
            let osc = &mut self.osc;
            self.sources
                .render(osc, p.wave, osc1, &p.sources, at, sample_rate, sig);
        }
        FilterLane {
            svf: self.filter.clone(),
            coeff_cutoff: self.coeff_cutoff,
            coeff_res: self.coeff_res,
            env_mod: p.env_octaves * self.velocity,
            log_cutoff: p.log_cutoff,
            res: p.res,
            mode: p.mode,
            live: true,
        }
    }

    /// Middle stage, after [`filter_lanes`]: the second filter on `sig` (`dry` is the
    /// oscillators' signal before the first filter, read when the routing is parallel).
    /// Does nothing while the profile has the second filter off.
    #[inline(always)]
    pub fn second_filter(
        &mut self,
        p: &VoiceParams,
        dry: &[f32],
        sig: &mut [f32],
        env: &[f32],
        at: usize,
        sample_rate: f32,
    ) {
        self.filter2
            .process(&p.filter2, self.velocity, dry, sig, env, at, sample_rate);
    }

    /// Last stage: takes the filter back from `lane` and adds `sig × env × gain` into
    /// `out` (which starts `at` frames into the block). Returns false once the voice has
    /// gone silent and freed itself.
    #[inline(always)]
    pub fn finish(
        &mut self,
        lane: &FilterLane,
        out: &mut [f32],
        at: usize,
        p: &VoiceParams,
        sig: &[f32],
        env: &[f32],
    ) -> bool {
        self.filter = lane.svf.clone();
        self.coeff_cutoff = lane.coeff_cutoff;
        self.coeff_res = lane.coeff_res;
        let g = p.gain.at(at) * self.velocity;
        let gs = p.gain.step * self.velocity;
        // The gain of frame i is computed from i, not carried from frame to frame, so the
        // loop has no dependency between frames and vectorises.
        if self.fade_step == 0.0 {
            for (((o, s), e), i) in out.iter_mut().zip(sig).zip(env).zip(FRAME_INDEX) {
                *o += s * e * (g + i * gs);
            }
        } else {
            let mut f = self.fade;
            for (((o, s), e), i) in out.iter_mut().zip(sig).zip(env).zip(FRAME_INDEX) {
                f = (f - self.fade_step).max(0.0);
                *o += s * e * (g + i * gs) * f;
            }
            self.fade = f;
            if f <= 0.0 {
                self.stop();
            }
        }
        if self.env.is_idle() {
            self.stop();
        }
        self.active
    }

    /// Adds `out.len()` frames of this voice alone into `out`, which starts `at` frames into
    /// the block (the pool renders voices eight at a time instead). Returns false once the
    /// voice has gone silent and freed itself.
    pub fn render(
        &mut self,
        out: &mut [f32],
        at: usize,
        p: &VoiceParams,
        gate_freq: &Ramp,
        sample_rate: f32,
    ) -> bool {
        let n = out.len().min(BLOCK_FRAMES);
        let mut sig = [[0.0f32; BLOCK_FRAMES]; LANES];
        let mut env = [[0.0f32; BLOCK_FRAMES]; LANES];
        let mut lanes = [FilterLane::IDLE; LANES];
        lanes[0] = self.prepare(
            at,
            p,
            gate_freq,
            sample_rate,
            &mut sig[0][..n],
            &mut env[0][..n],
        );
        let dry = sig[0];
        filter_lanes(&mut lanes, &mut sig, &env, at, n, sample_rate);
        self.second_filter(
            p,
            &dry[..n],
            &mut sig[0][..n],
            &env[0][..n],
            at,
            sample_rate,
        );
        self.finish(&lanes[0], &mut out[..n], at, p, &sig[0][..n], &env[0][..n])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_voice_sounds_then_frees_itself_after_its_release() {
        let mut v = Voice::new(1);
        let p = VoiceParams {
            adsr: AdsrSettings {
                attack: 0.001,
                decay: 0.01,
                sustain: 0.5,
                release: 0.01,
            },
            ..VoiceParams::default()
        };
        v.start(VoiceSource::Live, 60, 261.6, 1.0, 1);
        let mut out = [0.0f32; BLOCK_FRAMES];
        for _ in 0..20 {
            assert!(v.render(&mut out, 0, &p, &Ramp::constant(0.0), 44_100.0));
        }
        assert!(out.iter().any(|s| s.abs() > 0.01));
        v.release(&p.adsr, 44_100.0);
        let mut blocks = 0;
        while v.render(
            &mut [0.0f32; BLOCK_FRAMES],
            0,
            &p,
            &Ramp::constant(0.0),
            44_100.0,
        ) {
            blocks += 1;
            assert!(blocks < 20, "released within 10 ms");
        }
        assert!(!v.is_active());
    }

    #[test]
    fn a_fading_voice_reaches_silence_in_the_fade_time() {
        let mut v = Voice::new(1);
        let p = VoiceParams::default();
        v.start(VoiceSource::Live, 60, 261.6, 1.0, 1);
        v.render(
            &mut [0.0f32; BLOCK_FRAMES],
            0,
            &p,
            &Ramp::constant(0.0),
            44_100.0,
        );
        v.fade_out(100.0);
        v.render(
            &mut [0.0f32; BLOCK_FRAMES],
            0,
            &p,
            &Ramp::constant(0.0),
            44_100.0,
        );
        assert!(v.is_active());
        v.render(
            &mut [0.0f32; BLOCK_FRAMES],
            0,
            &p,
            &Ramp::constant(0.0),
            44_100.0,
        );
        assert!(!v.is_active());
    }
}
