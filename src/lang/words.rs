//! What vocabulary words mean: word classes, verbs, describing words and their steps.
//!
//! Plain data, used on the control thread.

use crate::engine::params::ParamId;

/// What a word (or a multi-word entry such as `a bit`) means.
#[derive(Clone, Debug, PartialEq)]
pub enum WordClass {
    /// Names a module (`filter`, `lpf`, `envelope`).
    Module(&'static str),
    /// Names a parameter on its own (`cutoff`, `resonance`, `tempo`).
    Param(ParamId),
    /// Names one choice of a choice parameter (`saw` → `osc.wave` index 1).
    Choice(ParamId, usize),
    /// A describing or direction word (`darker`, `more`, `shorter`).
    Describe(Describe),
    /// An intensity word and its exponent (`a bit` → 0.5).
    Intensity(f32),
    /// An interval in semitones (`octave` → 12).
    Interval(f32),
    /// A verb (`help`, `undo`, `play`, `on`).
    Verb(Verb),
    /// A word that means nothing (`the`, `to`, `please`).
    Filler,
    /// A rhythm word (`backbeat`, `fast`, `every`), from the `[rhythm]` table.
    Rhythm(super::rhythm_words::RhythmWord),
}

/// The verbs of the grammar; vocabulary files give them words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Verb {
    Help,
    Status,
    Show,
    Undo,
    Redo,
    Explain,
    Quit,
    Reset,
    Gate,
    Note,
    Play,
    Stop,
    Hush,
    Transpose,
    Fault,
    On,
    Off,
    By,
    Chord,
    Start,
    Pattern,
    Seq,
    Steps,
    Rate,
    Track,
    Mute,
    Unmute,
    Solo,
    Unsolo,
    Clear,
    Now,
    Velocity,
    Inversion,
    Save,
    Load,
    Patches,
}

impl Verb {
    /// The keys of the `[verbs]` table, in [`Verb`] order.
    pub const KEYS: &'static [&'static str] = &[
        "help",
        "status",
        "show",
        "undo",
        "redo",
        "explain",
        "quit",
        "reset",
        "gate",
        "note",
        "play",
        "stop",
        "hush",
        "transpose",
        "fault",
        "on",
        "off",
        "by",
        "chord",
        "start",
        "pattern",
        "seq",
        "steps",
        "rate",
        "track",
        "mute",
        "unmute",
        "solo",
        "unsolo",
        "clear",
        "now",
        "velocity",
        "inversion",
        "save",
        "load",
        "patches",
    ];
    const ALL: [Verb; 36] = [
        Verb::Help,
        Verb::Status,
        Verb::Show,
        Verb::Undo,
        Verb::Redo,
        Verb::Explain,
        Verb::Quit,
        Verb::Reset,
        Verb::Gate,
        Verb::Note,
        Verb::Play,
        Verb::Stop,
        Verb::Hush,
        Verb::Transpose,
        Verb::Fault,
        Verb::On,
        Verb::Off,
        Verb::By,
        Verb::Chord,
        Verb::Start,
        Verb::Pattern,
        Verb::Seq,
        Verb::Steps,
        Verb::Rate,
        Verb::Track,
        Verb::Mute,
        Verb::Unmute,
        Verb::Solo,
        Verb::Unsolo,
        Verb::Clear,
        Verb::Now,
        Verb::Velocity,
        Verb::Inversion,
        Verb::Save,
        Verb::Load,
        Verb::Patches,
    ];

    /// The verb for a `[verbs]` key.
    pub fn from_key(key: &str) -> Option<Verb> {
        Verb::KEYS
            .iter()
            .position(|k| k.eq_ignore_ascii_case(key))
            .map(|i| Verb::ALL[i])
    }
}

/// How a step changes a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepOp {
    /// Multiply by the step (frequencies, times).
    Mul,
    /// Divide by the step.
    Div,
    /// Add the step (dB, fractions, bpm).
    Add,
    /// Subtract the step.
    Sub,
}

impl StepOp {
    /// The op that undoes this one.
    pub fn inverse(self) -> StepOp {
        match self {
            StepOp::Mul => StepOp::Div,
            StepOp::Div => StepOp::Mul,
            StepOp::Add => StepOp::Sub,
            StepOp::Sub => StepOp::Add,
        }
    }

    /// `value` moved by `amount` scaled by `intensity` (mul/div: amount^k, add/sub: amount·k).
    pub fn apply(self, value: f32, amount: f32, intensity: f32) -> f32 {
        match self {
            StepOp::Mul => value * amount.powf(intensity),
            StepOp::Div => value / amount.powf(intensity),
            StepOp::Add => value + amount * intensity,
            StepOp::Sub => value - amount * intensity,
        }
    }

    /// Whether the step multiplies (and so cannot move a value away from 0).
    pub fn is_multiplicative(self) -> bool {
        matches!(self, StepOp::Mul | StepOp::Div)
    }
}

/// Which way a direction word moves a parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// More, longer, higher.
    Up,
    /// Less, shorter, lower.
    Down,
}

/// One parameter change of a describing word.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    /// The parameter it changes.
    pub param: ParamId,
    /// How.
    pub op: StepOp,
    /// By how much (a factor for mul/div, an amount in the unit for add/sub).
    pub amount: f32,
}

/// What a describing word does.
#[derive(Clone, Debug, PartialEq)]
pub struct Describe {
    /// Its own parameter changes (`darker` → filter.cutoff × 0.7); empty for `more`, `less`.
    pub effects: Vec<Step>,
    /// How it moves another parameter it is used with (`shorter attack`).
    pub direction: Option<Direction>,
}
