//! The body of every output callback, made panic-proof: a panic while filling a device buffer
//! (a bug in the player) must not kill the stream. The buffer is played as silence instead,
//! the panic is counted (`output_panics=` in `status`), and the next callback fills normally.
//!
//! `fill_guarded` runs on the audio callback thread (cpal's, or the null device's). It adds
//! no allocation or lock to the normal path; only a panic, which is already the exceptional
//! case, unwinds.

use crate::rt::guard::rt_guard;
use crate::rt::meters::Meters;
use crate::rt::output::block_player::BlockPlayer;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::Ordering::Relaxed;

/// The payload of a panic injected with [`Meters::inject_output_panic`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InjectedOutputPanic;

/// Fills `out` (interleaved, `channels` channels) from `player`; on a panic plays silence
/// and counts it. Returns false when the buffer was silenced because of a panic.
pub fn fill_guarded(
    player: &mut BlockPlayer,
    meters: &Meters,
    out: &mut [f32],
    channels: usize,
) -> bool {
    let filled = catch_unwind(AssertUnwindSafe(|| {
        if meters.output_panic_requested.swap(false, Relaxed) {
            // Unwinds outside the allocation guard and without the panic hook's report, like
            // an injected worker panic.
            std::panic::resume_unwind(Box::new(InjectedOutputPanic));
        }
        rt_guard(|| player.fill(out, channels));
    }));
    if filled.is_err() {
        out.fill(0.0);
        meters.output_panics.fetch_add(1, Relaxed);
        return false;
    }
    true
}
