//! The `chronus` binary's command line: flags are validated with clear messages, `render`
//! writes the WAV it promises, and bad input never panics.

use std::io::Write;
use std::process::{Command, Stdio};

fn chronus() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_chronus"));
    // No ALSA configuration: the binary must fall back to the null device on its own.
    let empty = std::env::temp_dir().join("chronus-test-no-alsa");
    let _ = std::fs::create_dir_all(&empty);
    c.env("XDG_CONFIG_HOME", &empty);
    // Autosaves and history go to a scratch folder, never the user's data dir.
    c.env("XDG_DATA_HOME", &empty);
    c.env("XDG_STATE_HOME", &empty);
    c
}

fn run_with_input(args: &[&str], input: &[u8]) -> (String, String, i32) {
    let mut child = chronus()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn chronus");
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(input);
    }
    let out = child.wait_with_output().expect("wait");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn help_and_version_describe_the_instrument() {
    let (out, _, code) = run_with_input(&["--help"], b"");
    assert_eq!(code, 0);
    for word in [
        "render", "devices", "--rate", "--buffer", "--output", "--device",
    ] {
        assert!(out.contains(word), "--help lacks {word}:\n{out}");
    }
    let (out, _, code) = run_with_input(&["--version"], b"");
    assert_eq!(code, 0);
    assert!(out.starts_with("chronus "), "{out}");
}

#[test]
fn bad_flags_get_a_clear_message_and_a_non_zero_exit() {
    for (args, needle) in [
        (vec!["--rate", "fast"], "not a sample rate"),
        (vec!["--rate", "1"], "outside"),
        (vec!["--buffer", "3"], "outside 16..8192"),
        (vec!["--buffer", "lots"], "not a buffer size"),
        (vec!["--output", "speaker"], "possible values"),
        (vec!["render", "--seconds", "-2"], "--seconds"),
        (vec!["--target-fill", "0"], "target-fill"),
    ] {
        let (_, err, code) = run_with_input(&args, b"");
        assert_ne!(code, 0, "{args:?} should fail");
        assert!(
            err.to_lowercase().contains(&needle.to_lowercase()),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
    }
}

#[test]
fn render_writes_a_wav_of_the_requested_length_and_rate() {
    let dir = tempfile::tempdir().expect("temp dir");
    for rate in [44_100u32, 48_000] {
        let path = dir.path().join(format!("out-{rate}.wav"));
        let path_s = path.to_string_lossy().into_owned();
        let rate_s = rate.to_string();
        let (out, err, code) = run_with_input(
            &[
                "render",
                "--seconds",
                "1.5",
                "--rate",
                &rate_s,
                "-o",
                &path_s,
            ],
            b"",
        );
        assert_eq!(code, 0, "{out}{err}");
        let reader = hound::WavReader::open(&path).expect("a readable wav");
        let spec = reader.spec();
        assert_eq!(spec.sample_rate, rate);
        assert_eq!(spec.channels, 2);
        assert_eq!(reader.duration() as u64, (1.5 * f64::from(rate)) as u64);
        let samples: Vec<f32> = reader
            .into_samples::<f32>()
            .map(|s| s.unwrap_or(0.0))
            .collect();
        assert!(
            chronus::analysis::peak(&samples) > 0.1,
            "the default patch sounds"
        );
        assert!(samples.iter().all(|s| s.is_finite() && s.abs() <= 1.0));
    }
}

#[test]
fn render_is_byte_identical_for_the_same_options() {
    let dir = tempfile::tempdir().expect("temp dir");
    let a = dir.path().join("a.wav");
    let b = dir.path().join("b.wav");
    for p in [&a, &b] {
        let (_, err, code) = run_with_input(
            &["render", "--seconds", "1", "-o", &p.to_string_lossy()],
            b"",
        );
        assert_eq!(code, 0, "{err}");
    }
    assert_eq!(std::fs::read(&a).ok(), std::fs::read(&b).ok());
}

#[test]
fn render_into_a_missing_folder_fails_cleanly() {
    let (_, err, code) = run_with_input(
        &[
            "render",
            "--seconds",
            "1",
            "-o",
            "/nonexistent-dir/x/out.wav",
        ],
        b"",
    );
    assert_ne!(code, 0);
    assert!(err.contains("could not write"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn without_a_sound_card_the_repl_says_so_in_one_line_and_plays_to_null() {
    let (out, err, code) = run_with_input(&["--osc-port", "0"], b"gate on\nstatus\nquit\n");
    assert_eq!(code, 0, "{out}{err}");
    let notices: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(notices.len(), 1, "exactly one line on stderr: {err}");
    assert!(notices[0].contains("null device"), "{err}");
    assert!(out.contains("output: null"), "{out}");
    assert!(out.contains("underruns="), "{out}");
}

#[test]
fn garbage_input_never_panics_the_repl() {
    let mut input: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    input.extend_from_slice(b"\n");
    input.extend(std::iter::repeat_n(b'x', 1 << 20));
    input.extend_from_slice(b"\nfreq 1e40\nfreq nan\nwave \xff\xfe\nstatus\nquit\n");
    let (out, err, code) = run_with_input(&["--output", "null", "--osc-port", "0"], &input);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        out.contains("column"),
        "bad lines are answered with located errors"
    );
    assert!(
        out.contains("underruns="),
        "status still answers after the garbage"
    );
}
