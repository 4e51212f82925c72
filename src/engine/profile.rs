//! Sound profiles: what the patch's voices (profile 0) and each track's voices (1 + track)
//! sound like, with the continuous values smoothed per block.
//!
//! Runs on the DSP worker thread. Targets are recomputed only when a parameter or track
//! changed; each block then costs three smoother steps per profile. Waveform and filter-mode
//! switches are held back as "pending" so the engine can duck the voices around them.

use super::command::TRACKS;
use super::envelope::AdsrSettings;
use super::params::{FilterMode, ParamId, Waveform, PARAM_COUNT};
use super::second_filter::Routing;
use super::smoother::{db_to_gain, BlockSmoother};
use super::state::{track_sound_slot, TrackState};
use super::voice::VoiceParams;
use super::voice_sources::{source_targets, SourceSwitches, SourceTargets};

/// Profile 0 (the patch) plus one per track.
pub const PROFILES: usize = 1 + TRACKS;
/// Smoothing time of cutoff, resonance and gain.
const SMOOTHING_SECONDS: f32 = 0.01;

#[derive(Clone, Copy, Debug)]
struct Smoothed {
    log_cutoff: BlockSmoother,
    res: BlockSmoother,
    gain: BlockSmoother,
    /// osc2, ring, sub, noise levels, the FM index and osc3's level.
    sources: [BlockSmoother; 6],
    /// The second filter's wet amount, log2 cutoff and resonance.
    filter2: [BlockSmoother; 3],
}

/// The discrete settings switched under the engine's duck.
type Switches = (Waveform, FilterMode, SourceSwitches, (FilterMode, Routing));

/// Every profile's voice parameters for the present block.
pub struct SoundProfiles {
    smoothed: [Smoothed; PROFILES],
    params: [VoiceParams; PROFILES],
    wanted: [Switches; PROFILES],
}

struct Resolved {
    wave: Waveform,
    mode: FilterMode,
    detune: f32,
    adsr: AdsrSettings,
    log_cutoff: f32,
    res: f32,
    gain: f32,
    env_octaves: f32,
    sources: SourceTargets,
    filter2: Filter2Targets,
}

struct Filter2Targets {
    mode: FilterMode,
    routing: Routing,
    wet: f32,
    log_cutoff: f32,
    res: f32,
    env_octaves: f32,
}

fn resolve(values: &[f32; PARAM_COUNT], track: Option<&TrackState>) -> Resolved {
    let get = |p: ParamId| {
        track
            .and_then(|t| track_sound_slot(p).and_then(|slot| t.sound[slot]))
            .unwrap_or(values[p.index()])
    };
    let level = track.map_or(0.0, |t| t.level_db);
    Resolved {
        wave: Waveform::from_value(get(ParamId::OscWave)),
        mode: FilterMode::from_value(get(ParamId::FilterMode)),
        detune: 2f32.powf(get(ParamId::OscDetune) / 1200.0),
        adsr: AdsrSettings {
            attack: get(ParamId::EnvAttack),
            decay: get(ParamId::EnvDecay),
            sustain: get(ParamId::EnvSustain),
            release: get(ParamId::EnvRelease),
        },
        log_cutoff: get(ParamId::FilterCutoff).max(1.0).log2(),
        res: get(ParamId::FilterRes),
        gain: db_to_gain(get(ParamId::AmpGain) + level),
        env_octaves: get(ParamId::FilterEnv) * 6.0,
        sources: source_targets(get),
        filter2: Filter2Targets {
            mode: FilterMode::from_value(get(ParamId::Filter2Mode)),
            routing: Routing::from_value(get(ParamId::Filter2Routing)),
            wet: if get(ParamId::Filter2On) >= 0.5 {
                1.0
            } else {
                0.0
            },
            log_cutoff: get(ParamId::Filter2Cutoff).max(1.0).log2(),
            res: get(ParamId::Filter2Res),
            env_octaves: get(ParamId::Filter2Env) * 6.0,
        },
    }
}

impl SoundProfiles {
    /// Profiles for `values` and `tracks`, settled.
    pub fn new(
        values: &[f32; PARAM_COUNT],
        tracks: &[TrackState; TRACKS],
        sample_rate: f32,
    ) -> Self {
        let s = |v: f32| BlockSmoother::new(v, SMOOTHING_SECONDS, sample_rate);
        let mut profiles = SoundProfiles {
            smoothed: [Smoothed {
                log_cutoff: s(11.0),
                res: s(0.0),
                gain: s(0.0),
                sources: [s(0.0); 6],
                filter2: [s(0.0), s(200f32.log2()), s(0.2)],
            }; PROFILES],
            params: [VoiceParams::default(); PROFILES],
            wanted: [(
                Waveform::Saw,
                FilterMode::Lowpass,
                SourceSwitches::default(),
                (FilterMode::Highpass, Routing::Series),
            ); PROFILES],
        };
        profiles.retarget(values, tracks);
        profiles.settle();
        profiles
    }

    /// Recomputes every profile's targets from the parameters and the playing tracks.
    pub fn retarget(&mut self, values: &[f32; PARAM_COUNT], tracks: &[TrackState; TRACKS]) {
        for i in 0..PROFILES {
            let r = resolve(values, if i == 0 { None } else { tracks.get(i - 1) });
            let p = &mut self.params[i];
            p.detune = r.detune;
            p.adsr = r.adsr;
            p.env_octaves = r.env_octaves;
            let t = r.sources;
            p.sources.osc2_ratio = t.osc2_ratio;
            p.sources.osc2_fixed = t.osc2_fixed;
            p.sources.osc3_ratio = t.osc3_ratio;
            p.sources.osc3_fixed = t.osc3_fixed;
            p.sources.ring_gain = t.ring_gain;
            p.sources.fm_ratio = t.fm_ratio;
            let s = &mut self.smoothed[i];
            s.log_cutoff.set_target(r.log_cutoff);
            s.res.set_target(r.res);
            s.gain.set_target(r.gain);
            let levels = [
                t.osc2_gain,
                t.ring,
                t.sub_gain,
                t.noise_gain,
                t.fm_index,
                t.osc3_gain,
            ];
            for (smoother, target) in s.sources.iter_mut().zip(levels) {
                smoother.set_target(target);
            }
            // A source that is silent now switches at once (it fades in with the new setting).
            let quiet = |k: usize| s.sources[k].current() == 0.0;
            if quiet(0) && quiet(1) {
                p.sources.switches.osc2_wave = t.switches.osc2_wave;
                p.sources.switches.sync = t.switches.sync;
            }
            if quiet(2) {
                p.sources.switches.sub_wave = t.switches.sub_wave;
            }
            if quiet(5) {
                p.sources.switches.osc3_wave = t.switches.osc3_wave;
            }
            let f2 = r.filter2;
            p.filter2.env_octaves = f2.env_octaves;
            let [wet, cutoff, res] = &mut s.filter2;
            wet.set_target(f2.wet);
            cutoff.set_target(f2.log_cutoff);
            res.set_target(f2.res);
            // A silent second filter switches mode and routing at once.
            if wet.current() == 0.0 {
                (p.filter2.mode, p.filter2.routing) = (f2.mode, f2.routing);
            }
            self.wanted[i] = (r.wave, r.mode, t.switches, (f2.mode, f2.routing));
        }
    }

    /// Advances every smoothed value over a block of `frames`.
    pub fn advance(&mut self, frames: usize) {
        for (p, s) in self.params.iter_mut().zip(self.smoothed.iter_mut()) {
            p.log_cutoff = s.log_cutoff.advance(frames);
            p.res = s.res.advance(frames);
            p.gain = s.gain.advance(frames);
            let src = &mut p.sources;
            let [osc2, ring, sub, noise, fm, osc3] = &mut s.sources;
            src.osc2_gain = osc2.advance(frames);
            src.ring = ring.advance(frames);
            src.sub_gain = sub.advance(frames);
            src.noise_gain = noise.advance(frames);
            src.fm_index = fm.advance(frames);
            src.osc3_gain = osc3.advance(frames);
            let [wet, cutoff, res] = &mut s.filter2;
            p.filter2.wet = wet.advance(frames);
            p.filter2.log_cutoff = cutoff.advance(frames);
            p.filter2.res = res.advance(frames);
        }
    }

    /// Every profile's voice parameters, for the LFOs to modulate after [`Self::advance`].
    pub fn params_mut(&mut self) -> &mut [VoiceParams; PROFILES] {
        &mut self.params
    }

    /// True when a waveform or filter mode waits to be switched.
    pub fn discrete_pending(&self) -> bool {
        self.params.iter().zip(self.wanted.iter()).any(|(p, w)| {
            (
                p.wave,
                p.mode,
                p.sources.switches,
                (p.filter2.mode, p.filter2.routing),
            ) != *w
        })
    }

    /// Switches the waiting waveforms and filter modes.
    pub fn apply_discrete(&mut self) {
        for (p, w) in self.params.iter_mut().zip(self.wanted.iter()) {
            let f2;
            (p.wave, p.mode, p.sources.switches, f2) = *w;
            (p.filter2.mode, p.filter2.routing) = f2;
        }
    }

    /// The voice parameters of every profile for this block.
    pub fn params(&self) -> &[VoiceParams; PROFILES] {
        &self.params
    }

    /// Jumps every smoothed value and switch to its target.
    pub fn settle(&mut self) {
        for s in self.smoothed.iter_mut() {
            for b in [&mut s.log_cutoff, &mut s.res, &mut s.gain] {
                b.snap(b.target());
            }
            for b in s.sources.iter_mut().chain(s.filter2.iter_mut()) {
                b.snap(b.target());
            }
        }
        self.apply_discrete();
        self.advance(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::params::default_values;

    #[test]
    fn a_track_overrides_only_what_it_sets() {
        let values = default_values();
        let mut tracks = [TrackState::default(); TRACKS];
        tracks[2].sound[track_sound_slot(ParamId::OscWave).unwrap_or(0)] = Some(4.0);
        tracks[2].level_db = -6.0;
        let profiles = SoundProfiles::new(&values, &tracks, 44_100.0);
        let p = profiles.params();
        assert_eq!(p[0].wave, Waveform::Saw);
        assert_eq!(p[3].wave, Waveform::Noise);
        assert_eq!(p[3].adsr, p[0].adsr);
        assert!((p[3].gain.start / p[0].gain.start - 0.501).abs() < 1e-3);
    }

    #[test]
    fn a_waveform_change_waits_until_applied() {
        let mut values = default_values();
        let tracks = [TrackState::default(); TRACKS];
        let mut profiles = SoundProfiles::new(&values, &tracks, 44_100.0);
        values[ParamId::OscWave.index()] = 0.0;
        profiles.retarget(&values, &tracks);
        assert!(profiles.discrete_pending());
        assert_eq!(profiles.params()[0].wave, Waveform::Saw);
        profiles.apply_discrete();
        assert_eq!(profiles.params()[0].wave, Waveform::Sine);
    }
}
