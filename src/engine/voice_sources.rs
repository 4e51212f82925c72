//! The sources of a voice beside osc1: a second oscillator (pitched from the note or fixed in
//! Hz, optionally hard-synced to osc1), a third oscillator (pitched or fixed the same way,
//! never synced, ring-modulated or FM'd), a sub-oscillator one octave below osc1, a noise
//! source, an FM operator that modulates osc1, and a ring modulator (osc1 × osc2).
//!
//! Runs on the DSP worker thread. Every source is always present (fixed capacity); settings
//! are small `Copy` values and every level is a smoothed [`Ramp`], so switching a source on
//! or off under a held note fades over the smoothing time instead of clicking. While every
//! level is zero the voice renders osc1 alone, exactly as before these sources existed.

use super::hard_sync::{fill_synced, Master};
use super::oscillator::Oscillator;
use super::params::{ParamId, Waveform, PARAM_COUNT};
use super::phase_mod::fill_phase_modulated;
use super::smoother::{db_to_gain, Ramp};
use super::BLOCK_FRAMES;

/// The discrete settings of the extra sources (switched under the engine's duck).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SourceSwitches {
    /// osc2's waveform.
    pub osc2_wave: Waveform,
    /// osc3's waveform.
    pub osc3_wave: Waveform,
    /// The sub-oscillator's waveform (square or sine).
    pub sub_wave: Waveform,
    /// osc2 restarts with osc1.
    pub sync: bool,
}

impl Default for SourceSwitches {
    fn default() -> Self {
        SourceSwitches {
            osc2_wave: Waveform::Saw,
            osc3_wave: Waveform::Saw,
            sub_wave: Waveform::Square,
            sync: false,
        }
    }
}

/// What the extra sources of a group of voices do during one block.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SourceParams {
    /// Waveforms and sync.
    pub switches: SourceSwitches,
    /// osc2's pitch as a ratio of the note (octave, semitones, detune).
    pub osc2_ratio: f32,
    /// osc2's fixed frequency in Hz, 0 to follow the note.
    pub osc2_fixed: f32,
    /// osc2's linear level through the block (0 while it is off).
    pub osc2_gain: Ramp,
    /// osc3's pitch as a ratio of the note (octave, semitones, detune).
    pub osc3_ratio: f32,
    /// osc3's fixed frequency in Hz, 0 to follow the note.
    pub osc3_fixed: f32,
    /// osc3's linear level through the block (0 while it is off).
    pub osc3_gain: Ramp,
    /// How far the ring modulator replaces the two oscillators (0..1) through the block.
    pub ring: Ramp,
    /// The ring modulator's linear level (osc2's level).
    pub ring_gain: f32,
    /// The sub-oscillator's linear level (0 while it is off).
    pub sub_gain: Ramp,
    /// The noise source's linear level (0 while it is off).
    pub noise_gain: Ramp,
    /// FM operator frequency as a ratio of osc1's.
    pub fm_ratio: f32,
    /// FM index through the block (0 = no FM).
    pub fm_index: Ramp,
}

impl Default for SourceParams {
    fn default() -> Self {
        SourceParams {
            switches: SourceSwitches::default(),
            osc2_ratio: 1.0,
            osc2_fixed: 0.0,
            osc2_gain: Ramp::constant(0.0),
            osc3_ratio: 1.0,
            osc3_fixed: 0.0,
            osc3_gain: Ramp::constant(0.0),
            ring: Ramp::constant(0.0),
            ring_gain: 1.0,
            sub_gain: Ramp::constant(0.0),
            noise_gain: Ramp::constant(0.0),
            fm_ratio: 1.0,
            fm_index: Ramp::constant(0.0),
        }
    }
}

fn silent(r: &Ramp) -> bool {
    r.start == 0.0 && r.step == 0.0
}

impl SourceParams {
    /// True while only osc1 sounds (every other source's level is zero and still).
    pub fn only_osc1(&self) -> bool {
        silent(&self.osc2_gain)
            && silent(&self.osc3_gain)
            && silent(&self.ring)
            && silent(&self.sub_gain)
            && silent(&self.noise_gain)
            && silent(&self.fm_index)
    }
}

/// The targets the parameters ask for, before smoothing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SourceTargets {
    /// Discrete settings.
    pub switches: SourceSwitches,
    /// osc2 pitch ratio.
    pub osc2_ratio: f32,
    /// osc2 fixed frequency (0 = follow the note).
    pub osc2_fixed: f32,
    /// osc2 linear level, 0 when off.
    pub osc2_gain: f32,
    /// osc3 pitch ratio.
    pub osc3_ratio: f32,
    /// osc3 fixed frequency (0 = follow the note).
    pub osc3_fixed: f32,
    /// osc3 linear level, 0 when off.
    pub osc3_gain: f32,
    /// 1 while ring modulation is on.
    pub ring: f32,
    /// The ring modulator's level.
    pub ring_gain: f32,
    /// Sub level, 0 when off.
    pub sub_gain: f32,
    /// Noise level, 0 when off.
    pub noise_gain: f32,
    /// FM ratio.
    pub fm_ratio: f32,
    /// FM index.
    pub fm_index: f32,
}

/// Reads the targets from the parameters through `get` (which may apply track overrides).
pub fn source_targets(get: impl Fn(ParamId) -> f32) -> SourceTargets {
    let on = |p: ParamId| get(p) >= 0.5;
    let level = |switch: ParamId, level: ParamId| {
        if on(switch) {
            db_to_gain(get(level))
        } else {
            0.0
        }
    };
    let pitch = get(ParamId::Osc2Octave) * 12.0 + get(ParamId::Osc2Semitones);
    let pitch3 = get(ParamId::Osc3Octave) * 12.0 + get(ParamId::Osc3Semitones);
    SourceTargets {
        switches: SourceSwitches {
            osc2_wave: Waveform::from_value(get(ParamId::Osc2Wave)),
            osc3_wave: Waveform::from_value(get(ParamId::Osc3Wave)),
            sub_wave: Waveform::from_sub_value(get(ParamId::SubWave)),
            sync: on(ParamId::SyncOn),
        },
        osc2_ratio: 2f32.powf(pitch / 12.0 + get(ParamId::Osc2Detune) / 1200.0),
        osc2_fixed: get(ParamId::Osc2Freq).max(0.0),
        osc2_gain: level(ParamId::Osc2On, ParamId::Osc2Level),
        osc3_ratio: 2f32.powf(pitch3 / 12.0 + get(ParamId::Osc3Detune) / 1200.0),
        osc3_fixed: get(ParamId::Osc3Freq).max(0.0),
        osc3_gain: level(ParamId::Osc3On, ParamId::Osc3Level),
        ring: if on(ParamId::RingOn) { 1.0 } else { 0.0 },
        ring_gain: db_to_gain(get(ParamId::Osc2Level)),
        sub_gain: level(ParamId::SubOn, ParamId::SubLevel),
        noise_gain: level(ParamId::NoiseOn, ParamId::NoiseLevel),
        fm_ratio: get(ParamId::FmRatio).max(0.0),
        fm_index: get(ParamId::FmIndex).max(0.0),
    }
}

/// [`source_targets`] straight from a parameter array.
pub fn targets_of(values: &[f32; PARAM_COUNT]) -> SourceTargets {
    source_targets(|p| values[p.index()])
}

/// The running state of one voice's extra sources.
#[derive(Clone, Debug)]
pub struct VoiceSources {
    osc2: Oscillator,
    osc3: Oscillator,
    sub: Oscillator,
    noise: Oscillator,
    fm_phase: f32,
    sync_carry: f32,
}

impl VoiceSources {
    /// Sources whose noise generator starts from `seed` (apart from osc1's).
    pub fn new(seed: u32) -> Self {
        VoiceSources {
            osc2: Oscillator::new(seed ^ 0x2545_F491),
            osc3: Oscillator::new(seed ^ 0x68E3_1DA4),
            sub: Oscillator::new(seed ^ 0x1B87_3593),
            noise: Oscillator::new(seed ^ 0x5BD1_E995),
            fm_phase: 0.0,
            sync_carry: 0.0,
        }
    }

    /// Restarts every phase with the note.
    pub fn reset(&mut self) {
        self.osc2.reset();
        self.osc3.reset();
        self.sub.reset();
        self.fm_phase = 0.0;
        self.sync_carry = 0.0;
    }

    /// Renders osc1 (`wave` at `f1` Hz, + `df1` per frame, phase-modulated while FM is on)
    /// and mixes the other sources into `sig`. `ratio_to_note` is osc1's frequency over the
    /// note's (osc2 follows the note, not osc1's detune); `at` is the first frame's place in
    /// the block, for the ramps.
    #[allow(clippy::too_many_arguments)]
    pub fn render(
        &mut self,
        osc1: &mut Oscillator,
        wave: Waveform,
        (f1, df1, ratio_to_note): (f32, f32, f32),
        p: &SourceParams,
        at: usize,
        sample_rate: f32,
        sig: &mut [f32],
    ) {
        let n = sig.len().min(BLOCK_FRAMES);
        let sig = &mut sig[..n];
        let master = Master {
            phase: osc1.phase(),
            dt: f1 / sample_rate,
            ddt: df1 / sample_rate,
        };
        if silent(&p.fm_index) {
            osc1.fill(wave, f1, df1, sample_rate, sig);
        } else {
            fill_phase_modulated(
                osc1,
                wave,
                f1,
                df1,
                sample_rate,
                (p.fm_ratio, &p.fm_index, at),
                &mut self.fm_phase,
                sig,
            );
        }
        let mut buf = [0.0f32; BLOCK_FRAMES];
        let buf = &mut buf[..n];
        if !silent(&p.osc2_gain) || !silent(&p.ring) {
            let (f2, df2) = if p.osc2_fixed > 0.0 {
                (p.osc2_fixed, 0.0)
            } else {
                let r = p.osc2_ratio / ratio_to_note;
                (f1 * r, df1 * r)
            };
            let wave2 = p.switches.osc2_wave;
            if p.switches.sync && wave2 != Waveform::Noise {
                let carry = &mut self.sync_carry;
                fill_synced(
                    &mut self.osc2,
                    wave2,
                    f2,
                    df2,
                    sample_rate,
                    master,
                    carry,
                    buf,
                );
            } else {
                self.sync_carry = 0.0;
                self.osc2.fill(wave2, f2, df2, sample_rate, buf);
            }
            let (g, r) = (&p.osc2_gain, &p.ring);
            let (g0, r0) = (g.at(at), r.at(at));
            for ((s, b), i) in sig
                .iter_mut()
                .zip(buf.iter())
                .zip(super::smoother::FRAME_INDEX)
            {
                let ring = r0 + i * r.step;
                let dry = *s + b * (g0 + i * g.step);
                *s = dry * (1.0 - ring) + ring * p.ring_gain * *s * b;
            }
        }
        if !silent(&p.osc3_gain) {
            let (f3, df3) = if p.osc3_fixed > 0.0 {
                (p.osc3_fixed, 0.0)
            } else {
                let r = p.osc3_ratio / ratio_to_note;
                (f1 * r, df1 * r)
            };
            self.osc3
                .fill(p.switches.osc3_wave, f3, df3, sample_rate, buf);
            add_scaled(sig, buf, &p.osc3_gain, at);
        }
        if !silent(&p.sub_gain) {
            self.sub
                .fill(p.switches.sub_wave, 0.5 * f1, 0.5 * df1, sample_rate, buf);
            add_scaled(sig, buf, &p.sub_gain, at);
        }
        if !silent(&p.noise_gain) {
            self.noise.fill(Waveform::Noise, 0.0, 0.0, sample_rate, buf);
            add_scaled(sig, buf, &p.noise_gain, at);
        }
    }
}

/// `sig += buf × gain` with the gain ramping through the block from frame `at`.
#[inline(always)]
fn add_scaled(sig: &mut [f32], buf: &[f32], gain: &Ramp, at: usize) {
    let g0 = gain.at(at);
    for ((s, b), i) in sig.iter_mut().zip(buf).zip(super::smoother::FRAME_INDEX) {
        *s += b * (g0 + i * gain.step);
    }
}
