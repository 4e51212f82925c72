//! Real-time scheduling: the DSP workers and the null output ask for SCHED_FIFO; where the
//! process may not have it (here: CAP_SYS_NICE dropped with `setpriv` and RLIMIT_RTPRIO 0),
//! chronus plays on at normal priority, says so once, and `status` shows `rt=normal`.
//! `setpriv` (util-linux) is required: the test fails without it rather than pass unseen.

use std::io::Write;
use std::process::{Command, Stdio};

struct Run {
    status_line: String,
    stderr: String,
}

fn plain_status(prefix: &[&str]) -> Run {
    let home = tempfile::tempdir().unwrap();
    let chronus = env!("CARGO_BIN_EXE_chronus");
    let (program, args): (&str, Vec<&str>) = match prefix.split_first() {
        Some((p, rest)) => (p, rest.iter().copied().chain([chronus]).collect()),
        None => (chronus, Vec::new()),
    };
    let mut child = Command::new(program)
        .args(args)
        .args(["--plain", "--output", "null", "--no-osc"])
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {program} (is util-linux installed?): {e}"));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"status\n")
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    Run {
        status_line: stdout
            .lines()
            .find(|l| l.starts_with("ring="))
            .unwrap_or_else(|| panic!("no status line: {stdout}"))
            .to_string(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn fifo_allowed_here() -> bool {
    Command::new("chrt")
        .args(["-f", "50", "true"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn without_permission_chronus_plays_at_normal_priority_and_says_so_once() {
    let run = plain_status(&[
        "setpriv",
        "--bounding-set=-sys_nice",
        "--inh-caps=-sys_nice",
        "prlimit",
        "--rtprio=0",
        "--",
    ]);
    assert!(
        run.status_line.contains(" rt=normal"),
        "{}",
        run.status_line
    );
    let notices: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("no real-time scheduling"))
        .collect();
    assert_eq!(notices.len(), 1, "{}", run.stderr);
    assert!(
        run.status_line.contains(" generation=1 "),
        "no failover from it"
    );
}

#[test]
fn with_permission_the_audio_threads_run_fifo() {
    let run = plain_status(&[]);
    if fifo_allowed_here() {
        assert!(run.status_line.contains(" rt=fifo"), "{}", run.status_line);
        assert!(
            !run.stderr.contains("no real-time scheduling"),
            "{}",
            run.stderr
        );
    } else {
        assert!(
            run.status_line.contains(" rt=normal"),
            "{}",
            run.status_line
        );
    }
}
