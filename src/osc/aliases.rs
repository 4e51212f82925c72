//! OSC module and parameter names: chronus's canonical `module/param` names, plus the module ids
//! of the original Music Chronus (`sine`, `adsr`, `filter1`, `voice1/filter`, …) as aliases.
//! Pure tables and lookups, used on the OSC thread.
//!
//! Values always arrive in chronus's units (seconds, Hz, dB, 0..1), except where an alias names
//! a quantity chronus stores differently: the original's linear `gain`/`amp` (0..1) becomes
//! `amp.gain` in dB, and its filter `q` becomes `filter.res`.

use crate::engine::params::{ParamId, PARAMS};

/// How an incoming number becomes the value of the target parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conversion {
    /// The number is already in the parameter's unit.
    Same,
    /// A linear gain (0..1, the original's `gain`/`amp`) becomes decibels.
    LinearToDb,
    /// A filter Q (0.5..25) becomes chronus's resonance (0..1).
    QToResonance,
}

impl Conversion {
    /// Converts `x` into the target parameter's unit.
    pub fn apply(self, x: f32) -> f32 {
        match self {
            Conversion::Same => x,
            Conversion::LinearToDb => {
                if x <= 0.0 {
                    -120.0
                } else {
                    20.0 * x.log10()
                }
            }
            // The filter's damping is k = 2 - 1.96 res and k = 1/Q.
            Conversion::QToResonance => (2.0 - 1.0 / x.max(0.5)) / 1.96,
        }
    }
}

/// What `/mod/<module>/<param>` sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParamTarget {
    /// The parameter.
    pub param: ParamId,
    /// How the value is converted on the way.
    pub conversion: Conversion,
}

/// Module ids of the original project (and a few obvious spellings) → chronus modules.
/// `send` is a pseudo-module for the original's per-voice effect sends.
const MODULE_ALIASES: &[(&str, &str)] = &[
    ("sine", "osc"),
    ("sine1", "osc"),
    ("osc1", "osc"),
    ("oscillator", "osc"),
    ("voice", "osc"),
    ("voice1", "osc"),
    ("adsr", "env"),
    ("adsr1", "env"),
    ("env1", "env"),
    ("envelope", "env"),
    ("voice1/adsr", "env"),
    ("filter1", "filter"),
    ("voice1/filter", "filter"),
    ("amp1", "amp"),
    ("delay1", "delay"),
    ("reverb1", "reverb"),
    ("chorus1", "chorus"),
    ("distortion", "drive"),
    ("distortion1", "drive"),
    ("dist1", "drive"),
    ("voice1/send", "send"),
    ("seq", "transport"),
    ("sequencer", "transport"),
];

/// Parameter names of the original project → chronus parameters, per chronus module.
const PARAM_ALIASES: &[(&str, &str, ParamId, Conversion)] = &[
    ("osc", "frequency", ParamId::OscFreq, Conversion::Same),
    ("osc", "waveform", ParamId::OscWave, Conversion::Same),
    ("osc", "type", ParamId::OscWave, Conversion::Same),
    ("osc", "gain", ParamId::AmpGain, Conversion::LinearToDb),
    ("osc", "amp", ParamId::AmpGain, Conversion::LinearToDb),
    ("filter", "freq", ParamId::FilterCutoff, Conversion::Same),
    (
        "filter",
        "frequency",
        ParamId::FilterCutoff,
        Conversion::Same,
    ),
    ("filter", "q", ParamId::FilterRes, Conversion::QToResonance),
    ("filter", "resonance", ParamId::FilterRes, Conversion::Same),
    ("filter", "type", ParamId::FilterMode, Conversion::Same),
    ("reverb", "room", ParamId::ReverbSize, Conversion::Same),
    ("drive", "drive", ParamId::DriveAmount, Conversion::Same),
    ("send", "reverb", ParamId::ReverbMix, Conversion::Same),
    ("send", "delay", ParamId::DelayMix, Conversion::Same),
    (
        "transport",
        "bpm",
        ParamId::TransportTempo,
        Conversion::Same,
    ),
];

/// Why an OSC path names nothing chronus has.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// No module by that name or alias.
    #[error("unknown module \"{name}\"{hint}; modules: {modules}")]
    UnknownModule {
        /// The name as sent.
        name: String,
        /// `; did you mean "x"?` or empty.
        hint: String,
        /// The canonical module names.
        modules: String,
    },
    /// The module exists but has no such parameter.
    #[error("{module} has no parameter \"{name}\"{hint}; {module} parameters: {params}")]
    UnknownParam {
        /// The canonical module.
        module: String,
        /// The parameter name as sent.
        name: String,
        /// `; did you mean "x"?` or empty.
        hint: String,
        /// The module's canonical parameter names.
        params: String,
    },
}

/// The canonical module names, in table order, without repeats.
pub fn canonical_modules() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for p in PARAMS {
        if !out.contains(&p.module()) {
            out.push(p.module());
        }
    }
    out
}

/// The chronus module a module name or original id stands for (case-insensitive).
pub fn resolve_module(name: &str) -> Result<&'static str, NameError> {
    let lower = name.to_ascii_lowercase();
    let modules = canonical_modules();
    if let Some(m) = modules.iter().find(|m| **m == lower) {
        return Ok(m);
    }
    if let Some((_, m)) = MODULE_ALIASES.iter().find(|(alias, _)| *alias == lower) {
        return Ok(m);
    }
    let candidates = modules
        .iter()
        .copied()
        .chain(MODULE_ALIASES.iter().map(|(a, _)| *a));
    Err(NameError::UnknownModule {
        name: name.to_string(),
        hint: did_you_mean(&lower, candidates),
        modules: modules.join(", "),
    })
}

/// The parameter `/mod/<path>` sets, where `path` is `module/param` (the module part may hold
/// a slash for the original's `voice1/filter/freq`).
pub fn resolve_param_path(path: &str) -> Result<ParamTarget, NameError> {
    let (module, param) = path.rsplit_once('/').unwrap_or((path, ""));
    let module = resolve_module(module)?;
    let lower = param.to_ascii_lowercase();
    if let Some(spec) = PARAMS
        .iter()
        .find(|p| p.module() == module && p.param() == lower)
    {
        return Ok(ParamTarget {
            param: spec.id,
            conversion: Conversion::Same,
        });
    }
    if let Some((_, _, id, conversion)) = PARAM_ALIASES
        .iter()
        .find(|(m, alias, _, _)| *m == module && *alias == lower)
    {
        return Ok(ParamTarget {
            param: *id,
            conversion: *conversion,
        });
    }
    let own: Vec<&str> = PARAMS
        .iter()
        .filter(|p| p.module() == module)
        .map(|p| p.param())
        .collect();
    let aliases = PARAM_ALIASES
        .iter()
        .filter(|(m, _, _, _)| *m == module)
        .map(|(_, a, _, _)| *a);
    let params = if own.is_empty() {
        aliases.clone().collect::<Vec<_>>().join(", ")
    } else {
        own.join(", ")
    };
    Err(NameError::UnknownParam {
        module: module.to_string(),
        name: param.to_string(),
        hint: did_you_mean(&lower, own.iter().copied().chain(aliases)),
        params,
    })
}

/// `; did you mean "x"?` for the closest candidate, or an empty string if none is close.
fn did_you_mean<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    let best = candidates
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match best {
        Some((score, c)) if score >= 0.8 => format!("; did you mean \"{c}\"?"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(path: &str) -> ParamId {
        resolve_param_path(path)
            .unwrap_or_else(|e| panic!("{path}: {e}"))
            .param
    }

    #[test]
    fn every_canonical_name_is_a_path() {
        for p in PARAMS {
            let path = p.name.replace('.', "/");
            assert_eq!(target(&path), p.id, "{path}");
        }
    }

    #[test]
    fn the_original_module_ids_are_accepted() {
        assert_eq!(target("sine/freq"), ParamId::OscFreq);
        assert_eq!(target("sine1/freq"), ParamId::OscFreq);
        assert_eq!(target("adsr/attack"), ParamId::EnvAttack);
        assert_eq!(target("adsr1/release"), ParamId::EnvRelease);
        assert_eq!(target("filter1/cutoff"), ParamId::FilterCutoff);
        assert_eq!(target("filter2/cutoff"), ParamId::Filter2Cutoff);
        assert_eq!(target("filter2/routing"), ParamId::Filter2Routing);
        assert_eq!(target("reverb/order"), ParamId::ReverbOrder);
        assert_eq!(target("filter1/freq"), ParamId::FilterCutoff);
        assert_eq!(target("filter1/q"), ParamId::FilterRes);
        assert_eq!(target("voice1/freq"), ParamId::OscFreq);
        assert_eq!(target("voice1/amp"), ParamId::AmpGain);
        assert_eq!(target("voice1/filter/freq"), ParamId::FilterCutoff);
        assert_eq!(target("voice1/adsr/sustain"), ParamId::EnvSustain);
        assert_eq!(target("voice1/send/reverb"), ParamId::ReverbMix);
        assert_eq!(target("reverb1/room"), ParamId::ReverbSize);
        assert_eq!(target("delay1/feedback"), ParamId::DelayFeedback);
        assert_eq!(target("FILTER/Cutoff"), ParamId::FilterCutoff);
    }

    #[test]
    fn conversions_follow_the_engine() {
        assert!((Conversion::LinearToDb.apply(0.5) - -6.0206).abs() < 1e-3);
        assert!(Conversion::LinearToDb.apply(0.0) < -60.0);
        assert!(Conversion::QToResonance.apply(0.5).abs() < 1e-6);
        assert!((Conversion::QToResonance.apply(25.0) - 1.0).abs() < 1e-3);
    }

    #[test]
    fn unknown_names_say_what_exists_and_suggest() {
        let e = resolve_param_path("fliter/cutoff").unwrap_err().to_string();
        assert!(e.contains("unknown module \"fliter\""), "{e}");
        assert!(e.contains("did you mean \"filter\"?"), "{e}");
        let e = resolve_param_path("filter/cutof").unwrap_err().to_string();
        assert!(e.contains("did you mean \"cutoff\"?"), "{e}");
        assert!(e.contains("mode, cutoff, res"), "{e}");
        let e = resolve_param_path("zzz").unwrap_err().to_string();
        assert!(e.contains("modules: osc, osc2, osc3, sub"), "{e}");
        assert!(resolve_param_path("").is_err());
        assert!(resolve_param_path("filter/").is_err());
        assert!(resolve_param_path("acid1/cutoff").is_err());
    }
}
