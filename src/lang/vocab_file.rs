//! Reading one vocabulary file: the TOML schema, parse errors that name the file, the line and
//! the key, and the word rules shared with the checks in `vocab_check.rs`.
//!
//! Runs on the control thread, at start. May allocate and read files.

use super::lexer::is_vocab_word;
use super::vocab::{StepOp, VocabError, WordClass};
use super::vocab_check::validate;
use crate::engine::params::{ParamId, PARAMS};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use toml::Spanned;

/// Most words a vocabulary entry may have ("four on the floor").
pub const MAX_KEY_WORDS: usize = 4;

pub(super) type Key = Spanned<String>;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct VocabFile {
    #[serde(default)]
    pub(super) modules: BTreeMap<Key, ModuleDef>,
    #[serde(default)]
    pub(super) params: BTreeMap<Key, ParamDef>,
    #[serde(default)]
    pub(super) choices: BTreeMap<Key, BTreeMap<Key, Vec<String>>>,
    #[serde(default)]
    pub(super) describe: BTreeMap<Key, DescribeDef>,
    #[serde(default)]
    pub(super) intensity: BTreeMap<Key, f32>,
    #[serde(default)]
    pub(super) notes: BTreeMap<Key, i32>,
    #[serde(default)]
    pub(super) accidentals: BTreeMap<Key, i32>,
    #[serde(default)]
    pub(super) intervals: BTreeMap<Key, f32>,
    #[serde(default)]
    pub(super) verbs: BTreeMap<Key, Vec<String>>,
    #[serde(default)]
    pub(super) fillers: Option<FillersDef>,
    #[serde(default)]
    pub(super) rhythm: BTreeMap<Key, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ModuleDef {
    #[serde(default)]
    pub(super) words: Vec<String>,
    pub(super) default: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ParamDef {
    #[serde(default)]
    pub(super) words: Vec<String>,
    #[serde(default)]
    pub(super) alone: Vec<String>,
    pub(super) more: Option<StepDef>,
    pub(super) floor: Option<f32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StepDef {
    pub(super) op: String,
    pub(super) step: f32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DescribeDef {
    pub(super) param: Option<String>,
    pub(super) op: Option<String>,
    pub(super) step: Option<f32>,
    pub(super) effects: Option<Vec<EffectDef>>,
    pub(super) direction: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EffectDef {
    pub(super) param: String,
    pub(super) op: String,
    pub(super) step: f32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FillersDef {
    pub(super) words: Vec<String>,
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
    validate(file, text, parsed)
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
pub(super) fn line_of(text: &str, offset: usize) -> usize {
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
