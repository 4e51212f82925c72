//! Reading one vocabulary file: the TOML schema, validation against the parameter table, and
//! errors that name the file, the line and the key.
//!
//! Runs on the control thread, at start. May allocate and read files.

use super::lexer::is_vocab_word;
use super::vocab::{Describe, Direction, Step, StepOp, Verb, VocabError, WordClass};
use crate::engine::params::{ParamId, Unit, PARAMS};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use toml::Spanned;

/// Most words a vocabulary entry may have ("a little bit").
pub const MAX_KEY_WORDS: usize = 3;

type Key = Spanned<String>;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct VocabFile {
    #[serde(default)]
    modules: BTreeMap<Key, ModuleDef>,
    #[serde(default)]
    params: BTreeMap<Key, ParamDef>,
    #[serde(default)]
    choices: BTreeMap<Key, BTreeMap<Key, Vec<String>>>,
    #[serde(default)]
    describe: BTreeMap<Key, DescribeDef>,
    #[serde(default)]
    intensity: BTreeMap<Key, f32>,
    #[serde(default)]
    notes: BTreeMap<Key, i32>,
    #[serde(default)]
    accidentals: BTreeMap<Key, i32>,
    #[serde(default)]
    intervals: BTreeMap<Key, f32>,
    #[serde(default)]
    verbs: BTreeMap<Key, Vec<String>>,
    #[serde(default)]
    fillers: Option<FillersDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModuleDef {
    #[serde(default)]
    words: Vec<String>,
    default: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ParamDef {
    #[serde(default)]
    words: Vec<String>,
    #[serde(default)]
    alone: Vec<String>,
    more: Option<StepDef>,
    floor: Option<f32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepDef {
    op: String,
    step: f32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DescribeDef {
    param: Option<String>,
    op: Option<String>,
    step: Option<f32>,
    effects: Option<Vec<EffectDef>>,
    direction: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EffectDef {
    param: String,
    op: String,
    step: f32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FillersDef {
    words: Vec<String>,
}

/// Everything one file defines, validated, ready to merge into a vocabulary.
#[derive(Default, Debug)]
pub(crate) struct VocabDelta {
    pub words: Vec<(String, WordClass)>,
    pub module_defaults: Vec<(&'static str, ParamId)>,
    pub param_words: Vec<(&'static str, String, ParamId)>,
    pub more: Vec<(ParamId, StepOp, f32)>,
    pub floors: Vec<(ParamId, f32)>,
    pub notes: Vec<(String, i32)>,
    pub accidentals: Vec<(String, i32)>,
}

/// Parses and validates `text` (read from `file`); all errors of the file are returned.
pub(crate) fn parse_vocab_file(file: &Path, text: &str) -> Result<VocabDelta, Vec<VocabError>> {
    let parsed: VocabFile = match toml::from_str(text) {
        Ok(f) => f,
        Err(e) => {
            let start = e.span().map(|s| s.start).unwrap_or(0);
            let line = line_of(text, start);
            let key = key_on_line(text, line);
            let message = e
                .message()
                .lines()
                .next()
                .unwrap_or("invalid TOML")
                .to_string();
            return Err(vec![VocabError {
                file: file.to_path_buf(),
                line,
                key,
                message,
            }]);
        }
    };
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
        if let Some(fillers) = f.fillers {
            // Fillers are a plain list; errors point at the [fillers] line.
            let at = self.text.find("[fillers]").unwrap_or(0);
            let key = Spanned::new(at..at, "fillers".to_string());
            for w in &fillers.words {
                self.word(&key, "fillers.words".into(), w, WordClass::Filler);
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
            WordClass::Describe(Describe { effects, direction }),
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
            other => {
                self.error(
                    key,
                    name.into(),
                    format!("\"{other}\" is not an op; use mul, div, add or sub"),
                );
                return None;
            }
        };
        let ok = match op {
            StepOp::Mul | StepOp::Div => step.is_finite() && step > 0.0 && step != 1.0,
            StepOp::Add | StepOp::Sub => step.is_finite() && step > 0.0,
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
    match super::vocab::closest(name, names) {
        Some(s) => format!("unknown parameter \"{name}\"; did you mean \"{s}\"?"),
        None => format!("unknown parameter \"{name}\" (the parameters are listed by `help`)"),
    }
}

/// Lower-cases a vocabulary word and joins its parts with single spaces; rejects words the
/// phrase lexer could never produce.
pub(crate) fn normalize_word(word: &str) -> Result<String, &'static str> {
    let parts: Vec<String> = word.split_whitespace().map(str::to_lowercase).collect();
    if parts.is_empty() {
        return Err("empty word");
    }
    if parts.len() > MAX_KEY_WORDS {
        return Err("at most 3 words per entry");
    }
    for p in &parts {
        if p == "and" || p == "then" {
            return Err("\"and\" and \"then\" separate phrases and cannot be part of a word");
        }
        if !is_vocab_word(p) {
            return Err("words are letters and digits (and # or _), starting with a letter");
        }
    }
    Ok(parts.join(" "))
}

/// The modules of the parameter table, in table order.
pub(crate) fn modules() -> impl Iterator<Item = &'static str> {
    let mut seen: Vec<&'static str> = Vec::new();
    PARAMS.iter().filter_map(move |p| {
        let m = p.module();
        if seen.contains(&m) {
            None
        } else {
            seen.push(m);
            Some(m)
        }
    })
}

/// The module of the parameter table called `name`.
pub(crate) fn module_named(name: &str) -> Option<&'static str> {
    modules().find(|m| m.eq_ignore_ascii_case(name))
}

/// 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The key written on a line (`darker` in `darker = {...}`, or a `[table]` name).
fn key_on_line(text: &str, line: usize) -> String {
    let l = text
        .lines()
        .nth(line.saturating_sub(1))
        .unwrap_or("")
        .trim();
    let k = match l.split_once('=') {
        Some((k, _)) => k.trim(),
        None => l.trim_start_matches('[').trim_end_matches(']'),
    };
    if k.is_empty() {
        "(file)".into()
    } else {
        k.trim_matches('"').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<VocabError> {
        parse_vocab_file(Path::new("user.toml"), text)
            .err()
            .unwrap_or_default()
    }

    #[test]
    fn a_toml_syntax_error_names_line_and_key() {
        let e =
            errors("[describe]\ndarker = { param = \"filter.cutoff\", op = \"mul\" step = 0.7 }\n");
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].line, 2);
        assert_eq!(e[0].key, "darker");
    }

    #[test]
    fn unknown_parameters_ops_and_fields_are_located() {
        let e = errors(
            "[describe]\n\nmurkier = { param = \"filter.cutof\", op = \"mul\", step = 0.7 }\n",
        );
        assert_eq!(
            (e[0].line, e[0].key.as_str()),
            (3, "describe.murkier.param")
        );
        let e = errors(
            "[describe]\nmurkier = { param = \"filter.cutoff\", op = \"times\", step = 0.7 }\n",
        );
        assert!(e[0].message.contains("mul, div, add or sub"), "{e:?}");
        let e = errors("[params.\"filter.cutoff\"]\nsetp = 3\n");
        assert_eq!(e[0].line, 2);
        assert!(e[0].message.contains("setp"), "{e:?}");
    }

    #[test]
    fn words_with_separators_are_refused() {
        let e = errors("[intensity]\n\"rock and roll\" = 2\n");
        assert!(e[0].message.contains("separate phrases"), "{e:?}");
    }

    #[test]
    fn a_valid_file_gives_its_words() {
        let d = parse_vocab_file(
            Path::new("user.toml"),
            "[describe]\nmurkier = { param = \"filter.cutoff\", op = \"mul\", step = 0.6 }\n[intensity]\n\"a smidge\" = 0.2\n",
        )
        .expect("valid");
        assert_eq!(d.words.len(), 2);
        assert!(d.words.iter().any(|(w, _)| w == "a smidge"));
    }
}
