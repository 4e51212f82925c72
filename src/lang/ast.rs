//! The phrase AST: what the grammar (`grammar.rs`) produces and the resolver reads. Every
//! phrase and operand keeps its byte span for error carets.
//!
//! Runs on the control thread. Plain data.

use super::units::Quantity;
use super::vocab::Describe;
use crate::engine::params::ParamId;
use std::ops::Range;

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
}

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
    },
    NoteOff {
        midi: i32,
        span: Range<usize>,
    },
    Hush,
    Reset(Option<Target>),
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
}
