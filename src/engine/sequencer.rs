//! The step sequencer: tracks with fixed-size patterns, played on the transport's grid.
//!
//! Runs on the DSP worker thread: patterns live in fixed arrays copied in from the engine's
//! state, nothing allocates. Edits made while the transport runs are staged and take effect
//! together at the next bar line (or at once on `ApplyPending`), so a pattern never plays
//! half old and half new.

use super::command::{Step, StepLevel, TRACKS};
use super::state::TrackState;
use super::transport::Transport;
use super::voice::NEVER;

/// A step that should sound now.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepEvent {
    /// The track it belongs to.
    pub track: u8,
    /// What it plays.
    pub step: Step,
    /// The frame it starts on.
    pub frame: u64,
    /// How many frames its note lasts (the track's gate × the step length).
    pub gate_frames: u64,
}

/// The tracks as they play, with their place on the grid.
#[derive(Clone, Debug)]
pub struct Sequencer {
    playing: [TrackState; TRACKS],
    staged: u8,
    commit_frame: u64,
    next_step: [u64; TRACKS],
    next_frame: [u64; TRACKS],
    last_fired: [Option<u64>; TRACKS],
}

impl Sequencer {
    /// A sequencer playing `tracks` once the transport runs.
    pub fn new(tracks: &[TrackState; TRACKS]) -> Self {
        Sequencer {
            playing: *tracks,
            staged: 0,
            commit_frame: NEVER,
            next_step: [0; TRACKS],
            next_frame: [NEVER; TRACKS],
            last_fired: [None; TRACKS],
        }
    }

    /// The tracks as they play now (staged edits not yet included).
    pub fn playing(&self) -> &[TrackState; TRACKS] {
        &self.playing
    }

    /// True when edits wait for the next bar.
    pub fn has_staged(&self) -> bool {
        self.staged != 0
    }

    /// The step of `track` that played last, as an index into its pattern.
    pub fn current_step(&self, track: usize) -> Option<usize> {
        let t = self.playing.get(track)?;
        self.last_fired[track].map(|n| (n % u64::from(t.length.max(1))) as usize)
    }

    /// Takes an edit of `track` (whose latest state is `latest`): at once while stopped,
    /// else at the next bar line.
    pub fn track_edited(
        &mut self,
        track: usize,
        latest: &TrackState,
        transport: &Transport,
        now: u64,
    ) {
        if track >= TRACKS {
            return;
        }
        if transport.is_running() {
            self.staged |= 1 << track;
            self.commit_frame = transport.next_bar_frame(now);
        } else {
            self.playing[track] = *latest;
        }
    }

    /// Makes every staged edit play from frame `now`.
    pub fn apply_staged(&mut self, latest: &[TrackState; TRACKS], transport: &Transport, now: u64) {
        for (t, track) in latest.iter().enumerate() {
            if self.staged & (1 << t) != 0 {
                self.playing[t] = *track;
                self.resync(t, transport, now);
            }
        }
        self.staged = 0;
        self.commit_frame = NEVER;
    }

    /// Finds every track's next step from frame `now` (after start, tempo or swing changes).
    pub fn resync_all(&mut self, transport: &Transport, now: u64) {
        for t in 0..TRACKS {
            self.resync(t, transport, now);
        }
        if self.staged != 0 && transport.is_running() {
            self.commit_frame = transport.next_bar_frame(now);
        }
    }

    /// Forgets where the tracks were (the transport starts again from bar 1).
    pub fn rewind(&mut self) {
        self.last_fired = [None; TRACKS];
    }

    fn resync(&mut self, t: usize, transport: &Transport, now: u64) {
        if !transport.is_running() {
            self.next_frame[t] = NEVER;
            return;
        }
        let beats = self.playing[t].step_beats();
        let mut n = transport.first_step_from(now, beats);
        if let Some(last) = self.last_fired[t] {
            n = n.max(last + 1);
        }
        self.next_step[t] = n;
        self.next_frame[t] = transport.frame_at(transport.step_beat(n, beats));
    }

    /// The transport stopped: nothing more plays and staged edits apply at once.
    pub fn stop(&mut self, latest: &[TrackState; TRACKS], transport: &Transport, now: u64) {
        self.apply_staged(latest, transport, now);
        self.next_frame = [NEVER; TRACKS];
    }

    /// The next frame at which something happens (a step or the staged edits' bar line).
    pub fn next_event(&self) -> u64 {
        self.next_frame
            .iter()
            .copied()
            .min()
            .unwrap_or(NEVER)
            .min(self.commit_frame)
    }

    fn audible(&self, t: usize) -> bool {
        let any_solo = self.playing.iter().any(|t| t.solo);
        let track = &self.playing[t];
        !track.mute && (!any_solo || track.solo)
    }

    /// The next step due at or before frame `now` that sounds, if any; staged edits due by
    /// `now` are applied first. Call until it returns `None`.
    pub fn take_due(
        &mut self,
        now: u64,
        transport: &Transport,
        latest: &[TrackState; TRACKS],
    ) -> Option<StepEvent> {
        if self.commit_frame <= now {
            self.apply_staged(latest, transport, now);
        }
        for t in 0..TRACKS {
            while self.next_frame[t] <= now {
                let track = self.playing[t];
                let n = self.next_step[t];
                let frame = self.next_frame[t];
                let beats = track.step_beats();
                self.last_fired[t] = Some(n);
                self.next_step[t] = n + 1;
                self.next_frame[t] = transport.frame_at(transport.step_beat(n + 1, beats));
                let step = track.steps[(n % u64::from(track.length.max(1))) as usize];
                if step.level != StepLevel::Rest && self.audible(t) {
                    let gate = f64::from(track.gate) * beats * transport.frames_per_beat();
                    return Some(StepEvent {
                        track: t as u8,
                        step,
                        frame,
                        gate_frames: gate.round().max(1.0) as u64,
                    });
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn four_on_the_floor() -> [TrackState; TRACKS] {
        let mut tracks = [TrackState::default(); TRACKS];
        for i in (0..16).step_by(4) {
            tracks[0].steps[i] = Step::hit(StepLevel::Hit);
        }
        tracks
    }

    fn collect(
        seq: &mut Sequencer,
        t: &Transport,
        latest: &[TrackState; TRACKS],
        until: u64,
    ) -> Vec<u64> {
        let mut frames = Vec::new();
        let mut now = 0;
        while now < until {
            while let Some(ev) = seq.take_due(now, t, latest) {
                frames.push(ev.frame);
            }
            now = seq.next_event().min(until);
        }
        frames
    }

    #[test]
    fn quarter_note_hits_land_on_beats() {
        let tracks = four_on_the_floor();
        let mut t = Transport::new(44_100, 120.0, 0.0);
        t.start(0, 0.0);
        let mut seq = Sequencer::new(&tracks);
        seq.resync_all(&t, 0);
        let frames = collect(&mut seq, &t, &tracks, 88_200 * 2);
        assert_eq!(
            frames,
            [0, 22_050, 44_100, 66_150, 88_200, 110_250, 132_300, 154_350]
        );
    }

    #[test]
    fn edits_while_running_wait_for_the_bar_line() {
        let tracks = four_on_the_floor();
        let mut t = Transport::new(44_100, 120.0, 0.0);
        t.start(0, 0.0);
        let mut seq = Sequencer::new(&tracks);
        seq.resync_all(&t, 0);
        let mut latest = tracks;
        latest[0].steps[2] = Step::hit(StepLevel::Accent);
        seq.track_edited(0, &latest[0], &t, 100);
        assert!(seq.has_staged());
        let frames = collect(&mut seq, &t, &latest, 88_200 + 11_026);
        // Bar 1 plays the old pattern; bar 2 has the new 8th-note hit at 88200 + 11025.
        assert_eq!(frames, [0, 22_050, 44_100, 66_150, 88_200, 99_225]);
    }

    #[test]
    fn mute_and_solo_pick_the_tracks_that_sound() {
        let mut tracks = four_on_the_floor();
        tracks[1] = tracks[0];
        tracks[1].solo = true;
        let mut t = Transport::new(44_100, 120.0, 0.0);
        t.start(0, 0.0);
        let mut seq = Sequencer::new(&tracks);
        seq.resync_all(&t, 0);
        let ev = seq.take_due(0, &t, &tracks).expect("a step");
        assert_eq!(ev.track, 1);
        assert_eq!(seq.take_due(0, &t, &tracks), None, "track 0 is not soloed");
        assert_eq!(ev.gate_frames, 2756);
    }
}
