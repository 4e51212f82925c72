//! The seam between sessions and the phrase language: a [`PhraseResolver`] turns one phrase
//! into absolute engine commands against the current patch.
//!
//! Runs on whichever thread checks or renders a session. May allocate.
//!
//! [`BasicPhrases`] is an interim resolver (gate, note, freq, wave and `set <param> <value>`)
//! used until the phrase language lands.

use crate::control::PatchState;
use crate::engine::command::Command;
use crate::engine::params::ParamId;

/// A phrase that did not resolve: where (1-based column in the phrase) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhraseProblem {
    /// 1-based column in characters, counted from the start of the phrase.
    pub column: usize,
    /// What is wrong, with a did-you-mean where there is one.
    pub message: String,
}

/// Turns phrases into commands. Implementations may keep state across phrases (undo history).
pub trait PhraseResolver {
    /// Resolves `phrase` against `patch`; nothing is applied on error.
    fn resolve(&mut self, phrase: &str, patch: &PatchState) -> Result<Vec<Command>, PhraseProblem>;
}

/// The interim resolver: `gate on|off`, `note <midi>`, `freq <hz>`, `wave <name>`,
/// `set <module.param> <value>`, several separated by `,`.
#[derive(Clone, Copy, Debug, Default)]
pub struct BasicPhrases;

impl PhraseResolver for BasicPhrases {
    fn resolve(&mut self, phrase: &str, _: &PatchState) -> Result<Vec<Command>, PhraseProblem> {
        let mut out = Vec::new();
        let mut offset = 0;
        for part in phrase.split(',') {
            let lead = part.len() - part.trim_start().len();
            let col = phrase[..offset + lead].chars().count() + 1;
            let words: Vec<String> = part.split_whitespace().map(str::to_lowercase).collect();
            let w: Vec<&str> = words.iter().map(String::as_str).collect();
            let bad = |message: String| PhraseProblem {
                column: col,
                message,
            };
            let number = |s: &str| {
                s.parse::<f32>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| bad(format!("\"{s}\" is not a number")))
            };
            match w.as_slice() {
                ["gate", "on"] => out.push(Command::Gate { on: true }),
                ["gate", "off"] => out.push(Command::Gate { on: false }),
                ["note", n] => out.push(Command::NoteOn {
                    note: number(n)?.clamp(0.0, 127.0) as u8,
                    velocity: 1.0,
                }),
                ["freq", v] => out.push(Command::Set {
                    param: ParamId::OscFreq,
                    value: number(v)?,
                }),
                ["wave", name] => {
                    let i = ParamId::OscWave
                        .spec()
                        .choice_index(name)
                        .ok_or_else(|| bad(format!("unknown wave \"{name}\"")))?;
                    out.push(Command::Set {
                        param: ParamId::OscWave,
                        value: i as f32,
                    });
                }
                ["set", name, v] => {
                    let param = ParamId::from_name(name)
                        .ok_or_else(|| bad(format!("unknown parameter \"{name}\"")))?;
                    let value = match param.spec().choice_index(v) {
                        Some(i) => i as f32,
                        None => number(v)?,
                    };
                    out.push(Command::Set {
                        param,
                        value: param.spec().clamp(value),
                    });
                }
                _ => {
                    return Err(bad(format!(
                        "unknown phrase \"{}\"; try gate on, note 57, freq 220, wave saw, set filter.cutoff 800",
                        part.trim()
                    )))
                }
            }
            offset += part.len() + 1;
        }
        Ok(out)
    }
}
