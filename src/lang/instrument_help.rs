//! What `help instruments` says and what `show` adds about instruments: the selected track's
//! voice (its drum, or its own synth settings), every LFO that moves something.
//!
//! Runs on the control thread. May allocate.

use crate::engine::lfo::{LfoTarget, LFOS_PER_INSTRUMENT};
use crate::engine::params::format_decimal;
use crate::engine::state::TRACK_SOUND_PARAMS;
use crate::engine::PatchState;

/// The help topic for instrument phrases.
pub(crate) const TOPIC: &str = "instruments";

/// `help instruments`.
pub(crate) fn help() -> String {
    [
        "instruments: each of the 8 tracks has its own voice; the keyboard/chord voice is the main one",
        "  `track lead osc square` | `track lead darker` | `track pad level -6 db` | `track bass gate 50%`",
        "  `track bass load patch acid` (the patch's voice for that track) | `select bass` (or `track bass`)",
        "drums: `drums` (kick, snare and hats tracks with a beat) | `track kick drum kick`",
        "  kick, snare, hat (closed), open hat (choked by a closed hat), clap, tom, rim, cowbell, `drum off`",
        "  `track kick tune -2` (semitones) | `track kick decay 300 ms` | `track snare tone 70%` (brighter)",
        "lfo (2 per instrument): `wobble the filter at 1/8` | `vibrato 5 hz 20 cents` | `tremolo 1/16`",
        "  `lfo 2 on resonance rate 2 hz depth 30%` | `lfo 1 shape random` (sine triangle square saw random)",
        "  `lfo off` | `lfo 2 off` | `no wobble` | `track lead vibrato 6 hz 15 cents` (a track's own)",
        "  depth: octaves of cutoff, cents of pitch, dB of level (a dip), resonance 0..1; rate: Hz or 1/8, 1 bar",
        "ramps: any value over time: `filter up to 4k over 4 bars` | `fade out over 8 bars` | `fade in over 2 bars`",
        "  `tempo to 140 over 16 bars` | `reverb mix 50% over 2 bars` | `darker over 2 beats` | `cutoff 800 over 10 s`",
        "  a new value for the same parameter stops the ramp where it is",
        "samples: `track brk sample amen` (a name in the samples folders) | `track brk sample ~/loops/amen.wav`",
        "  `sample start 10%` | `sample end 80%` | `reverse` | `loop` (for the note's length) | `sample off`",
        "  a seq track plays the sample at each note's pitch (C4 = as recorded) | `samples` lists them",
        "  WAV, FLAC, Ogg/Vorbis, MP3; folders: ~/.local/share/chronus/samples, `--samples DIR`;",
        "  `--sample-memory MB` (default 512) caps what stays loaded",
    ]
    .join("\n")
}

/// What a track's own instrument is, in words (`drum kick, tune -1 st, tone 0.5, osc.wave
/// noise, level -9 dB, gate 50%`): the selected track's line in `show` and the TUI.
pub fn track_instrument_summary(patch: &PatchState, track: u8) -> Option<String> {
    let t = patch.tracks().get(usize::from(track))?;
    let mut parts = Vec::new();
    if let Some(kind) = t.drum_kind() {
        parts.push(format!(
            "drum {}, tune {} st, tone {}",
            kind.name(),
            format_decimal(t.tune),
            format_decimal(t.tone)
        ));
    }
    if t.sample > 0 {
        let name = crate::engine::sample_library::get(t.sample).map_or_else(
            || format!("#{}", t.sample),
            |d| {
                let path = std::path::Path::new(&d.name);
                path.file_name()
                    .map_or(d.name.clone(), |f| f.to_string_lossy().into_owned())
            },
        );
        parts.push(format!("sample {name}"));
    }
    for p in TRACK_SOUND_PARAMS {
        if let Some(v) = t.sound_override(p) {
            parts.push(format!("{} {}", p.name(), p.spec().format_with_unit(v)));
        }
    }
    if t.level_db != 0.0 {
        parts.push(format!("level {} dB", format_decimal(t.level_db)));
    }
    parts.push(format!("gate {}%", format_decimal(t.gate * 100.0)));
    Some(parts.join(", "))
}

/// Lines `show` adds: the selected track's instrument and the LFOs that move something.
pub(crate) fn show_lines(patch: &PatchState) -> Vec<String> {
    let mut out = Vec::new();
    let names = patch.track_names();
    let current = names.current();
    if let Some(summary) = track_instrument_summary(patch, current) {
        out.push(format!(
            "{:<16} track {} {}: {summary}",
            "instrument",
            current + 1,
            names.label(current),
        ));
    }
    for (i, lfos) in patch.lfos().lfos.iter().enumerate() {
        for (slot, l) in lfos.iter().enumerate().take(LFOS_PER_INSTRUMENT) {
            if l.target == LfoTarget::Off {
                continue;
            }
            let owner = if i == 0 {
                "main".to_string()
            } else {
                format!("track {}", names.label(i as u8 - 1))
            };
            let rate = if l.sync > 0.0 {
                format!("{} bar", format_decimal(l.sync))
            } else {
                format!("{} Hz", format_decimal(l.rate_hz))
            };
            out.push(format!(
                "{:<16} {owner}: {} {}, {rate}, depth {} {}",
                format!("lfo {}", slot + 1),
                l.shape.name(),
                l.target.name(),
                format_decimal(l.depth),
                l.target.depth_unit()
            ));
        }
    }
    out
}
