//! Mini-notation patterns (TidalCycles/Strudel): parsing ([`parse`]), expansion to events
//! per cycle ([`expand`]), euclidean rhythms ([`euclid`]) and exact fractions ([`frac`]).
//!
//! Runs on the control thread. May allocate.

pub mod chunk;
pub mod euclid;
pub mod expand;
pub mod frac;
pub mod grid;
pub mod parse;
pub mod rhythm;
pub mod show;
