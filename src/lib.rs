//! chronus: a terminal instrument for live-coding music in plain words.
//!
//! Threads: the control thread (REPL/TUI, OSC, session player) owns [`control::Control`];
//! the "chronus-dsp" worker thread renders [`engine::Engine`] blocks; the output thread
//! (cpal's callback or "chronus-null-out") plays them. See `docs/ARCHITECTURE.md`.

pub mod analysis;
pub mod bench;
pub mod control;
pub mod engine;
pub mod lang;
pub mod mcp;
pub mod osc;
pub mod patch;
pub mod rt;
pub mod session;
pub mod soak;
pub mod tutorial;
pub mod ui;

#[cfg(test)]
#[global_allocator]
static ALLOC: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;
