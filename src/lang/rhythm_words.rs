//! The rhythm words of `vocab/rhythm.toml`: named grooves (`four on the floor`, `backbeat`,
//! `offbeat hats`), feels (`half time`, `double time`, `triplets`) and pattern transforms
//! (`fast 2`, `reverse`, `rotate 1`, `every 4 bars reverse`, `fill every 4 bars`).
//!
//! Plain data, used on the control thread.

/// What a rhythm word does; the `[rhythm]` table of a vocabulary file gives it words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum RhythmWord {
    FourOnTheFloor,
    Backbeat,
    Offbeat,
    HalfTime,
    DoubleTime,
    Triplets,
    Fast,
    Slow,
    Reverse,
    Rotate,
    Every,
    Other,
    Bars,
    Fill,
    Hits,
    Seed,
}

impl RhythmWord {
    /// The keys of the `[rhythm]` table, in the order of [`RhythmWord::ALL`].
    pub const KEYS: &'static [&'static str] = &[
        "four_on_the_floor",
        "backbeat",
        "offbeat",
        "half_time",
        "double_time",
        "triplets",
        "fast",
        "slow",
        "reverse",
        "rotate",
        "every",
        "other",
        "bars",
        "fill",
        "hits",
        "seed",
    ];
    const ALL: [RhythmWord; 16] = [
        RhythmWord::FourOnTheFloor,
        RhythmWord::Backbeat,
        RhythmWord::Offbeat,
        RhythmWord::HalfTime,
        RhythmWord::DoubleTime,
        RhythmWord::Triplets,
        RhythmWord::Fast,
        RhythmWord::Slow,
        RhythmWord::Reverse,
        RhythmWord::Rotate,
        RhythmWord::Every,
        RhythmWord::Other,
        RhythmWord::Bars,
        RhythmWord::Fill,
        RhythmWord::Hits,
        RhythmWord::Seed,
    ];

    /// The word for a `[rhythm]` key.
    pub fn from_key(key: &str) -> Option<RhythmWord> {
        RhythmWord::KEYS
            .iter()
            .position(|k| k.eq_ignore_ascii_case(key))
            .map(|i| RhythmWord::ALL[i])
    }

    /// The 16-step groove a named rhythm writes, if it is one.
    pub fn groove(self) -> Option<&'static str> {
        match self {
            RhythmWord::FourOnTheFloor => Some("x...x...x...x..."),
            RhythmWord::Backbeat => Some("....x.......x..."),
            RhythmWord::Offbeat => Some("..x...x...x...x."),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_names_its_own_word() {
        for (i, key) in RhythmWord::KEYS.iter().enumerate() {
            assert_eq!(RhythmWord::from_key(key), Some(RhythmWord::ALL[i]));
        }
        assert_eq!(RhythmWord::from_key("nope"), None);
    }
}
