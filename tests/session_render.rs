//! Offline renders of sessions: a held 440 Hz sine renders at 440 Hz without clicks and with
//! its release tail; every demo session in `sessions/` renders deterministically and matches
//! its golden checksum.
//!
//! Regenerate the golden checksums on purpose, when the sound changes:
//! `CHRONUS_BLESS=1 cargo test --test session_render`

use chronus::analysis::{estimate_frequency, find_clicks, left, peak, rms};
use chronus::lang::Vocabulary;
use chronus::session::render::{default_seconds, stop_point, tail_seconds, StopReason};
use chronus::session::{
    check_bytes, check_file, render_samples, ControlResolver, RenderOptions, ResolvedSession,
};
use std::path::{Path, PathBuf};

const RATE: u32 = 44_100;
const GOLDEN: &str = "tests/golden/session_renders.txt";

fn resolve(text: &str) -> ResolvedSession {
    let vocab = Vocabulary::builtin();
    check_bytes("test", text.as_bytes(), &mut ControlResolver::new(&vocab))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn render(r: &ResolvedSession, seconds: Option<f64>) -> Vec<f32> {
    render_samples(
        r,
        RenderOptions {
            rate: RATE,
            seconds,
        },
        |_, _| {},
    )
}

fn window(x: &[f32], from: f64, to: f64) -> &[f32] {
    let a = ((from * f64::from(RATE)) as usize).min(x.len());
    let b = ((to * f64::from(RATE)) as usize).min(x.len());
    &x[a..b]
}

#[test]
fn a_held_440_hz_sine_renders_at_440_hz_without_clicks_and_with_its_tail() {
    let r = resolve("@0 set osc.wave sine\nset osc.freq 440\ngate on\n@2 gate off\n");
    let release = f64::from(
        r.final_patch
            .get(chronus::engine::params::ParamId::EnvRelease),
    );
    assert_eq!(default_seconds(&r), 2.0 + tail_seconds(&r.final_patch));
    let x = left(&render(&r, None));
    assert_eq!(
        x.len() as u64,
        ((2.0 + release + 0.25) * f64::from(RATE)).round() as u64,
        "the render ends at the last event plus the release tail"
    );
    let held = window(&x, 0.2, 1.9);
    let f = estimate_frequency(held, RATE).expect("a periodic tone");
    assert!((f - 440.0).abs() <= 0.5, "{f} Hz");
    assert!(
        rms(held) > 0.1,
        "the tone is clearly audible: {}",
        rms(held)
    );
    let clicks = find_clicks(&x, 64, 10.0, 0.02);
    assert!(clicks.is_empty(), "clicks at samples {clicks:?}");
    // The release tail: still sounding just after the gate closes, fading, silent at the end.
    let just_after = rms(window(&x, 2.0, 2.05));
    let later = rms(window(&x, 2.0 + release * 0.6, 2.0 + release * 0.6 + 0.05));
    let end = peak(window(&x, 2.0 + release + 0.15, 10.0));
    assert!(just_after > 0.05, "tail present: {just_after}");
    assert!(
        later < just_after * 0.7,
        "tail fades: {later} vs {just_after}"
    );
    assert!(end < 0.01, "silent at the end: {end}");
}

#[test]
fn seconds_override_the_default_length_and_cut_events_after_it() {
    let r = resolve("@0 gate on\n@3 gate off\n");
    assert_eq!(render(&r, Some(1.0)).len(), 2 * RATE as usize);
    assert_eq!(render(&r, Some(0.5)).len(), RATE as usize);
}

#[test]
fn a_session_still_sounding_at_its_end_is_released_there() {
    let r = resolve("@0 gate on\n@bar 2\n");
    let x = left(&render(&r, None));
    assert!(
        rms(window(&x, 1.0, 1.5)) > 0.05,
        "holds until the end stamp"
    );
    let tail = peak(window(&x, x.len() as f64 / f64::from(RATE) - 0.05, 99.0));
    assert!(tail < 0.01, "released at the end and faded: {tail}");
}

/// FNV-1a over the samples' bit patterns: changes when any sample changes.
fn checksum(samples: &[f32]) -> u64 {
    samples.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, s| {
        s.to_bits()
            .to_le_bytes()
            .iter()
            .fold(h, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
    })
}

fn demos() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sessions");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("sessions/ exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "chronus"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_demo_session_renders_deterministically_and_matches_its_golden_checksum() {
    let vocab = Vocabulary::builtin();
    let files = demos();
    assert!(files.len() >= 4, "at least four demos: {files:?}");
    let mut table = String::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let r =
            check_file(path, &mut ControlResolver::new(&vocab)).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            r.session.events.len() >= 16,
            "{name}: a demo is music, not a test tone"
        );
        let a = render(&r, None);
        let b = render(&r, None);
        assert!(a == b, "{name}: two renders differ");
        let x = left(&a);
        assert!(x.iter().all(|s| s.is_finite() && s.abs() <= 1.0), "{name}");
        assert!(rms(&x) > 0.02, "{name} is too quiet: rms {}", rms(&x));
        assert!(
            r.session.end() >= 8.0,
            "{name} lasts a while: {}",
            r.session.end()
        );
        table.push_str(&format!("{name} {} {:016x}\n", a.len() / 2, checksum(&a)));
    }
    let golden_path = Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN);
    if std::env::var_os("CHRONUS_BLESS").is_some() {
        std::fs::create_dir_all(golden_path.parent().unwrap()).unwrap();
        std::fs::write(&golden_path, &table).unwrap();
        return;
    }
    let golden = std::fs::read_to_string(&golden_path).unwrap_or_default();
    assert_eq!(
        golden, table,
        "demo renders changed; if the new sound is intended, regenerate with \
         `CHRONUS_BLESS=1 cargo test --test session_render` and commit {GOLDEN}"
    );
}

#[test]
fn a_session_without_time_stamps_holds_four_bars_and_sounds() {
    let r = resolve("osc sine\nchord C major\n");
    let stop = stop_point(&r, None);
    assert_eq!(stop.reason, StopReason::HeldBars);
    assert!((stop.seconds - 8.0).abs() < 1e-9, "4 bars at 120 bpm");
    assert!(stop.describe().contains("holds 4 bars"));
    let x = left(&render(&r, None));
    assert_eq!(
        x.len() as u64,
        ((8.0 + tail_seconds(&r.final_patch)) * f64::from(RATE)).round() as u64
    );
    for (from, to) in [(0.2, 1.0), (7.0, 7.9)] {
        let level = rms(window(&x, from, to));
        assert!(
            level > 0.05,
            "the chord sounds from {from} s to {to} s: rms {level}"
        );
    }
    assert!(rms(window(&x, x.len() as f64 / f64::from(RATE) - 0.05, 99.0)) < 1e-3);
}

#[test]
fn render_seconds_always_renders_that_long_and_it_sounds() {
    let r = resolve("osc sine\nchord C major\n");
    for seconds in [0.5, 3.0, 20.0] {
        let x = left(&render(&r, Some(seconds)));
        assert_eq!(
            x.len() as u64,
            (seconds * f64::from(RATE)).round() as u64,
            "--seconds {seconds}"
        );
        let sounding = window(&x, 0.05, seconds * 0.5);
        assert!(
            peak(sounding) > 0.1,
            "--seconds {seconds}: peak {}",
            peak(sounding)
        );
    }
    // A session longer than --seconds is cut there, as before.
    let long = resolve("osc sine\nchord C major\n@10 release all\n");
    assert_eq!(stop_point(&long, Some(3.0)).reason, StopReason::LastStamp);
}
