//! The two small rings between the supervisor and the output: one carries a promoted
//! worker's audio ring to the output, the other carries the ring the output let go of back,
//! so its memory is freed on the supervisor thread and never on the audio thread.
//!
//! `RingSwitchReceiver` is used on the audio callback thread (pop and push only: it never
//! allocates, locks or blocks); `RingSwitchSender` on the supervisor thread.

use crate::rt::rings::audio_ring::AudioConsumer;
use rtrb::{Consumer, Producer, RingBuffer};

/// How many ring handovers can be in flight at once (several failovers faster than the output
/// can play out the old rings).
pub const SWITCH_CAPACITY: usize = 16;

/// The supervisor's end.
pub struct RingSwitchSender {
    offers: Producer<AudioConsumer>,
    retired: Consumer<AudioConsumer>,
}

/// The output's end.
pub struct RingSwitchReceiver {
    offers: Consumer<AudioConsumer>,
    retired: Producer<AudioConsumer>,
}

/// Makes a connected pair. Allocates; call off the real-time path.
pub fn ring_switch_channel() -> (RingSwitchSender, RingSwitchReceiver) {
    let (offer_tx, offer_rx) = RingBuffer::new(SWITCH_CAPACITY);
    let (retire_tx, retire_rx) = RingBuffer::new(SWITCH_CAPACITY);
    (
        RingSwitchSender {
            offers: offer_tx,
            retired: retire_rx,
        },
        RingSwitchReceiver {
            offers: offer_rx,
            retired: retire_tx,
        },
    )
}

impl RingSwitchSender {
    /// Offers the output a new ring to switch to once its current one runs dry. Hands the ring
    /// back if the channel is full (try again later).
    pub fn offer(&mut self, ring: AudioConsumer) -> Result<(), AudioConsumer> {
        self.offers.push(ring).map_err(|rtrb::PushError::Full(r)| r)
    }

    /// Drops every ring the output has let go of, here on the caller's thread. Returns how many.
    pub fn collect_retired(&mut self) -> usize {
        let mut n = 0;
        while let Ok(ring) = self.retired.pop() {
            drop(ring);
            n += 1;
        }
        n
    }
}

impl RingSwitchReceiver {
    /// The next offered ring, if any. Real-time safe.
    pub fn take_offer(&mut self) -> Option<AudioConsumer> {
        self.offers.pop().ok()
    }

    /// Sends a ring the output no longer reads back for dropping. Real-time safe. Hands it
    /// back if the supervisor has not collected the earlier ones.
    pub fn retire(&mut self, ring: AudioConsumer) -> Result<(), AudioConsumer> {
        self.retired
            .push(ring)
            .map_err(|rtrb::PushError::Full(r)| r)
    }
}
