//! Did-you-mean: the vocabulary word nearest to a mistyped one.
//!
//! Pure functions, used on the control thread.

/// The candidate closest to `word` by edit distance (ties: most similar by Jaro-Winkler, then
/// alphabetical), if the distance is small for the word's length.
pub fn closest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<String> {
    let word = word.to_lowercase();
    let max = match word.chars().count() {
        0..=1 => 0,
        2..=4 => 1,
        5..=8 => 2,
        _ => 3,
    };
    let mut best: Option<(usize, f64, &str)> = None;
    for c in candidates {
        let d = strsim::damerau_levenshtein(&word, c);
        if d == 0 || d > max {
            continue;
        }
        let sim = strsim::jaro_winkler(&word, c);
        let better = match best {
            None => true,
            Some((bd, bs, bc)) => d < bd || (d == bd && (sim > bs || (sim == bs && c < bc))),
        };
        if better {
            best = Some((d, sim, c));
        }
    }
    best.map(|(_, _, c)| c.to_string())
}
