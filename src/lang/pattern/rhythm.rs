//! What the control side remembers about a track's pattern: the text as typed, whether it
//! plays notes (`seq`) or hits (`pattern`), and the rhythm words applied since (`fast 2`,
//! `every 4 bars reverse`, `fill every 4 bars`), so that each new word re-expands the
//! pattern as typed and `show` can print both.
//!
//! These records are language data (strings and lists), so they live on the control side
//! next to the patch (`control::Control` keeps one [`Rhythms`] and its undo levels store it),
//! never in `engine::PatchState`, which stays `Copy`.
//!
//! Runs on the control thread. May allocate.

use super::frac::Frac;
use super::parse::Node;
use crate::engine::command::Command;
use std::fmt;

/// A rhythm word applied to a pattern.
#[derive(Clone, Debug, PartialEq)]
pub enum Transform {
    /// `fast 2`, `double time`.
    Fast(Frac),
    /// `slow 2`, `half time`.
    Slow(Frac),
    /// `reverse`.
    Reverse,
    /// `rotate 1`: earlier by this many top-level steps.
    Rotate(Frac),
    /// `every 4 bars reverse`: the variation on the first bar of every `every`.
    Every {
        /// Bars (cycles) in the period.
        every: i64,
        /// The variation.
        then: Box<Transform>,
    },
    /// `fill every 4 bars`: the last bar of every `every` ends in a fill.
    Fill {
        /// Bars (cycles) in the period.
        every: i64,
    },
    /// `every other bar`: the pattern plays on odd bars only (the 1st, 3rd, ...).
    OtherBars,
}

impl Transform {
    /// `root` with this word applied; `steps` is the pattern's top-level step count (for
    /// `rotate`).
    pub fn apply(&self, root: Node, steps: Frac) -> Node {
        match self {
            Transform::Fast(f) => Node::Fast(Box::new(root), *f),
            Transform::Slow(f) => Node::Slow(Box::new(root), *f),
            Transform::Reverse => Node::Reverse(Box::new(root)),
            Transform::Rotate(by) => {
                let by = by.over(steps).unwrap_or(Frac::ZERO);
                Node::Shift(Box::new(root), by)
            }
            Transform::Every { every, then } => Node::Every {
                every: *every,
                at: 0,
                then: Box::new(then.apply(root.clone(), steps)),
                other: Box::new(root),
            },
            Transform::Fill { every } => Node::Every {
                every: *every,
                at: every - 1,
                then: Box::new(Node::Fill(Box::new(root.clone()))),
                other: Box::new(root),
            },
            Transform::OtherBars => Node::Every {
                every: 2,
                at: 0,
                then: Box::new(root),
                other: Box::new(Node::Alternate(Vec::new())),
            },
        }
    }
}

impl fmt::Display for Transform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Transform::Fast(x) => write!(f, "fast {x}"),
            Transform::Slow(x) => write!(f, "slow {x}"),
            Transform::Reverse => write!(f, "reverse"),
            Transform::Rotate(x) => write!(f, "rotate {x}"),
            Transform::Every { every: 2, then } => write!(f, "every other bar {then}"),
            Transform::Every { every, then } => write!(f, "every {every} bars {then}"),
            Transform::Fill { every } => write!(f, "fill every {every} bars"),
            Transform::OtherBars => write!(f, "every other bar"),
        }
    }
}

/// A track's pattern as typed, with the rhythm words applied since.
#[derive(Clone, Debug, PartialEq)]
pub struct TrackRhythm {
    /// The pattern text after `pattern` or `seq`.
    pub typed: String,
    /// True for `seq` (steps are notes), false for `pattern` (hits).
    pub notes: bool,
    /// Rhythm words in the order they were said.
    pub transforms: Vec<Transform>,
}

impl TrackRhythm {
    /// The phrase that sets this pattern again: `pattern x(3,8), fast 2`.
    pub fn phrase(&self) -> String {
        let verb = if self.notes { "seq" } else { "pattern" };
        let mut out = format!("{verb} {}", self.typed);
        for t in &self.transforms {
            out.push_str(&format!(", {t}"));
        }
        out
    }
}

/// The rhythm records of every track and the seed for `?` and `|`.
#[derive(Clone, Debug, PartialEq)]
pub struct Rhythms {
    /// Per track, the pattern as typed (none for tracks set step by step, or cleared).
    pub tracks: [Option<TrackRhythm>; crate::engine::command::TRACKS],
    /// Seed of the random choices (`?`, `|`); the session's `seed` header sets it.
    pub seed: u64,
}

/// The seed patterns use until `seed N` says otherwise.
pub const DEFAULT_SEED: u64 = 1;

impl Default for Rhythms {
    fn default() -> Self {
        Rhythms {
            tracks: Default::default(),
            seed: DEFAULT_SEED,
        }
    }
}

impl Rhythms {
    /// Remembers (or forgets) track `index`'s pattern as typed; other indexes are ignored.
    pub fn set(&mut self, index: u8, rhythm: Option<TrackRhythm>) {
        if let Some(slot) = self.tracks.get_mut(usize::from(index)) {
            *slot = rhythm;
        }
    }

    /// Follows an engine command the way the patch does: clearing a track forgets its
    /// pattern as typed. Other commands change nothing here.
    pub fn follow(&mut self, command: &Command) {
        if let Command::ClearTrack { track } = *command {
            self.set(track, None);
        }
    }
}
