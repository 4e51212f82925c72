//! The `render` tool: session text from the agent rendered offline (the same deterministic
//! renderer as `chronus render`) to a WAV under chronus's XDG data folder, with a short
//! analysis so an agent that cannot hear still learns something: length, peak, RMS and the
//! dominant pitch of the loudest second.
//!
//! File names are made here, never taken from the agent: an optional name is cut down to
//! letters, digits, `-` and `_` and gets a number, so nothing is written outside the folder.
//! Runs on a blocking thread of the server. Allocates.

use crate::analysis::{estimate_frequency, left, peak, rms};
use crate::lang::action::note_name;
use crate::lang::Vocabulary;
use crate::session::offline::write_wav;
use crate::session::render::default_seconds;
use crate::session::resolve_session::check_bytes;
use crate::session::{render_samples, ControlResolver, RenderOptions};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The longest session text accepted, in bytes.
pub const MAX_SESSION_BYTES: usize = 64 * 1024;
/// The longest render, in seconds.
pub const MAX_RENDER_SECONDS: f64 = 120.0;
/// Sample rate of renders.
pub const RENDER_RATE: u32 = 44_100;

/// What a render wrote and how it sounds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RenderReport {
    /// The WAV file (32-bit float stereo).
    pub path: String,
    /// Length in seconds.
    pub seconds: f64,
    /// Sample peak of the left channel, dBFS.
    pub peak_db: f64,
    /// RMS of the left channel, dBFS.
    pub rms_db: f64,
    /// The dominant pitch of the loudest second in Hz, if it has one.
    pub pitch_hz: Option<f64>,
    /// That pitch as the nearest note (`A3`).
    pub pitch_note: Option<String>,
    /// Phrases in the session.
    pub phrases: usize,
}

/// The folder renders go to: `$XDG_DATA_HOME/chronus/renders`.
pub fn renders_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "chronus").map(|d| d.data_dir().join("renders"))
}

/// A file name made from what the agent asked for: letters, digits, `-` and `_` only (at most
/// 40), `render` when nothing is left, then `-N.wav` with the first N not taken in `dir`.
pub fn safe_file_name(dir: &Path, asked: Option<&str>) -> PathBuf {
    let stem: String = asked
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(40)
        .collect();
    let stem = if stem.trim_matches(['-', '_']).is_empty() {
        "render".to_string()
    } else {
        stem
    };
    (1u32..)
        .map(|n| dir.join(format!("{stem}-{n}.wav")))
        .find(|p| !p.exists())
        .unwrap_or_else(|| dir.join(format!("{stem}.wav")))
}

/// Renders `session` (the text of a session file) into `dir` and analyses it. Errors are
/// for the agent: the session's problems with line and caret, or what limit was passed.
pub fn render_session(
    session: &str,
    seconds: Option<f64>,
    name: Option<&str>,
    dir: &Path,
    vocab: &Vocabulary,
) -> Result<RenderReport, String> {
    if session.len() > MAX_SESSION_BYTES {
        return Err(format!(
            "the session is {} bytes; at most {MAX_SESSION_BYTES} are rendered",
            session.len()
        ));
    }
    if let Some(s) = seconds {
        if !(s.is_finite() && s > 0.0 && s <= MAX_RENDER_SECONDS) {
            return Err(format!(
                "seconds must be above 0 and at most {MAX_RENDER_SECONDS}, got {s}"
            ));
        }
    }
    let resolved = check_bytes(
        "session",
        session.as_bytes(),
        &mut ControlResolver::new(vocab),
    )
    .map_err(|e| e.to_string())?;
    let length = seconds.unwrap_or_else(|| default_seconds(&resolved));
    if length > MAX_RENDER_SECONDS {
        return Err(format!(
            "the session lasts {length:.1} s with its tail; pass seconds (at most {MAX_RENDER_SECONDS}) to render part of it"
        ));
    }
    let options = RenderOptions {
        rate: RENDER_RATE,
        seconds: Some(length),
    };
    let samples = render_samples(&resolved, options, |_, _| {});
    std::fs::create_dir_all(dir).map_err(|e| format!("could not make {}: {e}", dir.display()))?;
    let path = safe_file_name(dir, name);
    write_wav(&path, &samples, RENDER_RATE)
        .map_err(|e| format!("could not write {}: {e}", path.display()))?;
    let mono = left(&samples);
    let pitch = loudest_second_pitch(&mono, RENDER_RATE);
    Ok(RenderReport {
        path: path.display().to_string(),
        seconds: mono.len() as f64 / f64::from(RENDER_RATE),
        peak_db: decibels(peak(&mono)),
        rms_db: decibels(rms(&mono)),
        pitch_hz: pitch.map(|f| (f64::from(f) * 10.0).round() / 10.0),
        pitch_note: pitch.and_then(nearest_note).map(note_name),
        phrases: resolved.session.events.len(),
    })
}

fn decibels(level: f32) -> f64 {
    if level <= 1e-9 {
        -180.0
    } else {
        (20.0 * f64::from(level).log10() * 10.0).round() / 10.0
    }
}

/// The pitch of the loudest one-second window (quarter-second hops), if it is loud enough
/// to have one.
fn loudest_second_pitch(x: &[f32], rate: u32) -> Option<f32> {
    let window = rate as usize;
    let hop = window / 4;
    let windows = (0..x.len().saturating_sub(window).max(1)).step_by(hop.max(1));
    let (start, level) = windows
        .map(|s| (s, rms(&x[s..(s + window).min(x.len())])))
        .fold((0, 0.0f32), |best, w| if w.1 > best.1 { w } else { best });
    if level < 1e-4 {
        return None;
    }
    estimate_frequency(&x[start..(start + window).min(x.len())], rate)
        .filter(|f| f.is_finite() && (20.0..=20_000.0).contains(f))
}

fn nearest_note(hz: f32) -> Option<u8> {
    let midi = 69.0 + 12.0 * (hz / 440.0).log2();
    (0.0..=127.0).contains(&midi).then(|| midi.round() as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_stay_inside_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let p = safe_file_name(dir.path(), Some("../../etc/passwd"));
        assert_eq!(p.parent(), Some(dir.path()));
        assert_eq!(p.file_name().unwrap(), "etcpasswd-1.wav");
        let p = safe_file_name(dir.path(), Some("/.."));
        assert_eq!(p.file_name().unwrap(), "render-1.wav");
        std::fs::write(&p, b"x").unwrap();
        assert_eq!(
            safe_file_name(dir.path(), None).file_name().unwrap(),
            "render-2.wav"
        );
    }

    #[test]
    fn a_square_at_a3_renders_with_its_pitch_and_bad_sessions_say_where() {
        let dir = tempfile::tempdir().unwrap();
        let vocab = Vocabulary::builtin();
        let report = render_session(
            "osc square\nnote A3\n@1.5 note off 57\n",
            Some(2.0),
            Some("square"),
            dir.path(),
            &vocab,
        )
        .unwrap();
        assert!(Path::new(&report.path).exists());
        assert!((report.seconds - 2.0).abs() < 0.01);
        assert!(
            report.peak_db > -40.0 && report.peak_db <= 0.0,
            "{report:?}"
        );
        assert_eq!(report.pitch_note.as_deref(), Some("A3"), "{report:?}");
        let err = render_session("flitter darker\n", None, None, dir.path(), &vocab).unwrap_err();
        assert!(err.contains("flitter") && err.contains('^'), "{err}");
        let err = render_session("gate on\n", Some(1e6), None, dir.path(), &vocab).unwrap_err();
        assert!(err.contains("at most"), "{err}");
    }
}
