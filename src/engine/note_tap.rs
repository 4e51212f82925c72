//! The note tap: the engine's timeline, seen from outside. While a tap is attached, the
//! engine writes every sequencer note it plays (track, note, velocity, frame, length) into a
//! fixed ring, and after each block where the transport is (its beat, tempo and whether it
//! runs), each stamped with the time the block was rendered. MIDI out and MIDI clock out
//! (`src/midi/out.rs`) read it on their own thread and send bytes when the sound is heard.
//!
//! The tap also says, per track, whether the internal voice plays (`track bass midi out
//! channel 2` turns it off; `also` keeps it).
//!
//! Written by the one rendering engine (the DSP worker; after a failover the new one, which
//! shares the tap), read by one consumer thread. Atomics only: never allocates, locks or
//! blocks; a full ring drops the note and counts it.

use super::command::TRACKS;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicU8};
use std::time::Instant;

/// Notes the ring holds (a power of two).
const CAPACITY: usize = 1024;

/// One sequencer note as the engine played it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TappedNote {
    /// Track index.
    pub track: u8,
    /// MIDI note.
    pub note: u8,
    /// MIDI velocity 1..=127.
    pub velocity: u8,
    /// Engine frame the note starts at.
    pub frame: u64,
    /// Length in frames.
    pub length: u32,
    /// Nanoseconds (tap clock) at which the block holding `frame` was rendered, minus that
    /// block's start frame in nanoseconds: `frame`'s render time is `frame_ns + offset_ns`.
    pub offset_ns: i64,
}

/// Where the transport was after the last rendered block.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TransportView {
    /// Whether the transport runs.
    pub running: bool,
    /// Tempo in bpm.
    pub tempo: f32,
    /// Beats since the top of bar 1 at the end of the block.
    pub beat: f64,
    /// Tap-clock nanoseconds when that block was rendered.
    pub rendered_ns: u64,
    /// Engine frame at the end of the block.
    pub frame: u64,
}

/// The shared tap (see the module docs).
#[derive(Debug)]
pub struct NoteTap {
    epoch: Instant,
    sample_rate: u32,
    /// Per track: 0 = not tapped, 1..=16 = MIDI channel.
    channels: [AtomicU8; TRACKS],
    /// Per track: the internal voice also plays.
    internal: [AtomicBool; TRACKS],
    slots: Box<[[AtomicU64; 3]]>,
    head: AtomicU64,
    tail: AtomicU64,
    dropped: AtomicU64,
    // The transport view, written as a whole under a sequence number (odd while writing).
    seq: AtomicU32,
    running: AtomicBool,
    tempo_bits: AtomicU32,
    beat_bits: AtomicU64,
    rendered_ns: AtomicU64,
    view_frame: AtomicU64,
}

impl NoteTap {
    /// A tap for an engine at `sample_rate` with no track tapped.
    pub fn new(sample_rate: u32) -> Self {
        NoteTap {
            epoch: Instant::now(),
            sample_rate,
            channels: std::array::from_fn(|_| AtomicU8::new(0)),
            internal: std::array::from_fn(|_| AtomicBool::new(true)),
            slots: (0..CAPACITY)
                .map(|_| std::array::from_fn(|_| AtomicU64::new(0)))
                .collect(),
            head: AtomicU64::new(0),
            tail: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            seq: AtomicU32::new(0),
            running: AtomicBool::new(false),
            tempo_bits: AtomicU32::new(120f32.to_bits()),
            beat_bits: AtomicU64::new(0),
            rendered_ns: AtomicU64::new(0),
            view_frame: AtomicU64::new(0),
        }
    }

    /// Nanoseconds since the tap was made (the tap clock).
    pub fn now_ns(&self) -> u64 {
        self.epoch.elapsed().as_nanos() as u64
    }

    /// The engine's sample rate.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// Sends `track`'s notes out on `channel` (1..=16), or stops (`None`); `internal` says
    /// whether the track's own voice still plays.
    pub fn route(&self, track: usize, channel: Option<u8>, internal: bool) {
        if let (Some(c), Some(i)) = (self.channels.get(track), self.internal.get(track)) {
            c.store(channel.map_or(0, |ch| ch.clamp(1, 16)), Relaxed);
            i.store(internal || channel.is_none(), Relaxed);
        }
    }

    /// The MIDI channel (1..=16) `track` goes out on, if any.
    pub fn channel(&self, track: usize) -> Option<u8> {
        self.channels
            .get(track)
            .map(|c| c.load(Relaxed))
            .filter(|&c| c > 0)
    }

    /// Whether `track`'s internal voice plays (real-time safe).
    pub fn internal_plays(&self, track: usize) -> bool {
        self.internal.get(track).is_none_or(|i| i.load(Relaxed))
    }

    /// Notes dropped because the ring was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Relaxed)
    }

    /// Real-time side: records a note of a tapped track played at `frame` inside the block
    /// starting at `block_frame`. Untapped tracks are ignored.
    pub fn push_note(
        &self,
        track: u8,
        note: u8,
        velocity: f32,
        frame: u64,
        length: u64,
        block_frame: u64,
    ) {
        if self.channel(usize::from(track)).is_none() {
            return;
        }
        let head = self.head.load(Relaxed);
        if head - self.tail.load(Acquire) >= CAPACITY as u64 {
            self.dropped.fetch_add(1, Relaxed);
            return;
        }
        let offset = self.now_ns() as i64 - self.frames_to_ns(block_frame) as i64;
        let velocity = (velocity.clamp(0.0, 1.0) * 127.0).round().max(1.0) as u64;
        let slot = &self.slots[(head as usize) & (CAPACITY - 1)];
        slot[0].store(frame, Relaxed);
        slot[1].store(offset as u64, Relaxed);
        slot[2].store(
            u64::from(track)
                | (u64::from(note & 127) << 8)
                | (velocity << 16)
                | (length.min(u64::from(u32::MAX)) << 32),
            Relaxed,
        );
        self.head.store(head + 1, Release);
    }

    /// Consumer side: the next note, oldest first.
    pub fn pop_note(&self) -> Option<TappedNote> {
        let tail = self.tail.load(Relaxed);
        if tail == self.head.load(Acquire) {
            return None;
        }
        let slot = &self.slots[(tail as usize) & (CAPACITY - 1)];
        let frame = slot[0].load(Relaxed);
        let offset_ns = slot[1].load(Relaxed) as i64;
        let packed = slot[2].load(Relaxed);
        self.tail.store(tail + 1, Release);
        Some(TappedNote {
            track: packed as u8,
            note: (packed >> 8) as u8,
            velocity: (packed >> 16) as u8,
            length: (packed >> 32) as u32,
            frame,
            offset_ns,
        })
    }

    /// Real-time side: where the transport is at the end of a block.
    pub fn publish_transport(&self, running: bool, tempo: f32, beat: f64, frame: u64) {
        let s = self.seq.load(Relaxed);
        self.seq.store(s.wrapping_add(1), Release);
        self.running.store(running, Relaxed);
        self.tempo_bits.store(tempo.to_bits(), Relaxed);
        self.beat_bits.store(beat.to_bits(), Relaxed);
        self.rendered_ns.store(self.now_ns(), Relaxed);
        self.view_frame.store(frame, Relaxed);
        self.seq.store(s.wrapping_add(2), Release);
    }

    /// Consumer side: the last transport view (retries while the engine is writing one).
    pub fn transport(&self) -> TransportView {
        loop {
            let before = self.seq.load(Acquire);
            let view = TransportView {
                running: self.running.load(Relaxed),
                tempo: f32::from_bits(self.tempo_bits.load(Relaxed)),
                beat: f64::from_bits(self.beat_bits.load(Relaxed)),
                rendered_ns: self.rendered_ns.load(Relaxed),
                frame: self.view_frame.load(Relaxed),
            };
            std::sync::atomic::fence(Acquire);
            if before.is_multiple_of(2) && self.seq.load(Relaxed) == before {
                return view;
            }
            std::hint::spin_loop();
        }
    }

    /// `frames` of audio in nanoseconds.
    pub fn frames_to_ns(&self, frames: u64) -> u64 {
        (frames as u128 * 1_000_000_000 / u128::from(self.sample_rate.max(1))) as u64
    }
}

/// A shared tap that compares equal only to itself (for configs that derive `PartialEq`).
#[derive(Clone, Debug)]
pub struct SharedNoteTap(pub std::sync::Arc<NoteTap>);

impl PartialEq for SharedNoteTap {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

impl super::Engine {
    /// Attaches the tap MIDI out reads (the same tap for every engine of a live pipeline).
    pub fn attach_note_tap(&mut self, tap: std::sync::Arc<NoteTap>) {
        self.note_tap = Some(tap);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_of_tapped_tracks_come_out_in_order_and_others_are_ignored() {
        let tap = NoteTap::new(48_000);
        tap.route(1, Some(2), false);
        assert!(!tap.internal_plays(1));
        assert!(tap.internal_plays(0));
        tap.push_note(0, 36, 1.0, 10, 100, 0);
        tap.push_note(1, 40, 0.7, 20, 100, 0);
        tap.push_note(1, 43, 1.0, 30, 50, 0);
        let a = tap.pop_note().expect("first note");
        assert_eq!(
            (a.track, a.note, a.velocity, a.frame, a.length),
            (1, 40, 89, 20, 100)
        );
        assert_eq!(tap.pop_note().map(|n| n.note), Some(43));
        assert_eq!(tap.pop_note(), None);
    }

    #[test]
    fn a_full_ring_drops_and_counts_instead_of_blocking() {
        let tap = NoteTap::new(48_000);
        tap.route(0, Some(1), true);
        for i in 0..(CAPACITY as u64 + 5) {
            tap.push_note(0, 60, 1.0, i, 10, 0);
        }
        assert_eq!(tap.dropped(), 5);
        assert_eq!(tap.pop_note().map(|n| n.frame), Some(0));
    }

    #[test]
    fn an_engine_with_a_tapped_track_renders_without_allocating() {
        use crate::engine::command::{Command, Step};
        let tap = std::sync::Arc::new(NoteTap::new(48_000));
        tap.route(0, Some(1), false);
        let mut engine = crate::engine::Engine::new(48_000);
        engine.attach_note_tap(tap.clone());
        for i in 0..16u8 {
            engine.apply(Command::SetStep {
                track: 0,
                index: i,
                step: Step::note(40 + i),
            });
        }
        engine.apply(Command::TransportStart);
        let mut buf = vec![0.0f32; 512];
        assert_no_alloc::assert_no_alloc(|| {
            for _ in 0..200 {
                engine.render(&mut buf);
            }
        });
        let mut notes = 0;
        while tap.pop_note().is_some() {
            notes += 1;
        }
        // 200 × 256 frames at 120 bpm is 2.1 beats: 8 or 9 sixteenth steps.
        assert!((8..=9).contains(&notes), "{notes}");
        assert!(tap.transport().running);
    }

    #[test]
    fn pushing_a_note_does_not_allocate() {
        let tap = NoteTap::new(48_000);
        tap.route(3, Some(10), true);
        assert_no_alloc::assert_no_alloc(|| {
            tap.push_note(3, 50, 0.5, 64, 32, 64);
            tap.publish_transport(true, 128.0, 4.5, 128);
        });
        assert_eq!(tap.transport().tempo, 128.0);
        assert_eq!(tap.pop_note().map(|n| n.note), Some(50));
    }
}
