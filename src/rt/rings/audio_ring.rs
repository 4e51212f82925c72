//! The unit that travels through the audio ring: one engine block of interleaved stereo,
//! tagged with a sequence number so the output can prove blocks arrive once and in order.
//!
//! Written by the DSP worker thread, read by the output (audio callback or null device).

use crate::engine::position::MusicalPosition;
use crate::engine::BLOCK_SAMPLES;
use rtrb::{Consumer, Producer, RingBuffer};

/// One rendered block.
#[derive(Clone, Copy, Debug)]
pub struct Block {
    /// Counts up by one per block from the worker that rendered it.
    pub seq: u64,
    /// Meters-clock time at which the earliest command applied in this block was sent
    /// (0 when the block carries no new command).
    pub first_command_ns: u64,
    /// Meters-clock time at which the worker began this block (took its commands).
    pub render_start_ns: u64,
    /// Meters-clock time at which the worker pushed this block into the ring.
    pub pushed_ns: u64,
    /// Where the music stands at the end of this block.
    pub position: MusicalPosition,
    /// Interleaved stereo samples.
    pub samples: [f32; BLOCK_SAMPLES],
}

impl Block {
    /// A silent block with sequence number 0.
    pub const SILENT: Block = Block {
        seq: 0,
        first_command_ns: 0,
        render_start_ns: 0,
        pushed_ns: 0,
        position: MusicalPosition {
            beat: 0.0,
            beats_per_block: 0.0,
            arp_step: 0,
        },
        samples: [0.0; BLOCK_SAMPLES],
    };
}

/// The producer side of an audio ring (held by the worker).
pub type AudioProducer = Producer<Block>;
/// The consumer side of an audio ring (held by the output).
pub type AudioConsumer = Consumer<Block>;

/// Makes an audio ring holding up to `capacity_blocks` blocks. Allocates; call off the RT path.
pub fn audio_ring(capacity_blocks: usize) -> (AudioProducer, AudioConsumer) {
    RingBuffer::new(capacity_blocks.max(2))
}
