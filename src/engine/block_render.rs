//! Block rendering: splits each 64-frame block at the exact frames where sequencer steps,
//! arpeggio notes and scheduled note ends fall, renders the voices between them, then runs
//! the effects and the master stage.
//!
//! Runs on whichever thread renders (the DSP worker live, the caller offline): fixed-size
//! stack buffers only, never allocates, locks or blocks.

use super::command::{midi_to_hz, Step};
use super::params::ParamId;
use super::smoother::Ramp;
use super::voice::VoiceSource;
use super::{soft_clip, Engine, BLOCK_FRAMES, BLOCK_SAMPLES, CHANNELS, PITCH_NOTE};

impl Engine {
    /// Renders interleaved stereo into `out` (any length that is a multiple of 2).
    /// Never allocates, locks or blocks.
    pub fn render(&mut self, out: &mut [f32]) {
        for chunk in out.chunks_mut(BLOCK_SAMPLES) {
            let frames = chunk.len() / CHANNELS;
            if frames > 0 {
                self.render_block(&mut chunk[..frames * CHANNELS], frames);
            }
        }
        self.guard_non_finite(out);
    }

    fn render_block(&mut self, out: &mut [f32], n: usize) {
        self.advance_ramps();
        if self.fx_dirty {
            self.fx.set(&self.state.values);
            self.fx_dirty = false;
        }
        self.refresh_profiles();
        // Waveform and filter-mode switches happen under a one-block duck of the voices.
        let pending = self.profiles.discrete_pending();
        let sounding = self.pool.any_active();
        if pending && !sounding {
            self.profiles.apply_discrete();
        }
        // Drum voices live outside the pool: an active one keeps the engine awake too.
        if !sounding && !self.drums.any_active() && self.duck == 1.0 && self.idle_block(n) {
            out.fill(0.0);
            self.publish_transport();
            return;
        }
        let duck_to = if pending && sounding { 0.0 } else { 1.0 };
        let duck = Ramp {
            start: self.duck,
            step: (duck_to - self.duck) / n as f32,
        };
        self.duck = duck_to;
        self.profiles.advance(n);
        self.modulate(n);
        let gate_freq = self.freq.advance(n);
        let master = self.master.advance(n);

        let mut bus = [0.0f32; BLOCK_FRAMES];
        let mut pos = 0;
        while pos < n {
            let now = self.frames + pos as u64;
            self.fire_events(now);
            let next = self.next_event().max(now + 1);
            let end = next.saturating_sub(self.frames).min(n as u64) as usize;
            self.pool
                .render(&mut bus[pos..end], pos, self.profiles.params(), &gate_freq);
            self.drums.render(&mut bus[pos..end]);
            self.sampler.render(&mut bus[pos..end]);
            pos = end;
        }
        if !(duck.start == 1.0 && duck.step == 0.0) {
            for (i, s) in bus[..n].iter_mut().enumerate() {
                *s *= duck.at(i + 1);
            }
        }
        if pending && self.duck == 0.0 {
            self.profiles.apply_discrete();
        }

        let mut left = [0.0f32; BLOCK_FRAMES];
        let mut right = [0.0f32; BLOCK_FRAMES];
        let input_silent = !self.pool.any_active() && bus[..n].iter().all(|s| *s == 0.0);
        self.fx
            .process(&mut bus[..n], &mut left[..n], &mut right[..n]);
        self.idle.rendered(input_silent, &self.fx);
        for (i, frame) in out.chunks_exact_mut(CHANNELS).enumerate() {
            let g = master.at(i);
            frame[0] = soft_clip(left[i] * g);
            frame[1] = soft_clip(right[i] * g);
        }
        self.frames += n as u64;
        self.counters.nan_resets += self.pool.repair();
        self.publish_transport();
    }

    /// Tells MIDI out (when attached) where the timeline stands after a block.
    fn publish_transport(&self) {
        if let Some(tap) = &self.note_tap {
            tap.publish_transport(
                self.transport.is_running(),
                self.transport.tempo(),
                self.transport.beat_at(self.frames),
                self.frames,
            );
        }
    }

    /// Skips a block of `n` frames if the engine is idle: no voice sounds (checked by the
    /// caller), nothing is due before the block ends and the effects hold only silence.
    /// Advances every control the full block would advance; returns false (and does
    /// nothing) when the chain must run.
    fn idle_block(&mut self, n: usize) -> bool {
        if !self.idle.may_skip() || self.next_event() < self.frames + n as u64 {
            return false;
        }
        self.profiles.advance(n);
        self.freq.advance(n);
        self.master.advance(n);
        self.fx.skip(n);
        self.frames += n as u64;
        self.idle.skipped();
        true
    }

    /// The next frame at which a step, an arpeggio note or a scheduled release is due.
    fn next_event(&self) -> u64 {
        self.seq
            .next_event()
            .min(self.arp.next_event())
            .min(self.pool.next_release())
    }

    /// Plays everything due at frame `now`: releases first, then steps, then the arpeggio.
    fn fire_events(&mut self, now: u64) {
        self.refresh_profiles();
        let params = *self.profiles.params();
        self.pool.release_due(now, &params);
        let staged_before = self.seq.has_staged();
        while let Some(ev) = self.seq.take_due(now, &self.transport, &self.state.tracks) {
            let track = &self.seq.playing()[usize::from(ev.track)];
            let (note, hz) = if ev.step.note != Step::TRACK_PITCH {
                (ev.step.note, midi_to_hz(f32::from(ev.step.note)))
            } else if track.pitch >= 0.0 {
                (track.pitch as u8, midi_to_hz(track.pitch))
            } else {
                (PITCH_NOTE, self.value(ParamId::OscFreq))
            };
            let velocity = ev.step.velocity();
            if let Some(tap) = &self.note_tap {
                tap.push_note(
                    ev.track,
                    note,
                    velocity,
                    ev.frame,
                    ev.gate_frames,
                    self.frames,
                );
                if !tap.internal_plays(usize::from(ev.track)) {
                    continue;
                }
            }
            if track.sample != 0 {
                let pitch = if ev.step.note != Step::TRACK_PITCH {
                    f32::from(ev.step.note)
                } else if track.pitch >= 0.0 {
                    track.pitch
                } else {
                    60.0
                };
                let hit = super::sampler::SampleHit {
                    index: track.sample - 1,
                    speed: 2f32.powf((pitch - 60.0) / 12.0),
                    gain: super::smoother::db_to_gain(
                        track.level_db + track.sound_override(ParamId::AmpGain).unwrap_or(-6.0),
                    ) * velocity,
                    start: track.sample_start,
                    end: track.sample_end,
                    reverse: track.reverse,
                    looped: track.looped,
                    length: ev.gate_frames,
                };
                self.sampler.trigger(usize::from(ev.track), hit);
                continue;
            }
            if let Some(kind) = track.drum_kind() {
                let hit = super::drums::DrumHit {
                    kind,
                    tune: track.tune,
                    tone: track.tone,
                    decay: track
                        .sound_override(ParamId::EnvDecay)
                        .unwrap_or(kind.default_decay()),
                    gain: super::smoother::db_to_gain(
                        track.level_db + track.sound_override(ParamId::AmpGain).unwrap_or(-6.0),
                    ) * velocity,
                };
                self.drums.trigger(usize::from(ev.track), hit);
                continue;
            }
            self.pool.start(
                VoiceSource::Track(ev.track),
                note,
                hz,
                velocity,
                ev.frame + ev.gate_frames,
            );
            for extra in ev.step.chord {
                if extra != Step::NO_NOTE {
                    self.pool.start(
                        VoiceSource::Track(ev.track),
                        extra,
                        midi_to_hz(f32::from(extra)),
                        velocity,
                        ev.frame + ev.gate_frames,
                    );
                }
            }
        }
        if staged_before && !self.seq.has_staged() {
            self.sound_dirty = true;
        }
        while let Some(a) = self.arp.take_due(now, &self.state.held, &self.transport) {
            let hz = midi_to_hz(f32::from(a.note));
            self.pool.start(
                VoiceSource::Arp,
                a.note,
                hz,
                a.velocity,
                a.frame + a.gate_frames,
            );
        }
    }

    /// The NaN/inf guard: a block holding non-finite samples is silenced so they never reach
    /// the output, and the effects are cleared so they cannot keep recirculating them.
    fn guard_non_finite(&mut self, out: &mut [f32]) {
        if out.iter().any(|s| !s.is_finite()) {
            out.fill(0.0);
            self.fx.reset();
            self.idle.fx_cleared();
            self.counters.silenced_blocks += 1;
        }
    }
}
