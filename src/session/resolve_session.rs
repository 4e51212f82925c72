//! Resolving a parsed session: every phrase, in order and at its time, becomes absolute engine
//! commands against the patch as it stands at that moment — exactly what the live control side
//! would send. `chronus check`, `render` and `play` all go through here.
//!
//! Runs on whichever thread checks or renders a session. May allocate.

use super::diagnostic::{Diagnostic, SessionErrors};
use super::format::parse_session_lenient;
use super::format::Session;
use super::load::read_limited;
use super::phrase_resolver::{PhraseProblem, PhraseResolver};
use crate::engine::command::Command;
use crate::engine::PatchState;
use std::path::Path;

/// The commands one line of the session resolved to, at its time.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedLine {
    /// Seconds from the start.
    pub at: f64,
    /// 1-based line in the file.
    pub line: usize,
    /// The phrase.
    pub text: String,
    /// The commands, in order.
    pub commands: Vec<Command>,
}

/// A session whose every phrase resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedSession {
    /// The parsed file.
    pub session: Session,
    /// Each line's commands, in time order.
    pub lines: Vec<ResolvedLine>,
    /// The patch after the last line.
    pub final_patch: PatchState,
}

impl ResolvedSession {
    /// How many engine commands the session sends.
    pub fn command_count(&self) -> usize {
        self.lines.iter().map(|l| l.commands.len()).sum()
    }
}

/// Resolves every phrase of `session` from the default patch (`resolver` must start from it
/// too). Lists every phrase that does
/// not resolve (a line with an error changes nothing, and checking goes on after it).
pub fn resolve_session(
    session: Session,
    resolver: &mut dyn PhraseResolver,
) -> Result<ResolvedSession, Vec<Diagnostic>> {
    let mut patch = PatchState::default();
    let mut lines = Vec::with_capacity(session.events.len() + 1);
    let mut problems = Vec::new();
    if let Some(tempo) = session.header.tempo {
        // The header tempo goes through the language like any phrase, so the resolver's
        // patch knows it too (relative phrases such as "faster" start from it).
        let text = tempo_phrase(tempo);
        match resolver.resolve(&text) {
            Ok(commands) => {
                for c in &commands {
                    patch.apply(c);
                }
                lines.push(ResolvedLine {
                    at: 0.0,
                    line: session.header.tempo_line,
                    text,
                    commands,
                });
            }
            Err(p) => problems.push(Diagnostic::new(
                session.header.tempo_line,
                1,
                format!("the tempo header did not resolve: {}", p.message),
            )),
        }
    }
    if let Some(seed) = session.header.seed {
        // The seed of random pattern steps (`x?`, `[a | b]`) goes through the language too.
        if let Err(p) = resolver.resolve(&format!("seed {seed}")) {
            problems.push(Diagnostic::new(
                1,
                1,
                format!("the seed header did not resolve: {}", p.message),
            ));
        }
    }
    for event in &session.events {
        match resolver.resolve(&event.text) {
            Ok(commands) => {
                for c in &commands {
                    patch.apply(c);
                }
                lines.push(ResolvedLine {
                    at: event.at,
                    line: event.line,
                    text: event.text.clone(),
                    commands,
                });
            }
            Err(PhraseProblem { column, message }) => problems.push(
                Diagnostic::new(event.line, event.column + column.saturating_sub(1), message)
                    .with_source(&event.source),
            ),
        }
    }
    if problems.is_empty() {
        Ok(ResolvedSession {
            session,
            lines,
            final_patch: patch,
        })
    } else {
        Err(problems)
    }
}

/// The phrase the header's `tempo N` is sent as, at the start of the session.
pub fn tempo_phrase(tempo: f64) -> String {
    format!("set transport.tempo {tempo}")
}

/// Reads, parses and resolves the session at `path` with `resolver`: what `chronus check` does.
/// Problems in the file's format and in its phrases are listed together.
pub fn check_file(
    path: &Path,
    resolver: &mut dyn PhraseResolver,
) -> Result<ResolvedSession, SessionErrors> {
    let name = path.display().to_string();
    let bytes = read_limited(path).map_err(|d| SessionErrors::single(&name, d))?;
    check_bytes(&name, &bytes, resolver)
}

/// [`check_file`] for a file's bytes; `name` is used in the listing.
pub fn check_bytes(
    name: &str,
    bytes: &[u8],
    resolver: &mut dyn PhraseResolver,
) -> Result<ResolvedSession, SessionErrors> {
    let (session, mut problems) = parse_session_lenient(bytes);
    match resolve_session(session, resolver) {
        Ok(resolved) if problems.is_empty() => Ok(resolved),
        Ok(_) => Err(SessionErrors::new(name, problems)),
        Err(more) => {
            problems.extend(more);
            Err(SessionErrors::new(name, problems))
        }
    }
}
