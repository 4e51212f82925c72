//! The seam between sessions and the phrase language: a [`PhraseResolver`] turns one phrase
//! into the absolute engine commands it sends.
//!
//! [`ControlResolver`] is the real one: it performs each phrase on a private
//! [`Control`] — the very code the live REPL uses, undo/redo included
//! — and collects what that control sends into its command ring. So `check`, `render` and
//! live `play` give the engine the same command stream.
//!
//! Runs on whichever thread checks or renders a session. May allocate.

use crate::control::{Control, LineError};
use crate::engine::command::{Command, StampedCommand};
use crate::lang::{PhraseError, Vocabulary};
use crate::rt::meters::Meters;
use rtrb::{Consumer, RingBuffer};
use std::sync::Arc;

/// A phrase that did not resolve: where (1-based column in the phrase) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhraseProblem {
    /// 1-based column in characters, counted from the start of the phrase.
    pub column: usize,
    /// What is wrong, with a did-you-mean where there is one.
    pub message: String,
}

impl From<&PhraseError> for PhraseProblem {
    fn from(e: &PhraseError) -> Self {
        let mut message = e.message.clone();
        if let Some(s) = &e.suggestion {
            message.push_str(&format!("; did you mean \"{s}\"?"));
        }
        if let Some(x) = &e.expected {
            message.push_str(&format!(" (expected {x})"));
        }
        PhraseProblem {
            column: e.column,
            message,
        }
    }
}

/// Turns phrases, in session order, into commands. Implementations keep the patch (and undo
/// history) between phrases; a phrase with a problem changes nothing.
pub trait PhraseResolver {
    /// Resolves and performs `phrase`, returning the commands it sends.
    fn resolve(&mut self, phrase: &str) -> Result<Vec<Command>, PhraseProblem>;
}

/// Capacity of the private command ring; it is drained after every phrase.
const RING_CAPACITY: usize = 4096;

/// Resolves phrases exactly as the live control side does.
pub struct ControlResolver<'v> {
    control: Control,
    sent: Consumer<StampedCommand>,
    vocab: &'v Vocabulary,
}

impl<'v> ControlResolver<'v> {
    /// A resolver starting from the default patch.
    pub fn new(vocab: &'v Vocabulary) -> Self {
        let (tx, rx) = RingBuffer::new(RING_CAPACITY);
        let mut control = Control::new(tx, Arc::new(Meters::new()));
        control.set_saves_patches(false);
        ControlResolver {
            control,
            sent: rx,
            vocab,
        }
    }
}

impl PhraseResolver for ControlResolver<'_> {
    fn resolve(&mut self, phrase: &str) -> Result<Vec<Command>, PhraseProblem> {
        let outcome = self.control.run_line(phrase, self.vocab);
        let mut commands = Vec::with_capacity(outcome.sent);
        while let Ok(c) = self.sent.pop() {
            commands.push(c.command);
        }
        match &outcome.error {
            None => Ok(commands),
            Some(LineError::Phrase(e)) => Err(e.into()),
            Some(e @ (LineError::Send(_) | LineError::Refused(_))) => Err(PhraseProblem {
                column: 1,
                message: e.to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_resolve_to_the_commands_control_sends() {
        let vocab = Vocabulary::builtin();
        let mut r = ControlResolver::new(&vocab);
        assert_eq!(r.resolve("gate on"), Ok(vec![Command::Gate { on: true }]));
        let e = r.resolve("gate sideways").unwrap_err();
        assert!(e.column >= 1);
        assert!(!e.message.is_empty());
        assert_eq!(r.resolve("gate off"), Ok(vec![Command::Gate { on: false }]));
    }
}
