//! OSC control over UDP (rosc): the original Music Chronus API (`/mod/<module>/<param>`,
//! `/gate`, `/engine/*`) plus notes and phrases (`/chronus/say`), answered with
//! `/chronus/reply`, `/chronus/error` and `/chronus/status`.
//!
//! The server runs on its own "chronus-osc" thread (and "chronus-osc-reply" for answers), never
//! on the audio path. Every message becomes a line of text in the canonical form (`set
//! filter.cutoff 800`) or a phrase, sent through [`crate::control::inbox`] to the control thread, so it
//! is shown and recorded exactly like a typed phrase.
//!
//! Layout: `packet` (datagram → messages with due times), `route` (message → request),
//! `aliases` (module names), `canonical` (the action lines), `timetag` (time tags → delays and
//! engine frames), `hold` (scheduled requests), `reply` (answers), `server` (threads and
//! socket), `headless` (a control loop with no screen).

pub mod aliases;
pub mod canonical;
pub mod headless;
pub mod hold;
pub mod packet;
pub mod reply;
pub mod route;
pub mod server;
pub mod timetag;

pub use server::{launch, OscConfig, OscLaunch, OscServer, OscStartError, DEFAULT_PORT};
