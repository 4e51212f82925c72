//! `chronus explain` as a user runs it: canonical lines on stdout, errors with a caret on
//! stderr and a non-zero exit code. Also the line REPL on the null output.

use std::io::Write;
use std::process::{Command, Stdio};

fn chronus() -> Command {
    let scratch = std::env::temp_dir().join("chronus-test-phrases-cli");
    let _ = std::fs::create_dir_all(&scratch);
    let mut c = Command::new(env!("CARGO_BIN_EXE_chronus"));
    // No user vocabulary, no sound card, no autosaves into the real home, no OSC port 5005.
    c.env("XDG_CONFIG_HOME", &scratch)
        .env("XDG_DATA_HOME", &scratch)
        .env("XDG_STATE_HOME", &scratch);
    c
}

#[test]
fn explain_prints_one_canonical_line_per_action() {
    let out = chronus()
        .args([
            "explain",
            "filter a bit darker",
            "osc saw",
            "gate on, note A3",
            "darker then brighter",
        ])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "set filter.cutoff 1673.3",
            "set osc.wave saw",
            "gate on",
            "note on 57",
            // Phrases chain: "darker" starts from 1673.3, not from the default.
            "set filter.cutoff 1171.3",
            "set filter.cutoff 1673.3",
        ]
    );
}

#[test]
fn explain_of_a_bad_phrase_prints_the_error_and_fails() {
    let out = chronus()
        .args(["explain", "gate on", "flitter darker"])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    assert!(
        out.stdout.is_empty(),
        "nothing is printed for a failed explain"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines[0], "flitter darker");
    assert_eq!(lines[1], "^^^^^^^");
    assert!(lines[2].contains("did you mean \"filter\""), "{stderr}");
    assert!(stderr.contains("phrase 2 of 2"), "{stderr}");
}

#[test]
fn a_broken_user_vocabulary_is_reported_and_the_builtin_words_still_work() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("mine.toml"),
        "[describe]\nmurkier = { param = \"filter.cutof\", op = \"mul\", step = 0.6 }\n",
    )
    .expect("write");
    let out = chronus()
        .args([
            "--vocab",
            &dir.path().display().to_string(),
            "explain",
            "darker",
        ])
        .output()
        .expect("runs");
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "set filter.cutoff 1400"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("mine.toml:2: describe.murkier.param"),
        "{stderr}"
    );
}

#[test]
fn a_user_vocabulary_adds_words() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("mine.toml"),
        "[describe]\nmurkier = { param = \"filter.cutoff\", op = \"mul\", step = 0.5 }\n",
    )
    .expect("write");
    let out = chronus()
        .args([
            "--vocab",
            &dir.path().display().to_string(),
            "explain",
            "murkier",
        ])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "set filter.cutoff 1000"
    );
}

#[test]
fn the_line_repl_speaks_the_language_on_the_null_output() {
    let mut child = chronus()
        .args(["--output", "null", "repl"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    {
        let stdin = child.stdin.as_mut().expect("stdin");
        stdin
            .write_all(b"gate on, cutoff 800 then a bit darker\nflitter darker\nundo\nexplain much brighter\nshow\nquit\n")
            .expect("write");
    }
    let out = child.wait_with_output().expect("exits");
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "gate on",
        "filter.cutoff 2000 → 800 Hz",
        "filter.cutoff 800 → 669.3 Hz",
        "^^^^^^",
        "did you mean \"filter\"",
        "undo: gate off",
        "undo: filter.cutoff 669.3 → 2000 Hz",
        "set filter.cutoff 4081.6",
        "filter.cutoff    2000 Hz",
    ] {
        assert!(stdout.contains(needle), "missing {needle:?} in:\n{stdout}");
    }
}
