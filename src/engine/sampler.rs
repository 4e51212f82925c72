//! Sample voices: a track with a sample (`track brk sample amen`) plays it from the
//! [sample library](super::sample_library) on each step, at the step's pitch (C4 = as
//! recorded), between its start and end points, forwards or reversed, once or looped for the
//! note's length.
//!
//! Runs on the DSP worker thread: two fixed voices per track, reading library slots that are
//! never freed while the process runs; nothing allocates or frees.

use super::command::TRACKS;
use super::sample_library;

/// How one sample hit plays, read from its track when the step fires.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SampleHit {
    /// Library slot.
    pub index: u16,
    /// Playback speed (1 = as recorded, 2 = an octave up).
    pub speed: f32,
    /// Linear gain.
    pub gain: f32,
    /// Start point as a fraction of the sample (0..1).
    pub start: f32,
    /// End point as a fraction of the sample (0..1).
    pub end: f32,
    /// Played backwards (from the end point to the start point).
    pub reverse: bool,
    /// Loops between the points until the note ends.
    pub looped: bool,
    /// Frames the note lasts (a looped sample stops then).
    pub length: u64,
}

/// Fade applied when a voice is cut (reused or its loop ends).
const CUT_SECONDS: f32 = 0.005;

#[derive(Clone, Copy, Debug)]
struct SampleVoice {
    hit: SampleHit,
    active: bool,
    pos: f64,
    step: f64,
    lo: f64,
    hi: f64,
    played: u64,
    fade: f32,
    fade_step: f32,
}

impl SampleVoice {
    const IDLE: SampleVoice = SampleVoice {
        hit: SampleHit {
            index: 0,
            speed: 1.0,
            gain: 0.0,
            start: 0.0,
            end: 1.0,
            reverse: false,
            looped: false,
            length: 0,
        },
        active: false,
        pos: 0.0,
        step: 1.0,
        lo: 0.0,
        hi: 0.0,
        played: 0,
        fade: 1.0,
        fade_step: 0.0,
    };

    fn start(&mut self, hit: SampleHit, sample_rate: f32) {
        let Some(data) = sample_library::get(hit.index) else {
            self.active = false;
            return;
        };
        let n = data.frames.len() as f64;
        let (a, b) = (
            f64::from(hit.start.clamp(0.0, 1.0)) * n,
            f64::from(hit.end.clamp(0.0, 1.0)) * n,
        );
        let (lo, hi) = (a.min(b), a.max(b));
        if hi - lo < 1.0 {
            self.active = false;
            return;
        }
        let step = f64::from(hit.speed.max(0.01)) * f64::from(data.rate) / f64::from(sample_rate);
        *self = SampleVoice {
            hit,
            active: true,
            pos: if hit.reverse { hi - 1.0 } else { lo },
            step: if hit.reverse { -step } else { step },
            lo,
            hi,
            played: 0,
            fade: 1.0,
            fade_step: 0.0,
        };
    }

    fn cut(&mut self, sample_rate: f32) {
        if self.active && self.fade_step == 0.0 {
            self.fade_step = self.fade / (CUT_SECONDS * sample_rate);
        }
    }

    fn render(&mut self, out: &mut [f32], sample_rate: f32) {
        let Some(data) = sample_library::get(self.hit.index) else {
            self.active = false;
            return;
        };
        let frames = &data.frames;
        for o in out.iter_mut() {
            if self.hit.looped && self.played >= self.hit.length {
                self.cut(sample_rate);
            }
            if self.pos < self.lo || self.pos > self.hi - 1.0 {
                if self.hit.looped {
                    let span = (self.hi - self.lo).max(1.0);
                    self.pos = (self.lo + (self.pos - self.lo).rem_euclid(span)).min(self.hi - 1.0);
                } else {
                    self.active = false;
                    return;
                }
            }
            let i = self.pos as usize;
            let frac = (self.pos - i as f64) as f32;
            let a = frames.get(i).copied().unwrap_or(0.0);
            let b = frames.get(i + 1).copied().unwrap_or(a);
            let mut s = (a + (b - a) * frac) * self.hit.gain;
            if self.fade_step > 0.0 {
                self.fade = (self.fade - self.fade_step).max(0.0);
                s *= self.fade;
                if self.fade <= 0.0 {
                    self.active = false;
                    return;
                }
            }
            *o += s;
            self.pos += self.step;
            self.played += 1;
        }
    }
}

/// Two sample voices per track.
pub struct SamplerKit {
    voices: [[SampleVoice; 2]; TRACKS],
    next: [usize; TRACKS],
    sample_rate: f32,
}

impl SamplerKit {
    /// A silent sampler.
    pub fn new(sample_rate: f32) -> Self {
        SamplerKit {
            voices: [[SampleVoice::IDLE; 2]; TRACKS],
            next: [0; TRACKS],
            sample_rate,
        }
    }

    /// Plays `hit` on `track`; the track's previous hit fades out under it.
    pub fn trigger(&mut self, track: usize, hit: SampleHit) {
        let Some(pair) = self.voices.get_mut(track) else {
            return;
        };
        let n = self.next[track];
        pair[1 - n].cut(self.sample_rate);
        pair[n].start(hit, self.sample_rate);
        self.next[track] = 1 - n;
    }

    /// Adds every playing sample into `out`.
    pub fn render(&mut self, out: &mut [f32]) {
        let sr = self.sample_rate;
        for v in self.voices.iter_mut().flatten().filter(|v| v.active) {
            v.render(out, sr);
        }
    }

    /// Silences every sample voice.
    pub fn stop_all(&mut self) {
        for v in self.voices.iter_mut().flatten() {
            v.active = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::sample_library::{insert, SampleData};

    fn ramp_sample() -> u16 {
        insert(SampleData {
            name: "ramp".into(),
            frames: (0..1000).map(|i| i as f32 / 1000.0).collect(),
            rate: 44_100,
        })
        .expect("room")
    }

    fn hit(index: u16) -> SampleHit {
        SampleHit {
            index,
            speed: 1.0,
            gain: 1.0,
            start: 0.0,
            end: 1.0,
            reverse: false,
            looped: false,
            length: 100_000,
        }
    }

    #[test]
    fn a_sample_plays_once_from_start_to_end_at_its_own_rate() {
        let index = ramp_sample();
        let mut kit = SamplerKit::new(44_100.0);
        kit.trigger(0, hit(index));
        let mut out = vec![0.0f32; 1200];
        kit.render(&mut out);
        assert_eq!(out[0], 0.0);
        assert!((out[500] - 0.5).abs() < 1e-6);
        assert_eq!(out[1100], 0.0, "a one-shot stops at its end");
    }

    #[test]
    fn reverse_and_points_choose_what_plays() {
        let index = ramp_sample();
        let mut kit = SamplerKit::new(44_100.0);
        kit.trigger(
            1,
            SampleHit {
                start: 0.2,
                end: 0.8,
                reverse: true,
                ..hit(index)
            },
        );
        let mut out = vec![0.0f32; 700];
        kit.render(&mut out);
        assert!((out[0] - 0.799).abs() < 1e-6, "{}", out[0]);
        assert!(out[1] < out[0], "backwards");
        assert_eq!(out[650], 0.0, "600 frames between the points");
    }

    #[test]
    fn a_looped_sample_plays_until_its_note_ends() {
        let index = ramp_sample();
        let mut kit = SamplerKit::new(44_100.0);
        kit.trigger(
            2,
            SampleHit {
                looped: true,
                length: 3000,
                ..hit(index)
            },
        );
        let mut out = vec![0.0f32; 4000];
        kit.render(&mut out);
        assert!(out[2500] > 0.0, "still looping after the sample's length");
        assert_eq!(out[3500], 0.0, "stopped after the note");
    }
}
