//! A real-time-paced null sink: plays the audio ring into nothing at the device's pace.
//!
//! Runs its own "chronus-null-out" thread that plays the role of a sound card's clock: it wakes
//! every buffer period (on an absolute schedule, so it does not drift), fills one buffer from
//! the [`BlockPlayer`] inside `rt_guard`, and sleeps again. It asks for SCHED_FIFO first (see
//! [`realtime_priority`](crate::rt::realtime_priority)).

use crate::rt::output::block_player::BlockPlayer;
use crate::rt::output::guarded_fill::fill_guarded;
use crate::rt::realtime_priority::{request_fifo, OUTPUT_PRIORITY};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A running null output.
pub struct NullOutput {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<BlockPlayer>>,
    /// Frames per buffer.
    pub buffer_frames: usize,
}

impl NullOutput {
    /// Starts playing `player` at `sample_rate`, `buffer_frames` frames per wake-up.
    pub fn start(
        mut player: BlockPlayer,
        sample_rate: u32,
        buffer_frames: usize,
    ) -> std::io::Result<NullOutput> {
        let buffer_frames = buffer_frames.max(1);
        let stop = Arc::new(AtomicBool::new(false));
        let stop_flag = stop.clone();
        let period = Duration::from_secs_f64(buffer_frames as f64 / f64::from(sample_rate));
        let mut buffer = vec![0.0f32; buffer_frames * 2];
        let handle = std::thread::Builder::new()
            .name("chronus-null-out".into())
            .spawn(move || {
                let meters = player.meters().clone();
                request_fifo(OUTPUT_PRIORITY, &meters);
                let mut deadline = Instant::now();
                while !stop_flag.load(Ordering::Acquire) {
                    fill_guarded(&mut player, &meters, &mut buffer, 2);
                    deadline += period;
                    let now = Instant::now();
                    if deadline > now {
                        std::thread::sleep(deadline - now);
                    } else if now - deadline > period * 8 {
                        // Fell far behind (machine suspended or overloaded): resync the clock
                        // like a device would after an xrun instead of racing to catch up.
                        deadline = now;
                    }
                }
                player
            })?;
        Ok(NullOutput {
            stop,
            handle: Some(handle),
            buffer_frames,
        })
    }

    /// Stops the thread and hands the player back.
    pub fn stop(mut self) -> Option<BlockPlayer> {
        self.stop.store(true, Ordering::Release);
        self.handle.take().and_then(|h| h.join().ok())
    }
}

impl Drop for NullOutput {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}
