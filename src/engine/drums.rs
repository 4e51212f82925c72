//! Drum voices synthesised in the engine (no files): kick, snare, closed and open hat, clap,
//! tom, rim and cowbell. A track with a drum (`track kick drum kick`) plays it instead of the
//! synth voice; `tune` (semitones), `tone` (0..1, brighter) and the track's `decay` shape it.
//!
//! Runs on the DSP worker thread. Every drum voice is a fixed struct in a fixed array (two per
//! track, so a hit's tail rings on under the next one); triggering and rendering never
//! allocate. A closed hat chokes every open hat that is ringing.

use super::command::TRACKS;
use super::filter::Svf;
use super::params::FilterMode;
use std::f32::consts::TAU;

/// A synthesised drum sound.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DrumKind {
    /// Sine with a falling pitch envelope, an amplitude envelope and a click.
    Kick,
    /// Two tones and band-passed noise.
    Snare,
    /// Six detuned squares and noise, high-passed, short.
    ClosedHat,
    /// The same metal ringing longer; choked by a closed hat.
    OpenHat,
    /// Band-passed noise in four quick bursts and a tail.
    Clap,
    /// A low sine with a gentle pitch drop.
    Tom,
    /// A short high knock.
    Rim,
    /// Two squares through a band-pass.
    Cowbell,
}

impl DrumKind {
    /// Every drum, in index order (the `TrackParam::Drum` value is index + 1).
    pub const ALL: [DrumKind; 8] = [
        DrumKind::Kick,
        DrumKind::Snare,
        DrumKind::ClosedHat,
        DrumKind::OpenHat,
        DrumKind::Clap,
        DrumKind::Tom,
        DrumKind::Rim,
        DrumKind::Cowbell,
    ];

    /// The canonical name (`kick`, `closed-hat`).
    pub fn name(self) -> &'static str {
        match self {
            DrumKind::Kick => "kick",
            DrumKind::Snare => "snare",
            DrumKind::ClosedHat => "closed-hat",
            DrumKind::OpenHat => "open-hat",
            DrumKind::Clap => "clap",
            DrumKind::Tom => "tom",
            DrumKind::Rim => "rim",
            DrumKind::Cowbell => "cowbell",
        }
    }

    /// The drum a word names: canonical names and common aliases (`bd`, `hat`, `oh`).
    pub fn from_word(word: &str) -> Option<DrumKind> {
        Some(match word.to_ascii_lowercase().as_str() {
            "kick" | "bd" | "bassdrum" | "kickdrum" => DrumKind::Kick,
            "snare" | "sd" | "snaredrum" => DrumKind::Snare,
            "closed-hat" | "closedhat" | "hat" | "hats" | "hihat" | "hi-hat" | "hh" | "ch" => {
                DrumKind::ClosedHat
            }
            "open-hat" | "openhat" | "oh" => DrumKind::OpenHat,
            "clap" | "cp" | "handclap" => DrumKind::Clap,
            "tom" | "lt" | "mt" | "ht" => DrumKind::Tom,
            "rim" | "rimshot" | "rs" => DrumKind::Rim,
            "cowbell" | "cb" | "bell" => DrumKind::Cowbell,
            _ => return None,
        })
    }

    /// The drum for a `TrackParam::Drum` value (index + 1); `None` for 0 (the synth voice).
    pub fn from_value(value: f32) -> Option<DrumKind> {
        let i = value.round();
        if !(1.0..=DrumKind::ALL.len() as f32).contains(&i) {
            return None;
        }
        Some(DrumKind::ALL[i as usize - 1])
    }

    /// The `TrackParam::Drum` value for this drum.
    pub fn value(self) -> f32 {
        (DrumKind::ALL.iter().position(|k| *k == self).unwrap_or(0) + 1) as f32
    }

    /// The decay time (seconds) when the track sets none.
    pub fn default_decay(self) -> f32 {
        match self {
            DrumKind::Kick => 0.45,
            DrumKind::Snare => 0.18,
            DrumKind::ClosedHat => 0.05,
            DrumKind::OpenHat => 0.4,
            DrumKind::Clap => 0.2,
            DrumKind::Tom => 0.35,
            DrumKind::Rim => 0.03,
            DrumKind::Cowbell => 0.3,
        }
    }
}

/// How one hit sounds, read from its track when it fires.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DrumHit {
    /// Which drum.
    pub kind: DrumKind,
    /// Tuning in semitones.
    pub tune: f32,
    /// 0 dark .. 1 bright (0.5 default).
    pub tone: f32,
    /// Decay time in seconds.
    pub decay: f32,
    /// Linear gain (track level, velocity).
    pub gain: f32,
}

/// The 808's six hat oscillator frequencies (Hz).
const METAL: [f32; 6] = [205.3, 304.4, 369.6, 522.7, 540.0, 800.0];
/// Frames of the fade when a voice is choked or reused.
const CHOKE_SECONDS: f32 = 0.004;

/// One drum voice.
#[derive(Clone, Debug)]
struct DrumVoice {
    hit: DrumHit,
    active: bool,
    frame: u32,
    phases: [f32; 6],
    freqs: [f32; 6],
    amp: f32,
    amp_coef: f32,
    pitch: f32,
    pitch_coef: f32,
    noise_amp: f32,
    noise_coef: f32,
    click: f32,
    click_coef: f32,
    fade: f32,
    fade_step: f32,
    rng: u32,
    filter: Svf,
    filter2: Svf,
}

fn coef(seconds: f32, sample_rate: f32) -> f32 {
    (-1.0 / (seconds.max(0.0005) * sample_rate)).exp()
}

impl DrumVoice {
    fn new(seed: u32) -> Self {
        DrumVoice {
            hit: DrumHit {
                kind: DrumKind::Kick,
                tune: 0.0,
                tone: 0.5,
                decay: 0.45,
                gain: 0.0,
            },
            active: false,
            frame: 0,
            phases: [0.0; 6],
            freqs: [0.0; 6],
            amp: 0.0,
            amp_coef: 0.0,
            pitch: 0.0,
            pitch_coef: 0.0,
            noise_amp: 0.0,
            noise_coef: 0.0,
            click: 0.0,
            click_coef: 0.0,
            fade: 1.0,
            fade_step: 0.0,
            rng: seed | 1,
            filter: Svf::new(),
            filter2: Svf::new(),
        }
    }

    fn start(&mut self, hit: DrumHit, sr: f32) {
        let ratio = 2f32.powf(hit.tune / 12.0);
        let tone = hit.tone.clamp(0.0, 1.0);
        self.hit = hit;
        self.active = true;
        self.frame = 0;
        self.phases = [0.0; 6];
        self.fade = 1.0;
        self.fade_step = 0.0;
        self.amp = 1.0;
        self.amp_coef = coef(hit.decay, sr);
        self.pitch = 1.0;
        self.noise_amp = 1.0;
        self.click = 1.0;
        self.click_coef = coef(0.0015, sr);
        self.filter.reset();
        self.filter2.reset();
        match hit.kind {
            DrumKind::Kick => {
                self.freqs[0] = 48.0 * ratio;
                self.pitch_coef = coef(0.02 + 0.02 * (1.0 - tone), sr);
                self.filter.set(3000.0 + 5000.0 * tone, 0.1, sr);
            }
            DrumKind::Snare => {
                self.freqs[0] = 185.0 * ratio;
                self.freqs[1] = 330.0 * ratio;
                self.pitch_coef = coef(0.01, sr);
                self.noise_coef = coef(hit.decay, sr);
                self.amp_coef = coef(hit.decay * 0.5, sr);
                self.filter.set(1800.0 + 4000.0 * tone, 0.25, sr);
            }
            DrumKind::ClosedHat | DrumKind::OpenHat => {
                for (f, m) in self.freqs.iter_mut().zip(METAL) {
                    *f = m * 1.7 * ratio;
                }
                self.filter.set(6500.0 + 3000.0 * tone, 0.2, sr);
                self.filter2.set(6500.0 + 3000.0 * tone, 0.2, sr);
            }
            DrumKind::Clap => {
                self.noise_coef = coef(0.004, sr);
                self.filter.set(900.0 + 900.0 * tone, 0.45, sr);
            }
            DrumKind::Tom => {
                self.freqs[0] = 110.0 * ratio;
                self.pitch_coef = coef(0.06, sr);
                self.filter.set(2000.0 + 3000.0 * tone, 0.1, sr);
            }
            DrumKind::Rim => {
                self.freqs[0] = 480.0 * ratio;
                self.freqs[1] = 1700.0 * ratio;
                self.filter.set(2500.0 + 3000.0 * tone, 0.3, sr);
            }
            DrumKind::Cowbell => {
                self.freqs[0] = 587.0 * ratio;
                self.freqs[1] = 845.0 * ratio;
                self.noise_coef = coef(0.015, sr);
                self.filter.set(2000.0 + 1500.0 * tone, 0.3, sr);
            }
        }
    }

    fn choke(&mut self, sr: f32) {
        if self.active {
            self.fade_step = self.fade / (CHOKE_SECONDS * sr);
        }
    }

    #[inline]
    fn noise(&mut self) -> f32 {
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.rng = x;
        (x as f32 / u32::MAX as f32) * 2.0 - 1.0
    }

    #[inline]
    fn osc(&mut self, i: usize, freq: f32, sr: f32) -> f32 {
        let p = self.phases[i];
        let next = p + freq / sr;
        self.phases[i] = next - next.floor();
        p
    }

    fn sample(&mut self, sr: f32) -> f32 {
        let h = self.hit;
        let tone = h.tone.clamp(0.0, 1.0);
        let s = match h.kind {
            DrumKind::Kick => {
                let f = self.freqs[0] * (1.0 + 4.0 * self.pitch);
                let p = self.osc(0, f, sr);
                let n = self.noise();
                let click = self.filter.process(n, FilterMode::Highpass) * self.click;
                (TAU * p).sin() * self.amp + click * (0.2 + 0.5 * tone)
            }
            DrumKind::Snare => {
                let bend = 1.0 + 0.5 * self.pitch;
                let a = (TAU * self.osc(0, self.freqs[0] * bend, sr)).sin();
                let b = (TAU * self.osc(1, self.freqs[1] * bend, sr)).sin();
                let n = self.noise();
                let noise = self.filter.process(n, FilterMode::Bandpass) * self.noise_amp;
                (a * 0.6 + b * 0.4) * self.amp * (0.8 - 0.4 * tone) + noise * 1.6
            }
            DrumKind::ClosedHat | DrumKind::OpenHat => {
                let mut metal = 0.0;
                for i in 0..6 {
                    let p = self.osc(i, self.freqs[i], sr);
                    metal += if p < 0.5 { 1.0 } else { -1.0 };
                }
                let x = metal / 6.0 * 0.6 + self.noise() * 0.5;
                let hp = self.filter.process(x, FilterMode::Highpass);
                self.filter2.process(hp, FilterMode::Highpass) * self.amp
            }
            DrumKind::Clap => {
                // Four bursts 11 ms apart, then a tail at the decay time.
                let burst = (0.011 * sr) as u32;
                if self.frame < 4 * burst && self.frame.is_multiple_of(burst.max(1)) {
                    self.noise_amp = 1.0;
                }
                let env = if self.frame < 4 * burst {
                    self.noise_amp
                } else {
                    0.5 * self.amp
                };
                let n = self.noise();
                self.filter.process(n, FilterMode::Bandpass) * env * 3.0
            }
            DrumKind::Tom => {
                let f = self.freqs[0] * (1.0 + 0.6 * self.pitch);
                let p = self.osc(0, f, sr);
                let n = self.noise() * self.click * 0.3;
                (TAU * p).sin() * self.amp + self.filter.process(n, FilterMode::Lowpass)
            }
            DrumKind::Rim => {
                let a = (TAU * self.osc(0, self.freqs[0], sr)).sin();
                let b = if self.osc(1, self.freqs[1], sr) < 0.5 {
                    1.0
                } else {
                    -1.0
                };
                let x = a * 0.5 + b * 0.5 + self.noise() * self.click;
                self.filter.process(x, FilterMode::Bandpass) * self.amp * 2.0
            }
            DrumKind::Cowbell => {
                let a = if self.osc(0, self.freqs[0], sr) < 0.5 {
                    1.0
                } else {
                    -1.0
                };
                let b = if self.osc(1, self.freqs[1], sr) < 0.5 {
                    1.0
                } else {
                    -1.0
                };
                // A quick first drop, then the ringing decay.
                let env = self.amp * (0.6 + 0.4 * self.noise_amp);
                self.filter.process(a + b, FilterMode::Bandpass) * env * 0.8
            }
        };
        self.amp *= self.amp_coef;
        self.pitch *= self.pitch_coef;
        self.noise_amp *= self.noise_coef;
        self.click *= self.click_coef;
        self.frame = self.frame.saturating_add(1);
        s * h.gain
    }

    fn render(&mut self, out: &mut [f32], sr: f32) {
        for o in out.iter_mut() {
            let mut s = self.sample(sr);
            if self.fade_step > 0.0 {
                self.fade = (self.fade - self.fade_step).max(0.0);
                s *= self.fade;
            }
            *o += s;
        }
        let tail = self.amp.max(self.noise_amp * 0.1);
        if (tail < 1e-4 && self.frame > 64)
            || self.fade <= 0.0
            || !out.iter().all(|s| s.is_finite())
        {
            self.active = false;
        }
    }
}

/// Two drum voices per track.
pub struct DrumKit {
    voices: [[DrumVoice; 2]; TRACKS],
    next: [usize; TRACKS],
    sample_rate: f32,
}

impl DrumKit {
    /// A silent kit.
    pub fn new(sample_rate: f32) -> Self {
        DrumKit {
            voices: std::array::from_fn(|t| {
                std::array::from_fn(|v| DrumVoice::new(0x2545_F491 ^ ((t * 2 + v) as u32 + 1)))
            }),
            next: [0; TRACKS],
            sample_rate,
        }
    }

    /// Plays `hit` on `track`'s next drum voice; the other one fades out under it. A closed
    /// hat chokes every ringing open hat.
    pub fn trigger(&mut self, track: usize, hit: DrumHit) {
        let Some(pair) = self.voices.get_mut(track) else {
            return;
        };
        let sr = self.sample_rate;
        let n = self.next[track];
        pair[1 - n].choke(sr);
        pair[n].start(hit, sr);
        self.next[track] = 1 - n;
        if hit.kind == DrumKind::ClosedHat {
            for v in self.voices.iter_mut().flatten() {
                if v.active && v.hit.kind == DrumKind::OpenHat {
                    v.choke(sr);
                }
            }
        }
    }

    /// Adds every ringing drum into `out`.
    pub fn render(&mut self, out: &mut [f32]) {
        let sr = self.sample_rate;
        for v in self.voices.iter_mut().flatten().filter(|v| v.active) {
            v.render(out, sr);
        }
    }

    /// True while some drum rings.
    pub fn any_active(&self) -> bool {
        self.voices.iter().flatten().any(|v| v.active)
    }

    /// Silences every drum (a standby settling before it takes over).
    pub fn stop_all(&mut self) {
        for v in self.voices.iter_mut().flatten() {
            v.active = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(kind: DrumKind) -> DrumHit {
        DrumHit {
            kind,
            tune: 0.0,
            tone: 0.5,
            decay: kind.default_decay(),
            gain: 1.0,
        }
    }

    #[test]
    fn drum_words_and_values_round_trip() {
        for k in DrumKind::ALL {
            assert_eq!(DrumKind::from_word(k.name()), Some(k));
            assert_eq!(DrumKind::from_value(k.value()), Some(k));
        }
        assert_eq!(DrumKind::from_word("bd"), Some(DrumKind::Kick));
        assert_eq!(DrumKind::from_word("banjo"), None);
        assert_eq!(DrumKind::from_value(0.0), None);
    }

    #[test]
    fn every_drum_sounds_then_falls_silent() {
        for k in DrumKind::ALL {
            let mut kit = DrumKit::new(44_100.0);
            kit.trigger(0, hit(k));
            let mut first = [0.0f32; 2048];
            kit.render(&mut first);
            let peak = first.iter().fold(0.0f32, |m, s| m.max(s.abs()));
            assert!(peak > 0.05, "{k:?} peak {peak}");
            let mut rest = [0.0f32; 4096];
            for _ in 0..200 {
                rest.fill(0.0);
                kit.render(&mut rest);
            }
            assert!(!kit.any_active(), "{k:?} still rings after 18 s");
        }
    }

    #[test]
    fn a_closed_hat_chokes_the_open_hat() {
        let mut kit = DrumKit::new(44_100.0);
        kit.trigger(3, hit(DrumKind::OpenHat));
        kit.render(&mut [0.0f32; 512]);
        kit.trigger(2, hit(DrumKind::ClosedHat));
        kit.render(&mut [0.0f32; 8192]);
        let open_rings = kit.voices[3].iter().any(|v| v.active);
        assert!(!open_rings, "the open hat was choked");
    }
}
