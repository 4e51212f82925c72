//! Bad session files: each one gets a clear located error (`FILE:LINE:COL: message`) or is
//! handled — never a panic or a hang. Big files are made in a temp dir by the test.

use chronus::engine::command::Command;
use chronus::lang::Vocabulary;
use chronus::session::format::{MAX_FILE_BYTES, MAX_LINE_BYTES};
use chronus::session::{check_bytes, check_file, ControlResolver, ResolvedSession, SessionErrors};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write test file");
    p
}

fn check(path: &Path) -> Result<ResolvedSession, SessionErrors> {
    let vocab = Vocabulary::builtin();
    check_file(path, &mut ControlResolver::new(&vocab))
}

/// The first `FILE:LINE:COL: message` line of the listing.
fn first_problem(path: &Path) -> String {
    match check(path) {
        Ok(_) => panic!("{} was accepted", path.display()),
        Err(e) => e.summary_lines()[0].clone(),
    }
}

fn commands(r: &ResolvedSession) -> Vec<(f64, Command)> {
    r.lines
        .iter()
        .flat_map(|l| l.commands.iter().map(move |c| (l.at, *c)))
        .collect()
}

const GOOD: &str = "tempo 100\n# a comment\n@0 set osc.freq 330\ngate on\n@beat 3 gate off\n";

#[test]
fn an_empty_file_is_an_error_at_its_start() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("empty.chronus", &b""[..]),
        ("blank.chronus", b"\n\n  \n"),
        ("comments.chronus", b"# only a comment\n"),
    ] {
        let p = write(dir.path(), name, bytes);
        let msg = first_problem(&p);
        assert!(
            msg.starts_with(&format!("{}:1:1: the session is empty", p.display())),
            "{msg}"
        );
    }
}

#[test]
fn binary_garbage_is_one_error_at_the_first_nul() {
    let dir = tempfile::tempdir().unwrap();
    let garbage: Vec<u8> = (0..65_536u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect();
    let first_nul = garbage.iter().position(|&b| b == 0).unwrap();
    let line = garbage[..first_nul].iter().filter(|&&b| b == b'\n').count() + 1;
    let p = write(dir.path(), "garbage.chronus", &garbage);
    let e = check(&p).unwrap_err();
    assert_eq!(e.count(), 1, "{e}");
    let msg = &e.summary_lines()[0];
    assert!(
        msg.starts_with(&format!("{}:{line}:", p.display())),
        "{msg}"
    );
    assert!(msg.contains("binary file"), "{msg}");
}

#[test]
fn invalid_utf8_is_located_at_the_bad_byte() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "latin1.chronus",
        b"@0 gate on\n@1 gate \xF6ff\n",
    );
    assert_eq!(
        first_problem(&p),
        format!(
            "{}:2:9: not UTF-8 text (byte 0xF6); session files are UTF-8",
            p.display()
        )
    );
}

#[test]
fn a_100_mb_file_is_refused_by_its_size_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("huge.chronus");
    let f = std::fs::File::create(&p).unwrap();
    // Sparse: 100 MB on paper, nothing on disk; reading it would take a while.
    f.set_len(100 * 1000 * 1000).unwrap();
    let t = Instant::now();
    let msg = first_problem(&p);
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    assert!(
        msg.starts_with(&format!("{}:1:1: the file is 95.4 MiB", p.display())),
        "{msg}"
    );
    assert!(msg.contains("limited to 4 MiB"), "{msg}");
}

#[test]
fn an_endless_device_is_cut_off_at_the_limit() {
    let zero = Path::new("/dev/zero");
    if !zero.exists() {
        return;
    }
    let msg = first_problem(zero);
    assert!(msg.contains("limited to 4 MiB"), "{msg}");
}

#[test]
fn a_file_just_under_the_limit_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("@0 gate on\n");
    let filler = "# padding padding padding padding padding padding padding padding\n";
    while (text.len() + filler.len()) as u64 <= MAX_FILE_BYTES - 20 {
        text.push_str(filler);
    }
    text.push_str("@1 gate off\n");
    let p = write(dir.path(), "big-ok.chronus", text.as_bytes());
    let r = check(&p).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.session.events.len(), 2);
}

#[test]
fn a_1_mb_line_is_refused_at_the_line_limit_and_the_rest_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"@0 gate on\n".to_vec();
    bytes.extend(std::iter::repeat_n(b'x', 1 << 20));
    bytes.extend_from_slice(b"\n@1 flitter darker\n");
    let p = write(dir.path(), "longline.chronus", &bytes);
    let e = check(&p).unwrap_err();
    let lines = e.summary_lines();
    assert_eq!(
        lines[0],
        format!(
            "{}:2:{}: the line is 1048576 bytes long; session lines are limited to {MAX_LINE_BYTES}",
            p.display(),
            MAX_LINE_BYTES + 1
        )
    );
    assert!(
        lines[1].starts_with(&format!("{}:3:4:", p.display())),
        "later lines are still checked: {lines:?}"
    );
    assert!(
        e.to_string().len() < 10_000,
        "the listing does not echo the megabyte"
    );
}

#[test]
fn unknown_words_are_located_in_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "words.chronus",
        b"@0 gate on\n@1   flitter darker\n@bar 2 beat 2 gate sideways\n",
    );
    let e = check(&p).unwrap_err();
    let lines = e.summary_lines();
    assert_eq!(lines.len(), 2, "{e}");
    assert!(
        lines[0].starts_with(&format!("{}:2:6: ", p.display())),
        "{e}"
    );
    assert!(lines[0].contains("did you mean \"filter\"?"), "{e}");
    assert!(
        lines[1].starts_with(&format!("{}:3:20: unknown word \"sideways\"", p.display())),
        "{e}"
    );
    // The listing shows the line and puts the caret under the bad word.
    let text = e.to_string();
    let listing: Vec<&str> = text.lines().collect();
    assert_eq!(listing[1], " 2 | @1   flitter darker");
    assert_eq!(listing[2], "   |      ^");
}

#[test]
fn times_going_backwards_are_located_at_the_stamp() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "back.chronus",
        b"@0 gate on\n@bar 3 gate off\n  @beat 2 gate on\n",
    );
    assert_eq!(
        first_problem(&p),
        format!(
            "{}:3:3: time goes backwards: 0.5 s is before 4 s (line 2); stamps must not decrease",
            p.display()
        )
    );
}

#[test]
fn crlf_line_ends_and_a_bom_give_the_same_session() {
    let dir = tempfile::tempdir().unwrap();
    let plain = write(dir.path(), "lf.chronus", GOOD.as_bytes());
    let crlf = write(
        dir.path(),
        "crlf.chronus",
        GOOD.replace('\n', "\r\n").as_bytes(),
    );
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(GOOD.replace('\n', "\r\n").as_bytes());
    let bom = write(dir.path(), "bom.chronus", &bom);
    let want = commands(&check(&plain).unwrap());
    assert_eq!(want.len(), 4, "{want:?}");
    assert_eq!(want[3].0, 1.2, "beat 3 at 100 bpm");
    for p in [crlf, bom] {
        let got = check(&p).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(commands(&got), want, "{}", p.display());
    }
}

#[test]
fn a_folder_and_a_missing_file_say_what_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let e = check(dir.path()).unwrap_err().to_string();
    assert!(
        e.ends_with("is a folder, not a session file (session files end in .chronus)"),
        "{e}"
    );
    let e = check(&dir.path().join("missing.chronus"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("missing.chronus: cannot open:"), "{e}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_bytes_are_checked_without_a_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let vocab = Vocabulary::builtin();
        let _ = check_bytes("fuzz", &bytes, &mut ControlResolver::new(&vocab));
    }

    #[test]
    fn any_stamped_text_is_checked_without_a_panic(text in "(@[-+0-9a-z:. ]{0,12} ?[a-z0-9 #.]{0,20}\r?\n){0,20}") {
        let vocab = Vocabulary::builtin();
        if let Err(e) = check_bytes("fuzz", text.as_bytes(), &mut ControlResolver::new(&vocab)) {
            for d in &e.diagnostics {
                prop_assert!(d.line >= 1 && d.column >= 1, "{e}");
            }
        }
    }
}
