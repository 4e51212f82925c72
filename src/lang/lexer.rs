//! The lexical grammar (nom over `&str`): words, numbers with attached units, fractions and
//! separators, each with its byte span. Other punctuation is skipped; lexing never fails.
//!
//! Runs on the control thread. May allocate.

use nom::branch::alt;
use nom::bytes::complete::{tag, take_while1};
use nom::character::complete::{char as ch, one_of, satisfy};
use nom::combinator::{map, opt, peek, recognize};
use nom::multi::many0;
use nom::sequence::pair;
use nom::{IResult, Parser};
use std::ops::Range;

/// What a token is.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum TokenKind {
    /// A word, lower-cased (`darker`, `filter.cutoff`, `c#4`, `%`).
    Word(String),
    /// A number with an optional unit written right after it (`1.2k`, `-6db`, `50%`).
    Number { value: f64, suffix: Option<String> },
    /// `3/8`, with an optional attached unit.
    Fraction {
        num: f64,
        den: f64,
        suffix: Option<String>,
    },
    /// `,` `;` `!` a sentence-ending `.`, a newline, `and`, `then`.
    Separator,
    /// A chunk taken as typed (case kept): the steps after `pattern` (`x..X`), each step
    /// after `seq` (`C3`, `.`), each word after `chord` (`F#maj7`, `minor`), and the name
    /// after `save`/`load` [`patch`] (`my-bass`, even `../x`, which is then refused).
    Raw(String),
}

/// How the words after a trigger word are read.
#[derive(Clone, Copy, Debug, PartialEq)]
enum RawMode {
    /// Ordinary lexing.
    Off,
    /// The next chunk only (`pattern`, `save`, `load`).
    Next,
    /// After `save`/`load`: an optional `patch`, then one chunk.
    PatchName,
    /// Every chunk to the end of the clause, except `now` (`chord`).
    Clause,
    /// Mini-notation (`pattern`, `seq`): like `Clause`, but blanks and `,` inside brackets
    /// do not end a chunk (`[C3, E3]`, `x(3,8)`), `!` is a step, and the rhythm words that
    /// may follow a pattern (`fast 2`) end it.
    Mini,
}

/// Characters that end a raw chunk (besides blanks): the clause separators.
fn ends_raw(c: char) -> bool {
    c.is_whitespace() || c.is_control() || ",;!&".contains(c)
}

fn raw_mode_after(word: &str) -> RawMode {
    match word {
        "pattern" | "seq" | "sequence" => RawMode::Mini,
        "drum" | "sample" => RawMode::Next,
        "save" | "load" => RawMode::PatchName,
        "chord" => RawMode::Clause,
        _ => RawMode::Off,
    }
}

/// A token and where it is in the line.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Token {
    pub kind: TokenKind,
    pub span: Range<usize>,
}

/// Non-ASCII punctuation that is skipped like ASCII punctuation (quotes, dashes, ellipsis).
const SKIPPED_PUNCTUATION: &str = "«»“”„‘’‚‹›–—…·¡¿、。，；：！？（）";

/// Characters that make up words. Letters, digits, `#`, `_`, `♯`, `♭`, and any other
/// non-ASCII symbol (so that stray symbols become unknown words with a caret, not silence).
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
        || c == '#'
        || c == '_'
        || (!c.is_ascii()
            && !c.is_whitespace()
            && !c.is_control()
            && !SKIPPED_PUNCTUATION.contains(c))
}

/// Whether a vocabulary word is one lexer word (no dots, not starting with a digit).
pub(crate) fn is_vocab_word(w: &str) -> bool {
    let mut chars = w.chars();
    matches!(chars.next(), Some(c) if is_word_char(c) && !c.is_ascii_digit())
        && w.chars().all(is_word_char)
}

fn is_blank(c: char) -> bool {
    c != '\n' && (c.is_whitespace() || c.is_control())
}

fn unit_suffix(input: &str) -> IResult<&str, &str> {
    alt((tag("%"), take_while1(|c: char| c.is_alphabetic()))).parse_complete(input)
}

// nom 8.0.0's `character::complete::digit0` returns a wrong remainder at the end of the
// input (so `recognize` saw "0." in "0.5"); digits are taken with `take_while1` instead.
fn digit1(input: &str) -> IResult<&str, &str> {
    take_while1(|c: char| c.is_ascii_digit()).parse_complete(input)
}

fn unsigned_decimal(input: &str) -> IResult<&str, &str> {
    alt((
        recognize(pair(digit1, opt(pair(ch('.'), digit1)))),
        recognize(pair(ch('.'), digit1)),
    ))
    .parse_complete(input)
}

fn number(input: &str) -> IResult<&str, TokenKind> {
    map(
        pair(
            recognize(pair(opt(one_of("+-")), unsigned_decimal)),
            opt(unit_suffix),
        ),
        |(n, suffix): (&str, Option<&str>)| TokenKind::Number {
            value: n.parse().unwrap_or(f64::NAN),
            suffix: suffix.map(str::to_lowercase),
        },
    )
    .parse_complete(input)
}

fn fraction(input: &str) -> IResult<&str, TokenKind> {
    map(
        (digit1, ch('/'), digit1, opt(unit_suffix)),
        |(n, _, d, suffix): (&str, char, &str, Option<&str>)| TokenKind::Fraction {
            num: n.parse().unwrap_or(f64::NAN),
            den: d.parse().unwrap_or(f64::NAN),
            suffix: suffix.map(str::to_lowercase),
        },
    )
    .parse_complete(input)
}

fn word(input: &str) -> IResult<&str, TokenKind> {
    map(
        recognize(pair(
            satisfy(|c| is_word_char(c) && !c.is_ascii_digit()),
            many0(alt((
                take_while1(is_word_char),
                recognize(pair(ch('.'), peek(satisfy(is_word_char)))),
            ))),
        )),
        |w: &str| match w.to_lowercase().as_str() {
            "and" | "then" => TokenKind::Separator,
            lower => TokenKind::Word(lower.to_string()),
        },
    )
    .parse_complete(input)
}

fn separator(input: &str) -> IResult<&str, TokenKind> {
    map(one_of(",;!&\n."), |_| TokenKind::Separator).parse_complete(input)
}

fn percent_word(input: &str) -> IResult<&str, TokenKind> {
    map(tag("%"), |_| TokenKind::Word("%".into())).parse_complete(input)
}

// nom 8's `Parser::parse` runs in streaming mode; every parser here runs with
// `parse_complete`, so that the end of the line is the end of the input.

/// One token, or `None` for skipped blanks and punctuation.
fn token(input: &str) -> IResult<&str, Option<TokenKind>> {
    alt((
        map(take_while1(is_blank), |_| None),
        map(fraction, Some),
        map(number, Some),
        map(word, Some),
        map(percent_word, Some),
        map(separator, Some),
        map(satisfy(|_| true), |_| None),
    ))
    .parse_complete(input)
}

/// The byte spans of the mini-notation in `line`: every raw chunk after `pattern`, `seq` or
/// `sequence` (`[x x]`, `x(3,8)`, `C3:0.8`), which must reach the resolver as typed.
pub(crate) fn mini_spans(line: &str) -> Vec<std::ops::Range<usize>> {
    let mut spans = Vec::new();
    let mut in_mini = false;
    for token in lex(line) {
        match &token.kind {
            TokenKind::Word(w) => in_mini = raw_mode_after(w) == RawMode::Mini,
            TokenKind::Raw(_) if in_mini => spans.push(token.span.clone()),
            _ => in_mini = false,
        }
    }
    spans
}

/// Splits a line into tokens with byte spans. Never fails: unknown characters are skipped
/// (ASCII punctuation) or become words (other symbols).
pub(crate) fn lex(line: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut rest = line;
    let mut mode = RawMode::Off;
    while !rest.is_empty() {
        let start = line.len() - rest.len();
        if mode != RawMode::Off {
            let blank = rest.len() - rest.trim_start_matches(is_blank).len();
            if blank > 0 {
                rest = &rest[blank..];
                continue;
            }
            let len = if mode == RawMode::Mini {
                super::pattern::chunk::mini_chunk_len(rest)
            } else {
                rest.find(ends_raw).unwrap_or(rest.len())
            };
            let chunk = &rest[..len];
            let lower = chunk.to_lowercase();
            let ends_mini = mode == RawMode::Mini && super::pattern::chunk::ends_pattern(&lower);
            if len == 0 || lower == "and" || lower == "then" || ends_mini {
                // A separator ends the raw words; lex it normally.
                mode = RawMode::Off;
                continue;
            }
            let span = start..start + len;
            if lower == "now" || (mode == RawMode::PatchName && lower == "patch") {
                out.push(Token {
                    kind: TokenKind::Word(lower),
                    span,
                });
                if mode == RawMode::PatchName {
                    mode = RawMode::Next;
                }
            } else {
                out.push(Token {
                    kind: TokenKind::Raw(chunk.to_string()),
                    span,
                });
                if !matches!(mode, RawMode::Clause | RawMode::Mini) {
                    mode = RawMode::Off;
                }
            }
            rest = &rest[len..];
            continue;
        }
        match token(rest) {
            Ok((next, kind)) if next.len() < rest.len() => {
                if let Some(kind) = kind {
                    if let TokenKind::Word(w) = &kind {
                        mode = raw_mode_after(w);
                    }
                    out.push(Token {
                        kind,
                        span: start..line.len() - next.len(),
                    });
                }
                rest = next;
            }
            // Unreachable in practice (the last alternative takes any character), but never
            // loop forever or panic: skip one character.
            _ => {
                let skip = rest.chars().next().map_or(1, char::len_utf8);
                rest = &rest[skip.min(rest.len())..];
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(line: &str) -> Vec<TokenKind> {
        lex(line).into_iter().map(|t| t.kind).collect()
    }

    fn w(s: &str) -> TokenKind {
        TokenKind::Word(s.into())
    }

    fn n(value: f64, suffix: Option<&str>) -> TokenKind {
        TokenKind::Number {
            value,
            suffix: suffix.map(str::to_string),
        }
    }

    #[test]
    fn words_numbers_units_and_separators() {
        assert_eq!(
            kinds("Filter Cutoff 1.2k, attack 5ms then sustain 50%"),
            vec![
                w("filter"),
                w("cutoff"),
                n(1.2, Some("k")),
                TokenKind::Separator,
                w("attack"),
                n(5.0, Some("ms")),
                TokenKind::Separator,
                w("sustain"),
                n(50.0, Some("%")),
            ]
        );
        assert_eq!(
            kinds("volume -6 dB"),
            vec![w("volume"), n(-6.0, None), w("db")]
        );
        // At the very end of the line too (nom's streaming mode would stop at "0.").
        assert_eq!(kinds("sustain 0.5"), vec![w("sustain"), n(0.5, None)]);
        assert_eq!(kinds("x 12"), vec![w("x"), n(12.0, None)]);
        // A sentence-ending dot after a number is a separator, not a decimal point.
        assert_eq!(
            kinds("cutoff 800."),
            vec![w("cutoff"), n(800.0, None), TokenKind::Separator]
        );
        assert_eq!(
            kinds("delay time 3/8"),
            vec![
                w("delay"),
                w("time"),
                TokenKind::Fraction {
                    num: 3.0,
                    den: 8.0,
                    suffix: None
                }
            ]
        );
    }

    #[test]
    fn dotted_names_notes_and_sentence_dots() {
        assert_eq!(
            kinds("set filter.cutoff .5; play C#4. Darker!"),
            vec![
                w("set"),
                w("filter.cutoff"),
                n(0.5, None),
                TokenKind::Separator,
                w("play"),
                w("c#4"),
                TokenKind::Separator,
                w("darker"),
                TokenKind::Separator,
            ]
        );
    }

    #[test]
    fn spans_are_byte_ranges_of_the_line() {
        let line = "  «darker»  50 %";
        let t = lex(line);
        assert_eq!(&line[t[0].span.clone()], "darker");
        assert_eq!(&line[t[1].span.clone()], "50");
        assert_eq!(&line[t[2].span.clone()], "%");
    }

    #[test]
    fn patterns_sequences_chords_and_patch_names_are_taken_as_typed() {
        let raw = |s: &str| TokenKind::Raw(s.into());
        assert_eq!(
            kinds("pattern X..x..x. now"),
            vec![w("pattern"), raw("X..x..x."), w("now")]
        );
        assert_eq!(
            kinds("seq C3 . A#3, start"),
            vec![
                w("seq"),
                raw("C3"),
                raw("."),
                raw("A#3"),
                TokenKind::Separator,
                w("start")
            ]
        );
        assert_eq!(
            kinds("chord F#maj7 inversion 1 then stop"),
            vec![
                w("chord"),
                raw("F#maj7"),
                raw("inversion"),
                raw("1"),
                TokenKind::Separator,
                w("stop")
            ]
        );
        assert_eq!(
            kinds("load patch ../x"),
            vec![w("load"), w("patch"), raw("../x")]
        );
        assert_eq!(kinds("save my-bass"), vec![w("save"), raw("my-bass")]);
    }

    #[test]
    fn punctuation_and_control_characters_are_skipped() {
        assert_eq!(kinds("\"gate\"\t(on)\u{7}?"), vec![w("gate"), w("on")]);
        assert!(kinds("").is_empty());
        assert_eq!(kinds("- + /"), Vec::<TokenKind>::new());
    }
}
