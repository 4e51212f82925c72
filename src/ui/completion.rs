//! Tab completion of the word under the cursor from the vocabulary and parameter names,
//! shared by the TUI's input line and plain mode's rustyline prompt.
//!
//! Runs on the control thread (TUI) or plain mode's input thread.

/// The words that can complete, sorted and without repeats. Clones share the words, so a
/// prompt on another thread sees [`WordCompleter::replace`] (a word just taught with `define`).
#[derive(Clone, Debug, Default)]
pub struct WordCompleter {
    words: std::sync::Arc<std::sync::RwLock<Vec<String>>>,
}

/// The result of completing at a cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    /// Byte offset where the word being completed starts.
    pub start: usize,
    /// Every word that starts with what was typed, shortest first.
    pub candidates: Vec<String>,
}

impl Completion {
    /// The longest text every candidate starts with.
    pub fn common_prefix(&self) -> String {
        let Some(first) = self.candidates.first() else {
            return String::new();
        };
        let mut end = first.len();
        for c in &self.candidates[1..] {
            end = first
                .char_indices()
                .zip(c.chars())
                .find(|((_, a), b)| a != b)
                .map_or(end.min(c.len()), |((i, _), _)| i.min(end));
        }
        first[..end].to_string()
    }
}

impl WordCompleter {
    /// A completer over `words` (case is kept; matching ignores it).
    pub fn new(words: Vec<String>) -> Self {
        let completer = WordCompleter::default();
        completer.replace(words);
        completer
    }

    /// Completes from `words` from now on (in every clone).
    pub fn replace(&self, mut words: Vec<String>) {
        words.retain(|w| !w.is_empty());
        words.sort();
        words.dedup();
        // A poisoned lock still holds a usable list.
        *self.words.write().unwrap_or_else(|e| e.into_inner()) = words;
    }

    /// Candidates for the word that ends at byte `cursor` of `line`.
    pub fn complete(&self, line: &str, cursor: usize) -> Completion {
        let mut cursor = cursor.min(line.len());
        while !line.is_char_boundary(cursor) {
            cursor -= 1;
        }
        let start = line[..cursor]
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace() || matches!(c, ',' | ';'))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let prefix = line[start..cursor].to_lowercase();
        let mut candidates: Vec<String> = if prefix.is_empty() {
            Vec::new()
        } else {
            self.words
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .filter(|w| w.to_lowercase().starts_with(&prefix))
                .cloned()
                .collect()
        };
        // Shortest first: the word just typed most likely ends soon (`mi` → `mix` before
        // `milliseconds`), and long multi-word entries come last.
        candidates.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
        Completion { start, candidates }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn completer() -> WordCompleter {
        WordCompleter::new(
            [
                "filter",
                "filter.cutoff",
                "filter.res",
                "gate",
                "freq",
                "gate",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        )
    }

    #[test]
    fn the_word_before_the_cursor_is_completed() {
        let c = completer().complete("gate on, fil", 12);
        assert_eq!(c.start, 9);
        assert_eq!(c.candidates, vec!["filter", "filter.res", "filter.cutoff"]);
        assert_eq!(c.common_prefix(), "filter");
        let c = completer().complete("GA", 2);
        assert_eq!(c.candidates, vec!["gate"]);
    }

    #[test]
    fn short_words_come_before_long_phrases() {
        let c = WordCompleter::new(
            ["milliseconds", "minor third", "mix", "mid"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        );
        assert_eq!(
            c.complete("reverb mi", 9).candidates,
            vec!["mid", "mix", "minor third", "milliseconds"]
        );
    }

    #[test]
    fn nothing_is_offered_for_an_empty_word_or_an_unknown_one() {
        assert!(completer().complete("gate ", 5).candidates.is_empty());
        assert!(completer().complete("xyz", 3).candidates.is_empty());
        assert!(completer().complete("é", 1).candidates.is_empty());
    }

    #[test]
    fn the_common_prefix_stops_where_candidates_differ() {
        let c = Completion {
            start: 0,
            candidates: vec!["filter.cutoff".into(), "filter.res".into()],
        };
        assert_eq!(c.common_prefix(), "filter.");
    }
}
