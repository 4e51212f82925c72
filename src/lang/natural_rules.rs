//! Phrase rules for the forms people type without reading the docs (`grammar/chronus.ebnf`,
//! "natural forms"): effects switched off by verbs (`kill the delay`), factors (`double the
//! tempo`), chords in sentences (`play an A minor chord`), modified describing words (`less
//! bright`, `too dark`, `not bright enough`), bare notes (`A4`) and frequencies (`440 hz`),
//! `some reverb`, and several settings of one module in one phrase (`delay 250 ms with 50%
//! feedback`).
//!
//! Runs on the control thread. May allocate.

use super::ast::{PhraseKind, Target, Value, Word};
use super::grammar::{fail, lexeme_where, next, skip_fillers, verb, Grammar, PResult};
use super::lexeme::{Class, Lexeme, Lexemes};
use super::units::{Quantity, UnitWord};
use super::vocab::{Describe, Direction, Verb, WordClass};
use crate::engine::params::ParamId;
use nom::combinator::opt;
use nom::Parser;

/// Most a stack of intensity words and repetitions may scale a step.
pub(crate) const MAX_INTENSITY: f32 = 8.0;

/// Whether a module has an on/off switch (`delay` → `delay.on`), or a choice that starts with
/// `off` (`arp` → `arp.mode`: `turn on the arp`).
fn has_switch(module: &str) -> bool {
    ParamId::ALL.iter().any(|p| {
        p.spec().module() == module
            && (p.spec().param() == "on" || matches!(p.spec().choices, ["off", ..]))
    })
}

/// What `no X` means for a parameter without a switch: zero, when zero is its floor and it
/// is a number (`no sustain`, `no swing`, `no detune`).
fn zero_floor(target: &Target) -> Option<ParamId> {
    let p = target.param?;
    (p.spec().min == 0.0 && p.spec().choices.is_empty()).then_some(p)
}

fn is_article(l: &Lexeme) -> bool {
    matches!(l.text.as_str(), "a" | "an" | "the")
}

/// Skips frame words and fillers, but not `a` (which may be the note A).
fn skip_but_a(i: Lexemes<'_>) -> Lexemes<'_> {
    let n =
        i.0.iter()
            .take_while(|l| matches!(&l.class, Class::Word(c) if c.is_skipped()) && l.text != "a")
            .count();
    Lexemes(&i.0[n..])
}

impl Grammar<'_> {
    /// The text of a lexeme as typed (case kept: `CM7` is not `cm7`).
    fn typed(&self, l: &Lexeme) -> String {
        match self.line.get(l.span.clone()) {
            Some(t) if !t.contains(char::is_whitespace) => t.to_string(),
            _ => l.text.clone(),
        }
    }

    /// `kill the delay`, `remove the reverb`, `mute the reverb`, `turn off the chorus`,
    /// `turn on the delay`, `turn on the arp`, `no reverb` (and `no sustain`: zero): an
    /// effect's switch.
    pub(super) fn switch<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        let (rest, (on, span, no)) =
            lexeme_where("remove, kill, no, on or off", |l: &Lexeme| match &l.class {
                Class::Word(WordClass::Verb(Verb::Remove | Verb::Mute | Verb::Off)) => {
                    Some((false, l.span.clone(), false))
                }
                Class::Word(WordClass::Verb(Verb::On)) => Some((true, l.span.clone(), false)),
                _ if l.text == "no" => Some((false, l.span.clone(), true)),
                _ => None,
            })(i)?;
        let (rest, target) = self.target(rest)?;
        let switchable = match (target.param, target.module) {
            (Some(p), _) => p.spec().param() == "on",
            (None, Some(m)) => has_switch(m),
            _ => false,
        };
        if !switchable {
            if let Some(param) = zero_floor(&target).filter(|_| no) {
                let value = Value::Quantity(Quantity {
                    value: 0.0,
                    unit: None,
                    note_value: false,
                    span: span.clone(),
                });
                let target = Target {
                    param: Some(param),
                    ..target
                };
                return Ok((rest, PhraseKind::Set { target, value }));
            }
            return fail(i, "an effect: drive, chorus, delay or reverb");
        }
        Ok((
            rest,
            PhraseKind::Set {
                target,
                value: Value::Switch { on, span },
            },
        ))
    }

    /// `take the reverb out`, `leave the delay out` (`take` and `leave` are words of
    /// conversation): an effect named, then `out`, switches it off.
    pub(super) fn switch_out<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        let (rest, target) = self.target(i)?;
        let switchable = target.param.is_none() && target.module.is_some_and(has_switch);
        let (rest, out) = lexeme_where("out", |l: &Lexeme| {
            (l.text == "out" && switchable).then(|| l.span.clone())
        })(rest)?;
        Ok((
            rest,
            PhraseKind::Set {
                target,
                value: Value::Switch {
                    on: false,
                    span: out,
                },
            },
        ))
    }

    /// `double the tempo`, `halve the delay time`.
    pub(super) fn scale<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        let (i, factor) = lexeme_where("double, halve or triple", |l: &Lexeme| match l.class {
            Class::Word(WordClass::Factor(f)) => Some(f),
            _ => None,
        })(i)?;
        let (i, target) = self.target(i)?;
        Ok((i, PhraseKind::Scale { factor, target }))
    }

    /// `play an A minor chord`, `give me C major seven`, `Cmaj7 please`, `E7 chord`,
    /// `play the chord A7`, `chrod Dm7`.
    pub(super) fn chord_sentence<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        let (i, _) = opt(verb(Verb::Play, "play")).parse_complete(i)?;
        let (i, chord_first) = opt(verb(Verb::Chord, "chord")).parse_complete(i)?;
        let i = skip_but_a(i);
        // `chord A7` as typed: raw words, checked by the resolver.
        if chord_first.is_some() {
            if let Some(raw) = self.raw_chord(i) {
                return Ok(raw);
            }
        }
        let (i, root) = self.chord_root(i)?;
        let mut words = vec![(self.typed(root), root.span.clone())];
        let mut rest = i;
        let mut triad = false;
        while let Some((l, after)) = next(skip_fillers(rest)) {
            let word = match &l.class {
                Class::Quality if l.text == "triad" => {
                    triad = true;
                    None
                }
                Class::Quality => Some(self.typed(l)),
                Class::Word(WordClass::Interval(_)) => Some(l.text.clone()),
                Class::Number { value, unit: None }
                    if [5.0, 6.0, 7.0, 9.0, 11.0, 13.0].contains(value) =>
                {
                    Some(format!("{value}"))
                }
                _ => break,
            };
            if let Some(w) = word {
                words.push((w, l.span.clone()));
            }
            rest = after;
        }
        let (mut rest, chord_word) = opt(verb(Verb::Chord, "chord")).parse_complete(rest)?;
        // `D minor chord please`: after `chord` the words are taken as typed; skip the
        // skipped ones.
        while let Some((l, after)) = next(rest) {
            let skipped = self
                .vocab
                .lookup(&l.text.to_lowercase())
                .is_some_and(|c| c.is_skipped());
            if !(l.class == Class::Raw && skipped) {
                break;
            }
            rest = after;
        }
        let has_quality = words.len() > 1 || triad;
        if root.class != Class::Chord
            && !has_quality
            && chord_word.is_none()
            && chord_first.is_none()
        {
            return fail(i, "a chord quality such as major or minor");
        }
        Ok((rest, PhraseKind::Chord(words)))
    }

    /// The raw words after `chord` (`chord A7 please` → `A7`): skipped words and a full stop at
    /// the end are not chord words.
    fn raw_chord<'a>(&self, i: Lexemes<'a>) -> Option<(Lexemes<'a>, PhraseKind)> {
        let mut words: Vec<Word> =
            i.0.iter()
                .take_while(|l| l.class == Class::Raw)
                .map(|l| (l.text.clone(), l.span.clone()))
                .collect();
        let taken = words.len();
        if taken == 0 {
            return None;
        }
        while words.len() > 1
            && words.last().is_some_and(|(w, _)| {
                !w.contains(char::is_alphanumeric)
                    || self
                        .vocab
                        .lookup(&w.to_lowercase())
                        .is_some_and(|c| c.is_skipped())
            })
        {
            words.pop();
        }
        if let Some((w, at)) = words.last_mut() {
            let kept = w.trim_end_matches('.').len();
            if kept > 0 && kept < w.len() {
                at.end -= w.len() - kept;
                w.truncate(kept);
            }
        }
        Some((Lexemes(&i.0[taken..]), PhraseKind::Chord(words)))
    }

    /// A chord's root: a chord symbol, a note, or `a` meaning A (`A minor`); an article
    /// before a root is skipped (`a C chord`).
    fn chord_root<'a>(&self, i: Lexemes<'a>) -> PResult<'a, &'a Lexeme> {
        let is_root =
            |l: &Lexeme| matches!(l.class, Class::Chord | Class::Note(_)) || l.text == "a";
        let Some((l, rest)) = next(i) else {
            return fail(i, "a chord such as C, Dm7 or A minor");
        };
        if is_article(l) {
            if let Some((r, rest2)) = next(rest) {
                if matches!(r.class, Class::Chord | Class::Note(_)) || r.text == "a" {
                    return Ok((rest2, r));
                }
            }
        }
        if is_root(l) {
            return Ok((rest, l));
        }
        fail(i, "a chord such as C, Dm7 or A minor")
    }

    /// `less bright`, `more mellow`, `too dark`, `not so loud`, `not bright enough`, `way too
    /// bright`: a describing word with a word that keeps or turns its direction.
    pub(super) fn modified<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        let (i, k1) = self.intensities(i)?;
        let start = skip_fillers(i);
        let (i, keep) = lexeme_where("more, less, too or not", |l: &Lexeme| {
            match (&l.class, l.text.as_str()) {
                (Class::Word(WordClass::Verb(Verb::Not)), _) => Some(false),
                (Class::Word(WordClass::Describe(_)), "more") => Some(true),
                (Class::Word(WordClass::Describe(_)), "less" | "fewer" | "too") => Some(false),
                _ => None,
            }
        })(i)?;
        // `not too loud`, `not so loud` (`so` and `as` are skipped words).
        let (i, _) = opt(lexeme_where("", |l: &Lexeme| {
            (l.text == "too").then_some(())
        }))
        .parse_complete(i)?;
        let (i, k2) = self.intensities(i)?;
        let (i, (word, word_span)) = self.describing(i, true)?;
        let (i, repeats) = self.repeats(i, &word)?;
        let (i, enough) = opt(verb(Verb::Enough, "enough")).parse_complete(i)?;
        let (i, target) = opt(|i| self.target(i)).parse_complete(i)?;
        let keep = keep != enough.is_some();
        let text_span = start
            .0
            .first()
            .map_or(word_span.clone(), |l| l.span.start..word_span.end);
        let word_text = self.line.get(text_span).unwrap_or("").to_lowercase();
        Ok((
            i,
            PhraseKind::Relative {
                word: if keep { word } else { word.inverted() },
                word_text,
                word_span,
                intensity: (k1 * k2 * repeats).min(MAX_INTENSITY),
                target,
                amount: None,
            },
        ))
    }

    /// Intensity words in a row (`way way`, `very slightly`): the product of their exponents.
    pub(super) fn intensities<'a>(&self, mut i: Lexemes<'a>) -> PResult<'a, f32> {
        let mut k = 1.0f32;
        while let Ok((rest, n)) = self.intensity(i) {
            k *= n;
            i = rest;
        }
        Ok((i, k.min(MAX_INTENSITY)))
    }

    /// A describing word; with `effects_only`, one that moves its own parameters.
    pub(super) fn describing<'a>(
        &self,
        i: Lexemes<'a>,
        effects_only: bool,
    ) -> PResult<'a, (Describe, std::ops::Range<usize>)> {
        lexeme_where(
            "a describing word such as darker or more",
            move |l: &Lexeme| match &l.class {
                Class::Word(WordClass::Describe(d)) if !effects_only || !d.effects.is_empty() => {
                    Some((d.clone(), l.span.clone()))
                }
                _ => None,
            },
        )(i)
    }

    /// The same word said again (`darker darker`, `more more delay`): each repetition adds
    /// one to the intensity.
    pub(super) fn repeats<'a>(&self, mut i: Lexemes<'a>, word: &Describe) -> PResult<'a, f32> {
        let mut n = 1.0f32;
        while let Ok((rest, (again, _))) = self.describing(i, false) {
            if again != *word {
                break;
            }
            n += 1.0;
            i = rest;
        }
        Ok((i, n))
    }

    /// A note on its own: `A4`, `c#3`, `Eb`, `middle C`.
    pub(super) fn bare_note<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        lexeme_where("a note such as A4 or C#3", |l: &Lexeme| match l.class {
            Class::Note(midi) => Some(PhraseKind::NoteOn {
                midi,
                span: l.span.clone(),
                velocity: None,
            }),
            _ => None,
        })(i)
    }

    /// A frequency on its own sets the oscillator: `440 hz`.
    pub(super) fn bare_hz<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        self.bare_value(i, &[UnitWord::Hz, UnitWord::KHz], ParamId::OscFreq)
    }

    /// `some reverb`, `give me some delay`: a little more of it. Also `I want an echo`, `need
    /// reverb`: wanting an effect (a module whose bare name means its mix) is more of it.
    pub(super) fn some_target<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        let skipped = i.0.len() - skip_fillers(i).0.len();
        let said = |words: &[&str]| {
            i.0[..skipped]
                .iter()
                .any(|l| words.contains(&l.text.as_str()))
        };
        let some = said(&["some"]);
        if !some && !said(&["want", "wanna", "need"]) {
            return self.target_by_amount(i);
        }
        let (rest, target) = self.target(i)?;
        let an_effect = target.param.is_none()
            && target
                .module
                .and_then(|m| self.vocab.module_default(m))
                .is_some_and(|p| p.spec().param() == "mix");
        if !some && !an_effect {
            return fail(i, "");
        }
        let word_span = target.span.clone();
        Ok((
            rest,
            PhraseKind::Relative {
                word: Describe {
                    effects: Vec::new(),
                    direction: Some(Direction::Up),
                    time: false,
                },
                word_text: "some".into(),
                word_span,
                intensity: 1.0,
                target: Some(target),
                amount: None,
            },
        ))
    }

    /// `detune it a bit`, `reverb a little`, `swing slightly`: a parameter then only an amount
    /// is a little more of it (the amount scales the step, as in `a bit more detune`).
    fn target_by_amount<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        let (rest, target) = self.target(i)?;
        let mut intensity = 1.0f32;
        let mut saw_amount = false;
        for l in rest.0 {
            match &l.class {
                Class::Word(WordClass::Intensity(k)) => {
                    intensity *= *k;
                    saw_amount = true;
                }
                Class::Word(c) if c.is_skipped() => {}
                _ => return fail(i, ""),
            }
        }
        if !saw_amount {
            return fail(i, "");
        }
        let word_span = target.span.clone();
        Ok((
            Lexemes(&[]),
            PhraseKind::Relative {
                word: Describe {
                    effects: Vec::new(),
                    direction: Some(Direction::Up),
                    time: false,
                },
                word_text: "more".into(),
                word_span,
                intensity: intensity.min(MAX_INTENSITY),
                target: Some(target),
                amount: None,
            },
        ))
    }

    /// More settings after a first one (`delay 250 ms with 50% feedback`, `arp updown 3
    /// octaves`, `lpf 800`): each a value for a parameter of the same module (or one named on
    /// its own). `None` unless the rest of the clause is all settings.
    pub(super) fn more_settings<'a>(
        &self,
        first: &PhraseKind,
        rest: Lexemes<'a>,
    ) -> Option<(Lexemes<'a>, PhraseKind)> {
        let module = match first {
            PhraseKind::Set { target, .. } => target
                .module
                .or_else(|| target.param.map(|p| p.spec().module())),
            PhraseKind::Choose { param, .. } => Some(param.spec().module()),
            _ => None,
        }?;
        let mut kinds = vec![first.clone()];
        let mut i = rest;
        while !skip_fillers(i).0.is_empty() {
            // After a choice (`lpf`, `osc2 square`) a bare value is for the module's default.
            let chose = matches!(
                kinds.last(),
                Some(
                    PhraseKind::Choose { .. }
                        | PhraseKind::Set {
                            value: Value::Choice { .. },
                            ..
                        }
                )
            );
            let (r, kind) = self.setting_in(module, chose, i)?;
            kinds.push(kind);
            i = r;
        }
        Some((i, PhraseKind::Several(kinds)))
    }

    /// A module, a number, then one of the module's parameters: `arp 2 octaves`, `delay 40%
    /// feedback` (the number is for the parameter named after it, not the module's default).
    pub(super) fn value_then_param<'a>(&self, i: Lexemes<'a>) -> PResult<'a, PhraseKind> {
        let (rest, target) = self.target(i)?;
        let module = match (target.module, target.param) {
            (Some(m), None) => m,
            _ => return fail(i, "a module such as arp or delay"),
        };
        let number_next =
            next(skip_fillers(rest)).is_some_and(|(l, _)| matches!(l.class, Class::Number { .. }));
        match number_next
            .then(|| self.setting_in(module, false, rest))
            .flatten()
        {
            Some((rest, kind)) => Ok((rest, kind)),
            None => fail(rest, "a number then a parameter, e.g. `arp 2 octaves`"),
        }
    }

    /// One setting after the first: `50% feedback`, `3 octaves`, `res 0.6`, `mix 30%`, `800`.
    fn setting_in<'a>(
        &self,
        module: &'static str,
        chose: bool,
        i: Lexemes<'a>,
    ) -> Option<(Lexemes<'a>, PhraseKind)> {
        let param_word = |l: &Lexeme| self.vocab.param_in_module(module, &l.text);
        let target_at = |l: &Lexeme, p: ParamId| Target {
            module: Some(module),
            param: Some(p),
            canonical: false,
            span: l.span.clone(),
        };
        // A value, then the parameter: `50% feedback`, `3 octaves`.
        let start = skip_fillers(i);
        if let Some((v, after)) = next(start) {
            if let Class::Number { value, unit } = &v.class {
                if let Some((l, rest)) = next(skip_fillers(after)) {
                    if let Some(p) = param_word(l) {
                        let q = super::units::Quantity {
                            value: *value,
                            unit: *unit,
                            note_value: false,
                            span: v.span.clone(),
                        };
                        let value = Value::Quantity(q);
                        return Some((
                            rest,
                            PhraseKind::Set {
                                target: target_at(l, p),
                                value,
                            },
                        ));
                    }
                }
            }
        }
        // The parameter, then a value: `res 0.6`, `mix 30%`, `release 1 s`.
        if let Some((l, after)) = next(start) {
            if let Some(p) = param_word(l) {
                if let Ok((rest, value)) = self.value(after) {
                    return Some((
                        rest,
                        PhraseKind::Set {
                            target: target_at(l, p),
                            value,
                        },
                    ));
                }
            }
        }
        if let Ok((rest, kind @ PhraseKind::Set { .. })) = self.set(i) {
            return Some((rest, kind));
        }
        // After a choice, a bare value is for the module's default parameter: `lpf 800`,
        // `highpass at 300 hz` (`cutoff 800 900` stays a mistake).
        if !chose {
            return None;
        }
        let (rest, q) = self.quantity(i).ok()?;
        let span = q.span.clone();
        Some((
            rest,
            PhraseKind::Set {
                target: Target {
                    module: Some(module),
                    param: None,
                    canonical: false,
                    span,
                },
                value: Value::Quantity(q),
            },
        ))
    }
}
