//! The patch as JSON for programs (`show json`, `chronus mcp`'s `show` tool): every parameter
//! by its canonical name in its unit (choices as words), the gate, held notes, the transport
//! and every track in use with its pattern written the way `pattern`/`seq` take it.
//!
//! Runs on the control thread. Allocates.

use crate::engine::command::{Step, StepLevel};
use crate::engine::params::{ParamId, Unit};
use crate::engine::state::TrackState;
use crate::engine::PatchState;
use crate::lang::action::note_name;
use serde_json::{json, Map, Value};

/// The patch as one JSON object: `params`, `gate`, `held_notes`, `transport`, `tracks`.
pub fn patch_json(patch: &PatchState) -> Value {
    let mut params = Map::new();
    for &p in ParamId::ALL {
        let spec = p.spec();
        let v = patch.get(p);
        let value = if spec.unit == Unit::Choice {
            Value::String(spec.format_plain(v))
        } else {
            json!(round(v))
        };
        params.insert(spec.name.to_string(), value);
    }
    let names = patch.track_names();
    let tracks: Vec<Value> = patch
        .tracks()
        .iter()
        .enumerate()
        .filter(|(_, t)| **t != TrackState::default())
        .map(|(i, t)| {
            json!({
                "number": i + 1,
                "name": names.label(i as u8),
                "steps": steps_text(t),
                "length": t.length,
                "muted": t.mute,
                "solo": t.solo,
                "level_db": round(t.level_db),
            })
        })
        .collect();
    json!({
        "params": params,
        "gate": patch.gate(),
        "held_notes": patch.held_notes().iter().map(|n| note_name(*n)).collect::<Vec<_>>(),
        "transport": {
            "running": patch.running(),
            "tempo_bpm": round(patch.get(ParamId::TransportTempo)),
            "swing": round(patch.get(ParamId::TransportSwing)),
        },
        "tracks": tracks,
    })
}

/// A value with at most four decimals, so the JSON stays short and readable.
fn round(v: f32) -> f64 {
    (f64::from(v) * 10_000.0).round() / 10_000.0
}

/// The steps of a track: `x..X` for a pattern, `C2 . G1` for a sequence.
fn steps_text(t: &TrackState) -> String {
    let steps = &t.steps[..usize::from(t.length)];
    let notes = steps.iter().any(|s| s.note != Step::TRACK_PITCH);
    let parts: Vec<String> = steps
        .iter()
        .map(|s| match (s.level, s.note) {
            (StepLevel::Rest, _) => ".".to_string(),
            (level, Step::TRACK_PITCH) => level.to_char().to_string(),
            (_, n) => note_name(n),
        })
        .collect();
    parts.join(if notes { " " } else { "" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::command::Command;

    #[test]
    fn the_json_names_every_parameter_and_writes_choices_as_words() {
        let mut patch = PatchState::default();
        patch.set(ParamId::OscWave, 2.0);
        patch.set(ParamId::FilterRes, 0.123_456);
        patch.apply(&Command::Gate { on: true });
        let v = patch_json(&patch);
        assert_eq!(v["params"]["osc.wave"], "square");
        assert_eq!(v["params"]["filter.res"], 0.1235, "four decimals at most");
        assert_eq!(v["gate"], true);
        assert_eq!(
            v["params"].as_object().map(|o| o.len()),
            Some(ParamId::ALL.len())
        );
        assert_eq!(v["tracks"], json!([]));
    }

    #[test]
    fn tracks_in_use_show_their_pattern() {
        let mut patch = PatchState::default();
        patch.select_track(0, Some("hats"));
        for i in [0u8, 2] {
            patch.apply(&Command::SetStep {
                track: 0,
                index: i,
                step: Step::hit(StepLevel::Hit),
            });
        }
        let v = patch_json(&patch);
        assert_eq!(v["tracks"][0]["name"], "hats");
        assert!(
            v["tracks"][0]["steps"]
                .as_str()
                .is_some_and(|s| s.starts_with("x.x.")),
            "{v}"
        );
    }
}
