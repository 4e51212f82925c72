//! Rhythm, as specs: mini-notation patterns and rhythm words rendered offline at 120 bpm
//! (a 1/16 step is 5512.5 frames at 44.1 kHz) with their onsets on exact frames, the commands
//! they send, and that bad patterns get located errors.

use chronus::analysis::estimate_frequency;
use chronus::engine::command::{Command, Step, StepLevel, TrackParam};
use chronus::engine::PatchState;
use chronus::lang::pattern::rhythm::Rhythms;
use chronus::lang::{resolve_line, resolve_line_with, Action, Vocabulary};

#[path = "support/control_rig.rs"]
mod control_rig;
#[path = "support/music.rs"]
mod music;

#[path = "support/session_render.rs"]
mod session_render;
use session_render::{render, RATE};
const STEP: f64 = 5512.5;

/// A clean, short sine blip per hit, so every onset follows exact silence.
const CLEAN: &str = "@0 osc sine, drive off, chorus off, volume -20 db, cutoff 18k, resonance 0\n\
                     attack 0 ms, decay 5 ms, sustain 0, release 1 ms\n";

/// `bars` bars of `lines` at 120 bpm, from the clean patch.
fn session(header: &str, lines: &str, bars: u32) -> String {
    let end = bars + 1;
    format!("tempo 120\n{header}{CLEAN}{lines}\nstart\n@bar {end} stop\n@bar {end} beat 2\n")
}

/// Onsets relative to the first one, which the transport starts within a block.
fn onsets_of(x: &[f32], gap: usize) -> Vec<usize> {
    let found = music::onsets(x, gap);
    assert!(
        found[0] < 128,
        "the transport starts within a block: {}",
        found[0]
    );
    found.iter().map(|f| f - found[0]).collect()
}

/// round(n × frames), as the sequencer rounds an exact frame (halves away from zero).
fn frames(slots: &[usize], frames_per_slot: f64) -> Vec<usize> {
    slots
        .iter()
        .map(|&n| (n as f64 * frames_per_slot).round() as usize)
        .collect()
}

fn commands(line: &str) -> Vec<Command> {
    commands_after(&PatchState::default(), line)
}

fn commands_after(patch: &PatchState, line: &str) -> Vec<Command> {
    match resolve_line(line, patch, &Vocabulary::builtin()) {
        Ok(actions) => actions.iter().filter_map(Action::command).collect(),
        Err(e) => panic!("{line}:\n{}", e.render(line)),
    }
}

/// The patch after `lines`, each resolved and applied in turn.
fn patch_after(lines: &[&str]) -> PatchState {
    typed_after(lines).0
}

/// The patch and the patterns as typed after `lines`, each resolved and applied in turn.
fn typed_after(lines: &[&str]) -> (PatchState, Rhythms) {
    let vocab = Vocabulary::builtin();
    let mut patch = PatchState::default();
    let mut rhythms = Rhythms::default();
    for line in lines {
        let actions = resolve_line_with(line, &patch, &rhythms, &vocab)
            .unwrap_or_else(|e| panic!("{}", e.render(line)));
        for a in &actions {
            a.apply_to(&mut patch);
            a.apply_to_rhythms(&mut rhythms);
        }
    }
    (patch, rhythms)
}

/// Track 1's loop as characters: `x` hit, `X` accent, `.` rest, `n` a note.
fn loop_of(patch: &PatchState) -> String {
    let t = &patch.tracks()[0];
    t.steps[..usize::from(t.length)]
        .iter()
        .map(|s| match (s.level, s.note) {
            (StepLevel::Rest, _) => '.',
            (l, Step::TRACK_PITCH) => l.to_char(),
            _ => 'n',
        })
        .collect()
}

#[test]
fn euclid_3_8_plays_steps_1_4_and_7_of_8() {
    let x = render(&session("", "pattern x(3,8)", 1));
    // The cycle is 8 steps (half a bar), so the bar holds it twice.
    assert_eq!(onsets_of(&x, 1000), frames(&[0, 3, 6, 8, 11, 14], STEP));
}

#[test]
fn three_hits_in_the_first_step_then_one() {
    // `[x x x] x`: a cycle of 2 steps cut into 6 slots of 1837.5 frames.
    let x = render(&session("", "pattern [x x x] x", 1));
    let slots: Vec<usize> = (0..8)
        .flat_map(|c| [0, 1, 2, 3].map(|s| 6 * c + s))
        .collect();
    assert_eq!(onsets_of(&x, 500), frames(&slots, STEP / 3.0));
}

#[test]
fn alternation_plays_one_note_per_cycle() {
    // `rate 1/4`: a cycle is one beat (0.5 s); C3 then G3, then C3 again.
    let x = render(&session(
        "",
        "attack 2 ms, sustain 1, release 5 ms\nseq <C3 G3>, rate 1/4",
        1,
    ));
    let heard: Vec<f32> = (0..4)
        .map(|beat| {
            let at = (0.02 + 0.5 * f64::from(beat)) * f64::from(RATE);
            let w = &x[at as usize..at as usize + 8_000];
            estimate_frequency(w, RATE).unwrap_or(0.0)
        })
        .collect();
    let want = [130.81f32, 196.0, 130.81, 196.0];
    for (f, w) in heard.iter().zip(want) {
        assert!((f - w).abs() / w < 0.02, "heard {heard:?}, want {want:?}");
    }
}

#[test]
fn a_tie_holds_the_gate_for_three_steps() {
    let x = render(&session(
        "",
        "attack 0 ms, sustain 1, release 0 ms\npattern x _ _ x",
        1,
    ));
    let starts = music::onsets(&x, 500);
    let sounding = |from: usize| {
        x[from..].iter().rposition(|s| *s != 0.0).map_or(0, |_| {
            let mut end = from;
            let mut silent = 0;
            for (i, s) in x[from..].iter().enumerate() {
                if *s != 0.0 {
                    end = from + i;
                    silent = 0;
                } else {
                    silent += 1;
                    if silent > 200 {
                        break;
                    }
                }
            }
            end - from
        })
    };
    let (tied, single) = (sounding(starts[0]), sounding(starts[1]));
    // Gate 50%: the tied note sounds 3 × 2756.25 frames, the single one 2756.25.
    let difference = tied as f64 - single as f64;
    assert!(
        (difference - 2.0 * 2756.25).abs() <= 2.0,
        "tied {tied}, single {single}"
    );
    assert_eq!(starts[1] - starts[0], 16_538, "the second hit is on step 4");
}

#[test]
fn random_steps_follow_the_session_seed() {
    let with_seed = |seed: u32| {
        let x = render(&session(&format!("seed {seed}\n"), "pattern x?!16", 2));
        music::onsets(&x, 1000)
    };
    let (a, b, other) = (with_seed(7), with_seed(7), with_seed(8));
    assert_eq!(a, b, "the same seed renders the same hits");
    assert_ne!(a, other, "another seed renders other hits");
    assert!(
        (4..=28).contains(&a.len()),
        "about half of 32 steps: {}",
        a.len()
    );
}

#[test]
fn a_polymeter_repeats_every_three_steps_across_the_bar_line() {
    let x = render(&session("", "pattern {x . .}%4", 2));
    let steps: Vec<usize> = (0..11).map(|k| 3 * k).collect();
    assert_eq!(onsets_of(&x, 1000), frames(&steps, STEP));
}

#[test]
fn fast_2_doubles_the_onsets() {
    let x = render(&session("", "four on the floor\nfast 2", 1));
    let eighths: Vec<usize> = (0..8).map(|k| 2 * k).collect();
    assert_eq!(onsets_of(&x, 1000), frames(&eighths, STEP));
}

#[test]
fn grid_patterns_write_the_same_commands_as_before() {
    let c = commands("pattern x..X");
    let levels = [
        StepLevel::Hit,
        StepLevel::Rest,
        StepLevel::Rest,
        StepLevel::Accent,
    ];
    let want: Vec<Command> = levels
        .iter()
        .enumerate()
        .map(|(i, l)| Command::SetStep {
            track: 0,
            index: i as u8,
            step: Step::hit(*l),
        })
        .chain([Command::SetTrack {
            track: 0,
            param: TrackParam::Length,
            value: 4.0,
        }])
        .collect();
    assert_eq!(c, want);
    assert_eq!(loop_of(&patch_after(&["pattern x...|x..."])), "x...x...");
}

#[test]
fn stacks_are_chords_and_velocities_and_ties_reach_the_steps() {
    let c = commands("seq [C3, E3, G3]:0.5 _ C4");
    let steps: Vec<Step> = c
        .iter()
        .filter_map(|c| match c {
            Command::SetStep { step, .. } => Some(*step),
            _ => None,
        })
        .collect();
    assert_eq!(steps.len(), 3);
    assert_eq!(
        (steps[0].note, steps[0].chord),
        (48, [52, 55, Step::NO_NOTE])
    );
    assert_eq!((steps[0].velocity, steps[0].length), (50, 2));
    assert_eq!(steps[1], Step::REST);
    assert_eq!(steps[2].note, 60);
}

#[test]
fn alternation_and_subdivision_set_the_loop_and_the_grid() {
    let p = patch_after(&["pattern <x [x x]> x"]);
    let t = &p.tracks()[0];
    // 2 steps per cycle, cut into 4 slots; 2 cycles before it repeats.
    assert_eq!((t.cycle_steps, t.cycle_slots, t.length), (2.0, 4.0, 8));
    assert_eq!(loop_of(&p), "x.x.xxx.");
    // A grid pattern afterwards goes back to one slot per step.
    let p = patch_after(&["pattern <x [x x]> x", "pattern x..x"]);
    assert_eq!(p.tracks()[0].cycle_steps, p.tracks()[0].cycle_slots);
}

#[test]
fn rhythm_words_write_grooves_and_change_the_pattern_as_typed() {
    assert_eq!(
        loop_of(&patch_after(&["four on the floor"])),
        "x...x...x...x..."
    );
    assert_eq!(loop_of(&patch_after(&["backbeat"])), "....x.......x...");
    assert_eq!(
        loop_of(&patch_after(&["snare on 2 and 4"])),
        "....x.......x..."
    );
    assert_eq!(loop_of(&patch_after(&["offbeat hats"])), "..x...x...x...x.");
    assert_eq!(loop_of(&patch_after(&["pattern x.xx", "reverse"])), "xx.x");
    assert_eq!(loop_of(&patch_after(&["pattern x.xx", "rotate 1"])), ".xxx");
    assert_eq!(
        loop_of(&patch_after(&["pattern xx..", "half time"])),
        "x.x....."
    );
    // Every 4 bars reverse: the first of four cycles backwards.
    assert_eq!(
        loop_of(&patch_after(&["pattern x..x.", "every 4 bars reverse"])),
        ".x..xx..x.x..x.x..x."
    );
    // A fill on the last of four bars: its last quarter twice, twice as fast.
    let filled = loop_of(&patch_after(&[
        "pattern x...x...x...x...",
        "fill every 4 bars",
    ]));
    assert_eq!(filled.len(), 4 * 32);
    assert_eq!(&filled[..96], "x.......".repeat(12));
    assert_eq!(&filled[96..], "x.......x.......x.......x...x...");
    // Every other bar: bars 1, 3, ... play.
    assert_eq!(
        loop_of(&patch_after(&["pattern xx", "every other bar"])),
        "xx.."
    );
    // Words after words: both apply to the pattern as typed.
    let (_, rhythms) = typed_after(&["pattern x(3,8)", "fast 2", "reverse"]);
    let r = rhythms.tracks[0].as_ref().expect("remembered");
    assert_eq!(r.phrase(), "pattern x(3,8), fast 2, reverse");
}

#[test]
fn triplets_set_a_triplet_rate_and_show_prints_typed_and_expanded() {
    let p = patch_after(&["pattern x..", "triplets"]);
    assert!((p.tracks()[0].rate - 1.0 / 24.0).abs() < 1e-6);
    let (p, rhythms) = typed_after(&["track drums pattern x(3,8), fast 2"]);
    let shown = chronus::lang::show_patch_with(&p, &rhythms).join("\n");
    assert!(shown.contains("typed: pattern x(3,8), fast 2"), "{shown}");
    assert!(shown.contains("cycle: x..x..x.x..x..x."), "{shown}");
}

#[test]
fn bad_patterns_point_at_the_mistake_and_change_nothing() {
    let vocab = Vocabulary::builtin();
    let cases = [
        ("pattern x(3,8", 14, "missing `)`"),
        ("pattern [x x", 13, "missing `]`"),
        ("pattern x*0", 11, "0 is out of range"),
        ("pattern x o", 11, "\"o\" is not a step"),
        ("seq C3 H3", 8, "\"H3\" is not a note"),
        ("pattern <x*64 x x x x>", 9, "repeats after"),
        ("fast 2", 1, "has no pattern"),
        ("pattern x, every 4 bars", 24, "every 4 bars what?"),
    ];
    for (line, column, message) in cases {
        let e = resolve_line(line, &PatchState::default(), &vocab).expect_err(line);
        assert_eq!(e.column, column, "{line}: {}", e.render(line));
        assert!(e.message.contains(message), "{line}: {}", e.render(line));
    }
}

#[test]
fn undo_takes_back_a_rhythm_word_with_the_pattern_as_typed() {
    let (mut c, mut rx, v) = control_rig::control();
    c.run_line("pattern x(3,8)", &v);
    c.run_line("fast 2", &v);
    c.run_line("undo", &v);
    control_rig::drain(&mut rx);
    let typed = |c: &chronus::control::Control| c.rhythms().tracks[0].as_ref().map(|r| r.phrase());
    assert_eq!(typed(&c).as_deref(), Some("pattern x(3,8)"));
    assert_eq!(c.patch().tracks()[0].length, 8);
    c.run_line("reverse", &v);
    assert_eq!(typed(&c).as_deref(), Some("pattern x(3,8), reverse"));
    assert_eq!(loop_of(c.patch()), ".x..x..x");
}
