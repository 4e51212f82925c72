//! Patches: named sets of sound parameters kept as TOML files in a patch directory, plus the
//! built-in patches `acid`, `pad`, `pluck` and `bass`.
//!
//! Runs on the control thread (file I/O and allocation); never on a real-time thread. A patch
//! holds every parameter except `transport.*` (tempo and swing belong to the performance);
//! loading one turns into plain `Set` commands, which the engine glides to (continuous
//! values), switches under a short duck (waveform, filter mode) or fades (effects on/off).
//!
//! ```toml
//! name = "acid"
//! [osc]
//! wave = "saw"
//! [filter]
//! cutoff = 320
//! [delay]
//! on = true
//! ```

use crate::engine::command::Command;
use crate::engine::params::{default_values, ParamId, Unit, PARAMS, PARAM_COUNT};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

mod store;
pub use store::{builtin, patch_store, PatchListing, PatchName, PatchStore, BUILTIN};

/// Why a patch could not be named, found, read, parsed or written.
#[derive(Debug, thiserror::Error)]
pub enum PatchError {
    /// The name could escape the patch directory or is not a plain word.
    #[error("patch name {name:?} {reason}")]
    BadName {
        /// The name given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// No user or built-in patch has this name.
    #[error("no patch called {name:?}{}", suggestion.as_ref().map(|s| format!(" (did you mean {s:?}?)")).unwrap_or_default())]
    NotFound {
        /// The name asked for.
        name: String,
        /// The closest existing name.
        suggestion: Option<String>,
    },
    /// Reading a file or the directory failed.
    #[error("could not read {path}: {source}")]
    Read {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Writing the file failed.
    #[error("could not write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The TOML is malformed or names something that is not a parameter.
    #[error("{origin}: {message}")]
    Parse {
        /// The file (or "built-in NAME").
        origin: String,
        /// What went wrong, with the line and column from the TOML reader.
        message: String,
    },
    /// A key is not a patch parameter.
    #[error("unknown parameter {name:?}{}", suggestion.as_ref().map(|s| format!(" (did you mean {s:?}?)")).unwrap_or_default())]
    UnknownParam {
        /// The `module.param` name found.
        name: String,
        /// The closest parameter name.
        suggestion: Option<String>,
    },
    /// A value does not fit its parameter.
    #[error("{param}: {message}")]
    BadValue {
        /// The parameter.
        param: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The patch could not be turned into TOML.
    #[error("could not encode the patch: {0}")]
    Encode(String),
}

/// True for the parameters a patch stores (all but `transport.*`).
pub fn is_patch_param(param: ParamId) -> bool {
    param.spec().module() != "transport"
}

fn is_switch(param: ParamId) -> bool {
    param.spec().choices == ["off", "on"]
}

/// A named sound: a value for every patch parameter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "PatchFile", into = "PatchFile")]
pub struct Patch {
    /// The patch's own name (informational; files are found by their file name).
    pub name: String,
    /// A one-line description.
    pub description: String,
    values: BTreeMap<ParamId, f32>,
}

impl Patch {
    /// A patch holding every patch parameter of `values`.
    pub fn from_values(name: &str, values: &[f32; PARAM_COUNT]) -> Patch {
        Patch {
            name: name.to_string(),
            description: String::new(),
            values: ParamId::ALL
                .iter()
                .filter(|p| is_patch_param(**p))
                .map(|p| (*p, values[p.index()]))
                .collect(),
        }
    }

    /// The stored value of `param`, if the patch sets it.
    pub fn get(&self, param: ParamId) -> Option<f32> {
        self.values.get(&param).copied()
    }

    /// Writes the patch into `values`: every patch parameter takes the patch's value or,
    /// where the patch is silent, the default; `transport.*` is left alone.
    pub fn apply_to(&self, values: &mut [f32; PARAM_COUNT]) {
        let defaults = default_values();
        for p in ParamId::ALL.iter().filter(|p| is_patch_param(**p)) {
            values[p.index()] = self.get(*p).unwrap_or(defaults[p.index()]);
        }
    }

    /// The `Set` commands that turn `current` into this patch (only what changes).
    pub fn commands(&self, current: &[f32; PARAM_COUNT]) -> Vec<Command> {
        let mut target = *current;
        self.apply_to(&mut target);
        ParamId::ALL
            .iter()
            .filter(|p| target[p.index()] != current[p.index()])
            .map(|&param| Command::Set {
                param,
                value: target[param.index()],
            })
            .collect()
    }

    /// The patch as TOML text.
    pub fn to_toml(&self) -> Result<String, PatchError> {
        toml::to_string(self).map_err(|e| PatchError::Encode(e.to_string()))
    }

    /// Reads a patch from TOML text; `origin` names the source in errors, which carry the
    /// line they refer to.
    pub fn from_toml(origin: &str, text: &str) -> Result<Patch, PatchError> {
        let parse_error = |message: String| PatchError::Parse {
            origin: origin.to_string(),
            message,
        };
        let file: PatchFile =
            toml::from_str(text).map_err(|e| parse_error(e.to_string().trim_end().to_string()))?;
        Patch::try_from(file).map_err(|e| {
            let name = match &e {
                PatchError::UnknownParam { name, .. } => name.as_str(),
                PatchError::BadValue { param, .. } => param,
                _ => "",
            };
            match locate(text, name) {
                Some(line) => parse_error(format!("line {line}: {e}")),
                None => parse_error(e.to_string()),
            }
        })
    }
}

/// A value as written in a patch file: a number, a switch or a word.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
enum PatchValue {
    Switch(bool),
    Number(f64),
    Word(String),
}

/// The file layout: `name`, `description`, then one table per module.
#[derive(Serialize, Deserialize)]
struct PatchFile {
    #[serde(default)]
    name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    description: String,
    #[serde(flatten)]
    modules: BTreeMap<String, BTreeMap<String, PatchValue>>,
}

/// An `f32` as the shortest `f64` that prints the same (0.3, not 0.30000001192092896).
fn tidy(v: f32) -> f64 {
    v.to_string().parse().unwrap_or(f64::from(v))
}

impl From<Patch> for PatchFile {
    fn from(p: Patch) -> PatchFile {
        let mut modules: BTreeMap<String, BTreeMap<String, PatchValue>> = BTreeMap::new();
        for (param, v) in &p.values {
            let spec = param.spec();
            let value = if is_switch(*param) {
                PatchValue::Switch(*v >= 0.5)
            } else if spec.unit == Unit::Choice {
                PatchValue::Word(spec.format_plain(*v))
            } else {
                PatchValue::Number(tidy(*v))
            };
            modules
                .entry(spec.module().to_string())
                .or_default()
                .insert(spec.param().to_string(), value);
        }
        PatchFile {
            name: p.name,
            description: p.description,
            modules,
        }
    }
}

pub(crate) fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    candidates
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.to_string())
}

fn read_value(param: ParamId, value: &PatchValue) -> Result<f32, PatchError> {
    let spec = param.spec();
    let bad = |message: String| PatchError::BadValue {
        param: spec.name,
        message,
    };
    let v = match value {
        PatchValue::Switch(on) if is_switch(param) => f32::from(u8::from(*on)),
        PatchValue::Switch(_) => return Err(bad("expects a number, not true/false".into())),
        PatchValue::Word(w) => match spec.choice_index(w) {
            Some(i) => i as f32,
            None if spec.choices.is_empty() => {
                return Err(bad(format!(
                    "expects a number in {}, not {w:?}",
                    spec.unit.suffix()
                )))
            }
            None => return Err(bad(format!("expects one of {}", spec.choices.join(", ")))),
        },
        PatchValue::Number(n) => {
            let n = *n as f32;
            if !n.is_finite() || n < spec.min || n > spec.max {
                return Err(bad(format!("{n} is outside {}..{}", spec.min, spec.max)));
            }
            n
        }
    };
    Ok(spec.clamp(v))
}

impl TryFrom<PatchFile> for Patch {
    type Error = PatchError;

    fn try_from(file: PatchFile) -> Result<Patch, PatchError> {
        let mut values = BTreeMap::new();
        for (module, params) in &file.modules {
            for (key, value) in params {
                let name = format!("{module}.{key}");
                let param = ParamId::from_name(&name)
                    .filter(|p| is_patch_param(*p))
                    .ok_or_else(|| PatchError::UnknownParam {
                        suggestion: closest(
                            &name,
                            PARAMS
                                .iter()
                                .filter(|p| is_patch_param(p.id))
                                .map(|p| p.name),
                        ),
                        name: name.clone(),
                    })?;
                values.insert(param, read_value(param, value)?);
            }
        }
        Ok(Patch {
            name: file.name,
            description: file.description,
            values,
        })
    }
}

/// The 1-based line on which `module.key` is set in `text`, if it can be found.
fn locate(text: &str, name: &str) -> Option<usize> {
    let (module, key) = name.split_once('.')?;
    let mut section = "";
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = header.trim();
        } else if let Some((k, _)) = line.split_once('=') {
            if section == module && k.trim() == key {
                return Some(i + 1);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_patch_parses_and_sounds_different() {
        let mut seen = Vec::new();
        for (name, _) in BUILTIN {
            let patch = builtin(name).expect("listed").expect("valid TOML");
            assert_eq!(patch.name, name);
            let mut v = default_values();
            patch.apply_to(&mut v);
            assert!(!seen.contains(&v), "{name} repeats another patch");
            seen.push(v);
        }
    }

    #[test]
    fn loading_a_patch_only_sends_what_changes() {
        let acid = builtin("acid").expect("listed").expect("valid");
        let mut current = default_values();
        let cmds = acid.commands(&current);
        assert!(cmds.iter().any(|c| matches!(
            c,
            Command::Set {
                param: ParamId::FilterRes,
                ..
            }
        )));
        acid.apply_to(&mut current);
        assert!(acid.commands(&current).is_empty());
    }

    #[test]
    fn unknown_keys_and_bad_values_are_located_and_explained() {
        let err = Patch::from_toml("x.toml", "[filter]\ncutof = 300\n").expect_err("typo");
        let text = err.to_string();
        assert!(
            text.contains("filter.cutoff") && text.contains("line 2"),
            "{text}"
        );
        let err = Patch::from_toml("x.toml", "[osc]\nwave = \"sawtooth\"\n").expect_err("word");
        assert!(err.to_string().contains("sine, saw"), "{err}");
        let err = Patch::from_toml("x.toml", "[filter]\ncutoff = 1e9\n").expect_err("range");
        assert!(err.to_string().contains("outside"), "{err}");
        let err = Patch::from_toml("x.toml", "[transport]\ntempo = 90\n").expect_err("not sound");
        assert!(err.to_string().contains("transport.tempo"), "{err}");
    }
}
