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
        let duck_to = if pending && sounding { 0.0 } else { 1.0 };
        let duck = Ramp {
            start: self.duck,
            step: (duck_to - self.duck) / n as f32,
        };
        self.duck = duck_to;
        self.profiles.advance(n);
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
        self.fx
            .process(&mut bus[..n], &mut left[..n], &mut right[..n]);
        for (i, frame) in out.chunks_exact_mut(CHANNELS).enumerate() {
            let g = master.at(i);
            frame[0] = soft_clip(left[i] * g);
            frame[1] = soft_clip(right[i] * g);
        }
        self.frames += n as u64;
        self.counters.nan_resets += self.pool.repair();
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
            let velocity = ev.step.level.velocity();
            self.pool.start(
                VoiceSource::Track(ev.track),
                note,
                hz,
                velocity,
                ev.frame + ev.gate_frames,
            );
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
            self.counters.silenced_blocks += 1;
        }
    }
}
