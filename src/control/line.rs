//! Performing typed lines: resolve a line with the phrase language, send its commands, keep
//! undo/redo history, and collect replies for the UI.
//!
//! Runs on the control thread. May allocate.

use super::inbox::{LineReply, LineSource};
use super::undo::{transition_commands, UndoLevel};
use super::{Control, SendError};
use crate::engine::params::ParamId;
use crate::lang::action::describe_command;
use crate::lang::{resolve_line_with, Action, Meta, PhraseError, Vocabulary};

/// Something only the UI can do, asked for by a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UiRequest {
    /// Show the meters (`status`, `meters`).
    Status,
    /// Show the keys and phrase examples (`help` alone).
    Help,
    /// Leave chronus (`quit`, `exit`).
    Quit,
}

/// The reply to `quit` from anywhere but the keyboard, which is refused.
pub const REMOTE_QUIT_REPLY: &str = "quit: only the keyboard can end chronus";

/// Why a line was not (completely) performed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum LineError {
    /// The line did not parse or resolve; nothing was sent.
    #[error(transparent)]
    Phrase(#[from] PhraseError),
    /// A command could not be sent; the commands before it were sent.
    #[error(transparent)]
    Send(#[from] SendError),
    /// Refused by whoever performed it (e.g. the session recorder's `session save`).
    #[error("{0}")]
    Refused(String),
}

impl LineError {
    /// The error for people: the line with a caret for phrase errors, else one line.
    pub fn render(&self, line: &str) -> String {
        match self {
            LineError::Phrase(e) => e.render(line),
            LineError::Send(e) => format!("error: {e}"),
            LineError::Refused(message) => format!("{line}\nerror: {message}"),
        }
    }
}

/// What happened to one line: for the screen, for whoever sent it, and for the session
/// recorder. The one result of performing a line, from every source.
#[derive(Clone, Debug, PartialEq)]
pub struct LineReport {
    /// The line as it arrived.
    pub text: String,
    /// Where it came from.
    pub source: LineSource,
    /// Lines to show, in order (one reply per action, e.g. `filter.cutoff 2000 → 1400 Hz`,
    /// help text, explain output, the patch listing).
    pub replies: Vec<String>,
    /// The error, if the line failed (then `replies` holds what was done before it).
    pub error: Option<LineError>,
    /// Things the UI must do (show meters or help, quit), in order.
    pub requests: Vec<UiRequest>,
    /// Parameters whose value the line changed, in table order.
    pub changed: Vec<ParamId>,
    /// How many engine commands were sent (including those sent by `undo`/`redo`).
    pub sent: usize,
    /// The resolved actions that were performed, in order (their `canonical()` forms are what
    /// a session log should record).
    pub actions: Vec<Action>,
    /// The line taught or forgot a word (`define`, `forget`): not a sound change, but
    /// sessions record it so that a replay knows the word.
    pub taught: bool,
    /// The taught words the line used, with every word they use in turn, each after the
    /// words it uses: (name, body).
    pub words_used: Vec<(String, String)>,
    /// A question from a program (`show json` from OSC or an agent) whose answer goes only to
    /// the sender: the screens do not show it.
    pub quiet: bool,
}

impl LineReport {
    /// A report for `text` from `source` with nothing done yet.
    pub fn new(text: &str, source: LineSource) -> Self {
        LineReport {
            text: text.to_string(),
            source,
            replies: Vec::new(),
            error: None,
            requests: Vec::new(),
            changed: Vec::new(),
            sent: 0,
            actions: Vec::new(),
            taught: false,
            words_used: Vec::new(),
            quiet: false,
        }
    }

    /// Whether the line was performed without an error.
    pub fn accepted(&self) -> bool {
        self.error.is_none()
    }

    /// Whether the line is part of the music: accepted, and it sent something to the engine
    /// or taught a word (`help`, `status` and the like are not). Sessions record exactly
    /// these lines.
    pub fn is_music(&self) -> bool {
        self.accepted() && (self.sent > 0 || self.taught)
    }

    /// The rendered error (the line, a caret line, the message), if the line failed.
    pub fn error_text(&self) -> Option<String> {
        self.error.as_ref().map(|e| e.render(&self.text))
    }

    /// Every line to print: the replies, then the rendered error.
    pub fn lines(&self) -> Vec<String> {
        let mut out = self.replies.clone();
        if let Some(e) = self.error_text() {
            out.extend(e.lines().map(str::to_string));
        }
        out
    }

    /// Drops a `quit` request and says so in the replies, for lines that may not end chronus
    /// (only the person at a UI's keyboard may).
    pub fn refuse_quit(&mut self) {
        if self.requests.contains(&UiRequest::Quit) {
            self.requests.retain(|r| *r != UiRequest::Quit);
            self.replies.push(REMOTE_QUIT_REPLY.to_string());
        }
    }

    /// The answer for a remote sender: the replies (with the meters line for `status`), or
    /// the rendered error.
    pub fn to_reply(&self, meters_line: impl FnOnce() -> String) -> LineReply {
        match self.error_text() {
            Some(e) => LineReply::Error(e),
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

impl Control {
    /// Resolves `line` against the current patch and performs it as typed at the keyboard:
    /// engine actions are sent (and become one undo level), meta actions are performed or
    /// handed to the UI. A line with an error sends nothing.
    pub fn run_line(&mut self, line: &str, vocab: &Vocabulary) -> LineReport {
        self.run_line_from(line, LineSource::Keyboard, vocab)
    }

    /// [`Control::run_line`] for a line from `source`.
    pub fn run_line_from(
        &mut self,
        line: &str,
        source: LineSource,
        vocab: &Vocabulary,
    ) -> LineReport {
        let mut report = LineReport::new(line, source);
        let before = self.patch;
        // `explain NAME`, `NAME?`, `help NAME` about a taught word: answered, nothing done.
        if let Some(answer) = self.answer_taught_question(line, vocab) {
            report.replies = answer;
            return report;
        }
        // Taught words (`define`) are replaced by what they mean before the line is read.
        match self.expand_taught(line) {
            Ok(expansion) if expansion.used_any() => {
                let names: Vec<String> = expansion.uses.iter().map(|u| u.name.clone()).collect();
                report.words_used = self.definitions().needed_by(&names);
                report.replies.push(format!("read as: {}", expansion.text));
                match resolve_line_with(&expansion.text, &self.patch, &self.rhythms, vocab) {
                    Ok(actions) => self.perform(&actions, vocab, &mut report),
                    Err(e) => {
                        let e = expansion.locate(e, line, self.definitions());
                        report.error = Some(e.into());
                    }
                }
            }
            Ok(_) => match resolve_line_with(line, &self.patch, &self.rhythms, vocab) {
                Ok(actions) => self.perform(&actions, vocab, &mut report),
                Err(e) => report.error = Some(e.into()),
            },
            Err(e) => report.error = Some(e.into()),
        }
        let after = &self.patch;
        report.changed = ParamId::ALL
            .iter()
            .copied()
            .filter(|&p| before.get(p) != after.get(p))
            .collect();
        report
    }

    /// Performs already-resolved actions (from [`resolve_line_with`] on this control's patch
    /// and patterns as typed).
    fn perform(&mut self, actions: &[Action], vocab: &Vocabulary, out: &mut LineReport) {
        let before = UndoLevel {
            patch: self.patch,
            rhythms: self.rhythms.clone(),
        };
        // Only engine actions make an undo level (undo/redo lines move through the history).
        let mut engine_sent = 0;
        for action in actions {
            match action {
                Action::Engine(a) => {
                    if let Err(e) = self.send(a.command) {
                        out.error = Some(e.into());
                        break;
                    }
                    engine_sent += 1;
                    out.sent += 1;
                    out.replies.push(action.reply());
                    out.actions.push(action.clone());
                }
                Action::Meta(meta) => {
                    self.perform_meta(meta, vocab, out);
                    out.actions.push(action.clone());
                }
            }
        }
        if engine_sent > 0 && !self.patch.same_sound(&before.patch) {
            self.history.record(before);
        }
        out.replies = fold_step_replies(std::mem::take(&mut out.replies));
    }

    fn perform_meta(&mut self, meta: &Meta, vocab: &Vocabulary, out: &mut LineReport) {
        if self.perform_taught(meta, vocab, out) {
            return;
        }
        match meta {
            Meta::Help(topic) => {
                if topic.is_none() {
                    out.requests.push(UiRequest::Help);
                }
                out.replies.extend(
                    crate::lang::help_text(topic.as_deref(), vocab, self.faults_enabled)
                        .lines()
                        .map(str::to_string),
                );
                if matches!(topic.as_deref(), None | Some("words")) {
                    out.replies
                        .push("your words (define NAME as PHRASES, forget NAME, words):".into());
                    out.replies
                        .extend(self.words_lines().iter().map(|l| format!("  {l}")));
                }
            }
            Meta::Status => out.requests.push(UiRequest::Status),
            Meta::Quit => out.requests.push(UiRequest::Quit),
            Meta::Show => out
                .replies
                .extend(crate::lang::show_patch_with(&self.patch, &self.rhythms)),
            Meta::Explain { actions, .. } => {
                out.replies.extend(actions.iter().map(Action::canonical))
            }
            Meta::Undo => {
                let target = self.history.undo(&self.undo_level());
                self.go_to(target, "undo", out);
            }
            Meta::Redo => {
                let target = self.history.redo(&self.undo_level());
                self.go_to(target, "redo", out);
            }
            Meta::Track { index, name } => {
                self.patch.select_track(*index, name.as_deref());
                out.replies.push(format!(
                    "track {} is track {} of 8",
                    self.patch.track_names().label(*index),
                    index + 1
                ));
            }
            Meta::Rhythm { index, rhythm } => {
                self.rhythms.set(*index, Some((**rhythm).clone()));
            }
            Meta::Seed(seed) => {
                self.rhythms.seed = *seed;
                out.replies
                    .push(format!("seed {seed}: random pattern steps follow it"));
            }
            Meta::SavePatch { name } if !self.saves_patches => out.replies.push(format!(
                "save patch {name}: not saved (replaying a session writes no patch files)"
            )),
            Meta::SavePatch { name } => {
                let patch = crate::patch::Patch::from_values(name, self.patch.values());
                out.replies
                    .push(match crate::lang::patch_store().save(name, &patch) {
                        Ok(path) => format!("saved patch {name} ({})", path.display()),
                        Err(e) => format!("error: {e}"),
                    });
            }
            Meta::Samples => out.replies.extend(crate::samples::list_lines()),
            Meta::ReadAs(_) | Meta::Answer { .. } => out.replies.push(meta.canonical()),
            // Performed by perform_taught above.
            Meta::Define { .. } | Meta::Forget { .. } | Meta::Words => {}
            Meta::Patches => {
                match crate::lang::patch_store().list() {
                    Ok(list) => out.replies.extend(list.iter().map(|p| {
                        format!("{}{}", p.name, if p.builtin { " (built-in)" } else { "" })
                    })),
                    Err(e) => out.replies.push(format!("error: {e}")),
                }
            }
        }
    }

    /// The patch and the patterns as typed now, as an undo level.
    fn undo_level(&self) -> UndoLevel {
        UndoLevel {
            patch: self.patch,
            rhythms: self.rhythms.clone(),
        }
    }

    /// Sends the commands that turn the current patch into `target`'s.
    fn go_to(&mut self, target: Option<UndoLevel>, verb: &str, out: &mut LineReport) {
        let Some(UndoLevel {
            patch: target,
            rhythms,
        }) = target
        else {
            out.replies.push(format!("nothing to {verb}"));
            return;
        };
        let commands = transition_commands(&self.patch, &target);
        if commands.is_empty() {
            out.replies.push(format!("{verb}: no change"));
        }
        // The patterns as typed go back with their steps.
        self.rhythms = rhythms;
        for command in commands {
            let reply = describe_command(&command, &self.patch);
            if let Err(e) = self.send(command) {
                out.error = Some(e.into());
                return;
            }
            out.sent += 1;
            out.replies.push(format!("{verb}: {reply}"));
        }
    }

    /// Whether `help` lists the fault-injection phrases (`--faults`).
    pub fn set_faults_enabled(&mut self, enabled: bool) {
        self.faults_enabled = enabled;
    }

    /// Whether `save patch NAME` writes the file (off while checking or rendering a session,
    /// so that replaying one has no side effects).
    pub fn set_saves_patches(&mut self, saves: bool) {
        self.saves_patches = saves;
    }

    /// Whether fault phrases are listed in help.
    pub fn faults_enabled(&self) -> bool {
        self.faults_enabled
    }

    /// Undo levels available.
    pub fn undo_depth(&self) -> usize {
        self.history.undo_depth()
    }

    /// Redo levels available.
    pub fn redo_depth(&self) -> usize {
        self.history.redo_depth()
    }
}

/// One reply for a whole pattern: consecutive `track N step K V` replies of one track become
/// `track N steps 1-8: C2 C2 G2 . …`, so a 16-step pattern reads as one line, not sixteen.
fn fold_step_replies(replies: Vec<String>) -> Vec<String> {
    fn step_of(reply: &str) -> Option<(&str, &str, &str)> {
        let rest = reply.strip_prefix("track ")?;
        let (track, rest) = rest.split_once(" step ")?;
        let (index, value) = rest.split_once(' ')?;
        Some((track, index, value))
    }
    let mut out: Vec<String> = Vec::with_capacity(replies.len());
    let mut run: Option<(String, String, String, Vec<String>)> = None;
    let flush = |run: &mut Option<(String, String, String, Vec<String>)>, out: &mut Vec<String>| {
        if let Some((track, first, last, values)) = run.take() {
            out.push(if values.len() == 1 {
                format!("track {track} step {first} {}", values[0])
            } else {
                format!("track {track} steps {first}-{last}: {}", values.join(" "))
            });
        }
    };
    for reply in replies {
        match step_of(&reply) {
            Some((track, index, value)) => match &mut run {
                Some((t, _, last, values)) if t == track => {
                    *last = index.to_string();
                    values.push(value.to_string());
                }
                _ => {
                    flush(&mut run, &mut out);
                    run = Some((
                        track.to_string(),
                        index.to_string(),
                        index.to_string(),
                        vec![value.to_string()],
                    ));
                }
            },
            None => {
                flush(&mut run, &mut out);
                out.push(reply);
            }
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod fold_tests {
    use super::fold_step_replies;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_pattern_is_one_reply_per_track_and_other_replies_stay() {
        let replies = strings(&[
            "track bass is track 1 of 8",
            "track 1 step 1 C2",
            "track 1 step 2 .",
            "track 1 step 3 G2",
            "track 2 step 1 x",
            "track 1 steps 3",
            "track 1 step 5 X",
        ]);
        assert_eq!(
            fold_step_replies(replies),
            strings(&[
                "track bass is track 1 of 8",
                "track 1 steps 1-3: C2 . G2",
                "track 2 step 1 x",
                "track 1 steps 3",
                "track 1 step 5 X",
            ])
        );
    }
}
