//! The line history shared by the TUI and plain mode: every non-empty line typed, oldest
//! first, persisted as one line per entry in the XDG data dir so it survives restarts.
//!
//! Runs on the control thread. File errors are logged and never stop the instrument.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Entries kept in memory and in the file.
pub const HISTORY_LIMIT: usize = 1000;

/// Lines longer than this (in bytes) are performed but not kept in the history.
pub const MAX_ENTRY_BYTES: usize = 4096;

/// Typed lines, oldest first.
#[derive(Clone, Debug, Default)]
pub struct LineHistory {
    entries: Vec<String>,
    file: Option<PathBuf>,
    // Lines in the file; it may grow to twice the limit before it is rewritten.
    file_lines: usize,
}

impl LineHistory {
    /// An empty history kept only in memory.
    pub fn in_memory() -> Self {
        LineHistory::default()
    }

    /// The history stored in `file` (missing or unreadable files start empty).
    pub fn load(file: &Path) -> Self {
        let mut entries: Vec<String> = match fs::read(file) {
            Ok(bytes) => String::from_utf8_lossy(&bytes)
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string)
                .collect(),
            Err(e) => {
                if e.kind() != std::io::ErrorKind::NotFound {
                    log::warn!("could not read history {}: {e}", file.display());
                }
                Vec::new()
            }
        };
        let file_lines = entries.len();
        let excess = entries.len().saturating_sub(HISTORY_LIMIT);
        entries.drain(..excess);
        LineHistory {
            entries,
            file: Some(file.to_path_buf()),
            file_lines,
        }
    }

    /// Entries, oldest first.
    pub fn entries(&self) -> &[String] {
        &self.entries
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry at `index` (0 = oldest).
    pub fn get(&self, index: usize) -> Option<&str> {
        self.entries.get(index).map(String::as_str)
    }

    /// Adds a line (not empty, not a repeat of the last one) and appends it to the file.
    pub fn push(&mut self, line: &str) {
        let line = line.trim();
        if line.is_empty()
            || line.len() > MAX_ENTRY_BYTES
            || self.entries.last().is_some_and(|l| l == line)
        {
            return;
        }
        // One entry per line in the file: anything that would split it is flattened.
        let line: String = line
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        self.entries.push(line.clone());
        if self.entries.len() > HISTORY_LIMIT {
            self.entries.remove(0);
        }
        if self.file_lines >= 2 * HISTORY_LIMIT {
            self.rewrite();
            self.file_lines = self.entries.len();
        } else {
            self.append(&line);
            self.file_lines += 1;
        }
    }

    /// The newest entry before `before` (exclusive) that contains `query`, searching back.
    pub fn search_back(&self, query: &str, before: usize) -> Option<usize> {
        let query = query.to_lowercase();
        self.entries[..before.min(self.entries.len())]
            .iter()
            .rposition(|e| e.to_lowercase().contains(&query))
    }

    fn append(&self, line: &str) {
        let Some(file) = &self.file else { return };
        let result = ensure_parent(file).and_then(|()| {
            let mut f = OpenOptions::new().create(true).append(true).open(file)?;
            writeln!(f, "{line}")
        });
        if let Err(e) = result {
            log::warn!("could not save history to {}: {e}", file.display());
        }
    }

    fn rewrite(&self) {
        let Some(file) = &self.file else { return };
        let mut text = self.entries.join("\n");
        text.push('\n');
        if let Err(e) = ensure_parent(file).and_then(|()| fs::write(file, text)) {
            log::warn!("could not save history to {}: {e}", file.display());
        }
    }
}

fn ensure_parent(file: &Path) -> std::io::Result<()> {
    match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => fs::create_dir_all(dir),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_survive_a_restart_and_repeats_are_kept_once() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sub/history");
        let mut h = LineHistory::load(&file);
        assert!(h.is_empty());
        h.push("gate on");
        h.push("gate on");
        h.push("  ");
        h.push("filter\ndarker");
        h.push(&"x".repeat(MAX_ENTRY_BYTES + 1));
        let again = LineHistory::load(&file);
        assert_eq!(again.entries(), &["gate on", "filter darker"]);
    }

    #[test]
    fn the_history_is_capped_and_the_file_follows() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("history");
        let mut h = LineHistory::load(&file);
        for i in 0..2 * HISTORY_LIMIT + 5 {
            h.push(&format!("freq {i}"));
        }
        assert_eq!(h.len(), HISTORY_LIMIT);
        let first = format!("freq {}", HISTORY_LIMIT + 5);
        assert_eq!(h.get(0), Some(first.as_str()));
        let again = LineHistory::load(&file);
        assert_eq!(again.entries(), h.entries());
        let file_lines = std::fs::read_to_string(&file).unwrap().lines().count();
        assert!(file_lines <= 2 * HISTORY_LIMIT, "{file_lines}");
    }

    #[test]
    fn search_goes_back_from_a_position() {
        let mut h = LineHistory::in_memory();
        for l in ["filter darker", "gate on", "filter brighter", "gate off"] {
            h.push(l);
        }
        assert_eq!(h.search_back("filt", 4), Some(2));
        assert_eq!(h.search_back("FILT", 2), Some(0));
        assert_eq!(h.search_back("filt", 0), None);
        assert_eq!(h.search_back("kazoo", 4), None);
    }
}
