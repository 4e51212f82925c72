//! Nothing accepted is lost: plain mode is fed lines through a pipe and killed with SIGKILL
//! right after them; the next start names the journal in one line, and `chronus recover`
//! replays it so `show` prints exactly what it printed before the kill. Recovery writes no
//! session file, and a garbage journal is reported with FILE:LINE.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

const PATIENCE: Duration = Duration::from_secs(20);

const LINES: &[&str] = &[
    "osc saw",
    "tempo 140",
    "track hats pattern x.x.x.x.",
    "track lead seq C4 E4 G4 B4",
    "filter a bit darker",
    "reverb mix 30%",
    "chord Dm7",
    "arp up",
    "start",
];

fn chronus(home: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_chronus"));
    c.args(args)
        .args(["--plain", "--output", "null", "--no-osc"])
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

fn reader(stdout: ChildStdout) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Sends `show` and `status`; returns the patch listing `show` printed.
fn show(child: &mut Child, out: &Receiver<String>) -> Vec<String> {
    let stdin = child.stdin.as_mut().expect("stdin");
    writeln!(stdin, "show\nstatus").expect("write to chronus");
    stdin.flush().expect("flush");
    let mut listing = Vec::new();
    loop {
        let line = out
            .recv_timeout(PATIENCE)
            .unwrap_or_else(|e| panic!("no status line from chronus ({e}): {listing:?}"));
        if line.starts_with("ring=") {
            break;
        }
        if line.starts_with("osc.wave ") {
            listing.clear();
        }
        listing.push(line);
    }
    listing
}

/// Sends `line` then `status`; returns what chronus printed in between.
fn replies_to(child: &mut Child, out: &Receiver<String>, line: &str) -> Vec<String> {
    let stdin = child.stdin.as_mut().expect("stdin");
    writeln!(stdin, "{line}\nstatus").expect("write to chronus");
    stdin.flush().expect("flush");
    let mut replies = Vec::new();
    loop {
        let got = out
            .recv_timeout(PATIENCE)
            .unwrap_or_else(|e| panic!("no status line from chronus ({e}): {replies:?}"));
        if got.starts_with("ring=") {
            return replies;
        }
        replies.push(got);
    }
}

fn stderr_of(child: Child) -> String {
    let out = child.wait_with_output().expect("wait for chronus");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn kill_9_loses_nothing_and_recover_brings_the_same_state_back() {
    let home = tempfile::tempdir().unwrap();
    let mut first = chronus(home.path(), &[]).spawn().expect("spawn chronus");
    let out = reader(first.stdout.take().expect("stdout"));
    {
        let stdin = first.stdin.as_mut().expect("stdin");
        for line in LINES {
            writeln!(stdin, "{line}").expect("write to chronus");
        }
    }
    let before = show(&mut first, &out);
    assert!(before
        .iter()
        .any(|l| l.starts_with("transport") && l.contains("running")));
    first.kill().expect("SIGKILL");
    let _ = first.wait();

    let journals = home.path().join("data/chronus/autosave");
    let journal = std::fs::read_dir(&journals)
        .expect("the autosave folder exists")
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("journal-"))
        })
        .expect("a journal file");
    let text = std::fs::read_to_string(&journal).unwrap();
    for line in LINES {
        assert!(text.contains(&format!(" {line}\n")), "{line} is in {text}");
    }

    // The next plain start says, in one line, how to get the lines back.
    let mut plain = chronus(home.path(), &[]).spawn().expect("spawn chronus");
    drop(plain.stdin.take());
    let hint = stderr_of(plain);
    let hints: Vec<&str> = hint
        .lines()
        .filter(|l| l.contains("chronus recover"))
        .collect();
    assert_eq!(hints.len(), 1, "{hint}");
    assert!(hints[0].contains(&journal.display().to_string()));

    let mut recovered = chronus(home.path(), &["recover"]).spawn().expect("spawn");
    let out = reader(recovered.stdout.take().expect("stdout"));
    let after = show(&mut recovered, &out);
    drop(recovered.stdin.take());
    let err = stderr_of(recovered);
    assert_eq!(after, before, "{err}");
    assert!(
        err.contains(&format!("{} lines recovered", LINES.len())),
        "{err}"
    );
    assert!(
        !home.path().join("data/chronus/sessions").exists(),
        "recovery writes no session file"
    );
    // Recovered once: not offered again.
    let again = chronus(home.path(), &["recover"]).output().expect("run");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("nothing to recover"));
}

#[test]
fn a_garbage_journal_is_reported_by_line_and_what_is_left_is_recovered() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("broken.chronus");
    let mut bytes = b"@0.000 osc saw\n\x00\x9f\x92garbage\n@0.5 tempo 90\n@1.0 chord C".to_vec();
    bytes.extend_from_slice(b"\n@1.2 wibble wobble\n@1.3 track 1 pat");
    std::fs::write(&file, &bytes).unwrap();
    let mut child = chronus(home.path(), &["recover", &file.to_string_lossy()])
        .spawn()
        .expect("spawn");
    let out = reader(child.stdout.take().expect("stdout"));
    let listing = show(&mut child, &out);
    drop(child.stdin.take());
    let err = stderr_of(child);
    let at = |line: usize| format!("{}:{line}:", file.display());
    assert!(
        err.contains(&format!("{} no journal header", at(1))),
        "{err}"
    );
    assert!(err.contains(&format!("{} not text", at(2))), "{err}");
    assert!(
        err.contains(&format!("{} the last line is cut off", at(6))),
        "{err}"
    );
    assert!(err.contains("4 lines recovered, 3 problems"), "{err}");
    assert!(
        err.contains("broken.chronus.recovered:5:"),
        "the unknown words: {err}"
    );
    assert!(listing
        .iter()
        .any(|l| l.starts_with("transport.tempo") && l.contains("90")));
    assert!(listing
        .iter()
        .any(|l| l.starts_with("osc.wave") && l.contains("saw")));
}

/// The same crash, recovered from inside the next run with the `session recover` phrase:
/// the start names the phrase, the phrase brings `show` back to what it printed before the
/// kill, the recovered lines go into the new run's journal, and a second `session recover`
/// finds nothing left.
#[test]
fn kill_9_then_the_session_recover_phrase_brings_the_same_state_back() {
    let home = tempfile::tempdir().unwrap();
    let mut first = chronus(home.path(), &[]).spawn().expect("spawn chronus");
    let out = reader(first.stdout.take().expect("stdout"));
    {
        let stdin = first.stdin.as_mut().expect("stdin");
        for line in LINES {
            writeln!(stdin, "{line}").expect("write to chronus");
        }
    }
    let before = show(&mut first, &out);
    first.kill().expect("SIGKILL");
    let _ = first.wait();

    let mut second = chronus(home.path(), &[]).spawn().expect("spawn chronus");
    let out = reader(second.stdout.take().expect("stdout"));
    let fresh = show(&mut second, &out);
    assert_ne!(fresh, before, "a new run starts from the default patch");
    let replies = replies_to(&mut second, &out, "session recover");
    assert!(
        replies
            .iter()
            .any(|l| l.contains(&format!("{} lines recovered", LINES.len()))),
        "{replies:?}"
    );
    assert!(
        replies.iter().any(|l| l.starts_with(&format!(
            "recovered: replayed {} lines (0 failed)",
            LINES.len()
        ))),
        "{replies:?}"
    );
    let after = show(&mut second, &out);
    let refused = replies_to(&mut second, &out, "session recover");
    assert!(
        refused.iter().any(|l| l.contains("nothing to recover")),
        "the second time is refused: {refused:?}"
    );
    let again = show(&mut second, &out);
    drop(second.stdin.take());
    let err = stderr_of(second);
    assert!(
        err.lines()
            .any(|l| l.contains("chronus recover") && l.contains("`session recover`")),
        "the start names the phrase: {err}"
    );
    assert_eq!(after, before, "{err}");
    assert_eq!(again, before, "nothing left to recover changes nothing");

    // The recovered lines are in the second run's journal too (it ended cleanly), and the
    // crashed run's journal is marked recovered.
    let names: Vec<String> = std::fs::read_dir(home.path().join("data/chronus/autosave"))
        .expect("the autosave folder")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names.iter().filter(|n| n.ends_with(".recovered")).count(),
        1,
        "{names:?}"
    );
    let second_journal = names
        .iter()
        .filter(|n| n.starts_with("journal-") && n.ends_with(".chronus"))
        .map(|n| home.path().join("data/chronus/autosave").join(n))
        .find(|p| std::fs::read_to_string(p).is_ok_and(|t| t.trim_end().ends_with("# clean end")))
        .expect("the second run's journal");
    let text = std::fs::read_to_string(second_journal).unwrap();
    for line in LINES {
        assert!(text.contains(&format!(" {line}\n")), "{line} is in {text}");
    }
}
