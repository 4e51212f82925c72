//! Time stamps at the start of a session line: `@12.5`, `@1:30`, `@bar 4`, `@bar 4 beat 3`,
//! `@beat 3.5`, and relative `@+0.5`, `@+1 beat`, `@+2 bars`.
//!
//! Runs on whichever thread reads a session file. May allocate.

use std::ops::Range;

/// Beats in one bar (sessions are in 4/4).
pub const BEATS_PER_BAR: f64 = 4.0;

/// When a line happens, as written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Stamp {
    /// Seconds from the start of the session.
    Seconds(f64),
    /// Bar and beat, both counted from 1 (`@bar 1` is the start).
    BarBeat {
        /// The bar, from 1 (fractions allowed: `@bar 2.5` is halfway through bar 2).
        bar: f64,
        /// The beat within the bar, from 1.
        beat: f64,
    },
    /// Beat counted from 1 (`@beat 1` is the start).
    Beat(f64),
    /// Seconds after the previous line.
    AfterSeconds(f64),
    /// Beats after the previous line.
    AfterBeats(f64),
}

impl Stamp {
    /// The time in seconds from the start, given the session tempo and the previous line's time.
    pub fn seconds(self, tempo_bpm: f64, previous: f64) -> f64 {
        let beat = 60.0 / tempo_bpm;
        match self {
            Stamp::Seconds(s) => s,
            Stamp::BarBeat { bar, beat: b } => ((bar - 1.0) * BEATS_PER_BAR + (b - 1.0)) * beat,
            Stamp::Beat(b) => (b - 1.0) * beat,
            Stamp::AfterSeconds(s) => previous + s,
            Stamp::AfterBeats(b) => previous + b * beat,
        }
    }
}

/// A stamp that could not be read: what is wrong and where (byte range in the line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StampError {
    /// Byte range of the offending text.
    pub span: Range<usize>,
    /// What is wrong.
    pub message: String,
}

/// The words of `text` with their byte ranges.
fn words(text: &str) -> Vec<(Range<usize>, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s..i, &text[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s..text.len(), &text[s..]));
    }
    out
}

/// A plain decimal number: digits with at most one `.`, no sign, no exponent.
pub fn parse_decimal(s: &str) -> Option<f64> {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    let dots = s.chars().filter(|&c| c == '.').count();
    if digits == 0 || dots > 1 || digits + dots != s.len() || s.len() > 24 {
        return None;
    }
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

const STAMP_FORMS: &str = "@12.5, @1:30, @bar 4, @bar 4 beat 3, @beat 3.5, @+0.5 or @+1 beat";

/// Reads the stamp at the start of `line` (which starts with `@`). Returns the stamp and the
/// byte offset where the phrase after it begins (the line's length if there is none).
pub fn parse_stamp(line: &str) -> Result<(Stamp, usize), StampError> {
    let ws = words(line);
    let Some((first_span, first)) = ws.first().cloned() else {
        return Err(err(0..line.len(), "empty line"));
    };
    let body = &first[1..];
    let body_start = first_span.start + 1;
    let next = |i: usize| ws.get(i).cloned();
    let rest_from = |i: usize| ws.get(i).map_or(line.len(), |(r, _)| r.start);
    let number_at = |i: usize, what: &str| -> Result<f64, StampError> {
        match next(i) {
            Some((span, w)) => parse_decimal(w).ok_or_else(|| {
                err(
                    span,
                    format!("\"{w}\" is not a {what}; expected a number like 4 or 2.5"),
                )
            }),
            None => Err(err(
                line.len()..line.len(),
                format!("the {what} is missing; expected a number after it"),
            )),
        }
    };
    let from_one = |v: f64, span: Range<usize>, what: &str| -> Result<f64, StampError> {
        if v < 1.0 {
            Err(err(
                span,
                format!("{what}s count from 1 (@{what} 1 is the start)"),
            ))
        } else {
            Ok(v)
        }
    };
    if body.is_empty() {
        return Err(err(
            first_span,
            format!("a lone \"@\"; time stamps look like {STAMP_FORMS}"),
        ));
    }
    let lower = body.to_ascii_lowercase();
    match lower.as_str() {
        "bar" | "bars" => {
            let bar = from_one(number_at(1, "bar")?, span_of(&ws, 1), "bar")?;
            match next(2) {
                Some((_, w)) if w.eq_ignore_ascii_case("beat") => {
                    let beat = from_one(number_at(3, "beat")?, span_of(&ws, 3), "beat")?;
                    if beat >= BEATS_PER_BAR + 1.0 {
                        return Err(err(
                            span_of(&ws, 3),
                            format!("a bar has {BEATS_PER_BAR} beats; beat {beat} is past it"),
                        ));
                    }
                    Ok((Stamp::BarBeat { bar, beat }, rest_from(4)))
                }
                _ => Ok((Stamp::BarBeat { bar, beat: 1.0 }, rest_from(2))),
            }
        }
        "beat" | "beats" => {
            let beat = from_one(number_at(1, "beat")?, span_of(&ws, 1), "beat")?;
            Ok((Stamp::Beat(beat), rest_from(2)))
        }
        _ if lower.starts_with('+') => {
            let amount = &body[1..];
            let amount_span = body_start + 1..first_span.end;
            let (number, seconds_suffix) = match amount.strip_suffix(['s', 'S']) {
                Some(n) => (n, true),
                None => (amount, false),
            };
            let v = parse_decimal(number).ok_or_else(|| {
                err(
                    amount_span,
                    format!("\"{amount}\" after \"@+\" is not a number; try @+0.5 or @+1 beat"),
                )
            })?;
            match next(1) {
                Some((_, unit)) if !seconds_suffix => {
                    match unit.to_ascii_lowercase().as_str() {
                        "beat" | "beats" => return Ok((Stamp::AfterBeats(v), rest_from(2))),
                        "bar" | "bars" => {
                            return Ok((Stamp::AfterBeats(v * BEATS_PER_BAR), rest_from(2)))
                        }
                        "s" | "sec" | "secs" | "second" | "seconds" => {
                            return Ok((Stamp::AfterSeconds(v), rest_from(2)))
                        }
                        _ => {}
                    }
                    Ok((Stamp::AfterSeconds(v), rest_from(1)))
                }
                _ => Ok((Stamp::AfterSeconds(v), rest_from(1))),
            }
        }
        _ => {
            let seconds = parse_clock(body).ok_or_else(|| {
                err(
                    first_span.clone(),
                    format!("\"{first}\" is not a time stamp; time stamps look like {STAMP_FORMS}"),
                )
            })?;
            Ok((Stamp::Seconds(seconds), rest_from(1)))
        }
    }
}

/// A point in a session given without the `@` (`30`, `30s`, `1:30`, `bar 9`, `beat 17`), as
/// seconds from the start at `tempo_bpm`; used for `chronus play --from`.
pub fn parse_offset(text: &str, tempo_bpm: f64) -> Result<f64, String> {
    let stamped = format!("@{}", text.trim());
    match parse_stamp(&stamped) {
        Ok((stamp, rest)) if stamped[rest..].trim().is_empty() => Ok(stamp.seconds(tempo_bpm, 0.0)),
        Ok(_) => Err(format!(
            "\"{text}\" is more than one time; try 30s, 1:30 or \"bar 9\""
        )),
        Err(e) => Err(e.message),
    }
}

/// `12.5`, `12.5s` or `1:30.5` (minutes:seconds) as seconds.
fn parse_clock(s: &str) -> Option<f64> {
    let s = s.strip_suffix(['s', 'S']).unwrap_or(s);
    match s.split_once(':') {
        Some((m, sec)) => {
            let minutes = parse_decimal(m).filter(|m| m.fract() == 0.0)?;
            let seconds = parse_decimal(sec).filter(|s| *s < 60.0)?;
            Some(minutes * 60.0 + seconds)
        }
        None => parse_decimal(s),
    }
}

fn span_of(ws: &[(Range<usize>, &str)], i: usize) -> Range<usize> {
    ws.get(i).map_or(0..0, |(r, _)| r.clone())
}

fn err(span: Range<usize>, message: impl Into<String>) -> StampError {
    StampError {
        span,
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: &str) -> (f64, &str) {
        let (stamp, rest) = parse_stamp(line).unwrap();
        (stamp.seconds(120.0, 10.0), &line[rest..])
    }

    #[test]
    fn every_stamp_form_gives_its_time_and_the_phrase_after_it() {
        assert_eq!(at("@12.5 gate on"), (12.5, "gate on"));
        assert_eq!(at("@12.5s gate on"), (12.5, "gate on"));
        assert_eq!(at("@1:30 gate on"), (90.0, "gate on"));
        assert_eq!(at("@bar 1 gate on"), (0.0, "gate on"));
        assert_eq!(at("@bar 4 note C2"), (6.0, "note C2"));
        assert_eq!(at("@bar 2 beat 3 x"), (3.0, "x"));
        assert_eq!(at("@beat 3.5 x"), (1.25, "x"));
        assert_eq!(at("@BEAT 1"), (0.0, ""));
        assert_eq!(at("@+0.5 x"), (10.5, "x"));
        assert_eq!(at("@+0.5s x"), (10.5, "x"));
        assert_eq!(at("@+2 beats x"), (11.0, "x"));
        assert_eq!(at("@+1 bar x"), (12.0, "x"));
        assert_eq!(at("@+1 seconds x"), (11.0, "x"));
        assert_eq!(at("@+1 gate on"), (11.0, "gate on"));
    }

    #[test]
    fn bad_stamps_point_at_the_offending_word() {
        for (line, col, needle) in [
            ("@", 0, "lone"),
            ("@soon gate on", 0, "not a time stamp"),
            ("@-3 gate on", 0, "not a time stamp"),
            ("@1e3 gate on", 0, "not a time stamp"),
            ("@bar x", 5, "not a bar"),
            ("@bar", 4, "missing"),
            ("@bar 0", 5, "count from 1"),
            ("@bar 2 beat 5", 12, "4 beats"),
            ("@beat 0.5", 6, "count from 1"),
            ("@+ x", 2, "not a number"),
            ("@1:75", 0, "not a time stamp"),
            ("@NaN", 0, "not a time stamp"),
        ] {
            let e = parse_stamp(line).unwrap_err();
            assert_eq!(e.span.start, col, "{line}: {e:?}");
            assert!(e.message.contains(needle), "{line}: {}", e.message);
        }
    }

    #[test]
    fn offsets_are_stamps_without_the_at() {
        assert_eq!(parse_offset("30s", 120.0), Ok(30.0));
        assert_eq!(parse_offset(" 1:30 ", 120.0), Ok(90.0));
        assert_eq!(parse_offset("bar 9", 120.0), Ok(16.0));
        assert!(parse_offset("bar 9 gate on", 120.0).is_err());
        assert!(parse_offset("soon", 120.0).is_err());
    }

    #[test]
    fn decimals_are_plain() {
        assert_eq!(parse_decimal("2.5"), Some(2.5));
        assert_eq!(parse_decimal(".5"), Some(0.5));
        assert_eq!(parse_decimal("7"), Some(7.0));
        for bad in ["", ".", "1.2.3", "+1", "-1", "1e9", "inf", "1_0"] {
            assert_eq!(parse_decimal(bad), None, "{bad}");
        }
    }
}
