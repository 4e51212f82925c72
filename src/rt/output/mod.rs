//! Outputs: where finished blocks are played. [`block_player::BlockPlayer`] reads the audio
//! ring sequentially (switching rings only at block boundaries, fading the last good block on
//! an underrun); [`cpal_output`] drives it from cpal's audio callback and [`null_output`] from
//! the real-time-paced "chronus-null-out" thread. Both run under the real-time rules of
//! [`crate::rt::guard`].

pub mod block_player;
pub mod cpal_output;
pub mod guarded_fill;
pub mod null_output;
