//! CC mappings: which controller moves which parameter, and the curve from a controller's
//! 0..=127 to the parameter's range — logarithmic for frequencies and times (equal knob
//! travel, equal musical step), linear for levels and fractions, nearest choice for switches.
//!
//! Pure data; used on the MIDI input thread and the control thread (behind one mutex).

use crate::engine::params::{ParamId, Scale};
use std::collections::BTreeMap;

/// Highest controller number.
pub const MAX_CC: u32 = 127;

/// Controller number → parameter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CcMappings {
    map: BTreeMap<u8, ParamId>,
}

impl CcMappings {
    /// No mappings.
    pub fn new() -> Self {
        Self::default()
    }

    /// Maps `cc` to `param`; the parameter it moved before, if any.
    pub fn map(&mut self, cc: u8, param: ParamId) -> Option<ParamId> {
        self.map.insert(cc, param)
    }

    /// Removes the mapping of `cc`; the parameter it moved, if any.
    pub fn unmap(&mut self, cc: u8) -> Option<ParamId> {
        self.map.remove(&cc)
    }

    /// The parameter `cc` moves.
    pub fn get(&self, cc: u8) -> Option<ParamId> {
        self.map.get(&cc).copied()
    }

    /// Every mapping, by controller number.
    pub fn iter(&self) -> impl Iterator<Item = (u8, ParamId)> + '_ {
        self.map.iter().map(|(&c, &p)| (c, p))
    }

    /// Whether nothing is mapped.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The mappings as a small TOML file (`cc74 = "filter.cutoff"`), saved beside a patch.
    pub fn to_toml(&self) -> String {
        let mut out = String::from("# MIDI CC mappings saved with the patch of the same name\n");
        for (cc, p) in self.iter() {
            out.push_str(&format!("cc{cc} = \"{}\"\n", p.name()));
        }
        out
    }

    /// Reads [`CcMappings::to_toml`]'s format; unknown keys or names are errors.
    pub fn from_toml(text: &str) -> Result<CcMappings, String> {
        let table: toml::Table = text.parse().map_err(|e| format!("{e}"))?;
        let mut out = CcMappings::new();
        for (key, value) in table {
            let cc = key
                .strip_prefix("cc")
                .and_then(|n| n.parse::<u32>().ok())
                .filter(|&n| n <= MAX_CC)
                .ok_or_else(|| format!("\"{key}\" is not cc0..cc127"))?;
            let name = value
                .as_str()
                .ok_or_else(|| format!("{key}: expected a parameter name in quotes"))?;
            let param = ParamId::from_name(name)
                .ok_or_else(|| format!("{key}: unknown parameter {name}"))?;
            out.map(cc as u8, param);
        }
        Ok(out)
    }
}

/// The value a controller position (0..=127) gives `param`, along the parameter's natural
/// curve: 0 is the minimum, 127 the maximum.
pub fn cc_to_value(param: ParamId, position: u8) -> f32 {
    let spec = param.spec();
    let t = f32::from(position.min(127)) / 127.0;
    match spec.scale {
        Scale::Log => {
            // Parameters whose range starts at 0 (times) sweep from a thousandth of the
            // maximum, and position 0 is exactly 0.
            if position == 0 {
                return spec.min;
            }
            let low = if spec.min > 0.0 {
                spec.min
            } else {
                spec.max / 1000.0
            };
            low * (spec.max / low).powf(t)
        }
        Scale::Linear => spec.min + (spec.max - spec.min) * t,
        Scale::Discrete => (spec.min + (spec.max - spec.min) * t).round(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutoff_follows_a_log_curve_so_the_middle_of_the_knob_is_the_middle_in_octaves() {
        assert_eq!(cc_to_value(ParamId::FilterCutoff, 0), 20.0);
        assert!((cc_to_value(ParamId::FilterCutoff, 127) - 20000.0).abs() < 1.0);
        let mid = cc_to_value(ParamId::FilterCutoff, 64);
        // sqrt(20 * 20000) = 632 Hz: half way in octaves, not 10 kHz.
        assert!((mid - 632.0).abs() < 30.0, "{mid}");
    }

    #[test]
    fn levels_are_linear_and_switches_take_the_nearest_choice() {
        assert_eq!(cc_to_value(ParamId::FilterRes, 0), 0.0);
        assert!((cc_to_value(ParamId::FilterRes, 127) - 1.0).abs() < 1e-6);
        assert_eq!(cc_to_value(ParamId::OscWave, 127), 4.0);
        assert_eq!(cc_to_value(ParamId::DelayOn, 20), 0.0);
        assert_eq!(cc_to_value(ParamId::DelayOn, 100), 1.0);
    }

    #[test]
    fn mappings_survive_a_round_trip_through_their_file() {
        let mut m = CcMappings::new();
        assert_eq!(m.map(74, ParamId::FilterCutoff), None);
        assert_eq!(m.map(74, ParamId::FilterRes), Some(ParamId::FilterCutoff));
        m.map(7, ParamId::AmpGain);
        let back = CcMappings::from_toml(&m.to_toml()).expect("reads back");
        assert_eq!(back, m);
        assert!(CcMappings::from_toml("cc300 = \"filter.cutoff\"").is_err());
        assert!(CcMappings::from_toml("cc3 = \"filter.cutof\"").is_err());
    }
}
