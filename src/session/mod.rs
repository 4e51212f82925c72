//! Sessions: the timed list of phrases someone typed, kept as a plain text file that can be
//! replayed live, rendered offline to WAV, checked, and used as a regression test.
//!
//! Threads: parsing, checking, resolving and offline rendering run on the caller's thread (the
//! main thread for `chronus check`/`render`); [`Recorder`] lives on the control thread; the
//! [`replay`] runs on its own "chronus-session" thread and talks to the control thread only
//! through the inbox. Nothing here touches the audio path.
//!
//! The format is documented in `sessions/README.md`.

pub mod diagnostic;
pub mod format;
pub mod header;
pub mod journal;
pub mod live_recorder;
pub mod load;
pub mod offline;
pub mod phrase_resolver;
pub mod recorder;
pub mod render;
pub mod replay;
pub mod resolve_session;
pub mod save;
pub mod stamp;

pub use diagnostic::{Diagnostic, SessionErrors};
pub use format::{parse_session, Event, Header, Session};
pub use live_recorder::LiveRecorder;
pub use load::read_session;
pub use phrase_resolver::{ControlResolver, PhraseProblem, PhraseResolver};
pub use recorder::{RecordedLine, Recorder, AUTOSAVE_EVERY};
pub use render::{render_samples, render_to_wav, RenderOptions, RenderSummary};
pub use resolve_session::{
    check_bytes, check_file, resolve_session, ResolvedLine, ResolvedSession,
};
pub use save::{parse_save_command, SaveError, SaveRequest};
