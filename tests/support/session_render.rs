//! Rendering a session written in words, as `chronus render` does, for tests that then
//! measure the sound. Pull it in with `#[path = "support/session_render.rs"] mod
//! session_render;`.

use chronus::analysis::left;
use chronus::lang::Vocabulary;
use chronus::session::{check_bytes, render_samples, ControlResolver, RenderOptions};

/// The sample rate the renders use.
pub const RATE: u32 = 44_100;

/// The left channel of `text` rendered offline at [`RATE`] until the session's own end;
/// a session that does not resolve fails the test with its located error.
pub fn render(text: &str) -> Vec<f32> {
    let vocab = Vocabulary::builtin();
    let resolved = check_bytes("test", text.as_bytes(), &mut ControlResolver::new(&vocab))
        .unwrap_or_else(|e| panic!("{e}"));
    left(&render_samples(
        &resolved,
        RenderOptions {
            rate: RATE,
            seconds: None,
        },
        |_, _| {},
    ))
}
