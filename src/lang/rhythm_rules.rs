//! The phrase rules for rhythm words (`grammar/chronus.ebnf`, `rhythm`): named grooves,
//! `snare on 2 and 4`, feels, pattern transforms, `every N bars …`, fills and the seed.
//!
//! ```text
//! rhythm    := groove | hits "on" number+ | "half time" | "double time" | "triplets"
//!            | transform | "every" period transform? | "fill" ("every" period)?
//!            | "seed" number
//! transform := "fast" number | "slow" number | "reverse" | "rotate" number
//! period    := ("other" | number) ("bar" | "bars" | "cycle" | "cycles")?
//! ```
//!
//! Runs on the control thread. May allocate.

use super::ast::PhraseKind;
use super::grammar::{fail, lexeme_where, next, skip_fillers, verb, Grammar, PResult};
use super::lexeme::{Class, Lexeme, Lexemes};
use super::rhythm_words::RhythmWord;
use super::units::{Quantity, UnitWord};
use super::vocab::{Verb, WordClass};
use nom::combinator::opt;
use nom::Parser;
use std::borrow::Cow;
use std::ops::Range;

/// A rhythm phrase as typed.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum RhythmPhrase {
    /// `four on the floor`, `backbeat`, `offbeat hats`.
    Groove(RhythmWord),
    /// `snare on 2 and 4`: hits on these beats of a 4/4 bar.
    Beats(Vec<Quantity>),
    /// `half time`, `double time`, `triplets`.
    Feel(RhythmWord),
    /// `fast 2`, `reverse`, ...
    Transform(TransformPhrase),
    /// `every 4 bars reverse`; no transform: `every other bar` (plays every other bar).
    Every {
        /// `None` for `other`.
        bars: Option<Quantity>,
        /// The variation.
        then: Option<TransformPhrase>,
        /// Where the period was typed.
        at: Range<usize>,
    },
    /// `fill`, `fill every 4 bars`.
    Fill(Option<Quantity>),
    /// `seed 42`.
    Seed(Quantity),
}

/// A transform word with its amount.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TransformPhrase {
    /// `fast`, `slow`, `reverse` or `rotate`.
    pub word: RhythmWord,
    /// The amount (`2` in `fast 2`); none for `reverse`.
    pub amount: Option<Quantity>,
}

fn rhythm_word<'a>(
    what: &'static str,
    want: impl Fn(RhythmWord) -> bool,
) -> impl Fn(Lexemes<'a>) -> PResult<'a, RhythmWord> {
    lexeme_where(what, move |l: &Lexeme| match l.class {
        Class::Word(WordClass::Rhythm(w)) if want(w) => Some(w),
        _ => None,
    })
}

fn is_bars(l: &Lexeme) -> bool {
    matches!(
        l.class,
        Class::Unit(UnitWord::Bars) | Class::Word(WordClass::Rhythm(RhythmWord::Bars))
    )
}

impl Grammar<'_> {
    /// A rhythm phrase about the current (or just named) track.
    pub(super) fn rhythm<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        if let Ok((rest, t)) = self.transform(i) {
            return Ok((rest, PhraseKind::Rhythm(RhythmPhrase::Transform(t))));
        }
        let (rest, word) = rhythm_word("a rhythm word", |_| true)(i)?;
        let (rest, phrase) = match word {
            w if w.groove().is_some() => (rest, RhythmPhrase::Groove(w)),
            RhythmWord::Hits => {
                let (mut rest, _) = verb(Verb::On, "on, e.g. snare on 2 and 4")(rest)?;
                let mut beats = Vec::new();
                while let Ok((r, q)) = self.quantity(rest) {
                    beats.push(q);
                    rest = r;
                }
                if beats.is_empty() {
                    return fail(skip_fillers(rest), "beats such as 2 and 4");
                }
                (rest, RhythmPhrase::Beats(beats))
            }
            RhythmWord::HalfTime | RhythmWord::DoubleTime | RhythmWord::Triplets => {
                (rest, RhythmPhrase::Feel(word))
            }
            RhythmWord::Every => {
                let start = skip_fillers(rest).0.first().map_or(0, |l| l.span.start);
                let (rest, other) =
                    opt(rhythm_word("other", |w| w == RhythmWord::Other)).parse_complete(rest)?;
                let (rest, bars) = match other {
                    Some(_) => (rest, None),
                    None => {
                        let (r, q) = self.quantity(rest)?;
                        (r, Some(q))
                    }
                };
                let rest = match next(skip_fillers(rest)) {
                    Some((l, r)) if is_bars(l) => r,
                    _ => rest,
                };
                let consumed = i.0.len() - rest.0.len();
                let end = i.0[..consumed]
                    .last()
                    .map_or(start, |l| l.span.end)
                    .max(start);
                let (rest, then) = opt(|i| self.transform(i)).parse_complete(rest)?;
                (
                    rest,
                    RhythmPhrase::Every {
                        bars,
                        then,
                        at: start..end,
                    },
                )
            }
            RhythmWord::Fill => {
                let (rest, every) =
                    opt(rhythm_word("every", |w| w == RhythmWord::Every)).parse_complete(rest)?;
                if every.is_none() {
                    return Ok((rest, PhraseKind::Rhythm(RhythmPhrase::Fill(None))));
                }
                let (rest, q) = self.quantity(rest)?;
                let rest = match next(skip_fillers(rest)) {
                    Some((l, r)) if is_bars(l) => r,
                    _ => rest,
                };
                (rest, RhythmPhrase::Fill(Some(q)))
            }
            RhythmWord::Seed => {
                let (rest, q) = self.quantity(rest)?;
                (rest, RhythmPhrase::Seed(q))
            }
            _ => {
                let (rest, t) = self.transform(i)?;
                (rest, RhythmPhrase::Transform(t))
            }
        };
        Ok((rest, PhraseKind::Rhythm(phrase)))
    }

    fn transform<'a>(&self, i: Lexemes<'a>) -> PResult<'a, TransformPhrase> {
        // `fast` and `slow` are also describing words (`a bit fast` = tempo up): followed by
        // a number they are the pattern transform, so they are matched by their text here.
        let (rest, word) = lexeme_where("fast, slow, reverse or rotate", |l: &Lexeme| {
            match (&l.class, l.text.as_str()) {
                (_, "fast") => Some(RhythmWord::Fast),
                (_, "slow") => Some(RhythmWord::Slow),
                (Class::Word(WordClass::Rhythm(w)), _)
                    if matches!(
                        w,
                        RhythmWord::Fast
                            | RhythmWord::Slow
                            | RhythmWord::Reverse
                            | RhythmWord::Rotate
                    ) =>
                {
                    Some(*w)
                }
                _ => None,
            }
        })(i)?;
        if word == RhythmWord::Reverse {
            return Ok((rest, TransformPhrase { word, amount: None }));
        }
        let (rest, amount) = self.quantity(rest)?;
        Ok((
            rest,
            TransformPhrase {
                word,
                amount: Some(amount),
            },
        ))
    }
}

/// `snare on 2 and 4`: the `and` between two beat numbers joins them instead of separating
/// phrases. Returns the line with such an `and` blanked (same length, so spans hold).
pub(crate) fn blank_beat_and(line: &str) -> Cow<'_, str> {
    let lower = line.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut blanks = Vec::new();
    let mut from = 0;
    while let Some(found) = lower[from..].find("and") {
        let at = from + found;
        from = at + 3;
        let before = lower[..at].trim_end_matches(' ');
        let after = lower[at + 3..].trim_start_matches(' ');
        let spaced = before.len() < at && lower.len() - after.len() > at + 3;
        let digit_before = before.bytes().last().is_some_and(|b| b.is_ascii_digit());
        let digit_after = after.bytes().next().is_some_and(|b| b.is_ascii_digit());
        // Only in a beat list: the clause has `on` followed by numbers before this `and`.
        let clause_start = before.rfind([',', ';', '\n']).map_or(0, |c| c + 1);
        let in_beats = before[clause_start..].contains(" on ");
        if spaced && digit_before && digit_after && in_beats && bytes.len() >= at + 3 {
            blanks.push(at);
        }
    }
    if blanks.is_empty() {
        return Cow::Borrowed(line);
    }
    let mut out = line.to_string();
    for at in blanks {
        out.replace_range(at..at + 3, "   ");
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn and_between_beats_is_blanked_and_nowhere_else() {
        assert_eq!(blank_beat_and("snare on 2 and 4"), "snare on 2     4");
        assert_eq!(blank_beat_and("darker and brighter"), "darker and brighter");
        assert_eq!(blank_beat_and("tempo 120 and 4"), "tempo 120 and 4");
        assert_eq!(
            blank_beat_and("kick on 1 and 3, snare on 2 and 4").len(),
            33
        );
    }
}
