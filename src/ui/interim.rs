//! A stand-in for the phrase language (`src/lang`, built on another branch): the handful of
//! phrases the UI needs to be driven and tested, with located errors (caret + did-you-mean).
//! It is removed when the language lands and [`super::performer`] calls `Control::run_line`.
//!
//! Runs on the control thread. May allocate.

use crate::control::PatchState;
use crate::engine::command::Command;
use crate::engine::params::ParamId;

/// What one line asks for.
#[derive(Debug, PartialEq)]
pub(crate) enum Interim {
    /// Engine commands, in order.
    Commands(Vec<Command>),
    /// Show the meters.
    Status,
    /// Show help.
    Help,
    /// List the patch.
    Show,
    /// Leave.
    Quit,
}

/// Words the stand-in knows, for completion and did-you-mean.
pub(crate) const WORDS: &[&str] = &[
    "gate", "on", "off", "freq", "wave", "osc", "cutoff", "filter", "darker", "brighter", "status",
    "help", "show", "quit", "exit", "sine", "saw", "square", "triangle", "noise",
];

/// A located error: byte span, message, suggestion.
#[derive(Debug, PartialEq)]
pub(crate) struct InterimError {
    start: usize,
    end: usize,
    message: String,
    suggestion: Option<&'static str>,
}

impl InterimError {
    /// The line, a caret line under the bad word, and the message.
    pub(crate) fn render(&self, line: &str) -> String {
        let col = line[..self.start].chars().count();
        let len = line[self.start..self.end].chars().count().max(1);
        let mut summary = format!("column {}: {}", col + 1, self.message);
        if let Some(s) = self.suggestion {
            summary.push_str(&format!("; did you mean \"{s}\"?"));
        }
        let shown: String = line
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        format!(
            "{}\n{}{}\n{summary}",
            shown.trim_end(),
            " ".repeat(col),
            "^".repeat(len)
        )
    }
}

fn words_with_spans(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s, &line[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &line[s..]));
    }
    out
}

fn suggest(word: &str) -> Option<&'static str> {
    WORDS
        .iter()
        .map(|w| (strsim::damerau_levenshtein(&word.to_lowercase(), w), *w))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, w)| w)
}

fn error_at(start: usize, word: &str, message: String) -> InterimError {
    InterimError {
        start,
        end: start + word.len(),
        message,
        suggestion: suggest(word),
    }
}

/// Parses one line against the patch (relative words scale the current cutoff).
pub(crate) fn parse(line: &str, patch: &PatchState) -> Result<Interim, InterimError> {
    let words = words_with_spans(line);
    let lower: Vec<String> = words.iter().map(|(_, w)| w.to_lowercase()).collect();
    let w: Vec<&str> = lower.iter().map(String::as_str).collect();
    let set = |param: ParamId, value: f32| Command::Set {
        param,
        value: param.spec().clamp(value),
    };
    let cutoff = patch.get(ParamId::FilterCutoff);
    let number = |i: usize| -> Result<f32, InterimError> {
        let (start, word) = words[i];
        word.parse::<f32>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| InterimError {
                start,
                end: start + word.len(),
                message: format!("\"{word}\" is not a number"),
                suggestion: None,
            })
    };
    let commands = |c: Vec<Command>| Ok(Interim::Commands(c));
    match w.as_slice() {
        [] => commands(Vec::new()),
        ["quit"] | ["exit"] => Ok(Interim::Quit),
        ["status"] => Ok(Interim::Status),
        ["help"] => Ok(Interim::Help),
        ["show"] => Ok(Interim::Show),
        ["gate", "on"] => commands(vec![Command::Gate { on: true }]),
        ["gate", "off"] => commands(vec![Command::Gate { on: false }]),
        ["freq", _] => commands(vec![set(ParamId::OscFreq, number(1)?)]),
        ["cutoff", _] => commands(vec![set(ParamId::FilterCutoff, number(1)?)]),
        ["wave" | "osc", name] => match ParamId::OscWave.spec().choice_index(name) {
            Some(i) => commands(vec![set(ParamId::OscWave, i as f32)]),
            None => Err(error_at(
                words[1].0,
                words[1].1,
                format!("unknown wave \"{}\"", words[1].1),
            )),
        },
        ["darker"] | ["filter", "darker"] => {
            commands(vec![set(ParamId::FilterCutoff, cutoff * 0.7)])
        }
        ["brighter"] | ["filter", "brighter"] => {
            commands(vec![set(ParamId::FilterCutoff, cutoff / 0.7)])
        }
        _ => {
            let bad = w
                .iter()
                .position(|word| !WORDS.contains(word) && word.parse::<f32>().is_err())
                .unwrap_or(0);
            let (start, word) = words[bad];
            Err(error_at(start, word, format!("unknown word \"{word}\"")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_word_gets_a_caret_and_a_suggestion() {
        let line = "fliter darker";
        let e = parse(line, &PatchState::default()).unwrap_err();
        let r = e.render(line);
        let lines: Vec<&str> = r.lines().collect();
        assert_eq!(lines[0], "fliter darker");
        assert_eq!(lines[1], "^^^^^^");
        assert!(lines[2].contains("did you mean \"filter\""), "{r}");
    }

    #[test]
    fn darker_lowers_the_cutoff_from_the_patch() {
        let p = PatchState::default();
        let Ok(Interim::Commands(c)) = parse("filter darker", &p) else {
            panic!("filter darker should parse");
        };
        assert_eq!(
            c,
            vec![Command::Set {
                param: ParamId::FilterCutoff,
                value: 1400.0
            }]
        );
    }
}
