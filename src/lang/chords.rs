//! Chord names: a root (`C`, `F#`, `Bb`, with an optional octave `C3`), a quality written on
//! the root (`Dm7`, `F#maj7`, `Cdim`) or as words (`C minor`, `G dominant 7`), and an
//! optional `inversion N`, `octave N` and `velocity V`. Pure functions.
//!
//! Runs on the control thread.

/// Every chord quality: its names (lower case, words joined by one space) and its intervals
/// in semitones above the root.
pub(crate) const QUALITIES: &[(&[&str], &[u8])] = &[
    (&["", "maj", "major", "triad"], &[0, 4, 7]),
    (&["m", "min", "minor", "-"], &[0, 3, 7]),
    (&["dim", "diminished", "o", "°"], &[0, 3, 6]),
    (&["aug", "augmented", "+"], &[0, 4, 8]),
    (&["sus2"], &[0, 2, 7]),
    (&["sus4", "sus"], &[0, 5, 7]),
    (&["5", "power"], &[0, 7]),
    (&["6", "maj6", "major 6", "major sixth"], &[0, 4, 7, 9]),
    (&["m6", "min6", "minor 6", "minor sixth"], &[0, 3, 7, 9]),
    (
        &[
            "7",
            "dom7",
            "dominant",
            "dominant 7",
            "seventh",
            "dominant seventh",
        ],
        &[0, 4, 7, 10],
    ),
    (
        &[
            "maj7",
            "ma7",
            "major 7",
            "major7",
            "major seventh",
            "Δ",
            "δ",
        ],
        &[0, 4, 7, 11],
    ),
    (
        &["m7", "min7", "minor 7", "minor7", "minor seventh", "-7"],
        &[0, 3, 7, 10],
    ),
    (
        &["dim7", "o7", "diminished 7", "diminished seventh"],
        &[0, 3, 6, 9],
    ),
    (
        &["m7b5", "ø", "half diminished", "half-diminished"],
        &[0, 3, 6, 10],
    ),
    (&["mmaj7", "minor major 7", "minormajor7"], &[0, 3, 7, 11]),
    (&["7sus4"], &[0, 5, 7, 10]),
    (&["add9"], &[0, 4, 7, 14]),
    (&["9", "dom9"], &[0, 4, 7, 10, 14]),
    (&["maj9"], &[0, 4, 7, 11, 14]),
    (&["m9", "min9"], &[0, 3, 7, 10, 14]),
];

/// The intervals of a quality name (`M7` is major, `m7` minor; other names ignore case).
pub(crate) fn quality(name: &str) -> Option<&'static [u8]> {
    let name = match name.strip_prefix('M') {
        Some(rest) if !rest.starts_with(['a', 'A', 'i', 'I']) => format!("maj{rest}"),
        _ => name.to_string(),
    };
    let name = name.to_lowercase();
    QUALITIES
        .iter()
        .find(|(names, _)| names.contains(&name.as_str()))
        .map(|(_, iv)| *iv)
}

/// Every quality name, for did-you-mean.
pub(crate) fn quality_names() -> impl Iterator<Item = &'static str> {
    QUALITIES
        .iter()
        .flat_map(|(names, _)| names.iter().copied())
        .filter(|n| !n.is_empty())
}

/// The one quality name within one edit of a mistyped one (`mnior` → `minor`).
pub(crate) fn quality_typo(name: &str) -> Option<&'static str> {
    if name.chars().count() < 3 {
        return None;
    }
    let lower = name.to_lowercase();
    let mut near = quality_names().filter(|q| q.len() >= 3 && strsim::osa_distance(&lower, q) == 1);
    match (near.next(), near.next()) {
        (Some(q), None) => Some(q),
        _ => None,
    }
}

/// A root at the start of `word`: its pitch class and the byte length it takes
/// (`F#maj7` → (6, 2); `Bbm` → (10, 2)). Letters A–G with `#`, `♯`, `b`, `♭`.
pub(crate) fn root(word: &str) -> Option<(i32, usize)> {
    let mut chars = word.char_indices();
    let (_, letter) = chars.next()?;
    let mut pc = match letter.to_ascii_lowercase() {
        'c' => 0,
        'd' => 2,
        'e' => 4,
        'f' => 5,
        'g' => 7,
        'a' => 9,
        'b' => 11,
        _ => return None,
    };
    let mut len = letter.len_utf8();
    for (i, c) in chars {
        match c {
            '#' | '♯' => pc += 1,
            'b' | '♭' => pc -= 1,
            _ => break,
        }
        len = i + c.len_utf8();
    }
    Some((pc, len))
}

/// The MIDI notes of a chord, lowest first, with `inversion` lowest notes moved up an octave.
pub(crate) fn chord_notes(root_midi: i32, intervals: &[u8], inversion: usize) -> Vec<i32> {
    let mut notes: Vec<i32> = intervals
        .iter()
        .map(|i| root_midi + i32::from(*i))
        .collect();
    for _ in 0..inversion {
        notes.sort_unstable();
        notes[0] += 12;
    }
    notes.sort_unstable();
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualities_read_like_lead_sheets() {
        assert_eq!(quality("m7"), Some(&[0u8, 3, 7, 10][..]));
        assert_eq!(quality("M7"), Some(&[0u8, 4, 7, 11][..]));
        assert_eq!(quality("maj7"), Some(&[0u8, 4, 7, 11][..]));
        assert_eq!(quality("minor"), Some(&[0u8, 3, 7][..]));
        assert_eq!(quality(""), Some(&[0u8, 4, 7][..]));
        assert_eq!(quality("mayor"), None);
        assert_eq!(root("F#maj7"), Some((6, 2)));
        assert_eq!(root("Bbm"), Some((10, 2)));
        assert_eq!(root("H"), None);
        assert_eq!(chord_notes(65, &[0, 4, 7, 11], 1), vec![69, 72, 76, 77]);
    }
}
