//! The mini-notation parser (nom over `&str`): the TidalCycles/Strudel pattern language as
//! typed after `pattern` and `seq`, into a [`Node`] tree. Every error points at a byte range
//! of the pattern text, so the phrase error can put a caret under it.
//!
//! Grammar (spaces separate steps):
//! ```text
//! sequence := step*            (separated by blanks; `_` ties, a lone `!` repeats)
//! group    := sequence ((',' | '|') sequence)*
//! step     := term modifier*
//! term     := word | '[' group ']' | '<' group '>' | '{' group '}' ('%' number)?
//! modifier := '*' number | '/' number | '(' int ',' int (',' int)? ')' | '?' number?
//!           | ':' number | '@' number | '!' int?
//! ```
//! A word of only `x X . - ~ _` characters (`x..X`) is one step per character, as the grid
//! patterns always were.
//!
//! Runs on the control thread. May allocate.

use super::frac::Frac;
use nom::bytes::complete::take_while1;
use nom::character::complete::{char as ch, digit1};
use nom::combinator::{opt, recognize};
use nom::sequence::pair;
use nom::{IResult, Parser};
use std::ops::Range;

/// The most steps, repeats, euclid steps or speed factor one modifier may ask for.
pub const MAX_COUNT: i64 = 192;
/// The deepest nesting of brackets.
pub const MAX_DEPTH: usize = 24;

/// What one step plays, before notes are looked up.
#[derive(Clone, Debug, PartialEq)]
pub enum Atom {
    /// `.`, `~`, `-`.
    Rest,
    /// `x`.
    Hit,
    /// `X`.
    Accent,
    /// Anything else as typed (a note name or number, checked by the caller).
    Word(String),
}

/// How the sequences of a group combine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Join {
    /// `,`: all at once.
    Stack,
    /// `|`: one of them, picked at random each cycle.
    Choice,
}

/// A step of a sequence with its weight (`@3`, `_ _`).
#[derive(Clone, Debug, PartialEq)]
pub struct Weighted {
    /// What plays.
    pub node: Node,
    /// Its share of the sequence (1 unless stretched).
    pub weight: Frac,
}

/// Steps played one after another, sharing their parent's time by weight.
#[derive(Clone, Debug, PartialEq)]
pub struct Sequence {
    /// The steps in order.
    pub steps: Vec<Weighted>,
}

/// A pattern tree.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// One step; `span` is where it is in the pattern text.
    Atom {
        /// What it plays.
        atom: Atom,
        /// Byte range in the pattern text.
        span: Range<usize>,
    },
    /// `[a b]`, `[a, b]`, `[a | b]` and the whole pattern.
    Group {
        /// The sequences.
        seqs: Vec<Sequence>,
        /// How they combine.
        join: Join,
        /// Which choice this is (a `|` group), for its own random stream.
        id: u32,
    },
    /// `<a b c>`: one step per cycle (stacked when it has commas).
    Alternate(Vec<Sequence>),
    /// `{a b c}%4`: every sequence at `steps` steps per cycle (default: the first one's).
    Polymeter {
        /// The sequences.
        seqs: Vec<Sequence>,
        /// Steps per cycle.
        steps: Option<Frac>,
    },
    /// `a*2`.
    Fast(Box<Node>, Frac),
    /// `a/2`.
    Slow(Box<Node>, Frac),
    /// `a(3,8,2)`.
    Euclid {
        /// What plays on the hits.
        node: Box<Node>,
        /// Hits (negative: the rests of the rhythm play).
        hits: i64,
        /// Steps.
        steps: i64,
        /// Steps to rotate left.
        rotation: i64,
    },
    /// `a?0.3`: plays with this probability.
    Maybe {
        /// What may play.
        node: Box<Node>,
        /// Probability of playing, 0 to 1.
        keep: f64,
        /// Which `?` this is, for its own random stream.
        id: u32,
    },
    /// `a:0.5`.
    Velocity(Box<Node>, f32),
    /// `rotate 1`: the pattern shifted earlier by this much of a cycle.
    Shift(Box<Node>, Frac),
    /// `reverse`: every cycle backwards.
    Reverse(Box<Node>),
    /// `every 4 bars reverse`: `then` in the cycles where `cycle % every == at`, else `other`.
    Every {
        /// Cycles in the period.
        every: i64,
        /// The cycle of the period that varies (0 first, `every - 1` last).
        at: i64,
        /// The variation.
        then: Box<Node>,
        /// The pattern as it is.
        other: Box<Node>,
    },
    /// A fill: the last quarter of each cycle played twice, twice as fast.
    Fill(Box<Node>),
}

/// A mistake in a pattern, located in the pattern text.
#[derive(Clone, Debug, PartialEq)]
pub struct MiniError {
    /// Byte range in the pattern text (may be empty at the end).
    pub span: Range<usize>,
    /// What is wrong.
    pub message: String,
    /// What would be valid there.
    pub expected: Option<String>,
}

impl MiniError {
    fn at(span: Range<usize>, message: impl Into<String>, expected: &str) -> Self {
        MiniError {
            span,
            message: message.into(),
            expected: (!expected.is_empty()).then(|| expected.to_string()),
        }
    }
}

/// Parses a whole pattern into its root group.
pub fn parse(text: &str) -> Result<Node, MiniError> {
    let mut p = MiniParser {
        text,
        pos: 0,
        depth: 0,
        ids: 0,
    };
    let node = p.group(None)?;
    p.blanks();
    if p.pos < text.len() {
        let c = p.peek().unwrap_or(' ');
        return Err(MiniError::at(
            p.pos..p.pos + c.len_utf8(),
            format!("unexpected `{c}`"),
            "a step, or an opening bracket before this",
        ));
    }
    Ok(node)
}

fn is_word_char(c: char) -> bool {
    !c.is_whitespace() && !c.is_control() && !"[]<>{}(),|*/!@?:%".contains(c)
}

fn is_grid_char(c: char) -> bool {
    "xX.-~_".contains(c)
}

fn word(i: &str) -> IResult<&str, &str> {
    take_while1(is_word_char).parse_complete(i)
}

fn decimal(i: &str) -> IResult<&str, &str> {
    recognize(pair(
        opt(ch('-')),
        nom::branch::alt((
            recognize(pair(digit1, opt(pair(ch('.'), digit1)))),
            recognize(pair(ch('.'), digit1)),
        )),
    ))
    .parse_complete(i)
}

struct MiniParser<'a> {
    text: &'a str,
    pos: usize,
    depth: usize,
    ids: u32,
}

impl<'a> MiniParser<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn blanks(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn next_id(&mut self) -> u32 {
        self.ids += 1;
        self.ids
    }

    /// Sequences separated by `,` or `|` until `close` (or the end for the root).
    fn group(&mut self, close: Option<char>) -> Result<Node, MiniError> {
        let mut seqs = vec![self.sequence()?];
        let mut join = None;
        loop {
            self.blanks();
            let at = self.pos;
            let sep = match self.peek() {
                Some(',') => Join::Stack,
                Some('|') => Join::Choice,
                _ => break,
            };
            if join.is_some_and(|j| j != sep) {
                return Err(MiniError::at(
                    at..at + 1,
                    "`,` and `|` cannot be mixed in one group",
                    "brackets around one of them, e.g. [a | b], c",
                ));
            }
            join = Some(sep);
            self.pos += 1;
            seqs.push(self.sequence()?);
        }
        if let Some(close) = close {
            self.blanks();
            if !self.eat(close) {
                let at = self.pos;
                let found = self
                    .peek()
                    .map_or("the end".to_string(), |c| format!("`{c}`"));
                return Err(MiniError::at(
                    at..at + self.peek().map_or(0, char::len_utf8),
                    format!("missing `{close}` (found {found})"),
                    &format!("`{close}` to close the group"),
                ));
            }
        }
        let join = join.unwrap_or(Join::Stack);
        let id = if join == Join::Choice {
            self.next_id()
        } else {
            0
        };
        Ok(Node::Group { seqs, join, id })
    }

    fn sequence(&mut self) -> Result<Sequence, MiniError> {
        let mut steps: Vec<Weighted> = Vec::new();
        let start = self.pos;
        loop {
            self.blanks();
            let at = self.pos;
            match self.peek() {
                None | Some(']' | '>' | '}' | ',' | '|' | ')') => break,
                Some('_') if self.lone('_') => {
                    self.pos += 1;
                    let Some(last) = steps.last_mut() else {
                        return Err(MiniError::at(
                            at..at + 1,
                            "`_` ties on to the step before it, and there is none",
                            "a step first, e.g. x _ _",
                        ));
                    };
                    last.weight = last.weight.plus(Frac::ONE).map_err(|_| self.too_big(at))?;
                }
                Some('!') => {
                    self.pos += 1;
                    let Some(last) = steps.last().cloned() else {
                        return Err(MiniError::at(
                            at..at + 1,
                            "`!` repeats the step before it, and there is none",
                            "a step first, e.g. x !",
                        ));
                    };
                    let mut last = last;
                    self.renumber(&mut last.node);
                    steps.push(last);
                }
                Some(_) => self.step(&mut steps)?,
            }
            if steps.len() > 8 * MAX_COUNT as usize {
                break;
            }
        }
        if steps.len() > MAX_COUNT as usize {
            let count = if steps.len() > 8 * MAX_COUNT as usize {
                format!("more than {}", 8 * MAX_COUNT)
            } else {
                steps.len().to_string()
            };
            let begin = self.text[start..].len() - self.text[start..].trim_start().len();
            return Err(MiniError::at(
                start + begin..self.pos,
                format!("a pattern has 1 to {MAX_COUNT} steps; this one has {count}"),
                &format!("at most {MAX_COUNT} steps (split it with `steps` and a slower `rate`)"),
            ));
        }
        Ok(Sequence { steps })
    }

    /// True when `c` at the cursor stands alone (blank or a closing bracket after it).
    fn lone(&self, c: char) -> bool {
        let after = &self.rest()[c.len_utf8()..];
        after
            .chars()
            .next()
            .is_none_or(|n| n.is_whitespace() || "]>},|".contains(n))
    }

    fn too_big(&self, at: usize) -> MiniError {
        MiniError::at(
            at..self.pos.max(at + 1),
            "the pattern is too fine to count",
            "",
        )
    }

    fn step(&mut self, steps: &mut Vec<Weighted>) -> Result<(), MiniError> {
        let at = self.pos;
        let first = self.peek().unwrap_or(' ');
        let node = match first {
            '[' | '<' | '{' => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(MiniError::at(
                        at..at + 1,
                        format!("brackets nested too deeply (at most {MAX_DEPTH})"),
                        "",
                    ));
                }
                self.pos += 1;
                let close = match first {
                    '[' => ']',
                    '<' => '>',
                    _ => '}',
                };
                let group = self.group(Some(close))?;
                self.depth -= 1;
                let Node::Group { seqs, join, .. } = &group else {
                    unreachable!("group() makes groups")
                };
                match first {
                    '[' => group,
                    _ if *join == Join::Choice => {
                        return Err(MiniError::at(
                            at..self.pos,
                            "`|` works inside [ ] only",
                            "[a | b] for a random choice",
                        ))
                    }
                    '<' => Node::Alternate(seqs.clone()),
                    _ => {
                        let steps = if self.eat('%') {
                            Some(self.positive(MAX_COUNT)?)
                        } else {
                            None
                        };
                        Node::Polymeter {
                            seqs: seqs.clone(),
                            steps,
                        }
                    }
                }
            }
            _ => {
                let Ok((rest, w)) = word(self.rest()) else {
                    return Err(MiniError::at(
                        at..at + first.len_utf8(),
                        format!("`{first}` cannot start a step"),
                        "a step such as x, X, ., C3 or [ ]",
                    ));
                };
                self.pos = self.text.len() - rest.len();
                let mut w = w.to_string();
                let is_grid = |c: char| is_grid_char(c) || c == '|';
                // `x...|x...`: a `|` between grid steps (no blanks) only marks a beat.
                while w.chars().all(is_grid) && self.peek() == Some('|') {
                    let after = &self.text[self.pos + 1..];
                    match word(after) {
                        Ok((rest, more)) if more.chars().all(is_grid_char) => {
                            w.push('|');
                            w.push_str(more);
                            self.pos = self.text.len() - rest.len();
                        }
                        _ => break,
                    }
                }
                if w.chars().count() > 1 && w.chars().all(is_grid) {
                    if matches!(self.peek(), Some(c) if "*/(?:@!".contains(c)) {
                        return Err(MiniError::at(
                            self.pos..self.pos + 1,
                            format!("`{w}` is several steps; brackets make them one"),
                            &format!("[{w}]"),
                        ));
                    }
                    for (i, c) in w.char_indices() {
                        let atom = match c {
                            'x' => Atom::Hit,
                            'X' => Atom::Accent,
                            '|' => continue,
                            _ => Atom::Rest,
                        };
                        steps.push(Weighted {
                            node: Node::Atom {
                                atom,
                                span: at + i..at + i + 1,
                            },
                            weight: Frac::ONE,
                        });
                    }
                    return Ok(());
                }
                let atom = match w.as_str() {
                    "." | "~" | "-" | "rest" => Atom::Rest,
                    "x" => Atom::Hit,
                    "X" => Atom::Accent,
                    _ => Atom::Word(w),
                };
                Node::Atom {
                    atom,
                    span: at..self.pos,
                }
            }
        };
        self.modifiers(node, steps)
    }

    fn modifiers(&mut self, mut node: Node, steps: &mut Vec<Weighted>) -> Result<(), MiniError> {
        let mut weight = Frac::ONE;
        let mut copies = 1;
        loop {
            let at = self.pos;
            match self.peek() {
                Some('*') => {
                    self.pos += 1;
                    node = Node::Fast(Box::new(node), self.positive(MAX_COUNT)?);
                }
                Some('/') => {
                    self.pos += 1;
                    node = Node::Slow(Box::new(node), self.positive(MAX_COUNT)?);
                }
                Some('@') => {
                    self.pos += 1;
                    weight = self.positive(MAX_COUNT)?;
                }
                Some('!') if !self.lone('!') => {
                    self.pos += 1;
                    copies = if self.peek().is_some_and(|c| c.is_ascii_digit()) {
                        self.count(1, MAX_COUNT)?
                    } else {
                        copies + 1
                    };
                }
                Some('?') => {
                    self.pos += 1;
                    let keep = if self.peek().is_some_and(|c| c.is_ascii_digit() || c == '.') {
                        let p = self.number()?;
                        if p > Frac::ONE {
                            return Err(MiniError::at(
                                at + 1..self.pos,
                                "a probability is 0 to 1",
                                "e.g. x?0.3",
                            ));
                        }
                        1.0 - p.to_f64()
                    } else {
                        0.5
                    };
                    let id = self.next_id();
                    node = Node::Maybe {
                        node: Box::new(node),
                        keep,
                        id,
                    };
                }
                Some(':') => {
                    self.pos += 1;
                    let v = self.number()?;
                    if v > Frac::ONE || v.n < 0 {
                        return Err(MiniError::at(
                            at + 1..self.pos,
                            "a velocity is 0 to 1",
                            "e.g. x:0.5",
                        ));
                    }
                    node = Node::Velocity(Box::new(node), v.to_f64() as f32);
                }
                Some('(') => {
                    self.pos += 1;
                    let hits_at = self.pos;
                    let hits = self.int()?;
                    self.comma()?;
                    let steps = self.count(1, MAX_COUNT)?;
                    if hits.abs() > steps {
                        return Err(MiniError::at(
                            hits_at..hits_at + hits.to_string().len(),
                            format!("{} hits do not fit in {steps} steps", hits.abs()),
                            &format!("at most {steps} hits"),
                        ));
                    }
                    self.blanks();
                    let rotation = if self.peek() == Some(',') {
                        self.comma()?;
                        self.int()?
                    } else {
                        0
                    };
                    self.blanks();
                    if !self.eat(')') {
                        let here = self.pos;
                        return Err(MiniError::at(
                            here..here + self.peek().map_or(0, char::len_utf8),
                            "missing `)`",
                            "`)` after the euclid numbers, e.g. x(3,8)",
                        ));
                    }
                    node = Node::Euclid {
                        node: Box::new(node),
                        hits,
                        steps,
                        rotation,
                    };
                }
                _ => break,
            }
        }
        for copy in 0..copies {
            let mut node = node.clone();
            if copy > 0 {
                self.renumber(&mut node);
            }
            steps.push(Weighted { node, weight });
        }
        Ok(())
    }

    /// Gives every `?` and `|` in a copy (`x?!4`) its own random stream.
    fn renumber(&mut self, node: &mut Node) {
        match node {
            Node::Maybe { node, id, .. } => {
                *id = self.next_id();
                self.renumber(node);
            }
            Node::Group { seqs, join, id } => {
                if *join == Join::Choice {
                    *id = self.next_id();
                }
                for s in seqs {
                    for w in &mut s.steps {
                        self.renumber(&mut w.node);
                    }
                }
            }
            Node::Alternate(seqs) | Node::Polymeter { seqs, .. } => {
                for s in seqs {
                    for w in &mut s.steps {
                        self.renumber(&mut w.node);
                    }
                }
            }
            Node::Fast(n, _)
            | Node::Slow(n, _)
            | Node::Euclid { node: n, .. }
            | Node::Velocity(n, _)
            | Node::Shift(n, _)
            | Node::Reverse(n)
            | Node::Fill(n) => self.renumber(n),
            Node::Every { then, other, .. } => {
                self.renumber(then);
                self.renumber(other);
            }
            Node::Atom { .. } => {}
        }
    }

    fn comma(&mut self) -> Result<(), MiniError> {
        self.blanks();
        if self.eat(',') {
            return Ok(());
        }
        let here = self.pos;
        Err(MiniError::at(
            here..here + self.peek().map_or(0, char::len_utf8),
            "missing `,` between the euclid numbers",
            "hits and steps, e.g. x(3,8)",
        ))
    }

    fn number(&mut self) -> Result<Frac, MiniError> {
        self.blanks();
        let at = self.pos;
        let parsed = decimal(self.rest())
            .ok()
            .and_then(|(rest, n)| Some((rest.len(), parse_signed(n)?)));
        match parsed {
            Some((left, n)) => {
                self.pos = self.text.len() - left;
                Ok(n)
            }
            None => {
                let len = word(self.rest()).map_or(0, |(_, w)| w.len());
                Err(MiniError::at(
                    at..at + len,
                    "a number is missing here",
                    "a number such as 2 or 0.5",
                ))
            }
        }
    }

    fn positive(&mut self, max: i64) -> Result<Frac, MiniError> {
        let at = self.pos;
        let n = self.number()?;
        if !n.is_positive() || n > Frac::int(max) {
            return Err(MiniError::at(
                at..self.pos,
                format!("{n} is out of range"),
                &format!("a number above 0 and at most {max}"),
            ));
        }
        Ok(n)
    }

    fn int(&mut self) -> Result<i64, MiniError> {
        let at = self.pos;
        let n = self.number()?;
        if n.d != 1 || n.n.abs() > MAX_COUNT {
            return Err(MiniError::at(
                at..self.pos,
                format!("{n} is not a whole number up to {MAX_COUNT}"),
                "a whole number",
            ));
        }
        Ok(n.n)
    }

    fn count(&mut self, min: i64, max: i64) -> Result<i64, MiniError> {
        let at = self.pos;
        let n = self.int()?;
        if n < min || n > max {
            return Err(MiniError::at(
                at..self.pos,
                format!("{n} is out of range"),
                &format!("a whole number from {min} to {max}"),
            ));
        }
        Ok(n)
    }
}

fn parse_signed(text: &str) -> Option<Frac> {
    match text.strip_prefix('-') {
        Some(t) => Frac::parse_decimal(t).and_then(|f| Frac::new(-f.n, f.d)),
        None => Frac::parse_decimal(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> (String, String) {
        let e = parse(text).expect_err("an error");
        (text[e.span.clone()].to_string(), e.message)
    }

    #[test]
    fn grid_words_are_one_step_per_character() {
        let Node::Group { seqs, .. } = parse("x..X").expect("parses") else {
            panic!("a group")
        };
        assert_eq!(seqs[0].steps.len(), 4);
    }

    #[test]
    fn ties_and_at_stretch_the_step_before() {
        let Node::Group { seqs, .. } = parse("x _ _ x@2").expect("parses") else {
            panic!("a group")
        };
        let weights: Vec<_> = seqs[0].steps.iter().map(|s| s.weight).collect();
        assert_eq!(weights, [Frac::int(3), Frac::int(2)]);
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_or_fails_at_a_place_in_it(text in "\\PC{0,60}") {
            if let Err(e) = parse(&text) {
                proptest::prop_assert!(e.span.start <= e.span.end && e.span.end <= text.len());
                proptest::prop_assert!(text.is_char_boundary(e.span.start));
                proptest::prop_assert!(text.is_char_boundary(e.span.end));
                proptest::prop_assert!(!e.message.is_empty());
            }
        }

        #[test]
        fn mini_notation_pieces_parse_or_fail_at_a_place_in_them(
            pieces in proptest::collection::vec(proptest::sample::select(vec![
                "x", "X", ".", "~", "_", "C3", "[", "]", "<", ">", "{", "}", "(", ")", ",", "|",
                "*", "/", "!", "@", "?", ":", "%", "2", "3", "8", "0.5", "-1", " ", "x..X",
            ]), 0..40)
        ) {
            let text = pieces.concat();
            if let Err(e) = parse(&text) {
                proptest::prop_assert!(e.span.end <= text.len(), "{text:?} {e:?}");
            }
        }
    }

    #[test]
    fn errors_point_into_the_pattern() {
        assert_eq!(error("x(3,8").1, "missing `)`");
        assert_eq!(error("[x x").1, "missing `]` (found the end)");
        assert_eq!(
            error("x ] x"),
            ("]".to_string(), "unexpected `]`".to_string())
        );
        assert_eq!(error("x*0").0, "0");
        assert_eq!(error("x(9,8)").0, "9");
        assert_eq!(error("_ x").0, "_");
        assert_eq!(
            error("x..x*2").1,
            "`x..x` is several steps; brackets make them one"
        );
    }
}
