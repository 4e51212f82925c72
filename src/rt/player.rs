//! The output side of the audio ring: reads blocks strictly in order and turns them into
//! device buffers of any size and channel count.
//!
//! `BlockPlayer::fill` runs on the audio callback thread (or the null device's thread) inside
//! [`rt_guard`](super::guard::rt_guard): never allocates, locks, logs or blocks. On an empty
//! ring it plays the last good block reversed under a fade to zero (so the waveform continues
//! from the last sample), then silence, and counts the underrun; the first block after an
//! underrun fades back in.

use super::block::AudioConsumer;
use super::meters::Meters;
use crate::engine::{BLOCK_FRAMES, BLOCK_SAMPLES, CHANNELS};
use rtrb::Producer;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

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
        }
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
        if !self.started && self.consumer.slots() * BLOCK_FRAMES < frames {
            // Still priming: wait for a whole buffer's worth rather than start with a gap.
            out.fill(0.0);
            return;
        }
        let now = self.meters.now_ns();
        if self.last_callback_ns != 0 {
            let interval_us = now.saturating_sub(self.last_callback_ns) as f32 / 1000.0;
            let nominal_us = frames as f32 * 1e6 / self.sample_rate;
            self.meters
                .record_callback_interval(interval_us, nominal_us);
        }
        self.last_callback_ns = now;

        let mut peak = 0f32;
        let mut sum_sq = 0f32;
        let mut clipped = 0u64;
        for frame in out.chunks_exact_mut(channels) {
            if self.pos >= BLOCK_FRAMES {
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
        let fill = self.consumer.slots();
        self.meters.record_fill(fill as u32);
        match self.consumer.pop() {
            Ok(block) => {
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
                if block.first_command_ns != 0 {
                    let now = self.meters.now_ns();
                    let us = now.saturating_sub(block.first_command_ns) as f32 / 1000.0;
                    self.meters.record_latency_us(us);
                }
                self.current = block.samples;
                if self.starving || self.faded_out && self.started {
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
                self.meters.blocks_played.fetch_add(1, Relaxed);
            }
            Err(_) => {
                if self.started {
                    if !self.starving {
                        self.meters.underruns.fetch_add(1, Relaxed);
                    }
                    self.meters
                        .underrun_frames
                        .fetch_add(BLOCK_FRAMES as u64, Relaxed);
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
        }
    }

    /// The meters this player writes.
    pub fn meters(&self) -> &Arc<Meters> {
        &self.meters
    }
}
