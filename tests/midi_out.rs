//! MIDI out through a FIFO: a track routed with `track bass midi out channel 2` writes its
//! note-on/off bytes at the step times, and `clock out` sends start and 24 clocks a beat. The
//! test reads the FIFO with a timestamp per message.

mod support;

use std::io::Read;
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};
use support::chronus_process::{chronus_command, ChronusProcess};

/// Reads the FIFO on a thread: each read's bytes with the time they arrived.
fn read_fifo(path: &Path) -> mpsc::Receiver<(Instant, Vec<u8>)> {
    let (tx, rx) = mpsc::channel();
    let path = path.to_path_buf();
    std::thread::spawn(move || {
        let Ok(mut f) = std::fs::File::open(&path) else {
            return;
        };
        let mut buf = [0u8; 64];
        while let Ok(n) = f.read(&mut buf) {
            if n == 0 || tx.send((Instant::now(), buf[..n].to_vec())).is_err() {
                break;
            }
        }
    });
    rx
}

fn start(home: &Path, fifo: &Path) -> ChronusProcess {
    let mut cmd = chronus_command(&[
        "--plain",
        "--stay",
        "--output",
        "null",
        "--midi-out",
        fifo.to_str().expect("utf-8 temp path"),
    ]);
    cmd.env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CONFIG_HOME", home.join("config"));
    ChronusProcess::spawn(&mut cmd)
}

fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo")
        .success();
    assert!(ok, "mkfifo failed");
}

/// The MIDI messages in timed reads, each with the time its last byte arrived.
fn messages(reads: &[(Instant, Vec<u8>)]) -> Vec<(Instant, Vec<u8>)> {
    let mut parser = chronus::midi::MidiParser::new();
    let mut out = Vec::new();
    for (t, bytes) in reads {
        parser.feed(bytes, |m| {
            let (b, n) = m.to_bytes();
            out.push((*t, b[..n].to_vec()));
        });
    }
    out
}

/// Whether a worker was replaced during the run: the new engine restarts the pattern from
/// its top, so the timing checks do not apply (a loaded machine can trip hang detection).
fn failed_over(p: &mut ChronusProcess) -> bool {
    let status = p.status();
    let failovers = status.number("failovers");
    if failovers > 0.0 {
        eprintln!(
            "timing not checked: {failovers} failover(s) during the run ({})",
            status.line
        );
        p.send("quit");
    }
    failovers > 0.0
}

#[test]
fn a_track_routed_to_midi_out_writes_its_notes_at_the_step_times() {
    let home = tempfile::tempdir().expect("temp home");
    let fifo = home.path().join("out.fifo");
    mkfifo(&fifo);
    let rx = read_fifo(&fifo);
    let mut p = start(home.path(), &fifo);
    p.expect_line("midi out starting", |l| l.starts_with("midi out:"));
    p.send("track bass midi out channel 2");
    p.expect_line("the refusal for an unnamed track", |l| {
        l.contains("no track has that name yet")
    });
    p.send("tempo 120");
    p.send("track bass seq C2 . . . E2 . . . G2 . . . C3 . . .");
    p.send("track bass midi out channel 2");
    p.expect_line("the routing", |l| {
        l.starts_with("track bass: notes out on MIDI channel 2")
    });
    p.send("start");
    let mut reads = Vec::new();
    let until = Instant::now() + Duration::from_secs(20);
    while Instant::now() < until {
        if let Ok(r) = rx.recv_timeout(Duration::from_millis(100)) {
            reads.push(r);
        }
        let ons = messages(&reads)
            .iter()
            .filter(|(_, m)| m[0] == 0x91)
            .count();
        if ons >= 9 {
            break;
        }
    }
    let msgs = messages(&reads);
    let ons: Vec<&(Instant, Vec<u8>)> = msgs.iter().filter(|(_, m)| m[0] == 0x91).collect();
    assert!(ons.len() >= 5, "five note-ons on channel 2: {msgs:?}");
    if failed_over(&mut p) {
        return;
    }
    let notes: Vec<u8> = ons.iter().map(|(_, m)| m[1]).collect();
    assert_eq!(
        &notes[..4],
        [36, 40, 43, 48],
        "C2 E2 G2 C3 in order: {msgs:?}"
    );
    assert!(
        msgs.iter().any(|(_, m)| m[..] == [0x81, 36, 0]),
        "C2's note-off on channel 2: {msgs:?}"
    );
    // Quarter notes at 120 bpm: 500 ms apart. The bound is loose because this machine is
    // shared: a descheduled sender or reader shows up here (the printed number is the news).
    let mut worst: f64 = 0.0;
    for pair in ons.windows(2) {
        let ms = pair[1].0.duration_since(pair[0].0).as_secs_f64() * 1000.0;
        assert!(
            (ms - 500.0).abs() < 30.0,
            "a beat apart: {ms:.1} ms; {msgs:?}"
        );
        worst = worst.max((ms - 500.0).abs());
    }
    eprintln!(
        "midi out: note-on spacing off by at most {worst:.3} ms over {} notes",
        ons.len()
    );
    p.send("quit");
}

#[test]
fn clock_out_sends_start_and_24_clocks_per_beat() {
    let home = tempfile::tempdir().expect("temp home");
    let fifo = home.path().join("clock.fifo");
    mkfifo(&fifo);
    let rx = read_fifo(&fifo);
    let mut p = start(home.path(), &fifo);
    p.expect_line("midi out starting", |l| l.starts_with("midi out:"));
    p.send("tempo 150");
    p.send("clock out");
    p.expect_line("clock out on", |l| l.starts_with("clock out: 24 clocks"));
    p.send("start");
    let mut reads = Vec::new();
    let until = Instant::now() + Duration::from_secs(20);
    while Instant::now() < until {
        if let Ok(r) = rx.recv_timeout(Duration::from_millis(100)) {
            reads.push(r);
        }
        if messages(&reads)
            .iter()
            .filter(|(_, m)| m[0] == 0xF8)
            .count()
            > 60
        {
            break;
        }
    }
    let msgs = messages(&reads);
    if failed_over(&mut p) {
        return;
    }
    let start = msgs
        .iter()
        .position(|(_, m)| m[..] == [0xFA])
        .expect("a start message");
    assert_eq!(
        msgs[start - 1].1,
        [0xF2, 0, 0],
        "song position 0 before start"
    );
    let clocks: Vec<Instant> = msgs
        .iter()
        .filter(|(_, m)| m[0] == 0xF8)
        .map(|(t, _)| *t)
        .collect();
    let beat_ms = clocks[48].duration_since(clocks[24]).as_secs_f64() * 1000.0;
    assert!(
        (beat_ms - 400.0).abs() < 10.0,
        "24 clocks in a beat of 150 bpm: {beat_ms:.1} ms"
    );
    p.send("stop");
    p.send("quit");
}
