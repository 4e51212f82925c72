//! Performs lines from every source (keyboard, OSC, session player) the same way: resolve,
//! send the commands, collect replies and errors for the screen, answer whoever asked, and
//! tell the session recorder about every accepted line.
//!
//! Runs on the control thread. May allocate; never waits on audio (commands go into the
//! non-blocking command ring).

use crate::control::{Control, LineOutcome, PatchState};
use crate::engine::command::Command;
use crate::engine::params::ParamId;
use crate::inbox::{IncomingLine, LineReply, LineSource};
use crate::lang::Vocabulary;
use crate::rt::meters::Meters;
use std::sync::Arc;

/// Told about every line that was performed without an error and changed something in the
/// engine (typed, from OSC or replayed), in the order they were performed; `help`, `status`
/// and the like are not music and are not reported. The session recorder implements this.
pub trait AcceptedLineHook {
    /// Called once per accepted line that sent something to the engine.
    fn on_accepted(&mut self, line: &str, source: &LineSource);

    /// Lines the hook performs itself instead of the language (the recorder's
    /// `session save NAME`): `Some(Ok(reply))` or `Some(Err(message))`; `None` for any other
    /// line.
    fn intercept(&mut self, _line: &str) -> Option<Result<String, String>> {
        None
    }
}

/// The hook that records nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoRecording;

impl AcceptedLineHook for NoRecording {
    fn on_accepted(&mut self, _line: &str, _source: &LineSource) {}
}

/// The reply to `quit` from anywhere but the keyboard, which is refused.
pub const REMOTE_QUIT_REPLY: &str = "quit: only the keyboard can end chronus";

/// Something only the UI can do, asked for by a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UiRequest {
    /// Show the meters (`status`).
    Status,
    /// Show the keys and phrase examples (`help`).
    Help,
    /// Leave chronus (`quit`).
    Quit,
}

/// What happened to one line, for the screen and for whoever sent it.
#[derive(Clone, Debug, PartialEq)]
pub struct LineReport {
    /// The line as it arrived.
    pub text: String,
    /// Where it came from.
    pub source: LineSource,
    /// One reply per action, e.g. `filter.cutoff 2000 → 1400 Hz`.
    pub replies: Vec<String>,
    /// The rendered error (the line, a caret line, the message), if the line failed.
    pub error: Option<String>,
    /// What the UI must do.
    pub requests: Vec<UiRequest>,
    /// Parameters whose value the line changed, in table order.
    pub changed: Vec<ParamId>,
}

impl LineReport {
    /// Whether the line was performed without an error.
    pub fn accepted(&self) -> bool {
        self.error.is_none()
    }

    /// The answer for a remote sender; `status` answers with the meters line.
    pub fn to_reply(&self, meters_line: impl FnOnce() -> String) -> LineReply {
        match &self.error {
            Some(e) => LineReply::Error(e.clone()),
            None => {
                let mut lines = self.replies.clone();
                if self.requests.contains(&UiRequest::Status) {
                    lines.push(meters_line());
                }
                LineReply::Applied(lines)
            }
        }
    }
}

/// The marker shown before a line from `source`: `> `, `osc 127.0.0.1:9000> `, `session:3> `.
pub fn source_marker(source: &LineSource) -> String {
    match source {
        LineSource::Keyboard => "> ".to_string(),
        LineSource::Osc(addr) => format!("osc {addr}> "),
        LineSource::Session { line } => format!("session:{line}> "),
    }
}

/// Owns the control side and the vocabulary for the UI loop.
pub struct Performer {
    control: Control,
    vocab: Vocabulary,
    hook: Box<dyn AcceptedLineHook>,
}

/// Whether a line asks for the help overview (the UI opens its help overlay for it).
fn asks_for_overview(text: &str) -> bool {
    matches!(text.trim().to_lowercase().as_str(), "help" | "?")
}

impl Performer {
    /// A performer sending through `control`, understanding `vocab`, and reporting accepted
    /// lines to `hook`.
    pub fn new(control: Control, vocab: Vocabulary, hook: Box<dyn AcceptedLineHook>) -> Self {
        Performer {
            control,
            vocab,
            hook,
        }
    }

    /// The current patch.
    pub fn patch(&self) -> &PatchState {
        self.control.patch()
    }

    /// The pipeline's meters.
    pub fn meters(&self) -> &Arc<Meters> {
        self.control.meters()
    }

    /// Words for Tab completion: vocabulary words and canonical parameter names.
    pub fn completion_words(&self) -> Vec<String> {
        self.vocab.completion_words()
    }

    /// Performs a line as if it had been typed, and reports what happened.
    pub fn run(&mut self, text: &str, source: LineSource) -> LineReport {
        if let Some(result) = self.hook.intercept(text) {
            let (replies, error) = match result {
                Ok(reply) => (vec![reply], None),
                Err(message) => (vec![], Some(format!("{text}\nerror: {message}"))),
            };
            return LineReport {
                text: text.to_string(),
                source,
                replies,
                error,
                requests: vec![],
                changed: vec![],
            };
        }
        let before = self.control.patch().clone();
        let outcome: LineOutcome = self.control.run_line(text, &self.vocab);
        let mut requests: Vec<UiRequest> = outcome
            .requests
            .iter()
            .map(|r| match r {
                crate::control::UiRequest::Status => UiRequest::Status,
                crate::control::UiRequest::Quit => UiRequest::Quit,
            })
            .collect();
        let error = outcome.error.as_ref().map(|e| e.render(text));
        if error.is_none() && asks_for_overview(text) {
            requests.push(UiRequest::Help);
        }
        let outcome_sent = outcome.sent;
        let mut replies = outcome.replies;
        if source != LineSource::Keyboard && requests.contains(&UiRequest::Quit) {
            // Only the person at the keyboard can end chronus.
            requests.retain(|r| *r != UiRequest::Quit);
            replies.push(REMOTE_QUIT_REPLY.to_string());
        }
        let after = self.control.patch();
        let report = LineReport {
            text: text.to_string(),
            source,
            replies,
            error,
            requests,
            changed: ParamId::ALL
                .iter()
                .copied()
                .filter(|&p| before.get(p) != after.get(p))
                .collect(),
        };
        if report.accepted() && outcome_sent > 0 {
            self.hook.on_accepted(text, &report.source);
        }
        report
    }

    /// Performs a line from the inbox and answers its sender, if it asked.
    pub fn run_incoming(&mut self, line: IncomingLine) -> LineReport {
        let report = self.run(&line.text, line.source);
        if let Some(reply_to) = line.reply_to {
            // The sender may have given up waiting; that is not an error here.
            let meters = self.meters().clone();
            let _ = reply_to.send(report.to_reply(|| meters.snapshot().to_key_values()));
        }
        report
    }

    /// Closes the gate if it is open and says how long the release will sound.
    pub fn release(&mut self) -> std::time::Duration {
        if !self.control.patch().gate() {
            return std::time::Duration::ZERO;
        }
        let release = self.control.patch().get(ParamId::EnvRelease);
        match self.control.send(Command::Gate { on: false }) {
            Ok(()) => std::time::Duration::from_secs_f32(release.clamp(0.0, 30.0)),
            Err(_) => std::time::Duration::ZERO,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    struct Recorder(mpsc::Sender<(String, LineSource)>);
    impl AcceptedLineHook for Recorder {
        fn on_accepted(&mut self, line: &str, source: &LineSource) {
            let _ = self.0.send((line.to_string(), source.clone()));
        }
    }

    fn performer() -> (Performer, mpsc::Receiver<(String, LineSource)>) {
        // The producer keeps accepting commands after the consumer is gone, up to capacity.
        let (tx, _rx) = rtrb::RingBuffer::new(64);
        let (rec_tx, rec_rx) = mpsc::channel();
        let control = Control::new(tx, Arc::new(Meters::new()));
        let performer = Performer::new(control, Vocabulary::builtin(), Box::new(Recorder(rec_tx)));
        (performer, rec_rx)
    }

    #[test]
    fn a_relative_phrase_reports_the_change_and_the_changed_parameter() {
        let (mut p, _) = performer();
        let r = p.run("filter darker", LineSource::Keyboard);
        assert_eq!(r.replies, vec!["filter.cutoff 2000 → 1400 Hz".to_string()]);
        assert_eq!(r.changed, vec![ParamId::FilterCutoff]);
        assert!(r.accepted());
    }

    #[test]
    fn only_accepted_lines_reach_the_recorder() {
        let (mut p, rec) = performer();
        p.run("gate on", LineSource::Keyboard);
        let bad = p.run("flitter darker", LineSource::Session { line: 2 });
        assert!(bad.error.is_some());
        p.run("  ", LineSource::Keyboard);
        let got: Vec<_> = rec.try_iter().collect();
        assert_eq!(got, vec![("gate on".to_string(), LineSource::Keyboard)]);
    }

    /// A hook that performs `save` lines itself.
    struct Saver;
    impl AcceptedLineHook for Saver {
        fn on_accepted(&mut self, _line: &str, _source: &LineSource) {}
        fn intercept(&mut self, line: &str) -> Option<Result<String, String>> {
            match line {
                "save good" => Some(Ok("saved good".into())),
                "save ../bad" => Some(Err("\"../bad\" cannot be a name".into())),
                _ => None,
            }
        }
    }

    #[test]
    fn lines_the_hook_intercepts_never_reach_the_language() {
        let (tx, _rx) = rtrb::RingBuffer::new(64);
        let control = Control::new(tx, Arc::new(Meters::new()));
        let mut p = Performer::new(control, Vocabulary::builtin(), Box::new(Saver));
        let ok = p.run("save good", LineSource::Keyboard);
        assert_eq!(ok.replies, vec!["saved good".to_string()]);
        assert!(ok.accepted());
        let bad = p.run("save ../bad", LineSource::Keyboard);
        assert_eq!(
            bad.error.as_deref(),
            Some("save ../bad\nerror: \"../bad\" cannot be a name")
        );
        // Anything else is a phrase as usual.
        assert!(p
            .run("flitter darker", LineSource::Keyboard)
            .error
            .is_some());
    }

    #[test]
    fn help_opens_the_overview_and_status_and_quit_reach_the_ui() {
        let (mut p, _) = performer();
        let r = p.run("help", LineSource::Keyboard);
        assert_eq!(r.requests, vec![UiRequest::Help]);
        assert!(!r.replies.is_empty(), "the help text goes to the log too");
        assert_eq!(
            p.run("status", LineSource::Keyboard).requests,
            vec![UiRequest::Status]
        );
        assert_eq!(
            p.run("quit", LineSource::Keyboard).requests,
            vec![UiRequest::Quit]
        );
        assert!(p
            .run("help filter", LineSource::Keyboard)
            .requests
            .is_empty());
    }

    #[test]
    fn only_the_keyboard_can_quit_and_a_remote_status_gets_the_meters() {
        let (mut p, _) = performer();
        let (tx, rx) = mpsc::channel();
        let report = p.run_incoming(IncomingLine {
            text: "quit".into(),
            source: LineSource::Session { line: 9 },
            reply_to: Some(tx.clone()),
        });
        assert!(report.requests.is_empty());
        assert_eq!(
            rx.try_recv().ok(),
            Some(LineReply::Applied(vec![REMOTE_QUIT_REPLY.to_string()]))
        );
        p.run_incoming(IncomingLine {
            text: "status".into(),
            source: LineSource::Session { line: 10 },
            reply_to: Some(tx),
        });
        match rx.try_recv() {
            Ok(LineReply::Applied(lines)) => {
                assert!(lines.iter().any(|l| l.contains("underruns=")), "{lines:?}")
            }
            other => panic!("expected the meters line, got {other:?}"),
        }
    }

    #[test]
    fn release_closes_an_open_gate_and_says_how_long_it_sounds() {
        let (mut p, _) = performer();
        assert_eq!(p.release(), std::time::Duration::ZERO);
        p.run("gate on, release 2 s", LineSource::Keyboard);
        assert_eq!(p.release(), std::time::Duration::from_secs(2));
        assert!(!p.patch().gate());
    }

    #[test]
    fn an_incoming_line_is_answered_on_its_reply_channel() {
        let (mut p, _) = performer();
        let (tx, rx) = mpsc::channel();
        let report = p.run_incoming(IncomingLine {
            text: "wave kazoo".into(),
            source: LineSource::Session { line: 1 },
            reply_to: Some(tx),
        });
        assert!(report.error.is_some());
        match rx.try_recv() {
            Ok(LineReply::Error(e)) => assert!(e.contains('^'), "{e}"),
            other => panic!("expected an error reply, got {other:?}"),
        }
    }
}
