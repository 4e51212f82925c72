//! MIDI input through a raw byte stream: the test makes a FIFO, starts chronus with
//! `--midi-in FIFO`, writes MIDI bytes into it and reads what chronus did from plain mode.
//! No MIDI hardware needed; midir's port listing is checked where an ALSA sequencer exists.

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use support::chronus_process::{chronus_command, ChronusProcess};

fn mkfifo(dir: &Path) -> PathBuf {
    let path = dir.join("midi.fifo");
    let status = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo failed");
    path
}

fn start(home: &Path, fifo: &Path) -> ChronusProcess {
    let mut cmd = chronus_command(&[
        "--plain",
        "--stay",
        "--output",
        "null",
        "--midi-in",
        fifo.to_str().expect("utf-8 temp path"),
    ]);
    cmd.env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("CHRONUS_PATCH_DIR", home.join("patches"));
    ChronusProcess::spawn(&mut cmd)
}

/// Writes `bytes` into the FIFO (opening it waits for chronus's reader) and closes it.
fn write_fifo(fifo: &Path, bytes: &[u8]) {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(fifo)
        .expect("open the FIFO for writing");
    f.write_all(bytes).expect("write MIDI bytes");
}

fn midi_counts(p: &mut ChronusProcess) -> String {
    p.send("status");
    p.expect_line("the MIDI status line", |l| l.starts_with("notes_held="))
}

fn count(line: &str, key: &str) -> u64 {
    line.split_whitespace()
        .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {key}= in {line}"))
}

#[test]
fn bytes_written_to_a_fifo_play_notes_and_a_mapped_knob_moves_the_cutoff() {
    let home = tempfile::tempdir().expect("temp home");
    let fifo = mkfifo(home.path());
    let mut p = start(home.path(), &fifo);
    p.expect_line("the reader starting", |l| l.contains("raw MIDI bytes"));
    p.send("map cc 74 to cutoff");
    p.expect_line("the mapping", |l| l == "cc 74 → filter.cutoff (log curve)");
    // Note on C4 and E4 with running status, then CC 74 at the top of its travel.
    write_fifo(&fifo, &[0x90, 60, 100, 64, 127, 0xB0, 74, 127]);
    p.expect_line("the first note", |l| {
        l == "midi> note on 60 velocity 0.7874"
    });
    p.expect_line("the second note", |l| l == "midi> note on 64 velocity 1");
    p.expect_line("the cutoff move", |l| {
        l.starts_with("  filter.cutoff 2000 → 20000")
    });
    let line = midi_counts(&mut p);
    assert_eq!(count(&line, "notes_held"), 2, "{line}");
    assert_eq!(count(&line, "midi_notes"), 2, "{line}");
    assert_eq!(count(&line, "midi_malformed"), 0, "{line}");
    let status = p.status_until("both voices sounding", |s| s.text("peak_db") != "-inf");
    assert!(status.number("underruns") == 0.0, "{}", status.line);
    p.send("quit");
}

#[test]
fn garbage_and_cut_off_messages_are_counted_and_the_next_note_still_plays() {
    let home = tempfile::tempdir().expect("temp home");
    let fifo = mkfifo(home.path());
    let mut p = start(home.path(), &fifo);
    p.expect_line("the reader starting", |l| l.contains("raw MIDI bytes"));
    // Data with no status, a sysex, a note-on cut short, an undefined status, then a note.
    write_fifo(
        &fifo,
        &[1, 2, 3, 0xF0, 1, 2, 0xF7, 0x90, 61, 0xF4, 0x90, 62, 80],
    );
    p.expect_line("the good note", |l| l.starts_with("midi> note on 62"));
    // The writer went away; chronus waits for the next one and reads it too.
    write_fifo(&fifo, &[0x80, 62, 0]);
    p.expect_line("the note off from a second writer", |l| {
        l == "midi> note off 62"
    });
    let line = midi_counts(&mut p);
    assert_eq!(count(&line, "midi_malformed"), 5, "{line}");
    assert_eq!(count(&line, "midi_sysex_skipped"), 1, "{line}");
    p.send("map cc 300 to cutoff");
    p.expect_line("the refusal", |l| {
        l == "error: map: cc 300: controller numbers go from 0 to 127"
    });
    p.send("midi");
    p.expect_line("the input state", |l| {
        l.starts_with(&format!("midi in {}", fifo.display()))
    });
    p.send("quit");
}

#[test]
fn midi_port_listing_works_where_there_is_a_sequencer() {
    let out = std::process::Command::new(support::chronus_process::CHRONUS)
        .arg("midi")
        .output()
        .expect("run chronus midi");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    if !Path::new("/dev/snd/seq").exists() {
        eprintln!("skipped the port listing: no ALSA sequencer (/dev/snd/seq) on this machine");
        assert!(text.contains("no MIDI ports on this machine"), "{text}");
        return;
    }
    assert!(text.contains("MIDI inputs:"), "{text}");
}

#[test]
fn mappings_are_saved_with_a_patch_and_come_back_when_it_is_loaded() {
    let home = tempfile::tempdir().expect("temp home");
    let fifo = mkfifo(home.path());
    let mut p = start(home.path(), &fifo);
    p.send("map cc 74 to filter cutoff");
    p.send("map cc 71 to resonance");
    p.send("save patch knobs");
    p.expect_line("the mappings saved", |l| {
        l.starts_with("saved 2 MIDI mapping(s) with it")
    });
    let file = home.path().join("patches").join("knobs.midi.toml");
    let text = std::fs::read_to_string(&file).expect("the mappings file");
    assert!(text.contains("cc74 = \"filter.cutoff\""), "{text}");
    p.send("unmap all");
    p.send("mappings");
    p.expect_line("no mappings", |l| l.starts_with("no CC mappings"));
    p.send("load patch knobs");
    p.expect_line("the mappings loaded", |l| {
        l.starts_with("loaded 2 MIDI mapping(s)")
    });
    p.send("mappings");
    p.expect_line("cc 71 again", |l| l == "cc 71 → filter.res (linear)");
    p.send("unmap cc 5");
    p.expect_line("the refusal", |l| {
        l == "error: unmap cc 5: cc 5 is not mapped"
    });
    p.send("quit");
}

#[test]
fn clock_follow_takes_the_tempo_and_the_start_from_incoming_clock() {
    let home = tempfile::tempdir().expect("temp home");
    let fifo = mkfifo(home.path());
    let mut p = start(home.path(), &fifo);
    p.send("clock follow midi");
    p.expect_line("following", |l| {
        l.starts_with("clock: following MIDI clock")
    });
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(&fifo)
        .expect("open the FIFO for writing");
    f.write_all(&[0xFA]).expect("start");
    // 140 bpm: 24 ticks a beat, 17.857 ms apart, for three beats.
    let period = std::time::Duration::from_secs_f64(60.0 / (140.0 * 24.0));
    let t0 = std::time::Instant::now();
    for i in 1..=72u32 {
        let due = t0 + period * i;
        std::thread::sleep(due.saturating_duration_since(std::time::Instant::now()));
        f.write_all(&[0xF8]).expect("clock");
    }
    p.expect_line("the start", |l| l == "midi> start");
    let tempo = p.expect_line("a followed tempo", |l| l.starts_with("midi> tempo "));
    let bpm: f64 = tempo["midi> tempo ".len()..].parse().expect("a number");
    assert!((bpm - 140.0).abs() < 1.5, "{tempo}");
    let line = midi_counts(&mut p);
    assert!(line.contains("notes_held=0"), "{line}");
    p.send("status");
    p.expect_line("the clock source", |l| {
        l.starts_with("clock_source=midi clock_tempo=1")
    });
    p.send("quit");
}
