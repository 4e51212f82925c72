//! Performs lines from every source (keyboard, OSC, session player) the same way: resolve,
//! send the commands, collect replies and errors for the screen, answer whoever asked, and
//! tell the session recorder about every accepted line.
//!
//! Runs on the control thread. May allocate; never waits on audio (commands go into the
//! non-blocking command ring).

use crate::control::extension::{ExtensionReply, PhraseExtension};
use crate::control::inbox::{IncomingLine, LineSource};
use crate::control::patch_json::patch_json;
use crate::control::session_recover::{parse_recover_phrase, replayed_line, JournalSource};
use crate::control::{Control, LineError};
use crate::engine::command::Command;
use crate::engine::params::ParamId;
use crate::engine::PatchState;
use crate::lang::Vocabulary;
use crate::rt::meters::Meters;
use crate::tutorial::{Tutorial, TutorialCommand};

/// The line that answers with the patch as one line of JSON (see [`patch_json`]), for
/// programs (`chronus mcp`'s `show`); quiet, so the screens do not show it.
pub const SHOW_JSON_LINE: &str = "show json";
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

pub use super::line::{LineReport, UiRequest};

/// Owns the control side and the vocabulary for the UI loop.
pub struct Performer {
    control: Control,
    vocab: Vocabulary,
    hook: Box<dyn AcceptedLineHook>,
    tutorial: Tutorial,
    extensions: Vec<Box<dyn PhraseExtension>>,
    /// The taught words as the hook has been told them (name → body), so that a line using a
    /// word taught in an earlier run is recorded after its `define` line.
    words_told: std::collections::BTreeMap<String, String>,
    /// Where `session recover` finds crashed runs' journals (`None`: it is refused).
    journals: Option<Box<dyn JournalSource>>,
}

impl Performer {
    /// A performer sending through `control`, understanding `vocab`, and reporting accepted
    /// lines to `hook`.
    pub fn new(control: Control, vocab: Vocabulary, hook: Box<dyn AcceptedLineHook>) -> Self {
        Performer {
            control,
            vocab,
            hook,
            tutorial: Tutorial::builtin(),
            extensions: Vec::new(),
            words_told: std::collections::BTreeMap::new(),
            journals: None,
        }
    }

    /// Lets `session recover` read journals from `source`.
    pub fn set_journal_source(&mut self, source: Box<dyn JournalSource>) {
        self.journals = Some(source);
    }

    /// Adds an extension that answers its own phrases before the language (see
    /// [`PhraseExtension`]).
    pub fn add_extension(&mut self, extension: Box<dyn PhraseExtension>) {
        self.extensions.push(extension);
    }

    /// The tutorial (`tutorial`, `next`, `back`, `tutorial off`), for the lesson pane.
    pub fn tutorial(&self) -> &Tutorial {
        &self.tutorial
    }

    /// Says that a pane shows the current lesson, so replies only name a beginning lesson.
    pub fn show_lessons_in_pane(&mut self) {
        self.tutorial.set_headings_only(true);
    }

    /// The current patch.
    pub fn patch(&self) -> &PatchState {
        self.control.patch()
    }

    /// The pipeline's meters.
    pub fn meters(&self) -> &Arc<Meters> {
        self.control.meters()
    }

    /// Waits (up to `patience`) until at most `depth` commands wait in the command ring, so
    /// a burst of lines (a replayed journal) never overflows it. False if it stayed fuller.
    pub fn wait_for_room(&self, depth: usize, patience: std::time::Duration) -> bool {
        let start = std::time::Instant::now();
        while self.control.queue_depth() > depth {
            if start.elapsed() > patience {
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        true
    }

    /// Words for Tab completion: vocabulary words, canonical parameter names, the taught
    /// words and the words that teach them.
    pub fn completion_words(&self) -> Vec<String> {
        let mut words = self.vocab.completion_words();
        words.extend(["define", "forget", "words"].map(String::from));
        words.extend(self.control.definitions().names());
        words
    }

    /// Performs a line as if it had been typed, and reports what happened.
    pub fn run(&mut self, text: &str, source: LineSource) -> LineReport {
        if text.trim() == SHOW_JSON_LINE {
            let mut report = LineReport::new(text, source);
            report
                .replies
                .push(patch_json(self.control.patch()).to_string());
            // Typed, it is shown like any answer; from a program, only the program gets it.
            report.quiet = report.source != LineSource::Keyboard;
            return report;
        }
        if let Some(command) = TutorialCommand::parse(text) {
            let mut report = LineReport::new(text, source);
            match command.and_then(|c| self.tutorial.perform(c, self.control.patch())) {
                Ok(lines) => report.replies.extend(lines),
                Err(message) => report.error = Some(LineError::Refused(message)),
            }
            return report;
        }
        if let Some(file) = parse_recover_phrase(text) {
            return self.recover_session(text, source, file.as_deref());
        }
        let mut report = self.run_phrase(text, source);
        report
            .replies
            .extend(self.tutorial.notice(self.control.patch()));
        report
    }

    /// `session recover [FILE]`: performs a crashed run's journal again, line by line, as
    /// session lines (each one recorded in this run's journal); the replies say what was
    /// read, which lines failed (`FILE:LINE: error`) and how to keep the result.
    fn recover_session(
        &mut self,
        text: &str,
        source: LineSource,
        file: Option<&std::path::Path>,
    ) -> LineReport {
        let mut report = LineReport::new(text, source.clone());
        if matches!(source, LineSource::Session { .. }) {
            // A journal that holds `session recover` must not replay itself.
            report.error = Some(LineError::Refused(
                "session recover is not replayed from a session".into(),
            ));
            return report;
        }
        let recovered = match self.journals.as_mut() {
            None => Err("no journal folder: nothing to recover".to_string()),
            Some(journals) => journals.recover(file),
        };
        let recovered = match recovered {
            Ok(r) => r,
            Err(message) => {
                report.error = Some(LineError::Refused(message));
                return report;
            }
        };
        report.replies.extend(recovered.notes);
        let mut failed = 0;
        for (number, line) in &recovered.lines {
            // Each line sends a handful of commands; leave the worker room to take them.
            self.wait_for_room(256, std::time::Duration::from_secs(2));
            let replayed = self.run(line, LineSource::Session { line: *number });
            if let Some(error) = replayed.error_text() {
                failed += 1;
                let last = error.lines().last().unwrap_or_default();
                report
                    .replies
                    .push(format!("{}:{number}: {last}", recovered.file.display()));
            }
        }
        report
            .replies
            .push(replayed_line(recovered.lines.len(), failed));
        report
    }

    /// [`Performer::run`] without the tutorial: the session hook, then the phrase language.
    fn run_phrase(&mut self, text: &str, source: LineSource) -> LineReport {
        if let Some(result) = self.hook.intercept(text) {
            let mut report = LineReport::new(text, source);
            match result {
                Ok(reply) => report.replies.push(reply),
                Err(message) => report.error = Some(LineError::Refused(message)),
            }
            return report;
        }
        let patch = *self.control.patch();
        for extension in &mut self.extensions {
            if let Some(reply) = extension.intercept(text, &patch, &self.vocab) {
                let mut report = LineReport::new(text, source);
                match reply {
                    ExtensionReply::Done(lines) => report.replies = lines,
                    ExtensionReply::Refused(message) => {
                        report.error = Some(LineError::Refused(message))
                    }
                }
                return report;
            }
        }
        let mut report = self.control.run_line_from(text, source, &self.vocab);
        let patch = *self.control.patch();
        for extension in &mut self.extensions {
            if report.requests.contains(&UiRequest::Status) {
                report.replies.extend(extension.status_lines(&patch));
            }
            extension.after_line(&mut report);
        }
        if report.source != LineSource::Keyboard {
            // Only the person at the keyboard can end chronus.
            report.refuse_quit();
        }
        if report.is_music() {
            self.tell_words(&report);
            self.hook.on_accepted(text, &report.source);
        }
        report
    }

    /// Tells the hook the `define` line of every taught word `report` used that it has not
    /// been told (taught in an earlier run, or changed since), and follows `define`/`forget`
    /// lines, so that a recorded session always knows its words.
    fn tell_words(&mut self, report: &LineReport) {
        for (name, body) in &report.words_used {
            if self.words_told.get(name) != Some(body) {
                self.hook
                    .on_accepted(&format!("define {name} as {body}"), &report.source);
                self.words_told.insert(name.clone(), body.clone());
            }
        }
        for action in &report.actions {
            match action {
                crate::lang::Action::Meta(crate::lang::Meta::Define { name, body, .. }) => {
                    self.words_told.insert(name.clone(), body.clone());
                }
                crate::lang::Action::Meta(crate::lang::Meta::Forget { name, .. }) => {
                    self.words_told.remove(name);
                }
                _ => {}
            }
        }
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

    /// Lets go of every held note and closes the gate, if anything sounds, and says how long
    /// the release will sound.
    pub fn release(&mut self) -> std::time::Duration {
        let patch = self.control.patch();
        if patch.silenced() {
            return std::time::Duration::ZERO;
        }
        let release = patch.get(ParamId::EnvRelease);
        let command = if patch.held().is_empty() {
            Command::Gate { on: false }
        } else {
            Command::AllNotesOff
        };
        match self.control.send(command) {
            Ok(()) => std::time::Duration::from_secs_f32(release.clamp(0.0, 30.0)),
            Err(_) => std::time::Duration::ZERO,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::inbox::LineReply;
    use crate::control::REMOTE_QUIT_REPLY;
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
            bad.error_text().as_deref(),
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
