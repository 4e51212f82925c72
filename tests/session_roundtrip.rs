//! Record → save → play: the command stream the engine receives when a saved session is
//! replayed equals the one it received while the phrases were typed — the same actions in the
//! same order, at the same times within one block (offline and in the player's schedule), and
//! within generous bounds when replayed against the wall clock.

use chronus::control::inbox::{inbox, LineSource};
use chronus::control::Control;
use chronus::engine::command::{Command, StampedCommand};
use chronus::engine::BLOCK_FRAMES;
use chronus::lang::Vocabulary;
use chronus::rt::meters::Meters;
use chronus::session::render::timed_commands;
use chronus::session::replay::{schedule, spawn, PlayerEnd};
use chronus::session::{check_file, read_session, ControlResolver, Recorder};
use rtrb::{Consumer, RingBuffer};
use std::sync::Arc;
use std::time::{Duration, Instant};

const RATE: u32 = 44_100;

/// A control side whose command ring the test reads, standing in for the engine.
fn control() -> (Control, Consumer<StampedCommand>) {
    let (tx, rx) = RingBuffer::new(4096);
    (Control::new(tx, Arc::new(Meters::new())), rx)
}

fn drain(rx: &mut Consumer<StampedCommand>) -> Vec<Command> {
    let mut out = Vec::new();
    while let Ok(c) = rx.pop() {
        out.push(c.command);
    }
    out
}

/// What a player typed, and when (seconds since the start; deliberately off the millisecond
/// grid). Includes an error, meta phrases and an undo.
const PERFORMANCE: &[(f64, &str)] = &[
    (0.0, "osc saw, cutoff 800, resonance 0.6"),
    (0.0113, "note A2"),
    (0.1234567, "a bit darker"),
    (0.2019, "flitter brighter"),
    (0.2502, "help"),
    (0.3071, "undo"),
    (0.4449, "note C3 then much brighter"),
    (0.5555, "status"),
    (0.6203, "release 50 ms, gate off"),
];

#[test]
fn a_saved_recording_replays_the_same_commands_at_the_same_times() {
    let vocab = Vocabulary::builtin();
    let dir = tempfile::tempdir().unwrap();

    // Perform and record, as the REPL does.
    let (mut live, mut engine) = control();
    let mut recorder = Recorder::with_autosave_dir(dir.path().join("autosave"));
    let mut heard: Vec<(f64, Command)> = Vec::new();
    for &(t, line) in PERFORMANCE {
        let outcome = live.run_line(line, &vocab);
        heard.extend(drain(&mut engine).into_iter().map(|c| (t, c)));
        recorder.record_performed(Duration::from_secs_f64(t), &outcome);
    }
    assert_eq!(
        recorder.lines().len(),
        6,
        "the error, help and status are not recorded"
    );
    assert!(heard.len() >= 8, "{heard:?}");
    let path = recorder.save("take-1", dir.path(), false).unwrap();

    // Offline: the render's command stream.
    let resolved =
        check_file(&path, &mut ControlResolver::new(&vocab)).unwrap_or_else(|e| panic!("{e}"));
    let offline = timed_commands(&resolved, RATE);
    let offline_commands: Vec<Command> = offline
        .iter()
        .map(|c| c.command)
        .filter(|c| *c != Command::AllNotesOff)
        .collect();
    let heard_commands: Vec<Command> = heard.iter().map(|h| h.1).collect();
    assert_eq!(offline_commands, heard_commands);
    for (o, (t, _)) in offline.iter().zip(&heard) {
        let want = (t * f64::from(RATE)).round() as i64;
        assert!(
            (o.frame as i64 - want).abs() < BLOCK_FRAMES as i64,
            "frame {} vs {want}",
            o.frame
        );
    }

    // The live player's schedule: every line within one block of when it was typed.
    let session = read_session(&path).unwrap();
    let block = BLOCK_FRAMES as f64 / f64::from(RATE);
    let recorded_times: Vec<f64> = recorder
        .lines()
        .iter()
        .map(|l| l.at.as_secs_f64())
        .collect();
    let cues = schedule(&session, 1.0, 0.0);
    assert_eq!(cues.len(), recorded_times.len());
    for (cue, t) in cues.iter().zip(&recorded_times) {
        assert!((cue.at.as_secs_f64() - t).abs() < block, "{cue:?} vs {t}");
    }

    // Live replay through the player thread and the inbox into a fresh control side.
    let (tx, rx) = inbox();
    let start = Instant::now();
    let player = spawn(&session, 1.0, 0.0, tx).unwrap();
    let (mut replay, mut engine2) = control();
    let mut replayed: Vec<(f64, Command)> = Vec::new();
    let mut lines = 0;
    while lines < cues.len() {
        let Some(line) = rx.recv_timeout(Duration::from_secs(3)) else {
            panic!("the player stalled after {lines} lines");
        };
        let at = start.elapsed().as_secs_f64();
        assert!(matches!(line.source, LineSource::Session { .. }));
        let outcome = replay.run_line(&line.text, &vocab);
        assert!(outcome.error.is_none(), "{:?}", outcome.error);
        replayed.extend(drain(&mut engine2).into_iter().map(|c| (at, c)));
        lines += 1;
    }
    assert_eq!(player.join(), PlayerEnd::Finished);
    let replayed_commands: Vec<Command> = replayed.iter().map(|r| r.1).collect();
    assert_eq!(replayed_commands, heard_commands);
    for ((got, _), (want, c)) in replayed.iter().zip(&heard) {
        // Never early; late only by scheduling noise (generous on a shared 2-core machine).
        assert!(
            *got >= want - 0.001 && *got < want + 0.25,
            "{c:?} at {got:.4} s, typed at {want:.4} s"
        );
    }
    assert_eq!(
        replay.patch(),
        live.patch(),
        "the replay ends in the same patch"
    );
}

#[test]
fn typing_over_a_replay_adds_to_a_new_recording() {
    let vocab = Vocabulary::builtin();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("base.chronus"),
        "@0 note A2\n@0.05 darker\n@0.1 gate off\n",
    )
    .unwrap();
    let session = read_session(&dir.path().join("base.chronus")).unwrap();
    let (tx, rx) = inbox();
    let player = spawn(&session, 1.0, 0.0, tx.clone()).unwrap();
    let (mut c, _engine) = control();
    let mut recorder = Recorder::with_autosave_dir(dir.path());
    // The user types while the session plays.
    tx.send(chronus::control::inbox::IncomingLine {
        text: "osc square".into(),
        source: LineSource::Keyboard,
        reply_to: None,
    });
    drop(tx);
    let mut got = 0;
    while got < 4 {
        let line = rx
            .recv_timeout(Duration::from_secs(3))
            .expect("lines keep coming");
        let outcome = c.run_line(&line.text, &vocab);
        recorder.record_performed(recorder.started().elapsed(), &outcome);
        got += 1;
    }
    assert_eq!(player.join(), PlayerEnd::Finished);
    let texts: Vec<&str> = recorder.lines().iter().map(|l| l.text.as_str()).collect();
    assert_eq!(texts.len(), 4);
    assert!(texts.contains(&"osc square"), "{texts:?}");
    let path = recorder.save("overdub", dir.path(), false).unwrap();
    assert_eq!(read_session(&path).unwrap().events.len(), 4);
}
