//! The running session's journal: every accepted line (typed, from OSC, from the session
//! player) appended to a file beside the autosaves as it is accepted, so a crash or `kill -9`
//! loses nothing that was accepted. Each line is written straight to the file (the kernel has
//! it at once, so killing the process loses nothing); the file is synced to disk at most once
//! a second and on a clean exit, which appends [`CLEAN_END`]. A journal without that end is
//! found at the next start (`unclean_journals`), read back line by line by `read_journal`
//! (problems located as FILE:LINE) and replayed by `chronus recover` or, from inside a
//! run, the `session recover` phrase ([`JournalFolder`]).
//!
//! The format is a session file (`@SECONDS phrase` lines and `#` comments), so a journal can
//! also be checked, played or rendered like any session.
//!
//! Runs on the control thread (appends) and at startup (scans). Never on the audio path.

use super::format::{EXTENSION, MAX_LINE_BYTES};
use crate::control::session_recover::{JournalSource, RecoveredLines};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The first line of every journal.
pub const HEADER: &str = "# chronus journal: the lines accepted in one run (chronus recover)";
/// The last line of a journal whose run ended cleanly.
pub const CLEAN_END: &str = "# clean end";
/// File names start with this.
pub const PREFIX: &str = "journal-";
/// A journal that was recovered is renamed to end with this, so it is not offered again.
pub const RECOVERED_SUFFIX: &str = ".recovered";
/// The longest gap between two syncs to disk while lines keep coming.
pub const SYNC_EVERY: Duration = Duration::from_secs(1);
/// At most this many lines are recovered from one journal; the rest are reported.
pub const MAX_RECOVERED_LINES: usize = 100_000;
/// At most this many problems are listed one by one; the rest are counted.
pub const MAX_LISTED_PROBLEMS: usize = 20;

/// An open journal being appended to.
#[derive(Debug)]
pub struct Journal {
    file: File,
    path: PathBuf,
    last_sync: Instant,
    unsynced: bool,
}

impl Journal {
    /// Creates this run's journal in `dir` (made if missing): `journal-<unix time>-<pid>.chronus`.
    pub fn create(dir: &Path) -> std::io::Result<Journal> {
        std::fs::create_dir_all(dir)?;
        prune_finished(dir);
        let stamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let path = dir.join(format!(
            "{PREFIX}{stamp}-{}.{EXTENSION}",
            std::process::id()
        ));
        let mut file = OpenOptions::new()
            .create_new(true)
            .append(true)
            .open(&path)?;
        file.write_all(format!("{HEADER}\n").as_bytes())?;
        file.sync_all()?;
        Ok(Journal {
            file,
            path,
            last_sync: Instant::now(),
            unsynced: false,
        })
    }

    /// The journal's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one accepted line, `at` since the run started. The line reaches the file
    /// before this returns; the file is synced to disk when the last sync is a second old.
    pub fn append(&mut self, at: Duration, text: &str) -> std::io::Result<()> {
        let line = format!("@{:.3} {}\n", at.as_secs_f64(), text.trim());
        self.file.write_all(line.as_bytes())?;
        self.unsynced = true;
        if self.last_sync.elapsed() >= SYNC_EVERY {
            self.sync()?;
        }
        Ok(())
    }

    /// Syncs what was appended to disk, if anything.
    pub fn sync(&mut self) -> std::io::Result<()> {
        if self.unsynced {
            self.file.sync_data()?;
            self.unsynced = false;
        }
        self.last_sync = Instant::now();
        Ok(())
    }

    /// Ends the journal cleanly (the run exited normally): nothing to recover next time.
    pub fn close_clean(mut self) -> std::io::Result<()> {
        self.file.write_all(format!("{CLEAN_END}\n").as_bytes())?;
        self.unsynced = true;
        self.sync()
    }
}

/// One problem found while reading a journal, located as FILE:LINE.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JournalProblem {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong and what was done about it.
    pub message: String,
}

/// What could be read back from a journal.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RecoveredJournal {
    /// The journal file.
    pub path: PathBuf,
    /// The accepted lines, in order, with their line numbers in the file.
    pub lines: Vec<(usize, String)>,
    /// Every problem, in file order (see [`MAX_LISTED_PROBLEMS`] for how they are shown).
    pub problems: Vec<JournalProblem>,
    /// True when the journal ends with [`CLEAN_END`].
    pub clean: bool,
}

impl RecoveredJournal {
    /// The problems as `FILE:LINE: message` lines, at most [`MAX_LISTED_PROBLEMS`] of them
    /// plus one line counting the rest.
    pub fn problem_lines(&self) -> Vec<String> {
        let file = self.path.display();
        let mut out: Vec<String> = self
            .problems
            .iter()
            .take(MAX_LISTED_PROBLEMS)
            .map(|p| format!("{file}:{}: {}", p.line, p.message))
            .collect();
        if self.problems.len() > MAX_LISTED_PROBLEMS {
            out.push(format!(
                "{file}: {} more problems not listed",
                self.problems.len() - MAX_LISTED_PROBLEMS
            ));
        }
        out
    }

    /// One line saying what could be recovered.
    pub fn summary(&self) -> String {
        format!(
            "{}: {} line{} recovered{}",
            self.path.display(),
            self.lines.len(),
            if self.lines.len() == 1 { "" } else { "s" },
            match self.problems.len() {
                0 => String::new(),
                1 => ", 1 problem".to_string(),
                n => format!(", {n} problems"),
            }
        )
    }
}

/// Reads a journal back: every well-formed `@SECONDS phrase` line is recovered; binary
/// garbage, lines that are not journal lines, over-long lines and a last line cut off in the
/// middle are reported with their line number and skipped. Never fails on content, only when
/// the file cannot be opened or read.
pub fn read_journal(path: &Path) -> std::io::Result<RecoveredJournal> {
    let mut reader = BufReader::new(File::open(path)?);
    let mut out = RecoveredJournal {
        path: path.to_path_buf(),
        ..RecoveredJournal::default()
    };
    let mut raw = Vec::new();
    let mut number = 0usize;
    let mut last_text_line = String::new();
    loop {
        raw.clear();
        // Read at most one line's worth plus one byte, so a file without newlines (or a
        // 100 MB line) is never read into memory whole.
        let limit = (MAX_LINE_BYTES + 16) as u64;
        let n = (&mut reader).take(limit).read_until(b'\n', &mut raw)?;
        if n == 0 {
            break;
        }
        number += 1;
        let mut problem = |message: String| {
            out.problems.push(JournalProblem {
                line: number,
                message,
            })
        };
        if raw.last() != Some(&b'\n') {
            if n as u64 == limit {
                problem(format!(
                    "a line longer than {MAX_LINE_BYTES} bytes; skipped"
                ));
                skip_rest_of_line(&mut reader)?;
                continue;
            }
            problem("the last line is cut off (chronus stopped while writing it); skipped".into());
            break;
        }
        raw.pop();
        if raw.last() == Some(&b'\r') {
            raw.pop();
        }
        let Ok(text) = std::str::from_utf8(&raw) else {
            problem("not text (binary garbage); skipped".into());
            continue;
        };
        let text = text.trim();
        last_text_line = text.to_string();
        if text.is_empty() || text.starts_with('#') {
            if number == 1 && text != HEADER {
                problem("no journal header; reading it anyway".into());
            }
            continue;
        }
        if number == 1 {
            problem("no journal header; reading it anyway".into());
        }
        match parse_journal_line(text) {
            Ok(phrase) => {
                if out.lines.len() == MAX_RECOVERED_LINES {
                    problem(format!(
                        "more than {MAX_RECOVERED_LINES} lines; the rest is not recovered"
                    ));
                    break;
                }
                out.lines.push((number, phrase.to_string()));
            }
            Err(message) => problem(message),
        }
    }
    out.clean = last_text_line == CLEAN_END;
    Ok(out)
}

/// The phrase of one `@SECONDS phrase` line.
fn parse_journal_line(text: &str) -> Result<&str, String> {
    let Some(rest) = text.strip_prefix('@') else {
        return Err(format!(
            "not a journal line (expected `@SECONDS phrase`): {}",
            shorten(text)
        ));
    };
    let (stamp, phrase) = rest.split_once(' ').unwrap_or((rest, ""));
    if !stamp
        .parse::<f64>()
        .is_ok_and(|s| s.is_finite() && s >= 0.0)
    {
        return Err(format!(
            "`@{}` is not a time in seconds; skipped",
            shorten(stamp)
        ));
    }
    let phrase = phrase.trim();
    if phrase.is_empty() {
        return Err("a time stamp without a phrase; skipped".into());
    }
    if phrase.chars().any(char::is_control) {
        return Err("control characters in the phrase; skipped".into());
    }
    Ok(phrase)
}

fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(MAX).collect::<String>())
    }
}

fn skip_rest_of_line(reader: &mut impl BufRead) -> std::io::Result<()> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|&b| b == b'\n') {
            Some(i) => {
                reader.consume(i + 1);
                return Ok(());
            }
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    }
}

/// Journals in `dir` that did not end cleanly, were not recovered yet and whose run is over
/// (no live process with their pid), newest first. A missing folder has none.
pub fn unclean_journals(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<(u64, PathBuf)> = entries
        .flatten()
        .map(|e| e.path())
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?.to_string();
            let stem = name
                .strip_prefix(PREFIX)?
                .strip_suffix(&format!(".{EXTENSION}"))?;
            let (stamp, pid) = stem.split_once('-')?;
            let stamp: u64 = stamp.parse().ok()?;
            let pid: u32 = pid.parse().ok()?;
            (!process_alive(pid) && !ends_clean(&path)).then_some((stamp, path))
        })
        .collect();
    found.sort_by(|a, b| b.cmp(a));
    found.into_iter().map(|(_, p)| p).collect()
}

/// True when a process with this pid runs (and is not this one's former self: pids recur,
/// so a live pid that is not a chronus counts as over).
fn process_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    match std::fs::read_to_string(format!("/proc/{pid}/comm")) {
        Ok(comm) => comm.trim().starts_with("chronus"),
        Err(_) => false,
    }
}

/// True when the file's last line is [`CLEAN_END`] (reads only its end).
fn ends_clean(path: &Path) -> bool {
    use std::io::{Seek, SeekFrom};
    let Ok(mut file) = File::open(path) else {
        return true;
    };
    let len = file.metadata().map_or(0, |m| m.len());
    let tail = (CLEAN_END.len() + 2) as u64;
    if file
        .seek(SeekFrom::Start(len.saturating_sub(tail)))
        .is_err()
    {
        return false;
    }
    let mut end = String::new();
    let _ = file.read_to_string(&mut end);
    end.trim_end().ends_with(CLEAN_END)
}

/// How many finished journals (ended cleanly or recovered) are kept; older ones are removed.
pub const FINISHED_KEPT: usize = 20;

/// Removes the oldest journals that ended cleanly or were recovered, keeping
/// [`FINISHED_KEPT`]. Journals that may still need recovering are never removed.
fn prune_finished(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut finished: Vec<(SystemTime, PathBuf)> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p
                .file_name()
                .map_or(String::new(), |n| n.to_string_lossy().into_owned());
            name.starts_with(PREFIX)
                && (name.ends_with(RECOVERED_SUFFIX)
                    || (name.ends_with(&format!(".{EXTENSION}")) && ends_clean(p)))
        })
        .filter_map(|p| Some((p.metadata().ok()?.modified().ok()?, p)))
        .collect();
    finished.sort();
    let excess = finished.len().saturating_sub(FINISHED_KEPT);
    for (_, p) in finished.into_iter().take(excess) {
        let _ = std::fs::remove_file(p);
    }
}

/// Marks a journal as recovered (renames it to end with [`RECOVERED_SUFFIX`]); returns the
/// new name.
pub fn mark_recovered(path: &Path) -> std::io::Result<PathBuf> {
    let mut name = path.as_os_str().to_owned();
    name.push(RECOVERED_SUFFIX);
    let to = PathBuf::from(name);
    std::fs::rename(path, &to)?;
    Ok(to)
}

/// The one line a start prints when an unclean journal is found.
pub fn recovery_hint(path: &Path) -> String {
    format!(
        "the last run ended without a clean exit; its lines are in {} — get them back with `chronus recover` (or type `session recover`)",
        path.display()
    )
}

/// The journals in one folder, as the `session recover` phrase reads them.
#[derive(Clone, Debug)]
pub struct JournalFolder {
    dir: PathBuf,
}

impl JournalFolder {
    /// The journals in `dir` (the autosave folder).
    pub fn new(dir: PathBuf) -> JournalFolder {
        JournalFolder { dir }
    }
}

impl JournalSource for JournalFolder {
    /// Reads `file` or the newest unclean journal of a finished run; a journal (a file named
    /// `journal-…`) is marked recovered so it is not offered again. Any other file is only
    /// read, never renamed or written.
    fn recover(&mut self, file: Option<&Path>) -> Result<RecoveredLines, String> {
        let path = match file {
            Some(p) => p.to_path_buf(),
            None => unclean_journals(&self.dir)
                .into_iter()
                .next()
                .ok_or_else(|| {
                    format!(
                        "nothing to recover: every journal in {} ended cleanly or was recovered",
                        self.dir.display()
                    )
                })?,
        };
        let read =
            read_journal(&path).map_err(|e| format!("could not read {}: {e}", path.display()))?;
        let mut notes = read.problem_lines();
        notes.push(read.summary());
        if read.lines.is_empty() {
            return Err(format!(
                "{}; {} holds no line to recover",
                notes.join("; "),
                path.display()
            ));
        }
        let is_journal = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with(PREFIX));
        let file = if is_journal {
            match mark_recovered(&path) {
                Ok(moved) => moved,
                Err(e) => {
                    notes.push(format!(
                        "could not mark {} as recovered ({e}); it will be offered again",
                        path.display()
                    ));
                    path
                }
            }
        } else {
            path
        };
        Ok(RecoveredLines {
            file,
            lines: read.lines,
            notes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    #[test]
    fn appended_lines_are_in_the_file_at_once_and_a_clean_close_marks_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::create(dir.path()).unwrap();
        j.append(Duration::from_millis(1500), "osc saw").unwrap();
        j.append(Duration::from_secs(2), "chord C").unwrap();
        let path = j.path().to_path_buf();
        // Read while still open, as after a kill -9.
        let r = read_journal(&path).unwrap();
        assert_eq!(
            r.lines,
            vec![(2, "osc saw".to_string()), (3, "chord C".to_string())]
        );
        assert!(!r.clean && r.problems.is_empty(), "{r:?}");
        j.close_clean().unwrap();
        assert!(read_journal(&path).unwrap().clean);
    }

    #[test]
    fn only_journals_of_runs_that_ended_badly_are_offered() {
        let dir = tempfile::tempdir().unwrap();
        let dead = 999_999_999u32; // beyond pid_max: never a live process
        let unclean = write(
            dir.path(),
            &format!("journal-200-{dead}.chronus"),
            format!("{HEADER}\n@0.000 osc saw\n").as_bytes(),
        );
        write(
            dir.path(),
            &format!("journal-100-{dead}.chronus"),
            format!("{HEADER}\n@0.000 osc saw\n{CLEAN_END}\n").as_bytes(),
        );
        write(dir.path(), "autosave-1-2.chronus", b"@0 osc saw\n");
        let mine = Journal::create(dir.path()).unwrap();
        assert_eq!(unclean_journals(dir.path()), vec![unclean.clone()]);
        let moved = mark_recovered(&unclean).unwrap();
        assert!(moved.to_string_lossy().ends_with(".chronus.recovered"));
        assert!(unclean_journals(dir.path()).is_empty());
        drop(mine);
        assert!(unclean_journals(&dir.path().join("missing")).is_empty());
    }

    #[test]
    fn garbage_and_a_cut_off_last_line_are_located_and_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = format!("{HEADER}\n@0.000 osc saw\n").into_bytes();
        bytes.extend_from_slice(b"\xff\xfe\x00garbage\n");
        bytes.extend_from_slice(b"hello there\n");
        bytes.extend_from_slice(b"@abc chord C\n");
        bytes.extend_from_slice(b"@1.000 chord F\n");
        bytes.extend_from_slice(b"@1.5 tempo 1");
        let path = write(dir.path(), "j.chronus", &bytes);
        let r = read_journal(&path).unwrap();
        assert_eq!(
            r.lines,
            vec![(2, "osc saw".to_string()), (6, "chord F".to_string())]
        );
        let lines: Vec<usize> = r.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [3, 4, 5, 7]);
        let shown = r.problem_lines();
        assert!(shown[0].starts_with(&format!("{}:3: not text", path.display())));
        assert!(shown[3].contains("cut off"));
        assert!(r.summary().ends_with("2 lines recovered, 4 problems"));
    }

    #[test]
    fn a_huge_line_without_newlines_is_reported_not_loaded() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = format!("{HEADER}\n@0.000 osc saw\n").into_bytes();
        bytes.extend(std::iter::repeat_n(b'x', 5 * 1024 * 1024));
        bytes.extend_from_slice(b"\n@1.000 chord C\n");
        let path = write(dir.path(), "big.chronus", &bytes);
        let r = read_journal(&path).unwrap();
        assert_eq!(
            r.lines,
            vec![(2, "osc saw".to_string()), (4, "chord C".to_string())]
        );
        assert_eq!(r.problems.len(), 1);
        assert!(r.problems[0].message.contains("longer than"));
    }
}
