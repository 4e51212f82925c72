//! Validating a parsed vocabulary file against the parameter table: every unknown module,
//! parameter, op, choice or verb is reported with its file, line and key.
//!
//! Runs on the control thread, at start.

use super::closest::closest;
use super::error::VocabError;
use super::schema::{
    line_of, module_named, modules, normalize_word, DescribeDef, FillersDef, Key, ModuleDef,
    ParamDef, VocabDelta, VocabFile,
};
use crate::engine::params::{ParamId, Unit};
use crate::lang::words::{Describe, Direction, Step, StepOp, Verb, WordClass};
use std::collections::BTreeMap;
use std::path::Path;
use toml::Spanned;

/// Checks a parsed file; all of its errors, or what it defines.
pub(super) fn validate(
    file: &Path,
    text: &str,
    parsed: VocabFile,
) -> Result<VocabDelta, Vec<VocabError>> {
    let mut v = Validator {
        file,
        text,
        errors: Vec::new(),
        delta: VocabDelta::default(),
    };
    v.file(parsed);
    if v.errors.is_empty() {
        Ok(v.delta)
    } else {
        Err(v.errors)
    }
}

struct Validator<'a> {
    file: &'a Path,
    text: &'a str,
    errors: Vec<VocabError>,
    delta: VocabDelta,
}

impl Validator<'_> {
    fn error(&mut self, key: &Key, name: String, message: impl Into<String>) {
        self.errors.push(VocabError {
            file: self.file.to_path_buf(),
            line: line_of(self.text, key.span().start),
            key: name,
            message: message.into(),
        });
    }

    fn file(&mut self, f: VocabFile) {
        for (key, def) in f.modules {
            self.module(&key, def);
        }
        for (key, def) in f.params {
            self.param(&key, def);
        }
        for (key, choices) in f.choices {
            self.choices(&key, choices);
        }
        for (key, def) in f.describe {
            self.describe(&key, def);
        }
        for (key, k) in f.intensity {
            let name = format!("intensity.{}", key.get_ref());
            if !(k.is_finite() && k > 0.0 && k <= 10.0) {
                self.error(
                    &key,
                    name,
                    "an intensity must be a number above 0 and at most 10",
                );
            } else {
                self.word(&key, name, key.get_ref(), WordClass::Intensity(k));
            }
        }
        for (key, n) in f.intervals {
            let name = format!("intervals.{}", key.get_ref());
            if !(n.is_finite() && n > 0.0 && n <= 48.0) {
                self.error(
                    &key,
                    name,
                    "an interval is a number of semitones from 0 to 48",
                );
            } else {
                self.word(&key, name, key.get_ref(), WordClass::Interval(n));
            }
        }
        for (key, pc) in f.notes {
            let name = format!("notes.{}", key.get_ref());
            let w = key.get_ref().to_lowercase();
            if !(0..12).contains(&pc) {
                self.error(
                    &key,
                    name,
                    "a note name maps to a pitch class from 0 (C) to 11 (B)",
                );
            } else if w.is_empty() || !w.chars().all(char::is_alphabetic) {
                self.error(&key, name, "a note name is made of letters only");
            } else {
                self.delta.notes.push((w, pc));
            }
        }
        for (key, n) in f.accidentals {
            let name = format!("accidentals.{}", key.get_ref());
            let w = key.get_ref().to_lowercase();
            if !(-2..=2).contains(&n) || n == 0 {
                self.error(
                    &key,
                    name,
                    "an accidental moves by -2, -1, 1 or 2 semitones",
                );
            } else if w.is_empty() || w.chars().any(|c| c.is_whitespace() || c.is_numeric()) {
                self.error(
                    &key,
                    name,
                    "an accidental is one or more symbols or letters",
                );
            } else {
                self.delta.accidentals.push((w, n));
            }
        }
        for (key, words) in f.verbs {
            let name = format!("verbs.{}", key.get_ref());
            match Verb::from_key(key.get_ref()) {
                Some(verb) => {
                    for w in &words {
                        self.word(&key, name.clone(), w, WordClass::Verb(verb));
                    }
                }
                None => self.error(
                    &key,
                    name,
                    format!("unknown verb; the verbs are {}", Verb::KEYS.join(", ")),
                ),
            }
        }
        for (key, words) in f.rhythm {
            let name = format!("rhythm.{}", key.get_ref());
            match crate::lang::rhythm_words::RhythmWord::from_key(key.get_ref()) {
                Some(word) => {
                    for w in &words {
                        self.word(&key, name.clone(), w, WordClass::Rhythm(word));
                    }
                }
                None => self.error(
                    &key,
                    name,
                    format!(
                        "unknown rhythm word; the keys are {}",
                        crate::lang::rhythm_words::RhythmWord::KEYS.join(", ")
                    ),
                ),
            }
        }
        self.word_lists(f.factors, f.fillers, f.frames);
    }

    /// Factors, fillers and frame words.
    fn word_lists(
        &mut self,
        factors: BTreeMap<Key, f32>,
        fillers: Option<FillersDef>,
        frames: Option<FillersDef>,
    ) {
        for (key, k) in factors {
            let name = format!("factors.{}", key.get_ref());
            if !(k.is_finite() && k > 0.0 && k <= 16.0 && k != 1.0) {
                self.error(
                    &key,
                    name,
                    "a factor is a number above 0, at most 16, other than 1",
                );
            } else {
                self.word(&key, name, key.get_ref(), WordClass::Factor(k));
            }
        }
        for (table, list, class) in [
            ("fillers", fillers, WordClass::Filler),
            ("frames", frames, WordClass::Frame),
        ] {
            let Some(list) = list else { continue };
            // Word lists are plain lists; errors point at the table's line.
            let at = self.text.find(&format!("[{table}]")).unwrap_or(0);
            let key = Spanned::new(at..at, table.to_string());
            for w in &list.words {
                self.word(&key, format!("{table}.words"), w, class.clone());
            }
        }
    }

    /// Adds a global word after checking that it can be typed as a phrase word.
    fn word(&mut self, key: &Key, name: String, word: &str, class: WordClass) {
        match normalize_word(word) {
            Ok(w) => self.delta.words.push((w, class)),
            Err(msg) => self.error(key, name, format!("\"{word}\": {msg}")),
        }
    }

    fn module(&mut self, key: &Key, def: ModuleDef) {
        let name = format!("modules.{}", key.get_ref());
        let Some(module) = module_named(key.get_ref()) else {
            let known: Vec<&str> = modules().collect();
            return self.error(
                key,
                name,
                format!("unknown module; the modules are {}", known.join(", ")),
            );
        };
        for w in &def.words {
            self.word(key, name.clone(), w, WordClass::Module(module));
        }
        if let Some(d) = def.default {
            match ParamId::from_name(&d) {
                Some(p) if p.spec().module() == module => {
                    self.delta.module_defaults.push((module, p))
                }
                _ => self.error(
                    key,
                    format!("{name}.default"),
                    format!("\"{d}\" is not a parameter of {module}"),
                ),
            }
        }
    }

    fn param(&mut self, key: &Key, def: ParamDef) {
        let name = format!("params.{}", key.get_ref());
        let Some(param) = ParamId::from_name(key.get_ref()) else {
            return self.error(key, name, unknown_param(key.get_ref()));
        };
        let module = param.spec().module();
        for w in &def.words {
            match normalize_word(w) {
                Ok(w) => self.delta.param_words.push((module, w, param)),
                Err(msg) => self.error(key, format!("{name}.words"), format!("\"{w}\": {msg}")),
            }
        }
        for w in &def.alone {
            self.word(key, format!("{name}.alone"), w, WordClass::Param(param));
        }
        if let Some(more) = def.more {
            if param.spec().unit == Unit::Choice {
                self.error(
                    key,
                    format!("{name}.more"),
                    "a choice parameter has no steps",
                );
            } else if let Some(op) = self.step_op(key, &format!("{name}.more"), &more.op, more.step)
            {
                self.delta.more.push((param, op, more.step));
            }
        }
        if let Some(floor) = def.floor {
            let spec = param.spec();
            if floor.is_finite() && floor > 0.0 && floor <= spec.max {
                self.delta.floors.push((param, floor));
            } else {
                self.error(
                    key,
                    format!("{name}.floor"),
                    format!("the floor must be above 0 and at most {}", spec.max),
                );
            }
        }
    }

    fn choices(&mut self, key: &Key, choices: BTreeMap<Key, Vec<String>>) {
        let name = format!("choices.{}", key.get_ref());
        let Some(param) = ParamId::from_name(key.get_ref()) else {
            return self.error(key, name, unknown_param(key.get_ref()));
        };
        let spec = param.spec();
        if spec.unit != Unit::Choice {
            return self.error(key, name, "not a choice parameter");
        }
        for (choice, words) in choices {
            let cname = format!("{name}.{}", choice.get_ref());
            match spec.choice_index(choice.get_ref()) {
                Some(i) => {
                    for w in &words {
                        self.word(&choice, cname.clone(), w, WordClass::Choice(param, i));
                    }
                }
                None => self.error(
                    &choice,
                    cname,
                    format!(
                        "not a choice of {}; the choices are {}",
                        spec.name,
                        spec.choices.join(", ")
                    ),
                ),
            }
        }
    }

    fn describe(&mut self, key: &Key, def: DescribeDef) {
        let name = format!("describe.{}", key.get_ref());
        let errors_before = self.errors.len();
        let mut effects = Vec::new();
        match (&def.param, &def.op, def.step) {
            (Some(p), Some(op), Some(step)) => {
                if let Some(s) = self.effect(key, &name, p, op, step) {
                    effects.push(s);
                }
            }
            (None, None, None) => {}
            _ => {
                return self.error(key, name, "param, op and step go together");
            }
        }
        for e in def.effects.iter().flatten() {
            if let Some(s) = self.effect(key, &name, &e.param, &e.op, e.step) {
                effects.push(s);
            }
        }
        let direction = match def.direction.as_deref() {
            None => None,
            Some("up") => Some(Direction::Up),
            Some("down") => Some(Direction::Down),
            Some(other) => {
                return self.error(
                    key,
                    format!("{name}.direction"),
                    format!("\"{other}\" is not a direction; use \"up\" or \"down\""),
                )
            }
        };
        if self.errors.len() > errors_before {
            return; // already reported (an effect was wrong)
        }
        if effects.is_empty() && direction.is_none() {
            return self.error(
                key,
                name,
                "a describing word needs param/op/step, effects or a direction",
            );
        }
        let word = key.get_ref().clone();
        self.word(
            key,
            name,
            &word,
            WordClass::Describe(Describe {
                effects,
                direction,
                time: def.time.unwrap_or(false),
            }),
        );
    }

    fn effect(&mut self, key: &Key, name: &str, param: &str, op: &str, step: f32) -> Option<Step> {
        let Some(p) = ParamId::from_name(param) else {
            self.error(key, format!("{name}.param"), unknown_param(param));
            return None;
        };
        if p.spec().unit == Unit::Choice {
            self.error(
                key,
                format!("{name}.param"),
                "a choice parameter has no steps",
            );
            return None;
        }
        let op = self.step_op(key, &format!("{name}.op"), op, step)?;
        Some(Step {
            param: p,
            op,
            amount: step,
        })
    }

    fn step_op(&mut self, key: &Key, name: &str, op: &str, step: f32) -> Option<StepOp> {
        let op = match op {
            "mul" => StepOp::Mul,
            "div" => StepOp::Div,
            "add" => StepOp::Add,
            "sub" => StepOp::Sub,
            "set" => StepOp::Set,
            other => {
                self.error(
                    key,
                    name.into(),
                    format!("\"{other}\" is not an op; use mul, div, add, sub or set"),
                );
                return None;
            }
        };
        let ok = match op {
            StepOp::Mul | StepOp::Div => step.is_finite() && step > 0.0 && step != 1.0,
            StepOp::Add | StepOp::Sub => step.is_finite() && step > 0.0,
            StepOp::Set => step.is_finite(),
        };
        if !ok {
            self.error(key, name.into(), format!("step {step} does not move anything (mul/div need a positive step other than 1, add/sub a positive step)"));
            return None;
        }
        Some(op)
    }
}

/// `unknown parameter "filter.cutof"; did you mean "filter.cutoff"?`
fn unknown_param(name: &str) -> String {
    let names = ParamId::ALL.iter().map(|p| p.name());
    match closest(name, names) {
        Some(s) => format!("unknown parameter \"{name}\"; did you mean \"{s}\"?"),
        None => format!("unknown parameter \"{name}\" (the parameters are listed by `help`)"),
    }
}
