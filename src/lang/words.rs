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
    /// A word of conversation that carries no meaning (`can`, `you`, `let's`, `ok`): skipped
    /// like a filler, but the reply then says how the line was read.
    Frame,
    /// A factor that scales a parameter (`double` → 2, `halve` → 0.5).
    Factor(f32),
}

impl WordClass {
    /// Whether the word is skipped when reading phrases (fillers and frame words).
    pub fn is_skipped(&self) -> bool {
        matches!(self, WordClass::Filler | WordClass::Frame)
    }
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
    /// `remove`, `kill`, `take out`: switches an effect off.
    Remove,
    /// `not` in `not so bright`, `not bright enough`.
    Not,
    /// `enough` in `not bright enough`.
    Enough,
    /// `what`, `how`, `which`: a question about a parameter's value.
    Ask,
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
        "remove",
        "not",
        "enough",
        "ask",
    ];
    const ALL: [Verb; 40] = [
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
        Verb::Remove,
        Verb::Not,
        Verb::Enough,
        Verb::Ask,
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
    /// Set to the step (`largo` sets the tempo to 50); intensity does not change it.
    Set,
}

impl StepOp {
    /// The op that undoes this one.
    pub fn inverse(self) -> StepOp {
        match self {
            StepOp::Mul => StepOp::Div,
            StepOp::Div => StepOp::Mul,
            StepOp::Add => StepOp::Sub,
            StepOp::Sub => StepOp::Add,
            StepOp::Set => StepOp::Set,
        }
    }

    /// `value` moved by `amount` scaled by `intensity` (mul/div: amount^k, add/sub: amount·k).
    pub fn apply(self, value: f32, amount: f32, intensity: f32) -> f32 {
        match self {
            StepOp::Mul => value * amount.powf(intensity),
            StepOp::Div => value / amount.powf(intensity),
            StepOp::Add => value + amount * intensity,
            StepOp::Sub => value - amount * intensity,
            StepOp::Set => amount,
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
    /// A word about time: with a bare module it moves the module's time (`longer delay` →
    /// `delay.time`).
    pub time: bool,
}

impl Describe {
    /// The opposite word: every effect inverted and the direction flipped (`less bright`,
    /// `too dark`).
    pub fn inverted(&self) -> Describe {
        Describe {
            effects: self
                .effects
                .iter()
                .map(|s| Step {
                    op: s.op.inverse(),
                    ..*s
                })
                .collect(),
            direction: self.direction.map(|d| match d {
                Direction::Up => Direction::Down,
                Direction::Down => Direction::Up,
            }),
            time: self.time,
        }
    }
}
