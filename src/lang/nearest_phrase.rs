//! The nearest whole phrase that works, for a line that is refused without a did-you-mean:
//! `make it purple` → `make it darker`, `turn up the zorp` → `turn up the reverb`. The
//! candidates are the example lines of the grammar (`grammar/examples.txt`, each of which a
//! test resolves); the nearest by edit distance over the whole line is suggested when it is
//! close enough to be a plausible reading and shares at least one word with the line.
//!
//! Runs on the control thread. May allocate.

/// The grammar's example lines (one phrase each; comments and teaching lines left out).
const EXAMPLES: &str = include_str!("../../grammar/examples.txt");

/// How alike (0..1, normalized Damerau-Levenshtein) a line and an example must be.
const MIN_LIKENESS: f64 = 0.55;

/// Lines shorter than this (in characters) get no whole-phrase suggestion: too little to go on.
const MIN_CHARS: usize = 5;

/// The example phrase nearest to `line`, if one is close enough.
pub(crate) fn nearest_phrase(line: &str) -> Option<&'static str> {
    let typed = line.trim().to_lowercase();
    if typed.chars().count() < MIN_CHARS {
        return None;
    }
    EXAMPLES
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter(|l| {
            let first = l.split_whitespace().next().unwrap_or("");
            !matches!(first, "define" | "forget" | "words")
        })
        // It must share a word with the line: `pattern` is not "near" `wetter`.
        .filter(|l| {
            l.to_lowercase()
                .split_whitespace()
                .any(|w| typed.split_whitespace().any(|t| t == w))
        })
        .map(|l| {
            (
                l,
                strsim::normalized_damerau_levenshtein(&typed, &l.to_lowercase()),
            )
        })
        .filter(|&(_, likeness)| likeness >= MIN_LIKENESS)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(l, _)| l)
}

#[cfg(test)]
mod tests {
    use super::nearest_phrase;

    #[test]
    fn a_refused_line_gets_the_nearest_example() {
        let near = nearest_phrase("make it purple").unwrap_or("");
        assert!(near.starts_with("make it"), "{near}");
        assert_eq!(nearest_phrase("asdf"), None, "too short to guess");
        assert_eq!(
            nearest_phrase("qwerty uiop zxcvbnm lorem"),
            None,
            "nothing near"
        );
    }
}
