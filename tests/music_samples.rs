//! Samples heard: sound files the test writes (WAV at 44.1 and 22.05 kHz, FLAC is not
//! written by hound so WAV stands in), played by `track brk sample PATH` on a pattern,
//! rendered offline and measured: every onset lands on its step frame with the sample's own
//! content there; a file at another rate is resampled to the engine rate; a seq track plays
//! the sample at the note's pitch; missing and corrupt files are located errors.

use chronus::engine::sample_library;
use chronus::engine::PatchState;
use chronus::lang::{resolve_line, Vocabulary};
use std::path::{Path, PathBuf};

#[path = "support/session_render.rs"]
mod session_render;
use session_render::{render, RATE};

/// A decaying two-tone blip: easy to find again in a render.
fn blip(rate: u32, seconds: f32) -> Vec<f32> {
    let n = (rate as f32 * seconds) as usize;
    (0..n)
        .map(|i| {
            let t = i as f32 / rate as f32;
            let env = (-t * 30.0).exp();
            0.8 * env
                * (0.7 * (t * 2.0 * std::f32::consts::PI * 660.0).sin()
                    + 0.3 * (t * 2.0 * std::f32::consts::PI * 1870.0).sin())
        })
        .collect()
}

fn write_wav(dir: &Path, name: &str, rate: u32, frames: &[f32]) -> PathBuf {
    let path = dir.join(name);
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(&path, spec).expect("create wav");
    for s in frames {
        w.write_sample(*s).expect("write");
    }
    w.finalize().expect("finish wav");
    path
}

const DRY: &str = "@0 drive off, chorus off, delay off, reverb off, tempo 120\n";

#[test]
fn a_sample_track_plays_the_samples_content_on_every_step_frame() {
    let dir = tempfile::tempdir().expect("temp dir");
    let content = blip(RATE, 0.2);
    let path = write_wav(dir.path(), "blip.wav", RATE, &content);
    let x = render(&format!(
        "{DRY}track brk sample {}, track brk pattern x...x...x...x..., start\n@5\n",
        path.display()
    ));
    // Quarter notes at 120 bpm: every 22050 frames from frame 0.
    let gain = 10f32.powf(-6.0 / 20.0) * 0.7;
    for step in 0..8 {
        let at = step * 22_050;
        let window = &x[at..at + content.len() / 2];
        let err = window
            .iter()
            .zip(&content)
            .map(|(o, s)| (o - s * gain).abs())
            .fold(0.0f32, f32::max);
        let first_bad = window
            .iter()
            .zip(&content)
            .position(|(o, s)| (o - s * gain).abs() > 1e-4);
        assert!(
            err < 1e-4,
            "step {step}: the sample is not at frame {at} ({err}, first at {first_bad:?}: {:?})",
            first_bad.map(|i| (window[i], content[i] * gain))
        );
        if step > 0 {
            // The blip has decayed to nothing by the next step.
            assert!(
                x[at - 200..at].iter().all(|s| s.abs() < 1e-3),
                "silence before step {step}"
            );
        }
    }
}

#[test]
fn a_file_at_another_rate_is_resampled_and_a_seq_track_plays_it_at_the_notes_pitch() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write_wav(dir.path(), "low.wav", 22_050, &blip(22_050, 0.5));
    let index = chronus::samples::load(&path.display().to_string()).expect("loads");
    let data = sample_library::get(index).expect("in the library");
    assert_eq!(data.rate, RATE);
    let frames = data.frames.len() as f64;
    assert!(
        (frames - 0.5 * f64::from(RATE)).abs() < 600.0,
        "{frames} frames"
    );

    // C5 is an octave above C4 (as recorded): the 660 Hz tone comes out at 1320 Hz.
    let x = render(&format!(
        "{DRY}track mel sample {}, track mel seq C5 . . ., start\n@1\n",
        path.display()
    ));
    let window = &x[2000..2000 + 8192];
    let crossings = window
        .windows(2)
        .filter(|w| (w[0] < 0.0) != (w[1] < 0.0))
        .count();
    assert!(crossings > 400, "pitched up: {crossings} zero crossings");
}

#[test]
fn sample_points_reverse_and_loop_resolve_to_track_settings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write_wav(dir.path(), "pts.wav", RATE, &blip(RATE, 0.1));
    let vocab = Vocabulary::builtin();
    let line = format!(
        "track brk sample {}, sample start 10%, sample end 80%, reverse, loop",
        path.display()
    );
    let mut patch = PatchState::default();
    for a in resolve_line(&line, &patch, &vocab).expect("resolves") {
        a.apply_to(&mut patch);
    }
    let t = patch.tracks()[0];
    assert!(t.sample > 0);
    assert_eq!((t.sample_start, t.sample_end), (0.1, 0.8));
    assert!(t.reverse && t.looped);
    for a in resolve_line(
        "track brk reverse off, track brk sample off",
        &patch,
        &vocab,
    )
    .expect("resolves")
    {
        a.apply_to(&mut patch);
    }
    assert!(!patch.tracks()[0].reverse);
    assert_eq!(patch.tracks()[0].sample, 0);
}

#[test]
fn missing_and_corrupt_sample_files_are_located_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let corrupt = dir.path().join("junk.wav");
    std::fs::write(&corrupt, b"RIFF\x00\x00not really a wave file at all").expect("write");
    let vocab = Vocabulary::builtin();
    let patch = PatchState::default();
    for (name, says) in [
        ("no-such-sample-anywhere".to_string(), "no sample called"),
        (corrupt.display().to_string(), "not usable"),
    ] {
        let line = format!("track brk sample {name}");
        let e = resolve_line(&line, &patch, &vocab).expect_err(&line);
        let rendered = e.render(&line);
        assert!(rendered.contains(says), "{rendered}");
        assert_eq!(
            e.span.start,
            line.find(&name).expect("in line"),
            "{rendered}"
        );
    }
}
