//! The output side of the audio ring: reads blocks strictly in order and turns them into
//! device buffers of any size and channel count.
//!
//! `BlockPlayer::fill` runs on the audio callback thread (or the null device's thread) inside
//! [`rt_guard`](crate::rt::guard::rt_guard): never allocates, locks, logs or blocks. On an empty
//! ring it plays the last good block reversed under a fade to zero (so the waveform continues
//! from the last sample), then silence, and counts the underrun; the first block after an
//! underrun fades back in.
//!
//! After a failover the supervisor offers a promoted worker's ring through a
//! [`RingSwitchReceiver`]. The player keeps reading the old ring until it runs dry (every block
//! the failed worker finished still plays), then switches at that block boundary: the first
//! block of the new ring is crossfaded over one block with the old ring's last block played
//! backwards, so the restarted oscillator phase never clicks. The old ring goes back to the
//! supervisor to be dropped there. If underrun was played between the failed worker's last
//! block and the new ring's first, the new ring's blocks for that time are dropped (at most
//! [`MAX_SEAM_DROPS`]), so the music resumes on its beat instead of that much late.

use crate::engine::{BLOCK_FRAMES, BLOCK_SAMPLES, CHANNELS};
use crate::rt::meters::{LatencyParts, Meters};
use crate::rt::rings::audio_ring::{AudioConsumer, Block};
use crate::rt::rings::ring_switch::RingSwitchReceiver;
use rtrb::Producer;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

/// At most this many blocks of a promoted worker's ring are dropped to resume on the beat
/// (a worker slower than real time would otherwise never catch up).
pub const MAX_SEAM_DROPS: u32 = 64;

/// Reads the audio ring for an output.
pub struct BlockPlayer {
    consumer: AudioConsumer,
    meters: Arc<Meters>,
    current: [f32; BLOCK_SAMPLES],
    last_good: [f32; BLOCK_SAMPLES],
    pos: usize,
    next_seq: Option<u64>,
    started: bool,
    starving: bool,
    faded_out: bool,
    capture: Option<Producer<f32>>,
    sample_rate: f32,
    last_callback_ns: u64,
    switch: Option<RingSwitchReceiver>,
    /// A retired ring the supervisor has not had room for yet.
    unreturned: Option<AudioConsumer>,
    fresh_ring: bool,
    /// Blocks dropped at the present seam (see [`MAX_SEAM_DROPS`]).
    seam_drops: u32,
    starve_frames: u64,
    mute: Arc<AtomicBool>,
    /// Meters-clock time of the present callback's first frame.
    callback_ns: u64,
    /// Nanoseconds per frame.
    frame_ns: f64,
    /// Index in the present callback's buffer of the frame being filled.
    frame_in_callback: usize,
}

impl BlockPlayer {
    /// A player reading `consumer`, reporting to `meters`.
    pub fn new(consumer: AudioConsumer, meters: Arc<Meters>, sample_rate: u32) -> Self {
        meters
            .ring_capacity_blocks
            .store(consumer.buffer().capacity() as u32, Relaxed);
        BlockPlayer {
            consumer,
            meters,
            current: [0.0; BLOCK_SAMPLES],
            last_good: [0.0; BLOCK_SAMPLES],
            pos: BLOCK_FRAMES,
            next_seq: None,
            started: false,
            starving: false,
            faded_out: true,
            capture: None,
            sample_rate: sample_rate as f32,
            last_callback_ns: 0,
            switch: None,
            unreturned: None,
            fresh_ring: false,
            seam_drops: 0,
            starve_frames: 0,
            mute: Arc::new(AtomicBool::new(false)),
            callback_ns: 0,
            frame_ns: 1e9 / f64::from(sample_rate.max(1)),
            frame_in_callback: 0,
        }
    }

    /// Lets a supervisor hand this player new rings (failover) and take old ones back.
    pub fn with_ring_switch(mut self, switch: RingSwitchReceiver) -> Self {
        self.switch = Some(switch);
        self
    }

    /// Uses `mute` as the switch that fades the output to silence when set (e.g. by a panic
    /// hook just before the process exits).
    pub fn with_mute(mut self, mute: Arc<AtomicBool>) -> Self {
        self.mute = mute;
        self
    }

    /// The switch that fades this player to silence while it is set.
    pub fn mute_switch(&self) -> Arc<AtomicBool> {
        self.mute.clone()
    }

    /// Also copies every played stereo sample into `capture` (tests and soak runs).
    /// Samples that do not fit are dropped, never waited for.
    pub fn with_capture(mut self, capture: Producer<f32>) -> Self {
        self.capture = Some(capture);
        self
    }

    /// Fills an interleaved device buffer with `channels` channels. Real-time safe.
    pub fn fill(&mut self, out: &mut [f32], channels: usize) {
        let channels = channels.max(1);
        let frames = out.len() / channels;
        self.meters.callbacks.fetch_add(1, Relaxed);
        self.meters
            .callback_frames
            .fetch_max(frames as u32, Relaxed);
        if !self.started {
            // Wait for a whole buffer's worth, or for a full ring when the device asks for
            // more than the ring can ever hold (a callback larger than the buffer that was
            // asked for): waiting for more would stall the output for good.
            let needed = frames.min(self.consumer.buffer().capacity() * BLOCK_FRAMES);
            // A failover before the first block (a worker judged hung while the device was
            // still opening) leaves this ring without a writer: follow the offer, or the
            // player would wait for it forever while the new worker waits for room.
            if self.consumer.slots() * BLOCK_FRAMES < needed {
                self.adopt_offers_while_priming();
            }
            if self.consumer.slots() * BLOCK_FRAMES < needed {
                // Still priming: wait for a whole buffer's worth rather than start with a gap.
                out.fill(0.0);
                return;
            }
        }
        let now = self.meters.now_ns();
        self.callback_ns = now;
        if self.last_callback_ns != 0 {
            let interval_us = now.saturating_sub(self.last_callback_ns) as f32 / 1000.0;
            let nominal_us = frames as f32 * 1e6 / self.sample_rate;
            self.meters
                .record_callback_interval(interval_us, nominal_us);
        }
        self.last_callback_ns = now;
        self.meters.last_callback_ns.store(now, Relaxed);

        let mut peak = 0f32;
        let mut sum_sq = 0f32;
        let mut clipped = 0u64;
        for (index, frame) in out.chunks_exact_mut(channels).enumerate() {
            if self.pos >= BLOCK_FRAMES {
                self.frame_in_callback = index;
                self.next_block();
            }
            let l = self.current[self.pos * CHANNELS];
            let r = self.current[self.pos * CHANNELS + 1];
            self.pos += 1;
            match channels {
                1 => frame[0] = 0.5 * (l + r),
                _ => {
                    frame[0] = l;
                    frame[1] = r;
                    for s in frame.iter_mut().skip(2) {
                        *s = 0.0;
                    }
                }
            }
            let a = l.abs().max(r.abs());
            peak = peak.max(a);
            sum_sq += 0.5 * (l * l + r * r);
            if a >= 1.0 {
                clipped += 1;
            }
            if let Some(cap) = self.capture.as_mut() {
                let _ = cap.push(l);
                let _ = cap.push(r);
            }
        }
        self.meters.peak.set(peak);
        self.meters.rms.set(if frames > 0 {
            (sum_sq / frames as f32).sqrt()
        } else {
            0.0
        });
        if clipped > 0 {
            self.meters.clipped_samples.fetch_add(clipped, Relaxed);
        }
    }

    fn next_block(&mut self) {
        self.pos = 0;
        if self.mute.load(Relaxed) {
            self.play_gap(false);
            return;
        }
        self.return_unreturned();
        let fill = self.consumer.slots();
        self.meters.record_fill(fill as u32);
        match self.pop_following_switches() {
            Some(block) => self.play_block(block),
            None => self.play_gap(true),
        }
    }

    /// The next block of the current ring; when that ring is dry and a newer one is on offer,
    /// switches to it here, at a block boundary.
    fn pop_following_switches(&mut self) -> Option<Block> {
        loop {
            if let Ok(block) = self.consumer.pop() {
                self.meters.block_consumed.notify();
                if self.fresh_ring
                    && self.seam_drops < MAX_SEAM_DROPS
                    && self.meters.blocks_behind(&block.position) > 0
                {
                    // The promoted worker went on from where its predecessor stopped, and the
                    // output has since played underrun: this block's time is gone. Dropping
                    // it (plain data, nothing freed) lets the music resume on its beat.
                    self.seam_drops += 1;
                    self.meters.seam_blocks_dropped.fetch_add(1, Relaxed);
                    continue;
                }
                return Some(block);
            }
            let next = self.switch.as_mut()?.take_offer()?;
            let old = std::mem::replace(&mut self.consumer, next);
            self.retire(old);
            self.next_seq = None;
            self.fresh_ring = true;
            self.seam_drops = 0;
            self.meters.ring_switches.fetch_add(1, Relaxed);
        }
    }

    /// Before anything has played, a newer ring replaces the current one at once: nothing
    /// is sounding, so there is no block boundary to wait for and nothing to crossfade.
    fn adopt_offers_while_priming(&mut self) {
        while let Some(next) = self
            .switch
            .as_mut()
            .and_then(RingSwitchReceiver::take_offer)
        {
            let old = std::mem::replace(&mut self.consumer, next);
            self.retire(old);
            self.next_seq = None;
            self.meters.ring_switches.fetch_add(1, Relaxed);
        }
    }

    fn retire(&mut self, ring: AudioConsumer) {
        let Some(switch) = self.switch.as_mut() else {
            return;
        };
        if let Err(ring) = switch.retire(ring) {
            if let Some(older) = self.unreturned.replace(ring) {
                // Never free on the audio thread: with the supervisor this far behind, leaking
                // one ring is the lesser harm.
                std::mem::forget(older);
            }
        }
    }

    fn return_unreturned(&mut self) {
        if let (Some(ring), Some(switch)) = (self.unreturned.take(), self.switch.as_mut()) {
            if let Err(ring) = switch.retire(ring) {
                self.unreturned = Some(ring);
            }
        }
    }

    fn play_block(&mut self, block: Block) {
        if let Some(expected) = self.next_seq {
            if block.seq > expected {
                self.meters
                    .blocks_skipped
                    .fetch_add(block.seq - expected, Relaxed);
            } else if block.seq < expected {
                self.meters.blocks_repeated.fetch_add(1, Relaxed);
            }
        }
        self.next_seq = Some(block.seq + 1);
        if self.fresh_ring {
            // The seam: does the promoted worker go on where the music stood?
            self.meters.record_seam(&block.position);
        }
        self.meters.record_played_position(&block.position);
        if block.first_command_ns != 0 {
            // The block's first frame leaves at its place in this callback's buffer.
            let played_ns =
                self.callback_ns + (self.frame_in_callback as f64 * self.frame_ns) as u64;
            let us = played_ns.saturating_sub(block.first_command_ns) as f32 / 1000.0;
            self.meters.record_latency_us(us);
            self.meters.record_latency_parts(LatencyParts {
                queue_ns: block.render_start_ns.saturating_sub(block.first_command_ns),
                render_ns: block.pushed_ns.saturating_sub(block.render_start_ns),
                buffer_ns: played_ns.saturating_sub(block.pushed_ns),
            });
        }
        self.current = block.samples;
        let sounding = self.started && !self.faded_out;
        if self.fresh_ring {
            self.fresh_ring = false;
            self.meters
                .last_failover_gap_frames
                .store(self.starve_frames, Relaxed);
            if sounding {
                self.crossfade_from_last_good();
            }
        }
        if !sounding && self.started {
            // Fade back in after silence so the restart does not click.
            for (i, frame) in self.current.chunks_exact_mut(CHANNELS).enumerate() {
                let g = i as f32 / BLOCK_FRAMES as f32;
                frame[0] *= g;
                frame[1] *= g;
            }
        }
        self.last_good = self.current;
        self.started = true;
        self.starving = false;
        self.faded_out = false;
        self.starve_frames = 0;
        self.meters.blocks_played.fetch_add(1, Relaxed);
    }

    /// Mixes the new ring's first block (fading in) with the old ring's last block played
    /// backwards (fading out): the first sample continues where the old sound stopped.
    fn crossfade_from_last_good(&mut self) {
        for i in 0..BLOCK_FRAMES {
            let src = BLOCK_FRAMES - 1 - i;
            let g = (i + 1) as f32 / BLOCK_FRAMES as f32;
            for c in 0..CHANNELS {
                let new = self.current[i * CHANNELS + c];
                let old = self.last_good[src * CHANNELS + c];
                self.current[i * CHANNELS + c] = new * g + old * (1.0 - g);
            }
        }
    }

    /// Plays a block of fade-out or silence; `underrun` counts it as one.
    fn play_gap(&mut self, underrun: bool) {
        if self.started && underrun {
            if !self.starving {
                self.meters.underruns.fetch_add(1, Relaxed);
            }
            self.meters
                .underrun_frames
                .fetch_add(BLOCK_FRAMES as u64, Relaxed);
            self.starve_frames += BLOCK_FRAMES as u64;
            self.meters.record_played_gap();
        }
        self.starving = true;
        if self.faded_out {
            self.current = [0.0; BLOCK_SAMPLES];
        } else {
            // The last good block backwards, so the first sample continues where the
            // sound stopped, fading to zero over one block.
            for i in 0..BLOCK_FRAMES {
                let src = BLOCK_FRAMES - 1 - i;
                let g = 1.0 - (i + 1) as f32 / BLOCK_FRAMES as f32;
                self.current[i * CHANNELS] = self.last_good[src * CHANNELS] * g;
                self.current[i * CHANNELS + 1] = self.last_good[src * CHANNELS + 1] * g;
            }
            self.faded_out = true;
        }
    }

    /// The meters this player writes.
    pub fn meters(&self) -> &Arc<Meters> {
        &self.meters
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::peak;
    use crate::analysis::{find_clicks, left};
    use crate::rt::rings::audio_ring::{audio_ring, AudioProducer};
    use crate::rt::rings::ring_switch::ring_switch_channel;

    fn sine_at(frame: usize) -> f32 {
        0.5 * (std::f32::consts::TAU * 441.0 * frame as f32 / 44_100.0).sin()
    }

    /// Pushes `blocks` blocks of a 441 Hz sine starting at `first_frame` into `ring`.
    fn push_sine(ring: &mut AudioProducer, first_frame: usize, blocks: usize, seq: u64) {
        for b in 0..blocks {
            let mut block = Block::SILENT;
            block.seq = seq + b as u64;
            for i in 0..BLOCK_FRAMES {
                let v = sine_at(first_frame + b * BLOCK_FRAMES + i);
                block.samples[i * 2] = v;
                block.samples[i * 2 + 1] = v;
            }
            assert!(ring.push(block).is_ok());
        }
    }

    fn play(player: &mut BlockPlayer, blocks: usize) -> Vec<f32> {
        let mut out = vec![0.0; blocks * BLOCK_SAMPLES];
        for chunk in out.chunks_mut(BLOCK_SAMPLES) {
            player.fill(chunk, 2);
        }
        out
    }

    #[test]
    fn a_switch_waits_for_the_old_ring_to_run_dry_then_crossfades_without_a_click() {
        let meters = Arc::new(Meters::new());
        let (mut old_tx, old_rx) = audio_ring(16);
        let (mut switch, receiver) = ring_switch_channel();
        let mut player =
            BlockPlayer::new(old_rx, meters.clone(), 44_100).with_ring_switch(receiver);
        push_sine(&mut old_tx, 0, 4, 0);
        let mut out = play(&mut player, 2);
        // The new worker's sine starts at its peak, far from where the old one stops.
        let (mut new_tx, new_rx) = audio_ring(16);
        push_sine(&mut new_tx, 25, 8, 0);
        assert!(switch.offer(new_rx).is_ok());
        out.extend(play(&mut player, 8));
        let l = left(&out);
        let old_rest: Vec<f32> = (2 * BLOCK_FRAMES..4 * BLOCK_FRAMES).map(sine_at).collect();
        assert_eq!(
            &l[2 * BLOCK_FRAMES..4 * BLOCK_FRAMES],
            &old_rest[..],
            "the old ring's remaining blocks play first, untouched"
        );
        let new_start: Vec<f32> = (25 + BLOCK_FRAMES..25 + 4 * BLOCK_FRAMES)
            .map(sine_at)
            .collect();
        assert_eq!(&l[5 * BLOCK_FRAMES..8 * BLOCK_FRAMES], &new_start[..]);
        let mut spliced: Vec<f32> = (0..4 * BLOCK_FRAMES).map(sine_at).collect();
        spliced.extend((25..25 + 4 * BLOCK_FRAMES).map(sine_at));
        assert!(
            !find_clicks(&spliced, 64, 8.0, 0.01).is_empty(),
            "without the crossfade the phase restart clicks"
        );
        assert_eq!(meters.ring_switches.load(Relaxed), 1);
        assert_eq!(meters.underruns.load(Relaxed), 0);
        assert_eq!(meters.last_failover_gap_frames.load(Relaxed), 0);
        assert_eq!(meters.blocks_skipped.load(Relaxed), 0);
        assert!(find_clicks(&l, 64, 8.0, 0.01).is_empty());
        assert_eq!(switch.collect_retired(), 1, "the old ring came back");
    }

    #[test]
    fn a_callback_larger_than_the_ring_starts_playing_instead_of_waiting_forever() {
        let meters = Arc::new(Meters::new());
        let (mut tx, rx) = audio_ring(8);
        let mut player = BlockPlayer::new(rx, meters.clone(), 44_100);
        push_sine(&mut tx, 0, 8, 0);
        // 4096 frames at once: 64 blocks, eight times what the ring can hold.
        let mut out = vec![0.0; 4096 * 2];
        player.fill(&mut out, 2);
        assert_eq!(
            meters.blocks_played.load(Relaxed),
            8,
            "the whole ring played"
        );
        assert!(peak(&out[..8 * BLOCK_SAMPLES]) > 0.4);
        push_sine(&mut tx, 8 * BLOCK_FRAMES, 8, 8);
        player.fill(&mut out, 2);
        assert_eq!(meters.blocks_played.load(Relaxed), 16, "and keeps playing");
    }

    #[test]
    fn mono_and_four_channel_buffers_get_the_mix_and_silent_extra_channels() {
        for channels in [1usize, 4] {
            let meters = Arc::new(Meters::new());
            let (mut tx, rx) = audio_ring(8);
            let mut player = BlockPlayer::new(rx, meters, 44_100);
            let mut block = Block::SILENT;
            for i in 0..BLOCK_FRAMES {
                block.samples[i * 2] = 0.5;
                block.samples[i * 2 + 1] = -0.25;
            }
            assert!(tx.push(block).is_ok());
            let mut out = vec![9.0; BLOCK_FRAMES * channels];
            player.fill(&mut out, channels);
            let first = &out[..channels];
            match channels {
                1 => assert_eq!(first, [0.125]),
                _ => assert_eq!(first, [0.5, -0.25, 0.0, 0.0]),
            }
        }
    }

    #[test]
    fn a_switch_onto_an_empty_ring_counts_the_gap_and_fades_in() {
        let meters = Arc::new(Meters::new());
        let (mut old_tx, old_rx) = audio_ring(16);
        let (mut switch, receiver) = ring_switch_channel();
        let mut player =
            BlockPlayer::new(old_rx, meters.clone(), 44_100).with_ring_switch(receiver);
        push_sine(&mut old_tx, 0, 2, 0);
        let (mut new_tx, new_rx) = audio_ring(16);
        assert!(switch.offer(new_rx).is_ok());
        let mut out = play(&mut player, 4);
        push_sine(&mut new_tx, 0, 4, 0);
        out.extend(play(&mut player, 4));
        assert_eq!(meters.underruns.load(Relaxed), 1);
        assert_eq!(meters.last_failover_gap_frames.load(Relaxed), 128);
        assert!(out.iter().all(|s| s.is_finite()));
        assert!(find_clicks(&left(&out), 64, 8.0, 0.01).is_empty());
    }

    /// Pushes blocks whose positions run on from block `first` (the end of block n is beat
    /// `(n + 1) * BPB`), each marked with its block number in its first sample.
    fn push_timed(ring: &mut AudioProducer, first: u64, blocks: u64) {
        const BPB: f64 = 0.01;
        for n in first..first + blocks {
            let mut block = Block::SILENT;
            block.seq = n;
            block.position = crate::engine::position::MusicalPosition {
                beat: (n + 1) as f64 * BPB,
                beats_per_block: BPB,
                arp_step: 0,
            };
            block.samples.fill(0.001 * n as f32);
            assert!(ring.push(block).is_ok());
        }
    }

    #[test]
    fn after_underrun_at_a_seam_the_new_ring_resumes_on_the_beat() {
        let meters = Arc::new(Meters::new());
        let (mut old_tx, old_rx) = audio_ring(16);
        let (mut switch, receiver) = ring_switch_channel();
        let mut player =
            BlockPlayer::new(old_rx, meters.clone(), 44_100).with_ring_switch(receiver);
        // The failed worker got to block 9; the standby took over from there.
        push_timed(&mut old_tx, 0, 10);
        let (mut new_tx, new_rx) = audio_ring(16);
        assert!(switch.offer(new_rx).is_ok());
        play(&mut player, 10);
        // Three blocks of underrun before the promoted worker's first blocks arrive.
        play(&mut player, 3);
        push_timed(&mut new_tx, 10, 8);
        let out = play(&mut player, 1);
        // Blocks 10, 11 and 12 were for the time spent in underrun: block 13 plays.
        assert_eq!(meters.seam_blocks_dropped.load(Relaxed), 3);
        let s = meters.snapshot();
        assert_eq!((s.seams, s.seams_off_beat, s.worst_seam_frames), (1, 0, 0));
        assert!((s.beat - 14.0 * 0.01).abs() < 1e-9, "{}", s.beat);
        // Block 13, faded in from silence (its last frame at 63/64).
        let last = out[BLOCK_SAMPLES - 1] * BLOCK_FRAMES as f32 / (BLOCK_FRAMES - 1) as f32;
        assert!((last - 0.013).abs() < 1e-6, "{out:?}");
        assert_eq!(meters.blocks_skipped.load(Relaxed), 0);
    }

    #[test]
    fn a_failover_before_the_first_block_is_followed_while_priming() {
        let meters = Arc::new(Meters::new());
        // The first worker rendered one block and was replaced: its ring never fills.
        let (mut old_tx, old_rx) = audio_ring(16);
        let (mut switch, receiver) = ring_switch_channel();
        let mut player =
            BlockPlayer::new(old_rx, meters.clone(), 44_100).with_ring_switch(receiver);
        push_sine(&mut old_tx, 0, 1, 0);
        let (mut new_tx, new_rx) = audio_ring(16);
        push_sine(&mut new_tx, 0, 4, 0);
        assert!(switch.offer(new_rx).is_ok());
        // The device asks for two blocks at a time: the old ring could never satisfy it.
        let mut out = vec![0.0; 2 * BLOCK_SAMPLES];
        player.fill(&mut out, 2);
        player.fill(&mut out, 2);
        assert_eq!(meters.blocks_played.load(Relaxed), 4);
        assert_eq!(meters.ring_switches.load(Relaxed), 1);
        assert_eq!(meters.underruns.load(Relaxed), 0);
        let expected: Vec<f32> = (2 * BLOCK_FRAMES..4 * BLOCK_FRAMES).map(sine_at).collect();
        assert_eq!(left(&out), expected);
        assert_eq!(switch.collect_retired(), 1, "the old ring came back");
    }

    #[test]
    fn muting_fades_out_without_counting_underruns() {
        let meters = Arc::new(Meters::new());
        let (mut tx, rx) = audio_ring(16);
        let mut player = BlockPlayer::new(rx, meters.clone(), 44_100);
        push_sine(&mut tx, 0, 8, 0);
        let mute = player.mute_switch();
        let mut out = play(&mut player, 2);
        mute.store(true, Relaxed);
        out.extend(play(&mut player, 3));
        assert_eq!(meters.underruns.load(Relaxed), 0);
        assert!(out[4 * BLOCK_SAMPLES..].iter().all(|s| *s == 0.0));
        assert!(find_clicks(&left(&out), 64, 8.0, 0.01).is_empty());
    }
}
