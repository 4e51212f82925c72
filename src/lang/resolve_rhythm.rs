//! Resolving rhythm words: grooves write a pattern, `snare on 2 and 4` writes hits on those
//! beats, `half time` / `double time` / transforms re-expand the track's pattern as typed,
//! `triplets` sets a triplet rate, `seed N` sets the seed of `?` and `|`.
//!
//! Runs on the control thread. May allocate.

use super::action::{Action, Meta};
use super::error::{PhraseError, PhraseErrorKind};
use super::pattern::frac::Frac;
use super::pattern::rhythm::Transform;
use super::resolve::Resolver;
use super::rhythm_rules::{RhythmPhrase, TransformPhrase};
use super::rhythm_words::RhythmWord;
use super::units::Quantity;
use crate::engine::command::{Command, TrackParam};
use std::ops::Range;

/// Largest factor of `fast`, `slow` and the longest `every` period.
const MAX_FACTOR: f64 = 16.0;

impl Resolver<'_> {
    pub(super) fn rhythm(
        &mut self,
        phrase: &RhythmPhrase,
        span: Range<usize>,
    ) -> Result<(), PhraseError> {
        match phrase {
            RhythmPhrase::Groove(word) => {
                let groove = word.groove().unwrap_or("x...");
                self.named_pattern(groove, span)
            }
            RhythmPhrase::Beats(beats) => {
                let mut grid = ['.'; 16];
                for q in beats {
                    let beat = self.whole(q, 1.0, 4.0, "a beat from 1 to 4")?;
                    grid[(beat as usize - 1) * 4] = 'x';
                }
                self.named_pattern(&grid.iter().collect::<String>(), span)
            }
            RhythmPhrase::Feel(RhythmWord::HalfTime) => {
                self.transform_pattern(Transform::Slow(Frac::int(2)), span)
            }
            RhythmPhrase::Feel(RhythmWord::DoubleTime) => {
                self.transform_pattern(Transform::Fast(Frac::int(2)), span)
            }
            RhythmPhrase::Feel(_) => {
                // Triplets: three steps where there were two.
                let track = self.patch.track_names().current();
                let rate = self.patch.tracks()[usize::from(track)].rate * 2.0 / 3.0;
                self.engine(
                    Command::SetTrack {
                        track,
                        param: TrackParam::Rate,
                        value: rate,
                    },
                    span,
                    None,
                );
                Ok(())
            }
            // On a track that plays a sample, a bare `reverse` plays the sample backwards
            // (`reverse off` undoes it), as `track brk reverse` always meant for samples.
            RhythmPhrase::Transform(TransformPhrase {
                word: RhythmWord::Reverse,
                amount: None,
            }) if self.current_track_plays_a_sample() => self.instrument(
                None,
                &super::instrument_rules::InstrumentPhrase::Reverse(true),
                span,
            ),
            RhythmPhrase::Transform(t) => {
                let t = self.transform_of(t)?;
                self.transform_pattern(t, span)
            }
            RhythmPhrase::Every { bars, then, at } => {
                let every = match bars {
                    None => 2,
                    Some(q) => {
                        self.whole(q, 2.0, MAX_FACTOR, "a number of bars from 2 to 16")? as i64
                    }
                };
                let t = match then {
                    Some(t) => Transform::Every {
                        every,
                        then: Box::new(self.transform_of(t)?),
                    },
                    None if every == 2 => Transform::OtherBars,
                    None => {
                        return Err(self
                            .error(
                                PhraseErrorKind::Incomplete,
                                at.end..at.end,
                                format!("every {every} bars what?"),
                            )
                            .expecting("fast 2, slow 2, reverse or rotate 1 after it"))
                    }
                };
                self.transform_pattern(t, span)
            }
            RhythmPhrase::Fill(bars) => {
                let every = match bars {
                    None => 4,
                    Some(q) => {
                        self.whole(q, 1.0, MAX_FACTOR, "a number of bars from 1 to 16")? as i64
                    }
                };
                self.transform_pattern(Transform::Fill { every }, span)
            }
            RhythmPhrase::Seed(q) => {
                let seed = self.whole(
                    q,
                    0.0,
                    4_294_967_295.0,
                    "a whole number from 0 to 4294967295",
                )?;
                self.rhythms.seed = seed as u64;
                self.actions.push(Action::Meta(Meta::Seed(seed as u64)));
                Ok(())
            }
        }
    }

    fn transform_of(&self, t: &TransformPhrase) -> Result<Transform, PhraseError> {
        let amount = |q: &Option<Quantity>| -> Result<Frac, PhraseError> {
            let Some(q) = q else {
                return Ok(Frac::ONE);
            };
            let f = self.plain_number(q, "a factor such as 2 or 1.5")?;
            if f <= 0.0 || f > MAX_FACTOR {
                return Err(self
                    .error(
                        PhraseErrorKind::BadValue,
                        q.span.clone(),
                        "that factor is out of range",
                    )
                    .expecting("a number above 0 and at most 16"));
            }
            Ok(to_frac(f))
        };
        Ok(match t.word {
            RhythmWord::Fast => Transform::Fast(amount(&t.amount)?),
            RhythmWord::Slow => Transform::Slow(amount(&t.amount)?),
            RhythmWord::Rotate => {
                let q = t.amount.as_ref();
                let by = match q {
                    Some(q) => self.plain_number(q, "a number of steps such as 1 or -2")?,
                    None => 1.0,
                };
                if by.abs() > 192.0 {
                    return Err(self
                        .error(
                            PhraseErrorKind::BadValue,
                            q.map_or(0..0, |q| q.span.clone()),
                            "that rotation is out of range",
                        )
                        .expecting("at most 192 steps either way"));
                }
                let f = to_frac(by.abs());
                Transform::Rotate(if by < 0.0 {
                    Frac { n: -f.n, d: f.d }
                } else {
                    f
                })
            }
            _ => Transform::Reverse,
        })
    }

    fn plain_number(&self, q: &Quantity, expected: &str) -> Result<f64, PhraseError> {
        if q.unit.is_some() || !q.value.is_finite() {
            return Err(self
                .error(
                    PhraseErrorKind::BadValue,
                    q.span.clone(),
                    "a plain number goes here",
                )
                .expecting(expected.to_string()));
        }
        Ok(q.value)
    }

    /// Whether the current track plays a sample (`track brk sample amen`).
    fn current_track_plays_a_sample(&self) -> bool {
        let track = usize::from(self.patch.track_names().current());
        self.patch.tracks().get(track).is_some_and(|t| t.sample > 0)
    }

    fn whole(&self, q: &Quantity, min: f64, max: f64, expected: &str) -> Result<f64, PhraseError> {
        let bars_ok = matches!(q.unit, None | Some(super::units::UnitWord::Bars));
        if !bars_ok || q.value.fract() != 0.0 || !(min..=max).contains(&q.value) {
            return Err(self
                .error(
                    PhraseErrorKind::BadValue,
                    q.span.clone(),
                    format!("{} is out of range", q.value),
                )
                .expecting(expected.to_string()));
        }
        Ok(q.value)
    }
}

/// A typed number as an exact fraction (`1.5` → 3/2; thirds typed as 0.333 stay decimal).
fn to_frac(v: f64) -> Frac {
    Frac::parse_decimal(&format!("{}", (v * 1000.0).round() / 1000.0)).unwrap_or(Frac::ONE)
}
