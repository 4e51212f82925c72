//! The words of the instrument phrases (drums, LFOs, ramps, per-track voices): known to the
//! unknown-word check, matched by text in `instrument_rules.rs`, so they need no verb of
//! their own in the vocabulary files.
//!
//! Plain data, used on the control thread.

/// Words the instrument phrases understand.
pub(crate) const INSTRUMENT_WORDS: &[&str] = &[
    "drum",
    "drums",
    "kick",
    "bd",
    "bassdrum",
    "kickdrum",
    "snare",
    "sd",
    "snaredrum",
    "hat",
    "hats",
    "hihat",
    "hi-hat",
    "hh",
    "ch",
    "closed",
    "closed-hat",
    "closedhat",
    "open",
    "open-hat",
    "openhat",
    "oh",
    "clap",
    "cp",
    "handclap",
    "tom",
    "lt",
    "mt",
    "ht",
    "rim",
    "rimshot",
    "rs",
    "cowbell",
    "cb",
    "bell",
    "tune",
    "tone",
    "lfo",
    "wobble",
    "vibrato",
    "tremolo",
    "shape",
    "random",
    "sh",
    "over",
    "fade",
    "select",
    "no",
    "in",
    "out",
    "up",
    "down",
    "depth",
    "speed",
    "amount",
    "sample",
    "samples",
    "reverse",
    "loop",
];

/// Whether the instrument phrases know `word` (lower case).
pub(crate) fn is_instrument_word(word: &str) -> bool {
    INSTRUMENT_WORDS.contains(&word)
}

/// Whether an otherwise unknown `word` is fine where it stands: an instrument word, or the
/// track name after `select`.
pub(crate) fn known_here(word: &str, previous: Option<&str>) -> bool {
    is_instrument_word(word)
        || super::modular_rules::is_modular_word(word)
        || previous == Some("select")
}
