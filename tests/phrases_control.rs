//! `Control::run_line`: lines are resolved and performed, errors send nothing, undo/redo
//! restore whole patch states (at least 100 levels) by sending the commands that do it.

use chronus::control::{Control, LineError, UiRequest};
use chronus::engine::command::Command;
use chronus::engine::params::ParamId;
use chronus::engine::PatchState;
use chronus::lang::Vocabulary;
use chronus::rt::meters::Meters;
use rtrb::RingBuffer;
use std::sync::Arc;

#[path = "support/control_rig.rs"]
mod control_rig;
use control_rig::{control, drain};

#[test]
fn a_line_sends_its_commands_and_replies_per_action() {
    let (mut c, mut rx, v) = control();
    let out = c.run_line("gate on, cutoff 800 then a bit darker", &v);
    assert!(out.error.is_none());
    assert_eq!(out.sent, 3);
    assert_eq!(
        out.replies,
        [
            "gate on",
            "filter.cutoff 2000 → 800 Hz",
            "filter.cutoff 800 → 669.3 Hz"
        ]
    );
    let sent = drain(&mut rx);
    assert_eq!(sent.len(), 3);
    assert_eq!(sent[0], Command::Gate { on: true });
    assert!((c.patch().get(ParamId::FilterCutoff) - 669.3).abs() < 0.1);
}

#[test]
fn a_line_with_an_error_sends_nothing() {
    let (mut c, mut rx, v) = control();
    let out = c.run_line("gate on, cutoff 800, flitter darker", &v);
    let Some(LineError::Phrase(e)) = &out.error else {
        panic!("expected a phrase error")
    };
    assert_eq!(e.column, 22);
    assert!(out.lines().iter().any(|l| l.contains("^^^^^^")));
    assert!(drain(&mut rx).is_empty());
    assert_eq!(c.patch(), &PatchState::default());
    assert_eq!(c.undo_depth(), 0);
}

#[test]
fn clamped_values_say_so_in_the_reply() {
    let (mut c, _rx, v) = control();
    let out = c.run_line("cutoff 16000, brighter", &v);
    assert_eq!(
        out.replies[1],
        "filter.cutoff 16000 → 20000 Hz (clamped to 20000 Hz (max))"
    );
}

#[test]
fn undo_and_redo_restore_whole_states_for_more_than_100_levels() {
    let (mut c, mut rx, v) = control();
    let mut states = vec![*c.patch()];
    for i in 0..150 {
        let line = match i % 3 {
            0 => format!("cutoff {}, darker, more resonance", 200 + i),
            1 => format!("tempo {}", 60 + i),
            _ => format!("osc square, gate on, detune {i} cents"),
        };
        let out = c.run_line(&line, &v);
        assert!(out.error.is_none(), "{line}");
        states.push(*c.patch());
    }
    assert_eq!(c.undo_depth(), 150, "every line changed the patch");
    drain(&mut rx);
    for back in 1..=120 {
        let out = c.run_line("undo", &v);
        assert!(out.error.is_none());
        assert_eq!(c.patch(), &states[150 - back], "after {back} undos");
    }
    // The engine got exactly the commands that lead there: replaying them on the state
    // before the undos gives the same patch.
    let mut replay = states[150];
    for cmd in drain(&mut rx) {
        replay.apply(&cmd);
    }
    assert_eq!(&replay, c.patch());
    for fwd in 1..=120 {
        c.run_line("redo", &v);
        assert_eq!(c.patch(), &states[30 + fwd], "after {fwd} redos");
    }
    assert_eq!(c.run_line("redo", &v).replies, ["nothing to redo"]);
}

#[test]
fn a_new_line_after_undo_drops_the_redo_history() {
    let (mut c, _rx, v) = control();
    c.run_line("darker", &v);
    c.run_line("undo", &v);
    assert_eq!(c.redo_depth(), 1);
    c.run_line("tempo 90", &v);
    assert_eq!(c.redo_depth(), 0);
    assert_eq!(
        c.run_line("undo", &v).replies,
        ["undo: transport.tempo 90 → 120 bpm"]
    );
}

#[test]
fn explain_status_help_and_quit_change_nothing() {
    let (mut c, mut rx, v) = control();
    let out = c.run_line("explain a bit darker then osc square", &v);
    assert_eq!(
        out.replies,
        ["set filter.cutoff 1673.3", "set osc.wave square"]
    );
    assert_eq!(c.run_line("status", &v).requests, [UiRequest::Status]);
    assert_eq!(c.run_line("quit", &v).requests, [UiRequest::Quit]);
    assert!(c.run_line("help", &v).replies.len() > 5);
    assert!(c
        .run_line("show", &v)
        .replies
        .iter()
        .any(|l| l.starts_with("filter.cutoff")));
    assert!(drain(&mut rx).is_empty());
    assert_eq!(c.undo_depth(), 0);
}

#[test]
fn help_lists_fault_phrases_only_when_enabled() {
    let (mut c, _rx, v) = control();
    let has_faults = |c: &mut Control| {
        c.run_line("help", &v)
            .replies
            .iter()
            .any(|l| l.contains("fault panic"))
    };
    assert!(!has_faults(&mut c));
    c.set_faults_enabled(true);
    assert!(has_faults(&mut c));
    // Fault phrases resolve either way.
    let (mut c2, mut rx, _) = control();
    assert!(c2.run_line("fault slow 3ms", &v).error.is_none());
    assert_eq!(
        drain(&mut rx),
        [Command::Fault(chronus::engine::command::Fault::Slow {
            micros: 3000
        })]
    );
}

#[test]
fn a_full_command_ring_reports_the_error() {
    let (tx, _rx) = RingBuffer::new(2);
    let mut c = Control::new(tx, Arc::new(Meters::new()));
    let v = Vocabulary::builtin();
    let out = c.run_line("gate on, darker, osc square", &v);
    assert!(matches!(out.error, Some(LineError::Send(_))));
    assert_eq!(out.sent, 2);
}

#[test]
fn the_outcome_lists_the_performed_actions_for_a_session_log() {
    let (mut c, _rx, v) = control();
    let out = c.run_line("gate on, a bit darker, status", &v);
    let canon: Vec<String> = out.actions.iter().map(|a| a.canonical()).collect();
    assert_eq!(canon, ["gate on", "set filter.cutoff 1673.3", "status"]);
}
