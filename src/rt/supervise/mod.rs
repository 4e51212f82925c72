//! Supervision: the DSP workers ("chronus-dsp-N") that render blocks, the warm standby, and
//! the "chronus-supervisor" thread that watches their heartbeats and promotes the standby when
//! the active worker panics, hangs or produces poisoned output.
//!
//! [`worker`] is the real-time render loop, [`worker_thread`] the thread around it,
//! [`poison`] judges each block, [`cpu_progress`] tells a hung worker from a descheduled one, [`crew`] builds and replaces workers, and [`supervisor`]
//! decides when to.

pub mod cpu_progress;
pub mod crew;
pub mod margin;
pub mod poison;
pub mod supervisor;
pub mod worker;
pub mod worker_thread;
