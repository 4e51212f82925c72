//! The vocabulary: words → parameters, describing words, intensities, note names and verbs,
//! loaded from TOML (`vocab/*.toml` embedded in the binary, plus user folders that add or
//! override words). The format is documented in `vocab/README.md`.
//!
//! Runs on the control thread, once at start (loading) and on every phrase (lookups).

pub use crate::lang::words::{Describe, Direction, Step, StepOp, Verb, WordClass};

mod check;
mod closest;
mod error;
mod file;
mod schema;

pub use closest::closest;
pub use error::VocabError;
pub(crate) use schema::{modules, MAX_KEY_WORDS};

use crate::engine::params::ParamId;
use file::parse_vocab_file;
use schema::VocabDelta;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// The embedded default vocabulary files, in load order.
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    ("params.toml", include_str!("../../../vocab/params.toml")),
    (
        "describe.toml",
        include_str!("../../../vocab/describe.toml"),
    ),
    (
        "intensity.toml",
        include_str!("../../../vocab/intensity.toml"),
    ),
    ("pitch.toml", include_str!("../../../vocab/pitch.toml")),
    ("verbs.toml", include_str!("../../../vocab/verbs.toml")),
    ("timbre.toml", include_str!("../../../vocab/timbre.toml")),
    ("terms.toml", include_str!("../../../vocab/terms.toml")),
    ("rhythm.toml", include_str!("../../../vocab/rhythm.toml")),
];

/// Every word chronus understands, with its meaning.
#[derive(Clone, Debug, Default)]
pub struct Vocabulary {
    words: HashMap<String, WordClass>,
    longest: usize,
    module_defaults: HashMap<&'static str, ParamId>,
    param_words: HashMap<(&'static str, String), ParamId>,
    more: HashMap<ParamId, (StepOp, f32)>,
    floors: HashMap<ParamId, f32>,
    notes: HashMap<String, i32>,
    accidentals: Vec<(String, i32)>,
}

impl Vocabulary {
    /// The built-in vocabulary embedded from `vocab/*.toml`.
    pub fn builtin() -> Vocabulary {
        Vocabulary::builtin_checked().0
    }

    /// The built-in vocabulary and any errors or word clashes in it (a test keeps it empty).
    pub fn builtin_checked() -> (Vocabulary, Vec<String>) {
        let mut v = Vocabulary::with_canonical_names();
        let mut problems = Vec::new();
        for (name, text) in BUILTIN_FILES {
            let path = Path::new("<builtin>").join(name);
            match parse_vocab_file(&path, text) {
                Ok(delta) => problems.extend(v.merge(delta)),
                Err(errors) => problems.extend(errors.iter().map(ToString::to_string)),
            }
        }
        (v, problems)
    }

    /// The built-in vocabulary with every `*.toml` file of `dirs` merged over it, in order
    /// (files sorted by name within a folder; later files win). A file with any error is
    /// skipped as a whole and reported; the rest still loads.
    pub fn load_with_overrides(dirs: &[PathBuf]) -> (Vocabulary, Vec<VocabError>) {
        let mut v = Vocabulary::builtin();
        let mut errors = Vec::new();
        for dir in dirs {
            let entries = match std::fs::read_dir(dir) {
                Ok(e) => e,
                Err(e) => {
                    errors.push(VocabError {
                        file: dir.clone(),
                        line: 0,
                        key: "(folder)".into(),
                        message: format!("cannot read the vocabulary folder: {e}"),
                    });
                    continue;
                }
            };
            let mut files: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            files.sort();
            for file in files {
                match v.merge_file(&file) {
                    Ok(()) => {}
                    Err(mut e) => errors.append(&mut e),
                }
            }
        }
        (v, errors)
    }

    /// Merges one vocabulary file over this vocabulary; on any error nothing is merged.
    pub fn merge_file(&mut self, file: &Path) -> Result<(), Vec<VocabError>> {
        let text = std::fs::read_to_string(file).map_err(|e| {
            vec![VocabError {
                file: file.to_path_buf(),
                line: 0,
                key: "(file)".into(),
                message: format!("cannot read: {e}"),
            }]
        })?;
        self.merge_text(file, &text)
    }

    /// Merges vocabulary TOML `text` (named `file` in errors) over this vocabulary.
    pub fn merge_text(&mut self, file: &Path, text: &str) -> Result<(), Vec<VocabError>> {
        let delta = parse_vocab_file(file, text)?;
        self.merge(delta);
        Ok(())
    }

    /// Canonical module names are always words, and each parameter's own name is always a
    /// word after its module (`filter cutoff`, `env attack`).
    fn with_canonical_names() -> Vocabulary {
        let mut v = Vocabulary {
            longest: 1,
            ..Vocabulary::default()
        };
        // A module named like a choice word (`noise`, also a waveform) leaves the word to
        // the choice; its phrases have a rule of their own (`noise level -18 db`).
        let is_choice_word = |m: &str| ParamId::ALL.iter().any(|p| p.spec().choices.contains(&m));
        for m in modules().filter(|m| !is_choice_word(m)) {
            v.words.insert(m.to_string(), WordClass::Module(m));
        }
        for &p in ParamId::ALL {
            let spec = p.spec();
            v.param_words
                .insert((spec.module(), spec.param().to_string()), p);
        }
        v
    }

    /// Merges a validated file; a word defined again replaces its earlier meaning. Returns a
    /// description of every replaced meaning (used to keep the built-in files clash-free).
    fn merge(&mut self, delta: VocabDelta) -> Vec<String> {
        let mut clashes = Vec::new();
        for (word, class) in delta.words {
            self.longest = self.longest.max(word.split(' ').count()).min(MAX_KEY_WORDS);
            if let Some(old) = self.words.insert(word.clone(), class.clone()) {
                if old != class {
                    clashes.push(format!("\"{word}\": {old:?} replaced by {class:?}"));
                }
            }
        }
        for (m, p) in delta.module_defaults {
            self.module_defaults.insert(m, p);
        }
        for (m, w, p) in delta.param_words {
            self.param_words.insert((m, w), p);
        }
        for (p, op, step) in delta.more {
            self.more.insert(p, (op, step));
        }
        for (p, f) in delta.floors {
            self.floors.insert(p, f);
        }
        for (n, pc) in delta.notes {
            self.notes.insert(n, pc);
        }
        for (a, n) in delta.accidentals {
            self.accidentals.retain(|(x, _)| *x != a);
            self.accidentals.push((a, n));
        }
        // Longest accidental first, so that "##" wins over "#".
        self.accidentals
            .sort_by_key(|a| std::cmp::Reverse(a.0.chars().count()));
        clashes
    }

    /// The meaning of a (lower-case, single-spaced) word or multi-word entry.
    pub fn lookup(&self, word: &str) -> Option<&WordClass> {
        self.words.get(word)
    }

    /// The most words an entry has (`a little bit` → 3).
    pub fn longest_entry(&self) -> usize {
        self.longest
    }

    /// The parameter a bare module name means (`filter` → `filter.cutoff`).
    pub fn module_default(&self, module: &str) -> Option<ParamId> {
        self.module_defaults.get(module).copied()
    }

    /// The parameter `word` names right after `module` (`filter` + `freq` → `filter.cutoff`).
    pub fn param_in_module(&self, module: &'static str, word: &str) -> Option<ParamId> {
        self.param_words.get(&(module, word.to_string())).copied()
    }

    /// The parameter words of a module, sorted (for help and suggestions).
    pub fn module_param_words(&self, module: &str) -> Vec<String> {
        let mut w: Vec<String> = self
            .param_words
            .iter()
            .filter(|((m, _), _)| *m == module)
            .map(|((_, w), _)| w.clone())
            .collect();
        w.sort();
        w
    }

    /// The step of `more <param>` (`less` applies the inverse op).
    pub fn more_step(&self, param: ParamId) -> Option<(StepOp, f32)> {
        self.more.get(&param).copied()
    }

    /// Where a multiplying step starts when the value is 0 or below.
    pub fn floor(&self, param: ParamId) -> f32 {
        self.floors
            .get(&param)
            .copied()
            .unwrap_or_else(|| param.spec().min.max(0.001))
    }

    /// A note written as one word — name, accidentals, octave (`A3`, `c#4`, `Bb`, `sol3`) — as
    /// a MIDI number (may be outside 0..=127; the caller checks). Without an octave, octave 4.
    pub fn parse_note(&self, word: &str) -> Option<i32> {
        let lower = word.to_lowercase();
        let digits_at = lower
            .find(|c: char| c.is_ascii_digit() || c == '-')
            .unwrap_or(lower.len());
        let (name_part, octave_part) = lower.split_at(digits_at);
        let octave: i32 = if octave_part.is_empty() {
            4
        } else {
            let o: i32 = octave_part.parse().ok()?;
            if !(-1..=9).contains(&o) {
                return None;
            }
            o
        };
        // Longest note name that leaves only accidentals behind.
        let mut best = None;
        for (name, &pc) in &self.notes {
            if let Some(rest) = name_part.strip_prefix(name.as_str()) {
                if let Some(acc) = self.accidentals_of(rest) {
                    if best.is_none_or(|(len, _)| name.len() > len) {
                        best = Some((name.len(), pc + acc));
                    }
                }
            }
        }
        best.map(|(_, pitch)| (octave + 1) * 12 + pitch)
    }

    /// The semitone sum of a run of accidentals (`#`, `bb`, `♯`), or None if `s` is not one.
    fn accidentals_of(&self, mut s: &str) -> Option<i32> {
        let mut total = 0;
        while !s.is_empty() {
            let (a, n) = self
                .accidentals
                .iter()
                .find(|(a, _)| s.starts_with(a.as_str()))?;
            total += n;
            s = &s[a.len()..];
            if total.abs() > 2 {
                return None;
            }
        }
        Some(total)
    }

    /// Every word and multi-word entry, canonical parameter names and note names, sorted —
    /// for Tab completion.
    pub fn completion_words(&self) -> Vec<String> {
        let mut set: BTreeSet<String> = self.words.keys().cloned().collect();
        set.extend(self.param_words.keys().map(|(_, w)| w.clone()));
        set.extend(ParamId::ALL.iter().map(|p| p.name().to_string()));
        set.extend(crate::lang::units::UNIT_WORDS.iter().map(|s| s.to_string()));
        set.into_iter().collect()
    }

    /// The vocabulary word closest to `word` (by edit distance), if it is close enough to be
    /// a likely typo. `extra` adds candidates (help topics, ...).
    pub fn suggest(&self, word: &str, extra: &[String]) -> Option<String> {
        let candidates = self
            .words
            .keys()
            .chain(self.param_words.keys().map(|(_, w)| w))
            .map(String::as_str)
            .chain(ParamId::ALL.iter().map(|p| p.name()))
            .chain(crate::lang::units::UNIT_WORDS.iter().copied())
            .chain(extra.iter().map(String::as_str));
        closest(word, candidates)
    }

    /// Every one-word entry and parameter word (candidates for typo correction).
    pub fn single_words(&self) -> Vec<String> {
        let mut w: Vec<String> = self
            .words
            .keys()
            .chain(self.param_words.keys().map(|(_, w)| w))
            .filter(|w| !w.contains(' '))
            .cloned()
            .collect();
        w.sort();
        w.dedup();
        w
    }

    /// All words of one class, sorted (for help): e.g. every describing word.
    pub fn words_where(&self, pred: impl Fn(&WordClass) -> bool) -> Vec<(String, WordClass)> {
        let mut w: Vec<(String, WordClass)> = self
            .words
            .iter()
            .filter(|(_, c)| pred(c))
            .map(|(w, c)| (w.clone(), c.clone()))
            .collect();
        w.sort_by(|a, b| a.0.cmp(&b.0));
        w
    }
}

/// The environment variable that moves the user vocabulary folder (tests use it).
pub const VOCAB_DIR_VAR: &str = "CHRONUS_VOCAB_DIR";

/// The user vocabulary folder: `$CHRONUS_VOCAB_DIR` if set, else the XDG config folder's
/// `vocab/` (`~/.config/chronus/vocab`). It also keeps the taught words
/// (`definitions.txt`, see `lang/definitions.rs`). It may not exist yet.
pub fn user_vocab_dir() -> Option<PathBuf> {
    std::env::var_os(VOCAB_DIR_VAR)
        .map(PathBuf::from)
        .or_else(|| {
            directories::ProjectDirs::from("", "", "chronus").map(|p| p.config_dir().join("vocab"))
        })
}

/// The folders to read user vocabulary from: the user vocabulary folder (when it exists,
/// see [`user_vocab_dir`]), then `extra` (from `--vocab`), so command-line folders win.
pub fn user_vocab_dirs(extra: &[PathBuf]) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(d) = user_vocab_dir() {
        if d.is_dir() {
            dirs.push(d);
        }
    }
    dirs.extend(extra.iter().cloned());
    dirs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_vocabulary_loads_without_errors_or_clashes() {
        let (v, problems) = Vocabulary::builtin_checked();
        assert!(problems.is_empty(), "{problems:#?}");
        assert!(matches!(v.lookup("darker"), Some(WordClass::Describe(_))));
        assert_eq!(v.lookup("a bit"), Some(&WordClass::Intensity(0.5)));
        assert_eq!(
            v.lookup("lpf"),
            Some(&WordClass::Choice(ParamId::FilterMode, 0))
        );
        assert_eq!(v.module_default("filter"), Some(ParamId::FilterCutoff));
        assert_eq!(
            v.param_in_module("filter", "freq"),
            Some(ParamId::FilterCutoff)
        );
        assert_eq!(v.param_in_module("delay", "time"), Some(ParamId::DelayTime));
        assert_eq!(v.longest_entry(), 4, "four on the floor");
    }

    #[test]
    fn notes_parse_with_accidentals_and_octaves() {
        let v = Vocabulary::builtin();
        assert_eq!(v.parse_note("A3"), Some(57));
        assert_eq!(v.parse_note("a4"), Some(69));
        assert_eq!(v.parse_note("C#4"), Some(61));
        assert_eq!(v.parse_note("Bb2"), Some(46));
        assert_eq!(v.parse_note("b"), Some(71));
        assert_eq!(v.parse_note("sol3"), Some(55));
        assert_eq!(v.parse_note("c♯4"), Some(61));
        assert_eq!(v.parse_note("h3"), None);
        assert_eq!(v.parse_note("c#x"), None);
        assert_eq!(v.parse_note("c99"), None);
    }

    #[test]
    fn suggestions_find_close_words_only() {
        let v = Vocabulary::builtin();
        assert_eq!(v.suggest("fliter", &[]).as_deref(), Some("filter"));
        assert_eq!(v.suggest("darkr", &[]).as_deref(), Some("darker"));
        assert_eq!(v.suggest("xylophone", &[]), None);
    }

    #[test]
    fn completion_lists_words_params_and_units() {
        let w = Vocabulary::builtin().completion_words();
        for needle in ["darker", "filter.cutoff", "a bit", "ms", "undo"] {
            assert!(w.iter().any(|x| x == needle), "{needle}");
        }
        assert!(w.windows(2).all(|p| p[0] < p[1]), "sorted and unique");
    }
}
