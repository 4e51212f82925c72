//! The vocabulary file format: the TOML schema (`vocab/README.md`), what a validated file
//! defines ([`VocabDelta`]), and the word rules shared by parsing and validation.
//!
//! Runs on the control thread, at start. Plain data and pure functions.

use crate::engine::params::{ParamId, PARAMS};
use crate::lang::lexer::is_vocab_word;
use crate::lang::words::{StepOp, WordClass};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// Most words a vocabulary entry may have ("four on the floor").
pub const MAX_KEY_WORDS: usize = 4;

pub(crate) type Key = Spanned<String>;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct VocabFile {
    #[serde(default)]
    pub(crate) modules: BTreeMap<Key, ModuleDef>,
    #[serde(default)]
    pub(crate) params: BTreeMap<Key, ParamDef>,
    #[serde(default)]
    pub(crate) choices: BTreeMap<Key, BTreeMap<Key, Vec<String>>>,
    #[serde(default)]
    pub(crate) describe: BTreeMap<Key, DescribeDef>,
    #[serde(default)]
    pub(crate) intensity: BTreeMap<Key, f32>,
    #[serde(default)]
    pub(crate) notes: BTreeMap<Key, i32>,
    #[serde(default)]
    pub(crate) accidentals: BTreeMap<Key, i32>,
    #[serde(default)]
    pub(crate) intervals: BTreeMap<Key, f32>,
    #[serde(default)]
    pub(crate) verbs: BTreeMap<Key, Vec<String>>,
    #[serde(default)]
    pub(crate) fillers: Option<FillersDef>,
    #[serde(default)]
    pub(crate) rhythm: BTreeMap<Key, Vec<String>>,
    #[serde(default)]
    pub(crate) frames: Option<FillersDef>,
    #[serde(default)]
    pub(crate) factors: BTreeMap<Key, f32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ModuleDef {
    #[serde(default)]
    pub(crate) words: Vec<String>,
    pub(crate) default: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ParamDef {
    #[serde(default)]
    pub(crate) words: Vec<String>,
    #[serde(default)]
    pub(crate) alone: Vec<String>,
    pub(crate) more: Option<StepDef>,
    pub(crate) floor: Option<f32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StepDef {
    pub(crate) op: String,
    pub(crate) step: f32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DescribeDef {
    pub(crate) param: Option<String>,
    pub(crate) op: Option<String>,
    pub(crate) step: Option<f32>,
    pub(crate) effects: Option<Vec<EffectDef>>,
    pub(crate) direction: Option<String>,
    pub(crate) time: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EffectDef {
    pub(crate) param: String,
    pub(crate) op: String,
    pub(crate) step: f32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FillersDef {
    pub(crate) words: Vec<String>,
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

/// Lower-cases a vocabulary word and joins its parts with single spaces; rejects words the
/// phrase lexer could never produce.
pub(crate) fn normalize_word(word: &str) -> Result<String, &'static str> {
    let parts: Vec<String> = word.split_whitespace().map(str::to_lowercase).collect();
    if parts.is_empty() {
        return Err("empty word");
    }
    if parts.len() > MAX_KEY_WORDS {
        return Err("at most 4 words per entry");
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
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}
