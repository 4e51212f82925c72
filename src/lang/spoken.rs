//! Spoken forms, rewritten at the token level before words are classified, each new token
//! spanning the words it came from:
//! - numbers in words: `one twenty eight` (128), `a hundred and forty`, `ninety five`,
//!   `twelve hundred` (1200),
//!   `minus twelve`, `half`, `a quarter`, `three quarters`, `half a second`, `one eighth`;
//! - ordinals as numbers (`7th` → 7);
//! - spelled accidentals and middle C: `B flat` → `bb`, `G sharp 3` → `g#3`, `middle C` → `c4`;
//! - `beats per minute` → `bpm`; Tidal's `setcps 0.6` / `setcpm 90/4` → a tempo in bpm
//!   (one cycle = 4 beats);
//! - repetition counts: `x 3` → `x3` (an intensity word);
//! - `but` separates phrases like `and`;
//! - a word glued to a number is two tokens (`tempo140`, `cutoff800`).
//!
//! Runs on the control thread. Pure functions over tokens.

use super::lexer::{Token, TokenKind};
use std::ops::Range;

fn small_number(w: &str) -> Option<f64> {
    const UNITS: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    UNITS.iter().position(|u| *u == w).map(|n| n as f64)
}

fn tens(w: &str) -> Option<f64> {
    const TENS: [&str; 8] = [
        "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    TENS.iter()
        .position(|u| *u == w)
        .map(|n| (n as f64 + 2.0) * 10.0)
}

/// A part of a note value: `half` 1/2, `quarter(s)` 1/4, `eighth(s)` 1/8, `sixteenth(s)` 1/16.
fn part(w: &str) -> Option<f64> {
    match w {
        "half" => Some(0.5),
        "quarter" | "quarters" => Some(0.25),
        "eighth" | "eighths" => Some(0.125),
        "sixteenth" | "sixteenths" => Some(0.0625),
        _ => None,
    }
}

fn word_at(tokens: &[Token], i: usize) -> Option<&str> {
    match tokens.get(i).map(|t| &t.kind) {
        Some(TokenKind::Word(w)) => Some(w.as_str()),
        _ => None,
    }
}

fn is_separator_and(tokens: &[Token], line: &str, i: usize) -> bool {
    tokens.get(i).is_some_and(|t| {
        t.kind == TokenKind::Separator && line[t.span.clone()].eq_ignore_ascii_case("and")
    })
}

/// A number spoken in words starting at `i`: its value and how many tokens it takes.
fn spoken_number(tokens: &[Token], line: &str, i: usize) -> Option<(f64, usize)> {
    let first = word_at(tokens, i)?;
    // `a half`, `a quarter`, `an eighth`, `one eighth`, `three quarters`.
    let count_then_part = |count: f64| -> Option<(f64, usize)> {
        let p = part(word_at(tokens, i + 1)?)?;
        if matches!(
            word_at(tokens, i + 2),
            Some("step" | "steps" | "tone" | "note")
        ) {
            return None;
        }
        Some((count * p, 2))
    };
    if matches!(first, "a" | "an") {
        if let Some(found) = count_then_part(1.0) {
            return Some(found);
        }
        if word_at(tokens, i + 1) == Some("hundred") {
            return whole_number(tokens, line, i + 1, Some(1.0));
        }
        return None;
    }
    if let Some(p) = part(first) {
        if matches!(
            word_at(tokens, i + 1),
            Some("step" | "steps" | "tone" | "note")
        ) {
            return None;
        }
        return Some((p, 1));
    }
    if let Some(n) = small_number(first) {
        if let Some(found) = count_then_part(n) {
            return Some(found);
        }
    }
    whole_number(tokens, line, i, None)
}

/// `ninety five`, `a hundred and forty`, `one twenty eight` (= 128, as said of tempos).
/// `lead` is the `a` of `a hundred` (the count is then 1 and `start` is at `hundred`).
fn whole_number(
    tokens: &[Token],
    line: &str,
    start: usize,
    lead: Option<f64>,
) -> Option<(f64, usize)> {
    let (v, used, digit) = chunk(tokens, line, start, lead)?;
    let used = used + usize::from(lead.is_some());
    if digit {
        if let Some((rest, more, _)) = chunk(tokens, line, start + used, None) {
            if (10.0..100.0).contains(&rest) {
                return Some((v * 100.0 + rest, used + more));
            }
        }
    }
    Some((v, used))
}

/// One number said the usual way: `seven`, `ninety five`, `three hundred and ten`. Also says
/// whether it was a single digit (which may be the hundreds of `one twenty eight`).
fn chunk(tokens: &[Token], line: &str, i: usize, lead: Option<f64>) -> Option<(f64, usize, bool)> {
    let mut j = i;
    let tens_units = |j: usize| -> Option<(f64, usize)> {
        let w = word_at(tokens, j)?;
        if let Some(t) = tens(w) {
            match word_at(tokens, j + 1).and_then(small_number) {
                Some(u) if (1.0..10.0).contains(&u) => Some((t + u, 2)),
                _ => Some((t, 1)),
            }
        } else {
            small_number(w).map(|u| (u, 1))
        }
    };
    let hundreds = match lead {
        Some(n) => n,
        None => {
            let (v, used) = tens_units(j)?;
            j += used;
            // `twelve hundred`, `twenty five hundred`: hundreds counted past ten.
            if word_at(tokens, j) != Some("hundred") {
                return Some((v, used, v < 10.0 && used == 1));
            }
            v
        }
    };
    if word_at(tokens, j) != Some("hundred") {
        return None;
    }
    j += 1;
    if is_separator_and(tokens, line, j) && tens_units(j + 1).is_some() {
        j += 1;
    }
    let (rest, used) = tens_units(j).unwrap_or((0.0, 0));
    Some((hundreds * 100.0 + rest, j + used - i, false))
}

fn token(kind: TokenKind, span: Range<usize>) -> Token {
    Token { kind, span }
}

fn number(value: f64, suffix: Option<&str>, span: Range<usize>) -> Token {
    token(
        TokenKind::Number {
            value,
            suffix: suffix.map(str::to_string),
        },
        span,
    )
}

/// `tempo140`, `cutoff800hz`: a word of the vocabulary glued to a number (with or without a
/// unit) is read as the word then the number. Words known whole (`known`: `osc2`) stay as
/// they are, and so do short heads, which are notes and chords (`c4`, `fs3`, `dm7`), and
/// heads that `head_splits` refuses (module names: `osc4` is a mistyped module, not osc 4 Hz).
pub(crate) fn split_glued(
    tokens: Vec<Token>,
    known: impl Fn(&str) -> bool,
    head_splits: impl Fn(&str) -> bool,
) -> Vec<Token> {
    let mut out = Vec::with_capacity(tokens.len());
    for t in tokens {
        let TokenKind::Word(w) = &t.kind else {
            out.push(t);
            continue;
        };
        let Some(at) = w.find(|c: char| c.is_ascii_digit()) else {
            out.push(t);
            continue;
        };
        let (head, tail) = w.split_at(at);
        let digits = tail
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(tail.len());
        let (figures, suffix) = tail.split_at(digits);
        let glued = head.len() >= 3
            && w.is_ascii()
            && t.span.len() == w.len()
            && head.chars().all(|c| c.is_ascii_alphabetic())
            && !known(w)
            && head_splits(head)
            && (suffix.is_empty() || super::units::UnitWord::from_word(suffix).is_some());
        match figures.parse::<f64>() {
            Ok(value) if glued => {
                let mid = t.span.start + at;
                out.push(token(TokenKind::Word(head.to_string()), t.span.start..mid));
                let suffix = (!suffix.is_empty()).then_some(suffix);
                out.push(number(value, suffix, mid..t.span.end));
            }
            _ => out.push(t),
        }
    }
    out
}

/// Rewrites the spoken forms of `tokens` (lexed from `line`).
#[cfg(test)]
pub(crate) fn rewrite(line: &str, tokens: Vec<Token>) -> Vec<Token> {
    rewrite_keeping(line, tokens, |_, _| 0)
}

/// [`rewrite`], but where `entry(tokens, i)` is above 0 a vocabulary entry of that many words
/// starts at `i` (`four on the floor`) and is kept as typed.
pub(crate) fn rewrite_keeping(
    line: &str,
    tokens: Vec<Token>,
    entry: impl Fn(&[Token], usize) -> usize,
) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        let kept = entry(&tokens, i);
        if kept > 1 {
            out.extend(tokens[i..(i + kept).min(tokens.len())].iter().cloned());
            i += kept;
            continue;
        }
        let span_to = |j: usize| t.span.start..tokens[j].span.end;
        match &t.kind {
            TokenKind::Number { value, suffix }
                if matches!(suffix.as_deref(), Some("th" | "nd" | "rd")) =>
            {
                out.push(number(*value, None, t.span.clone()));
                i += 1;
                continue;
            }
            TokenKind::Word(w) => {
                if let Some((tok, used)) = rewrite_word(line, &tokens, i, w) {
                    out.push(tok);
                    i += used;
                    continue;
                }
                if w == "but" {
                    out.push(token(TokenKind::Separator, t.span.clone()));
                    i += 1;
                    continue;
                }
                if w == "x" {
                    if let Some(TokenKind::Number {
                        value,
                        suffix: None,
                    }) = tokens.get(i + 1).map(|t| &t.kind)
                    {
                        if value.fract() == 0.0 && (1.0..=9.0).contains(value) {
                            out.push(token(TokenKind::Word(format!("x{value}")), span_to(i + 1)));
                            i += 2;
                            continue;
                        }
                    }
                }
            }
            _ => {}
        }
        out.push(t.clone());
        i += 1;
    }
    out
}

/// One spoken form starting with the word `w` at `i`: the new token and how many it replaces.
fn rewrite_word(line: &str, tokens: &[Token], i: usize, w: &str) -> Option<(Token, usize)> {
    let start = tokens[i].span.start;
    let span_to = |j: usize| start..tokens[j].span.end;
    if matches!(w, "minus" | "negative") {
        let (v, used) = match tokens.get(i + 1).map(|t| &t.kind) {
            Some(TokenKind::Number { value, suffix }) if *value >= 0.0 => {
                let v = -value;
                return Some((number(v, suffix.as_deref(), span_to(i + 1)), 2));
            }
            _ => spoken_number(tokens, line, i + 1)?,
        };
        return Some((number(-v, None, span_to(i + used)), used + 1));
    }
    if w == "middle" && word_at(tokens, i + 1) == Some("c") {
        return Some((token(TokenKind::Word("c4".into()), span_to(i + 1)), 2));
    }
    if w.len() == 1 && w.chars().all(|c| ('a'..='g').contains(&c)) {
        let acc = match word_at(tokens, i + 1) {
            Some("flat") => "♭",
            Some("sharp") => "#",
            _ => "",
        };
        if !acc.is_empty() {
            let octave = match tokens.get(i + 2).map(|t| &t.kind) {
                Some(TokenKind::Number {
                    value,
                    suffix: None,
                }) if value.fract() == 0.0 && (0.0..=9.0).contains(value) => Some(*value),
                _ => None,
            };
            let name = format!(
                "{w}{acc}{}",
                octave.map_or(String::new(), |o| o.to_string())
            );
            let used = 2 + usize::from(octave.is_some());
            return Some((token(TokenKind::Word(name), span_to(i + used - 1)), used));
        }
    }
    if w == "beats"
        && word_at(tokens, i + 1) == Some("per")
        && word_at(tokens, i + 2) == Some("minute")
    {
        return Some((token(TokenKind::Word("bpm".into()), span_to(i + 2)), 3));
    }
    if matches!(w, "setcps" | "setcpm" | "cps" | "cpm") {
        return cycles(tokens, i, w.ends_with('s'));
    }
    let (value, used) = spoken_number(tokens, line, i)?;
    // `half a second`: the article belongs to the unit.
    let used = if matches!(word_at(tokens, i + used), Some("a" | "an"))
        && word_at(tokens, i + used + 1)
            .is_some_and(|u| super::units::UnitWord::from_word(u).is_some())
    {
        used + 1
    } else {
        used
    };
    Some((number(value, None, span_to(i + used - 1)), used))
}

/// `setcps 0.6`, `setcps 130/60/4`, `setcpm 90/4`: cycles per second (or minute) of 4 beats,
/// as a tempo in bpm.
fn cycles(tokens: &[Token], i: usize, per_second: bool) -> Option<(Token, usize)> {
    let mut value: Option<f64> = None;
    let mut j = i + 1;
    while let Some(t) = tokens.get(j) {
        let v = match &t.kind {
            TokenKind::Number {
                value,
                suffix: None,
            } => *value,
            TokenKind::Fraction {
                num,
                den,
                suffix: None,
            } => num / den,
            _ => break,
        };
        // Numbers after the first divide it (`130/60/4` lexes as 130/60 then 4).
        value = Some(match value {
            None => v,
            Some(x) => x / v,
        });
        j += 1;
    }
    let cps = value?;
    let bpm = cps * 4.0 * if per_second { 60.0 } else { 1.0 };
    let span = tokens[i].span.start..tokens[j - 1].span.end;
    Some((number(bpm, Some("bpm"), span), j - i))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::lexer::lex;

    fn numbers(line: &str) -> Vec<f64> {
        rewrite(line, lex(line))
            .into_iter()
            .filter_map(|t| match t.kind {
                TokenKind::Number { value, .. } => Some(value),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn numbers_in_words() {
        assert_eq!(numbers("one twenty eight bpm"), vec![128.0]);
        assert_eq!(numbers("tempo a hundred and forty"), vec![140.0]);
        assert_eq!(numbers("a hundred and twenty five bpm"), vec![125.0]);
        assert_eq!(numbers("ninety five"), vec![95.0]);
        assert_eq!(numbers("tempo eighty-five"), vec![85.0]);
        assert_eq!(numbers("gain minus twelve db"), vec![-12.0]);
        assert_eq!(numbers("sustain three quarters"), vec![0.75]);
        assert_eq!(numbers("delay mix a quarter"), vec![0.25]);
        assert_eq!(numbers("decay half a second"), vec![0.5]);
        assert_eq!(numbers("arp rate one eighth"), vec![0.125]);
        assert_eq!(numbers("two octaves lower"), vec![2.0]);
        assert_eq!(numbers("cutoff five hundred"), vec![500.0]);
        assert_eq!(numbers("minus 300"), vec![-300.0]);
        assert_eq!(numbers("setcps 0.6"), vec![144.0]);
        assert!((numbers("setcps (130/60/4)")[0] - 130.0).abs() < 1e-9);
        assert_eq!(numbers("setcpm(90/4)"), vec![90.0]);
    }

    #[test]
    fn words_that_are_not_numbers_stay() {
        assert!(numbers("a half step up").is_empty());
        assert!(numbers("a fifth up").is_empty());
        assert!(numbers("play a C").is_empty());
    }

    #[test]
    fn notes_and_counts() {
        let words = |line: &str| -> Vec<String> {
            rewrite(line, lex(line))
                .into_iter()
                .filter_map(|t| match t.kind {
                    TokenKind::Word(w) => Some(w),
                    _ => None,
                })
                .collect()
        };
        assert_eq!(words("B flat 2"), vec!["b♭2"]);
        assert_eq!(words("play G sharp 3"), vec!["play", "g#3"]);
        assert_eq!(words("middle C"), vec!["c4"]);
        assert_eq!(words("darker x 2"), vec!["darker", "x2"]);
        assert_eq!(words("tempo 100 beats per minute"), vec!["tempo", "bpm"]);
    }
}
