//! Rings between the threads: [`audio_ring`] carries finished blocks from a worker to the
//! output, [`command_fanout`] carries commands from the control side to the active worker and
//! its standby, and [`ring_switch`] hands the output a new audio ring at a block boundary.
//! All are wait-free (rtrb rings and atomics) on the real-time side.

pub mod audio_ring;
pub mod command_fanout;
pub mod ring_switch;
