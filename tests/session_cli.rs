//! The session subcommands of the binary: `check` lists located errors and sets the exit
//! code, `render FILE` is deterministic and as long as the session, `play` replays through the
//! live pipeline (null device here) and refuses bad files, and the REPL saves sessions safely.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

struct Run {
    out: String,
    err: String,
    code: i32,
}

fn chronus(data_home: &Path, args: &[&str], input: &[u8]) -> Run {
    let no_alsa = std::env::temp_dir().join("chronus-test-no-alsa");
    let _ = std::fs::create_dir_all(&no_alsa);
    let mut child = Command::new(env!("CARGO_BIN_EXE_chronus"))
        .args(args)
        // Tests never bind the real OSC port 5005.
        .arg("--no-osc")
        .env("XDG_CONFIG_HOME", &no_alsa)
        .env("XDG_DATA_HOME", data_home)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn chronus");
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(input);
    }
    let out = child.wait_with_output().expect("wait");
    let run = Run {
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
        err: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    };
    assert!(
        !run.err.contains("panicked"),
        "{args:?} panicked: {}",
        run.err
    );
    run
}

fn demo(name: &str) -> String {
    format!("sessions/{name}.chronus")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const BROKEN: &str = "@0 gate on\n@2.5 flitter darker\n@1 gate off\n";

#[test]
fn check_lists_located_errors_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(dir.path(), "broken.chronus", BROKEN);
    let bad_s = bad.to_string_lossy();
    let r = chronus(dir.path(), &["check", &bad_s], b"");
    assert_eq!(r.code, 1, "{}{}", r.out, r.err);
    let lines: Vec<&str> = r.out.lines().filter(|l| l.starts_with(&*bad_s)).collect();
    assert_eq!(lines.len(), 2, "{}", r.out);
    assert!(
        lines[0].starts_with(&format!(
            "{bad_s}:2:6: unknown word \"flitter\"; did you mean \"filter\"?"
        )),
        "{}",
        r.out
    );
    assert!(
        lines[1].starts_with(&format!("{bad_s}:3:1: time goes backwards")),
        "{}",
        r.out
    );
    assert!(r.err.contains("2 problems in 1 of 1 file"), "{}", r.err);
}

#[test]
fn check_passes_every_demo() {
    let dir = tempfile::tempdir().unwrap();
    let demos: Vec<String> = ["acid", "ambient", "pluck", "drums"].map(demo).to_vec();
    let mut args = vec!["check"];
    args.extend(demos.iter().map(String::as_str));
    let r = chronus(dir.path(), &args, b"");
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    assert_eq!(
        r.out.lines().filter(|l| l.contains(": ok, ")).count(),
        4,
        "{}",
        r.out
    );
}

#[test]
fn render_of_a_session_is_byte_identical_and_lasts_until_its_tail() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.wav");
    let b = dir.path().join("b.wav");
    for p in [&a, &b] {
        let r = chronus(
            dir.path(),
            &["render", &demo("pluck"), "-o", &p.to_string_lossy()],
            b"",
        );
        assert_eq!(r.code, 0, "{}{}", r.out, r.err);
        assert!(r.out.starts_with("wrote "), "{}", r.out);
        assert!(
            r.err.is_empty(),
            "no progress bar off a terminal: {}",
            r.err
        );
    }
    let bytes = std::fs::read(&a).unwrap();
    assert!(bytes == std::fs::read(&b).unwrap(), "two renders differ");
    let wav = hound::WavReader::open(&a).unwrap();
    assert_eq!(wav.spec().sample_rate, 44_100);
    // pluck: 8 bars at 100 bpm (19.2 s), then release 0.18 s + echoes + 0.25 s margin.
    let seconds = f64::from(wav.duration()) / 44_100.0;
    assert!(seconds > 19.2 + 0.43 && seconds < 19.2 + 30.0, "{seconds}");
}

#[test]
fn render_rate_comes_from_the_flag_then_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let s = write(
        dir.path(),
        "r.chronus",
        "rate 22050\n@0 gate on\n@0.5 gate off\n",
    );
    let s = s.to_string_lossy();
    let out = dir.path().join("r.wav");
    let o = out.to_string_lossy();
    let rate = |args: &[&str]| {
        let r = chronus(dir.path(), args, b"");
        assert_eq!(r.code, 0, "{}{}", r.out, r.err);
        hound::WavReader::open(&out).unwrap().spec().sample_rate
    };
    assert_eq!(rate(&["render", &s, "-o", &o]), 22_050);
    assert_eq!(rate(&["render", &s, "-o", &o, "--rate", "48000"]), 48_000);
    assert_eq!(rate(&["--rate", "44100", "render", &s, "-o", &o]), 44_100);
    let r = chronus(
        dir.path(),
        &["render", &s, "-o", &o, "--seconds", "0.25"],
        b"",
    );
    assert_eq!(r.code, 0);
    assert_eq!(hound::WavReader::open(&out).unwrap().duration(), 5513);
}

#[test]
fn play_and_render_refuse_a_file_with_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(dir.path(), "broken.chronus", BROKEN);
    let bad_s = bad.to_string_lossy();
    let wav = dir.path().join("x.wav");
    for args in [
        vec!["render", &bad_s, "-o", &wav.to_string_lossy()],
        vec!["--output", "null", "play", &bad_s],
    ] {
        let r = chronus(dir.path(), &args, b"");
        assert_eq!(r.code, 1, "{args:?}");
        assert!(
            r.err.contains(&format!("{bad_s}:2:6: unknown word")),
            "{}",
            r.err
        );
        assert!(r.err.contains("2 problems; nothing was"), "{}", r.err);
    }
    assert!(!wav.exists(), "no WAV from a broken session");
}

#[test]
fn play_replays_a_session_through_the_live_pipeline_and_autosaves_it() {
    let dir = tempfile::tempdir().unwrap();
    let s = write(
        dir.path(),
        "short.chronus",
        "tempo 120\n@0 osc saw, cutoff 900\nnote A2\n@beat 2 darker\n@beat 3 gate off\n",
    );
    let r = chronus(
        dir.path(),
        &[
            "--output",
            "null",
            "play",
            &s.to_string_lossy(),
            "--speed",
            "4",
        ],
        b"",
    );
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    for echo in ["osc saw, cutoff 900", "note A2", "darker", "gate off"] {
        assert!(
            shows_session_line(&r.out, echo),
            "missing session:N> {echo}: {}",
            r.out
        );
    }
    let autosaved = r
        .out
        .lines()
        .find_map(|l| l.strip_prefix("session autosaved to "))
        .and_then(|l| l.split(" (").next())
        .unwrap_or_else(|| panic!("no autosave notice: {}", r.out));
    assert!(
        autosaved.starts_with(&*dir.path().to_string_lossy()),
        "{autosaved}"
    );
    let text = std::fs::read_to_string(autosaved).unwrap();
    assert_eq!(
        text.lines().filter(|l| l.starts_with('@')).count(),
        5,
        "{text}"
    );
}

#[test]
fn play_options_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    for (args, needle) in [
        (
            vec!["play", "sessions/acid.chronus", "--speed", "0"],
            "--speed",
        ),
        (
            vec!["play", "sessions/acid.chronus", "--speed", "-1"],
            "--speed",
        ),
        (
            vec!["play", "sessions/acid.chronus", "--from", "soon"],
            "--from",
        ),
        (
            vec!["play", "sessions/acid.chronus", "--from", "bar 99"],
            "past the end",
        ),
        (vec!["play", "no-such-session"], "cannot open"),
    ] {
        let r = chronus(dir.path(), &args, b"");
        assert_eq!(r.code, 1, "{args:?}");
        assert!(r.err.contains(needle), "{args:?}: {}", r.err);
    }
}

#[test]
fn the_repl_saves_sessions_inside_the_sessions_folder_only() {
    let dir = tempfile::tempdir().unwrap();
    let input = b"session save empty\nnote A2\ngate off\nsession save jam\nsession save jam\nsession save ../escape\nsession save /tmp/abs\nsession save jam!\nquit\n";
    let r = chronus(dir.path(), &["--output", "null"], input);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    let sessions = dir.path().join("chronus").join("sessions");
    let jam = sessions.join("jam.chronus");
    let out = &r.out;
    assert!(out.contains("error: nothing recorded yet"), "{out}");
    assert!(out.contains(&format!("saved {}", jam.display())), "{out}");
    assert!(
        out.contains("exists; type \"session save jam!\" to replace it"),
        "{out}"
    );
    assert!(
        out.contains("\"../escape\" cannot be a session name"),
        "{out}"
    );
    assert!(
        out.contains("\"/tmp/abs\" cannot be a session name"),
        "{out}"
    );
    assert_eq!(
        out.matches(&format!("saved {}", jam.display())).count(),
        2,
        "{out}"
    );
    let names: Vec<String> = std::fs::read_dir(&sessions)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["jam.chronus"]);
    assert!(!dir.path().join("chronus").join("escape.chronus").exists());
    let text = std::fs::read_to_string(&jam).unwrap();
    let phrases: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with('@'))
        .map(|l| l.split_once(' ').unwrap().1)
        .collect();
    assert_eq!(phrases, ["note A2", "gate off"]);
    // A saved session plays by its name.
    let r = chronus(
        dir.path(),
        &["--output", "null", "play", "jam", "--speed", "8"],
        b"",
    );
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    assert!(shows_session_line(&r.out, "note A2"), "{}", r.out);
}

/// Whether plain mode showed `phrase` as a replayed line (`session:LINE> phrase`).
fn shows_session_line(out: &str, phrase: &str) -> bool {
    out.lines().any(|l| {
        l.split_once("> ")
            .is_some_and(|(from, text)| from.starts_with("session:") && text == phrase)
    })
}
