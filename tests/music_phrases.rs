//! The music phrases, as specs: what each phrase sends to the engine (chords, velocity, the
//! transport, patterns and sequences on named tracks, mute/solo, `now`, the arpeggiator,
//! effects and patches), that undo restores patterns, and that every bad input gets a
//! located error with a did-you-mean where one helps.

use chronus::engine::command::{Command, Step, StepLevel, TrackParam};
use chronus::engine::params::ParamId;
use chronus::engine::PatchState;
use chronus::lang::{resolve_line, Vocabulary};
use chronus::patch::builtin;

fn commands(line: &str) -> Vec<Command> {
    commands_after(&PatchState::default(), line)
}

fn commands_after(patch: &PatchState, line: &str) -> Vec<Command> {
    let vocab = Vocabulary::builtin();
    match resolve_line(line, patch, &vocab) {
        Ok(actions) => actions.iter().filter_map(|a| a.command()).collect(),
        Err(e) => panic!("{line}:\n{}", e.render(line)),
    }
}

fn notes_on(cmds: &[Command]) -> Vec<u8> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::NoteOn { note, .. } => Some(*note),
            _ => None,
        })
        .collect()
}

fn set(param: ParamId, value: f32) -> Command {
    Command::Set { param, value }
}

fn track(track: u8, param: TrackParam, value: f32) -> Command {
    Command::SetTrack {
        track,
        param,
        value,
    }
}

#[path = "support/control_rig.rs"]
mod control_rig;
use control_rig::{control, drain};

#[test]
fn chords_are_one_note_on_per_note_with_qualities_inversions_and_octaves() {
    assert_eq!(notes_on(&commands("chord C")), [60, 64, 67]);
    assert_eq!(notes_on(&commands("chord C minor")), [60, 63, 67]);
    assert_eq!(notes_on(&commands("chord Dm7")), [62, 65, 69, 72]);
    assert_eq!(notes_on(&commands("chord F#maj7")), [66, 70, 73, 77]);
    assert_eq!(
        notes_on(&commands("chord F#maj7 inversion 1")),
        [70, 73, 77, 78]
    );
    assert_eq!(notes_on(&commands("chord G7")), [67, 71, 74, 77]);
    assert_eq!(notes_on(&commands("chord C3m7")), [48, 51, 55, 58]);
    assert_eq!(notes_on(&commands("chord Bb sus4 octave 2")), [46, 51, 53]);
    assert_eq!(notes_on(&commands("chord A minor 7")), [69, 72, 76, 79]);
    let soft = commands("chord C velocity 0.5");
    assert!(soft
        .iter()
        .all(|c| matches!(c, Command::NoteOn { velocity, .. } if *velocity == 0.5)));
}

#[test]
fn a_chord_replaces_the_notes_held_before_it_and_release_all_lets_go() {
    let mut patch = PatchState::default();
    for c in commands("chord C") {
        patch.apply(&c);
    }
    assert_eq!(patch.held_notes(), [60, 64, 67]);
    let next = commands_after(&patch, "chord F");
    assert_eq!(next[0], Command::AllNotesOff, "{next:?}");
    assert_eq!(notes_on(&next), [65, 69, 72]);
    assert_eq!(commands("release all"), [Command::AllNotesOff]);
}

#[test]
fn play_takes_several_notes_and_note_takes_a_velocity() {
    assert_eq!(notes_on(&commands("play C4 E4 G4")), [60, 64, 67]);
    assert_eq!(
        commands("note C4 velocity 0.5"),
        [Command::NoteOn {
            note: 60,
            velocity: 0.5
        }]
    );
    assert_eq!(
        commands("note C4 velocity 80%"),
        [Command::NoteOn {
            note: 60,
            velocity: 0.8
        }]
    );
    assert_eq!(commands("play"), [Command::Gate { on: true }]);
}

#[test]
fn start_runs_the_transport_and_stop_stops_it_and_releases_held_notes() {
    assert_eq!(commands("start"), [Command::TransportStart]);
    assert_eq!(
        commands("stop"),
        [Command::TransportStop, Command::AllNotesOff]
    );
    assert_eq!(commands("stop transport"), [Command::TransportStop]);
    assert_eq!(commands("gate off"), [Command::Gate { on: false }]);
    assert_eq!(commands("tempo 128"), [set(ParamId::TransportTempo, 128.0)]);
    assert_eq!(commands("swing 58%"), [set(ParamId::TransportSwing, 0.58)]);
}

#[test]
fn a_pattern_writes_one_step_per_character_and_its_length() {
    let c = commands("pattern x..X");
    let steps: Vec<Command> = [
        StepLevel::Hit,
        StepLevel::Rest,
        StepLevel::Rest,
        StepLevel::Accent,
    ]
    .iter()
    .enumerate()
    .map(|(i, l)| Command::SetStep {
        track: 0,
        index: i as u8,
        step: Step::hit(*l),
    })
    .collect();
    assert_eq!(&c[..4], &steps[..]);
    assert_eq!(c[4], track(0, TrackParam::Length, 4.0));
    assert_eq!(commands("pattern x..x..x.x...x...").len(), 17);
}

#[test]
fn a_sequence_writes_notes_and_rests() {
    let c = commands("seq C3 C3 G3 A#3 . C4 . G3");
    let steps: Vec<Step> = c
        .iter()
        .filter_map(|c| match c {
            Command::SetStep { step, .. } => Some(*step),
            _ => None,
        })
        .collect();
    assert_eq!(
        steps,
        [
            Step::note(48),
            Step::note(48),
            Step::note(55),
            Step::note(58),
            Step::REST,
            Step::note(60),
            Step::REST,
            Step::note(55)
        ]
    );
    assert_eq!(c.last(), Some(&track(0, TrackParam::Length, 8.0)));
}

#[test]
fn steps_and_rate_set_the_current_track() {
    assert_eq!(commands("steps 16"), [track(0, TrackParam::Length, 16.0)]);
    assert_eq!(commands("rate 1/16"), [track(0, TrackParam::Rate, 0.0625)]);
    assert_eq!(commands("rate 1/8"), [track(0, TrackParam::Rate, 0.125)]);
    assert_eq!(commands("rate 16"), [track(0, TrackParam::Rate, 0.0625)]);
}

#[test]
fn named_tracks_get_their_own_index_and_bare_phrases_edit_the_last_named() {
    let (mut c, mut rx, v) = control();
    assert!(c.run_line("track bass seq C2 . G1", &v).error.is_none());
    let bass = drain(&mut rx);
    assert!(bass.iter().all(|c| matches!(
        c,
        Command::SetStep { track: 0, .. } | Command::SetTrack { track: 0, .. }
    )));
    assert!(c.run_line("track hats pattern x.x.", &v).error.is_none());
    let hats = drain(&mut rx);
    assert!(
        hats.iter().all(|c| matches!(
            c,
            Command::SetStep { track: 1, .. } | Command::SetTrack { track: 1, .. }
        )),
        "{hats:?}"
    );
    assert!(c.run_line("steps 8", &v).error.is_none());
    assert_eq!(drain(&mut rx), [track(1, TrackParam::Length, 8.0)]);
    c.run_line("mute bass, solo hats, unmute bass, unsolo 2", &v);
    assert_eq!(
        drain(&mut rx),
        [
            track(0, TrackParam::Mute, 1.0),
            track(1, TrackParam::Solo, 1.0),
            track(0, TrackParam::Mute, 0.0),
            track(1, TrackParam::Solo, 0.0),
        ]
    );
    c.run_line("track bass clear", &v);
    assert_eq!(drain(&mut rx), [Command::ClearTrack { track: 0 }]);
}

#[test]
fn a_track_can_have_its_own_sound_and_pitch() {
    let (mut c, mut rx, v) = control();
    c.run_line("track hats pattern x.x.", &v);
    drain(&mut rx);
    let out = c.run_line(
        "track hats wave noise, track hats decay 40 ms, track hats filter highpass, track hats pitch C1",
        &v,
    );
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(
        drain(&mut rx),
        [
            track(0, TrackParam::Sound(ParamId::OscWave), 4.0),
            track(0, TrackParam::Sound(ParamId::EnvDecay), 0.04),
            track(0, TrackParam::Sound(ParamId::FilterMode), 1.0),
            track(0, TrackParam::Pitch, 24.0),
        ]
    );
    assert_eq!(
        c.patch().get(ParamId::OscWave),
        1.0,
        "the patch's own wave is untouched"
    );
}

#[test]
fn now_applies_staged_edits_at_once() {
    let c = commands("pattern x... now");
    assert_eq!(c.last(), Some(&Command::ApplyPending));
    assert_eq!(commands("now"), [Command::ApplyPending]);
    let c = commands("track bass seq C2 now");
    assert_eq!(c.last(), Some(&Command::ApplyPending));
}

#[test]
fn the_arpeggiator_takes_a_mode_rate_octaves_and_off() {
    assert_eq!(commands("arp up"), [set(ParamId::ArpMode, 1.0)]);
    assert_eq!(commands("arp down"), [set(ParamId::ArpMode, 2.0)]);
    assert_eq!(commands("arp updown"), [set(ParamId::ArpMode, 3.0)]);
    assert_eq!(commands("arp random"), [set(ParamId::ArpMode, 4.0)]);
    assert_eq!(commands("arp off"), [set(ParamId::ArpMode, 0.0)]);
    assert_eq!(commands("arp on"), [set(ParamId::ArpMode, 1.0)]);
    assert_eq!(commands("arp rate 1/16"), [set(ParamId::ArpRate, 0.0625)]);
    assert_eq!(commands("arp octaves 2"), [set(ParamId::ArpOctaves, 2.0)]);
    assert_eq!(commands("arp gate 80%"), [set(ParamId::ArpGate, 0.8)]);
}

#[test]
fn effects_switch_and_take_their_parameters() {
    assert_eq!(commands("delay off"), [set(ParamId::DelayOn, 0.0)]);
    assert_eq!(commands("delay on"), [set(ParamId::DelayOn, 1.0)]);
    assert_eq!(commands("reverb off"), [set(ParamId::ReverbOn, 0.0)]);
    assert_eq!(commands("set chorus.on off"), [set(ParamId::ChorusOn, 0.0)]);
    assert_eq!(commands("delay time 3/8"), [set(ParamId::DelaySync, 0.375)]);
    assert_eq!(
        commands("delay feedback 40%"),
        [set(ParamId::DelayFeedback, 0.4)]
    );
    assert_eq!(
        commands("delay damping 0.6"),
        [set(ParamId::DelayDamping, 0.6)]
    );
    assert_eq!(commands("reverb size 0.8"), [set(ParamId::ReverbSize, 0.8)]);
    assert_eq!(
        commands("reverb damping 0.3"),
        [set(ParamId::ReverbDamping, 0.3)]
    );
    assert_eq!(
        commands("chorus rate 2 hz"),
        [set(ParamId::ChorusRate, 2.0)]
    );
    assert_eq!(
        commands("chorus depth 60%"),
        [set(ParamId::ChorusDepth, 0.6)]
    );
    assert_eq!(
        commands("drive amount 40%"),
        [set(ParamId::DriveAmount, 0.4)]
    );
    assert_eq!(commands("drive mix 50%"), [set(ParamId::DriveMix, 0.5)]);
    assert_eq!(commands("chorus mix 30%"), [set(ParamId::ChorusMix, 0.3)]);
    // A time in seconds leaves the tempo-synced mode.
    let mut synced = PatchState::default();
    synced.set(ParamId::DelaySync, 0.375);
    assert_eq!(
        commands_after(&synced, "delay time 300 ms"),
        [set(ParamId::DelaySync, 0.0), set(ParamId::DelayTime, 0.3)]
    );
}

#[test]
fn loading_a_built_in_patch_glides_to_it_with_set_commands() {
    let patch = PatchState::default();
    let acid = builtin("acid").expect("built in").expect("parses");
    let expected = acid.commands(patch.values());
    assert!(!expected.is_empty());
    assert_eq!(commands("load patch acid"), expected);
    assert_eq!(commands("load acid"), expected);
}

#[test]
fn undo_takes_back_a_pattern_and_a_chord() {
    let (mut c, mut rx, v) = control();
    c.run_line("pattern x.x.", &v);
    c.run_line("pattern XXXX", &v);
    drain(&mut rx);
    c.run_line("undo", &v);
    let back = drain(&mut rx);
    assert!(back.contains(&Command::SetStep {
        track: 0,
        index: 1,
        step: Step::REST
    }));
    let steps: Vec<StepLevel> = c.patch().tracks()[0].steps[..4]
        .iter()
        .map(|s| s.level)
        .collect();
    assert_eq!(
        steps,
        [
            StepLevel::Hit,
            StepLevel::Rest,
            StepLevel::Hit,
            StepLevel::Rest
        ]
    );
    c.run_line("chord C", &v);
    c.run_line("undo", &v);
    assert!(c.patch().held_notes().is_empty() && !c.patch().gate());
}

/// `(line, column, words the message must contain, suggestion)`; with no close word the
/// suggestion is the nearest whole phrase that works (`chord` → `E7 chord`).
const BAD: &[(&str, usize, &str, Option<&str>)] = &[
    ("chord C mnoor", 9, "unknown chord quality", Some("minor")),
    ("chord Cmj7", 8, "unknown chord quality", Some("maj7")),
    ("chord H7", 7, "does not start with a note name", None),
    ("chord C inversion 3", 19, "inversions 0 to 2", None),
    ("chord", 6, "stops after", Some("E7 chord")),
    ("pattern x.o.", 11, "\"o\" is not a step", Some("x")),
    ("pattern", 8, "stops after", None),
    ("seq C3 H3 G3", 8, "\"H3\" is not a note", None),
    ("mute bas", 6, "no track called \"bas\"", Some("mute 2")),
    (
        "track bass pattern x..., mute bas",
        31,
        "no track called \"bas\"",
        Some("bass"),
    ),
    ("track 9 pattern x", 7, "numbered 1 to 8", None),
    ("steps 193", 7, "1 to 192 steps", None),
    ("rate 1/128", 6, "1/64 to 1 bar", None),
    ("note C4 velocity 2", 18, "velocity goes from 0 to 1", None),
    ("load patch ../etc", 12, "may not contain \"..\"", None),
    ("load patch acd", 12, "no patch called", Some("acid")),
    (
        "save patch",
        11,
        "save which patch",
        Some("save patch my-bass"),
    ),
    (
        "track hats reverb mix 30%",
        1,
        "no reverb.mix of its own",
        None,
    ),
    ("filter on", 8, "cannot be switched", None),
];

#[test]
fn bad_music_phrases_get_located_errors_with_suggestions() {
    let vocab = Vocabulary::builtin();
    let mut failures = Vec::new();
    for (line, column, text, suggestion) in BAD {
        match resolve_line(line, &PatchState::default(), &vocab) {
            Ok(a) => failures.push(format!("{line}: resolved to {a:?}")),
            Err(e) => {
                let summary = e.summary();
                if e.column != *column
                    || !summary.contains(text)
                    || e.suggestion.as_deref() != *suggestion
                {
                    failures.push(format!(
                        "{line}: want column {column} {text:?} suggesting {suggestion:?}\n   got {summary} (column {}, suggestion {:?})",
                        e.column, e.suggestion
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_193_step_pattern_is_refused_and_points_at_the_pattern() {
    let line = format!("pattern {}", "x".repeat(193));
    let e =
        resolve_line(&line, &PatchState::default(), &Vocabulary::builtin()).expect_err("too long");
    assert_eq!(e.column, 9);
    assert!(e.message.contains("this one has 193"), "{}", e.message);
    let ok = format!("pattern {}", "x".repeat(192));
    assert_eq!(commands(&ok).len(), 193);
}

#[test]
fn explain_prints_music_commands_readably() {
    let vocab = Vocabulary::builtin();
    let lines = chronus::lang::explain_phrases(
        &["track bass seq C2 . now", "mute bass", "chord C", "stop"],
        &vocab,
    )
    .expect("resolves");
    assert_eq!(
        lines,
        [
            "track bass",
            "track 1 step 1 C2",
            "track 1 step 2 .",
            "track 1 steps 2",
            // the pattern as typed, remembered for rhythm words and `show`
            "track 1 seq C2 .",
            "now",
            "track 1 mute",
            "note on 60",
            "note on 64",
            "note on 67",
            "stop transport",
            "all notes off",
        ]
    );
}

#[test]
fn show_lists_the_transport_held_notes_and_the_tracks() {
    let (mut c, _rx, v) = control();
    c.run_line(
        "track bass seq C2 . G1, track hats pattern x.X., mute hats",
        &v,
    );
    c.run_line("chord Am, start", &v);
    let shown = c.run_line("show", &v).replies;
    for line in [
        "transport        running",
        "held notes       A4 C5 E5",
        "track 1 bass: C2 . G1",
        "track 2 hats (muted): x.X.",
    ] {
        assert!(
            shown.iter().any(|l| l == line),
            "{line:?} not in {shown:#?}"
        );
    }
}
