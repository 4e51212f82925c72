//! The phrase AST: what the grammar (`grammar.rs`) produces and the resolver reads. Every
//! phrase and operand keeps its byte span for error carets.
//!
//! Runs on the control thread. Plain data.

use super::units::Quantity;
use super::vocab::Describe;
use crate::engine::fx::order::Effect;
use crate::engine::params::ParamId;
use std::ops::Range;

/// A new order of the master effects, as typed (`modular_rules.rs`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Reorder {
    /// `effects order drive chorus delay reverb`: these first, in this order.
    List(Vec<(Effect, Range<usize>)>),
    /// `delay before reverb`, `drive after chorus`.
    Place {
        moved: (Effect, Range<usize>),
        after: bool,
        anchor: (Effect, Range<usize>),
    },
}

/// A parameter as named in a phrase: a module (`filter`), a parameter (`cutoff`,
/// `filter cutoff`) or a canonical name (`filter.cutoff`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Target {
    pub module: Option<&'static str>,
    pub param: Option<ParamId>,
    /// Named as `module.param`: bare numbers are in the parameter's own unit.
    pub canonical: bool,
    pub span: Range<usize>,
}

/// A value as typed after a parameter.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Quantity(Quantity),
    Note {
        midi: i32,
        span: Range<usize>,
    },
    Choice {
        param: ParamId,
        index: usize,
        span: Range<usize>,
    },
    /// `on` / `off` after an effect or a switch (`delay off`, `set reverb.on on`).
    Switch {
        on: bool,
        span: Range<usize>,
    },
}

/// A word as typed with its span (track names, pattern steps, chord words, patch names).
pub(crate) type Word = (String, Range<usize>);

/// A fault to inject (`fault slow 3ms`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum FaultSpec {
    Panic,
    Hang,
    Nan,
    Slow(Option<Quantity>),
}

/// One phrase of a line.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Phrase {
    pub kind: PhraseKind,
    pub span: Range<usize>,
}

/// What a phrase says.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum PhraseKind {
    Help(Option<(String, Range<usize>)>),
    Status,
    Show,
    Undo,
    Redo,
    Quit,
    Explain {
        text: String,
        phrases: Vec<Phrase>,
    },
    Gate(bool),
    NoteOn {
        midi: i32,
        span: Range<usize>,
        velocity: Option<Quantity>,
    },
    /// `play C4 E4 G4`: several notes at once.
    Play {
        notes: Vec<(i32, Range<usize>)>,
        velocity: Option<Quantity>,
    },
    /// `chord Dm7 inversion 1`: the raw words after `chord`.
    Chord(Vec<Word>),
    /// `start`: the transport runs from bar 1.
    Start,
    /// `stop`: the transport stops and held notes are released; `stop transport` only stops.
    Stop {
        transport_only: bool,
    },
    /// `pattern x..X`: the steps as typed.
    Pattern(Word),
    /// `seq C3 . G3`: each step as typed.
    Seq(Vec<Word>),
    /// `steps 16`.
    Steps(Quantity),
    /// `rate 1/16`.
    Rate(Quantity),
    /// `track bass`, `track bass seq ...`: select (or name) a track, then an optional
    /// phrase for it.
    Track {
        name: Word,
        then: Option<Box<PhraseKind>>,
    },
    /// `mute bass` / `unmute` / `solo hats` / `unsolo`: the track (else the current one).
    Mute {
        name: Option<Word>,
        on: bool,
    },
    Solo {
        name: Option<Word>,
        on: bool,
    },
    /// `track bass clear`.
    Clear,
    /// `now`: staged track edits take effect at once.
    Now,
    /// `save patch NAME`.
    SavePatch(Option<Word>),
    /// `load patch NAME`.
    LoadPatch(Option<Word>),
    /// `patches`.
    Patches,
    NoteOff {
        midi: i32,
        span: Range<usize>,
    },
    Hush,
    Reset(Option<Target>),
    /// A new order of the master effects.
    Reorder(Reorder),
    Set {
        target: Target,
        value: Value,
    },
    Choose {
        param: ParamId,
        index: usize,
        target: Option<Target>,
    },
    Relative {
        word: Describe,
        word_text: String,
        word_span: Range<usize>,
        intensity: f32,
        target: Option<Target>,
        amount: Option<Quantity>,
    },
    Transpose {
        sign: f64,
        amount: Quantity,
    },
    Fault(FaultSpec),
    /// Drums, LFOs, fades and other instrument phrases (`instrument_rules.rs`).
    Instrument(super::instrument_rules::InstrumentPhrase),
    /// `PHRASE over 4 bars`: the phrase's values are reached by a ramp.
    Over {
        inner: Box<PhraseKind>,
        length: Quantity,
    },
    /// A rhythm word phrase (`backbeat`, `fast 2`, `every 4 bars reverse`).
    Rhythm(super::rhythm_rules::RhythmPhrase),
    /// `double the tempo`, `halve the delay time`: the parameter times the factor.
    Scale {
        factor: f32,
        target: Target,
    },
    /// `what's the tempo?`: the current value of a parameter.
    Ask(ParamId),
    /// `delay 250 ms with 50% feedback`: several settings in one phrase, in order.
    Several(Vec<PhraseKind>),
}
