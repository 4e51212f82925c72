//! The running recording: every accepted phrase with its time offset, written out as a session
//! file by `session save NAME` and autosaved every 30 s and on exit to the XDG data dir.
//!
//! Runs on the control thread: the UI loop records every line it performs. UIs normally wrap it
//! in a [`LiveRecorder`](super::LiveRecorder), whose thread autosaves on time; a loop that
//! owns a plain `Recorder` calls [`Recorder::autosave_if_due`] itself. May allocate and do
//! file I/O (only when saving).

use super::format::{EXTENSION, MAX_LINE_BYTES};
use super::journal::Journal;
use super::save::{
    autosave_dir, parse_save_command, save_text, sessions_dir, write_replacing, SaveError,
};
use crate::control::LineReport;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How often the running session is autosaved.
pub const AUTOSAVE_EVERY: Duration = Duration::from_secs(30);
/// How many autosaved sessions are kept (the oldest are removed).
pub const AUTOSAVES_KEPT: usize = 20;

/// One recorded phrase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedLine {
    /// Time since the recording started.
    pub at: Duration,
    /// The phrase as typed.
    pub text: String,
}

/// Records accepted phrases with their times.
#[derive(Debug)]
pub struct Recorder {
    started: Instant,
    lines: Vec<RecordedLine>,
    autosave_path: Option<PathBuf>,
    autosave_dir: Option<PathBuf>,
    last_autosave: Instant,
    unsaved: bool,
    journal: Option<Journal>,
    journal_error: Option<String>,
}

impl Default for Recorder {
    fn default() -> Self {
        Self::new()
    }
}

impl Recorder {
    /// A recorder whose clock starts now, autosaving to the XDG data dir.
    pub fn new() -> Self {
        Recorder {
            started: Instant::now(),
            lines: Vec::new(),
            autosave_path: None,
            autosave_dir: None,
            last_autosave: Instant::now(),
            unsaved: false,
            journal: None,
            journal_error: None,
        }
    }

    /// A recorder that autosaves into `dir` instead of the XDG data dir.
    pub fn with_autosave_dir(dir: impl Into<PathBuf>) -> Self {
        Recorder {
            autosave_dir: Some(dir.into()),
            ..Self::new()
        }
    }

    /// Starts journaling into `dir`: from now on every recorded line is appended to this
    /// run's journal file as it is recorded (see [`Journal`]). Returns the file.
    pub fn start_journal(&mut self, dir: &Path) -> std::io::Result<PathBuf> {
        let journal = Journal::create(dir)?;
        let path = journal.path().to_path_buf();
        self.journal = Some(journal);
        Ok(path)
    }

    /// The journal file, while journaling.
    pub fn journal_path(&self) -> Option<&Path> {
        self.journal.as_ref().map(Journal::path)
    }

    /// The last journal write failure, if any (taken: asking again gives `None`).
    pub fn take_journal_error(&mut self) -> Option<String> {
        self.journal_error.take()
    }

    /// Ends the journal cleanly (a normal exit): it is not offered for recovery.
    pub fn close_journal(&mut self) -> std::io::Result<()> {
        match self.journal.take() {
            Some(j) => j.close_clean(),
            None => Ok(()),
        }
    }

    /// When the recording's clock started.
    pub fn started(&self) -> Instant {
        self.started
    }

    /// Records `line` at `at` since the start. Empty lines, `session ...` commands and lines
    /// a session file could not hold (control characters, over-long) are skipped; a time
    /// earlier than the previous line's is moved up to it.
    pub fn record(&mut self, line: &str, at: Duration) {
        let text = line.trim();
        if text.is_empty()
            || text.len() > MAX_LINE_BYTES
            || text.chars().any(char::is_control)
            || text.starts_with(['@', '#'])
            || text
                .split_whitespace()
                .next()
                .is_some_and(|w| w.eq_ignore_ascii_case("session"))
        {
            return;
        }
        let at = self.lines.last().map_or(at, |l| l.at.max(at));
        if let Some(journal) = self.journal.as_mut() {
            if let Err(e) = journal.append(at, text) {
                self.journal_error = Some(format!(
                    "could not write the journal {}: {e}",
                    journal.path().display()
                ));
            }
        }
        self.lines.push(RecordedLine {
            at,
            text: text.to_string(),
        });
        self.unsaved = true;
    }

    /// The recorder hook for UIs: records `line` at `at` if performing it was accepted (no
    /// error, and it sent something to the engine — `help`, `status` and the like are not
    /// part of the music).
    pub fn record_performed(&mut self, at: Duration, report: &LineReport) {
        if report.is_music() {
            self.record(&report.text, at);
        }
    }

    /// Records `line` at the present moment.
    pub fn record_now(&mut self, line: &str) {
        self.record(line, self.started.elapsed());
    }

    /// The recorded lines.
    pub fn lines(&self) -> &[RecordedLine] {
        &self.lines
    }

    /// The recording as a session file.
    pub fn to_text(&self) -> String {
        let mut out = String::from(
            "# chronus session, recorded live. Replay: chronus play FILE; render: chronus render FILE -o out.wav\n",
        );
        for l in &self.lines {
            let _ = writeln!(out, "@{:.3} {}", l.at.as_secs_f64(), l.text);
        }
        out
    }

    /// `session save NAME`: writes the recording into `dir`; `overwrite` replaces a file of
    /// that name.
    pub fn save(&self, name: &str, dir: &Path, overwrite: bool) -> Result<PathBuf, SaveError> {
        if self.lines.is_empty() {
            return Err(SaveError::Empty);
        }
        save_text(&self.to_text(), name, dir, overwrite)
    }

    /// Performs a `session save NAME[!]` phrase typed at the prompt: saves into the sessions
    /// folder (`<XDG data dir>/chronus/sessions`). `None` when `line` is not such a phrase.
    pub fn save_phrase(&self, line: &str) -> Option<Result<PathBuf, SaveError>> {
        let request = parse_save_command(line)?;
        Some(request.and_then(|r| self.save(&r.name, &sessions_dir()?, r.overwrite)))
    }

    /// Writes the recording to its autosave file (one per run, replaced each time). Returns
    /// the file, or `None` when nothing has been recorded.
    pub fn autosave(&mut self) -> Result<Option<PathBuf>, SaveError> {
        self.last_autosave = Instant::now();
        if self.lines.is_empty() {
            return Ok(None);
        }
        let path = match &self.autosave_path {
            Some(p) => p.clone(),
            None => {
                let dir = match &self.autosave_dir {
                    Some(d) => d.clone(),
                    None => autosave_dir()?,
                };
                std::fs::create_dir_all(&dir).map_err(|source| SaveError::Io {
                    path: dir.clone(),
                    source,
                })?;
                prune_autosaves(&dir);
                let stamp = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                let p = dir.join(format!(
                    "autosave-{stamp}-{}.{EXTENSION}",
                    std::process::id()
                ));
                self.autosave_path = Some(p.clone());
                p
            }
        };
        write_replacing(&path, &self.to_text())?;
        self.unsaved = false;
        Ok(Some(path))
    }

    /// Autosaves if something new was recorded and [`AUTOSAVE_EVERY`] has passed since the
    /// last autosave. Returns the file when it wrote one.
    pub fn autosave_if_due(&mut self, now: Instant) -> Result<Option<PathBuf>, SaveError> {
        if self.unsaved && now.duration_since(self.last_autosave) >= AUTOSAVE_EVERY {
            self.autosave()
        } else {
            Ok(None)
        }
    }

    /// Autosaves if something new was recorded since the last autosave.
    pub fn autosave_when_unsaved(&mut self) -> Result<Option<PathBuf>, SaveError> {
        if self.unsaved {
            self.autosave()
        } else {
            Ok(None)
        }
    }

    /// The file this run autosaves to, once it has autosaved.
    pub fn autosave_path(&self) -> Option<&Path> {
        self.autosave_path.as_deref()
    }
}

/// Removes the oldest `autosave-*.chronus` files so at most [`AUTOSAVES_KEPT`] - 1 remain.
fn prune_autosaves(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<(SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.starts_with("autosave-") && n.ends_with(&format!(".{EXTENSION}"))
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    files.sort();
    let excess = files.len().saturating_sub(AUTOSAVES_KEPT - 1);
    for (_, p) in files.into_iter().take(excess) {
        let _ = std::fs::remove_file(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::format::parse_session;

    #[test]
    fn a_recording_reads_back_as_the_same_session() {
        let mut r = Recorder::with_autosave_dir("/nonexistent");
        r.record("gate on", Duration::from_millis(0));
        r.record("  ", Duration::from_millis(5));
        r.record("session save x", Duration::from_millis(6));
        r.record("filter darker", Duration::from_millis(1234));
        r.record("note C#4", Duration::from_millis(1000));
        let s = parse_session(r.to_text().as_bytes()).unwrap();
        let got: Vec<(f64, &str)> = s.events.iter().map(|e| (e.at, e.text.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (0.0, "gate on"),
                (1.234, "filter darker"),
                (1.234, "note C#4")
            ]
        );
    }

    #[test]
    fn autosave_writes_one_file_per_run_and_only_when_due() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = Recorder::with_autosave_dir(dir.path());
        assert_eq!(r.autosave().unwrap(), None, "nothing recorded, no file");
        let t0 = Instant::now();
        r.record("gate on", Duration::ZERO);
        assert_eq!(r.autosave_if_due(t0).unwrap(), None, "not yet due");
        let p = r
            .autosave_if_due(t0 + AUTOSAVE_EVERY + Duration::from_secs(1))
            .unwrap()
            .unwrap();
        assert!(std::fs::read_to_string(&p)
            .unwrap()
            .contains("@0.000 gate on"));
        r.record("gate off", Duration::from_secs(2));
        assert_eq!(r.autosave().unwrap().as_deref(), Some(p.as_path()));
        assert!(std::fs::read_to_string(&p)
            .unwrap()
            .contains("@2.000 gate off"));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert!(
            r.autosave_if_due(Instant::now() + AUTOSAVE_EVERY * 2)
                .unwrap()
                .is_none(),
            "nothing new since the last autosave"
        );
    }

    #[test]
    fn save_refuses_an_empty_recording() {
        let dir = tempfile::tempdir().unwrap();
        let r = Recorder::new();
        assert!(matches!(
            r.save("x", dir.path(), false),
            Err(SaveError::Empty)
        ));
    }
}
