//! Header lines of a session file: `tempo 120`, `rate 48000`, `seed 42`, each at most once,
//! before the first phrase or stamp.
//!
//! Runs on whichever thread reads a session file. May allocate.

use super::diagnostic::Diagnostic;
use super::stamp::parse_decimal;

/// The header lines of a session.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Header {
    /// `tempo N`: beats per minute for `@bar`/`@beat` stamps, also sent to the engine at 0 s.
    pub tempo: Option<f64>,
    /// The line of the `tempo` header (0 when there is none).
    pub tempo_line: usize,
    /// `rate N`: the sample rate to render at unless `--rate` is given.
    pub rate: Option<u32>,
    /// `seed N`: seed for anything random, so renders stay reproducible.
    pub seed: Option<u64>,
}

const KEYS: [&str; 3] = ["tempo", "rate", "seed"];

/// Reads line `number` (`text`, whose content starts at byte `start`) as a header line into
/// `header`; `seen[i]` remembers the line each key was set on. Returns `None` when the line
/// does not start with a header word (it is then a phrase).
pub(crate) fn read_header_line(
    header: &mut Header,
    seen: &mut [usize; 3],
    number: usize,
    text: &str,
    start: usize,
) -> Option<Result<(), Diagnostic>> {
    let words = word_starts(&text[start..]);
    let key = words.first()?.1.to_ascii_lowercase();
    let slot = KEYS.iter().position(|k| *k == key)?;
    let example = ["120", "44100", "42"][slot];
    let value = words.get(1).map(|&(at, w)| (start + at, w));
    let col = value.map_or(text.chars().count() + 1, |(at, _)| {
        text[..at].chars().count() + 1
    });
    let bad = |message: String| Some(Err(Diagnostic::new(number, col, message).with_source(text)));
    let Some((_, value)) = value else {
        return bad(format!(
            "the header line \"{key}\" needs a value, e.g. \"{key} {example}\""
        ));
    };
    let unit_ok = match (slot, words.get(2).map(|w| w.1.to_ascii_lowercase())) {
        (_, None) => true,
        (0, Some(u)) => u == "bpm",
        (1, Some(u)) => u == "hz",
        _ => false,
    };
    if !unit_ok || words.len() > 3 {
        return bad(format!(
            "a header line is \"{key} <number>\", e.g. \"{key} {example}\""
        ));
    }
    if seen[slot] != 0 {
        return bad(format!("{key} is already set on line {}", seen[slot]));
    }
    match slot {
        0 => match parse_decimal(value).filter(|t| (20.0..=300.0).contains(t)) {
            Some(t) => {
                header.tempo = Some(t);
                header.tempo_line = number;
            }
            None => {
                return bad(format!(
                    "tempo \"{value}\" must be a number of beats per minute from 20 to 300"
                ))
            }
        },
        1 => match value
            .parse::<u32>()
            .ok()
            .filter(|r| (8_000..=192_000).contains(r))
        {
            Some(r) => header.rate = Some(r),
            None => {
                return bad(format!(
                    "rate \"{value}\" must be a sample rate in Hz from 8000 to 192000"
                ))
            }
        },
        _ => match value.parse::<u64>() {
            Ok(s) => header.seed = Some(s),
            Err(_) => {
                return bad(format!(
                    "seed \"{value}\" must be a whole number from 0 to {}",
                    u64::MAX
                ))
            }
        },
    }
    seen[slot] = number;
    Some(Ok(()))
}

/// The words of `s` with their byte offsets.
fn word_starts(s: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(b)) => {
                out.push((b, &s[b..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(b) = start {
        out.push((b, &s[b..]));
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::session::format::parse_session;

    #[test]
    fn header_lines_are_checked_and_located_at_their_value() {
        for (text, col, needle) in [
            ("tempo 500\n@0 x", 7, "20 to 300"),
            ("tempo\n@0 x", 6, "needs a value"),
            ("rate 1000\n@0 x", 6, "8000"),
            ("seed -1\n@0 x", 6, "whole number"),
            ("tempo 120\n  tempo 90\n@0 x", 9, "already set on line 1"),
            ("tempo 120 fast\n@0 x", 7, "tempo <number>"),
        ] {
            let p = parse_session(text.as_bytes()).unwrap_err();
            assert!(p[0].message.contains(needle), "{text}: {}", p[0].message);
            assert_eq!(p[0].column, col, "{text}");
        }
        let s = parse_session(b"tempo 90 bpm\nrate 48000 Hz\nseed 7\n@0 x").unwrap();
        assert_eq!(s.tempo(), 90.0);
        assert_eq!(s.header.rate, Some(48_000));
        assert_eq!(s.header.seed, Some(7));
        assert_eq!(s.header.tempo_line, 1);
    }
}
