//! The transport, the step sequencer and the arpeggiator, measured on offline renders.

use chronus::analysis::{estimate_frequency, rms};
use chronus::engine::command::{midi_to_hz, Command, TrackParam};
use chronus::engine::params::ParamId;

#[path = "support/music.rs"]
mod music;
use music::{onsets, pattern, plain_engine, render, sequence, set, set_track, SR};

/// Frames of 1/16 steps at 120 bpm: round(n × 44100 × 0.125), with the off-beat steps
/// `late_beats` later.
fn expected_sixteenths(count: usize, late_beats: f64) -> Vec<usize> {
    (0..count)
        .map(|n| {
            let swing = if n % 2 == 1 { late_beats } else { 0.0 };
            ((n as f64 * 0.25 + swing) * 22_050.0).round() as usize
        })
        .collect()
}

#[test]
fn sixteenth_steps_at_120_bpm_start_on_their_exact_frames() {
    let mut e = plain_engine("noise");
    pattern(&mut e, 0, "xxxxxxxxxxxxxxxx");
    set_track(&mut e, 0, TrackParam::Gate, 0.25);
    e.apply(Command::TransportStart);
    let x = render(&mut e, 4.0);
    let found = onsets(&x, 1000);
    assert_eq!(found, expected_sixteenths(32, 0.0));
}

#[test]
fn swing_moves_every_second_step_and_only_that() {
    let mut e = plain_engine("noise");
    set(&mut e, ParamId::TransportSwing, 0.625);
    pattern(&mut e, 0, "xxxxxxxxxxxxxxxx");
    set_track(&mut e, 0, TrackParam::Gate, 0.25);
    e.apply(Command::TransportStart);
    let x = render(&mut e, 2.0);
    // 0.625 of the pair: the off-beat step is 0.125 × 2 steps = 0.0625 beats late.
    assert_eq!(onsets(&x, 1000), expected_sixteenths(16, 0.0625));
}

#[test]
fn a_tempo_change_takes_effect_from_the_next_step() {
    let mut e = plain_engine("noise");
    pattern(&mut e, 0, "x");
    set_track(&mut e, 0, TrackParam::Rate, 0.25);
    set_track(&mut e, 0, TrackParam::Gate, 0.1);
    e.apply(Command::TransportStart);
    let mut x = render(&mut e, 0.6);
    set(&mut e, ParamId::TransportTempo, 60.0);
    x.extend(render(&mut e, 3.0));
    let found = onsets(&x, 1000);
    // Beats at 0 and 0.5 s; the change lands at 0.6 s (beat 1.2); at 60 bpm the next beat
    // is 0.8 beats = 35 280 frames later.
    let change = 26_460.0f64;
    let next = change + (2.0 - change / 22_050.0) * 44_100.0;
    assert_eq!(found[..3], [0, 22_050, next.round() as usize]);
    assert_eq!(found[3] - found[2], 44_100);
}

#[test]
fn pattern_edits_wait_for_the_next_bar_unless_applied_now() {
    for now in [false, true] {
        let mut e = plain_engine("noise");
        pattern(&mut e, 0, "x...............");
        set_track(&mut e, 0, TrackParam::Gate, 0.25);
        e.apply(Command::TransportStart);
        let mut x = render(&mut e, 0.5);
        pattern(&mut e, 0, "x.......x.......");
        if now {
            e.apply(Command::ApplyPending);
        }
        x.extend(render(&mut e, 3.5));
        let found = onsets(&x, 1000);
        let want: &[usize] = if now {
            &[0, 44_100, 88_200, 132_300]
        } else {
            &[0, 88_200, 132_300]
        };
        assert_eq!(found, want, "now = {now}");
    }
}

#[test]
fn a_note_sequence_plays_its_pitches_in_order() {
    let mut e = plain_engine("sine");
    set_track(&mut e, 0, TrackParam::Rate, 0.25);
    set_track(&mut e, 0, TrackParam::Gate, 0.9);
    sequence(&mut e, 0, &[Some(48), Some(55), None, Some(60)]);
    e.apply(Command::TransportStart);
    let x = render(&mut e, 2.0);
    let beat = SR as usize / 2;
    for (i, want) in [(0, Some(48u8)), (1, Some(55)), (2, None), (3, Some(60))] {
        let window = &x[i * beat + 1000..i * beat + 20_000];
        match want {
            Some(note) => {
                let f = estimate_frequency(window, SR).expect("a tone");
                let hz = midi_to_hz(f32::from(note));
                assert!((f - hz).abs() < 0.5, "step {i}: {f} Hz, want {hz}");
            }
            None => assert_eq!(rms(window), 0.0, "step {i} is a rest"),
        }
    }
}

#[test]
fn mute_and_solo_choose_which_tracks_sound() {
    let run = |setup: &dyn Fn(&mut chronus::engine::Engine)| {
        let mut e = plain_engine("noise");
        pattern(&mut e, 0, "x...x...x...x...");
        pattern(&mut e, 1, "..x...x...x...x.");
        for t in 0..2 {
            set_track(&mut e, t, TrackParam::Gate, 0.25);
        }
        setup(&mut e);
        e.apply(Command::TransportStart);
        onsets(&render(&mut e, 2.0), 1000)
    };
    let quarter = |k: usize| (k as f64 * 22_050.0) as usize;
    let eighth_off = |k: usize| (k as f64 * 22_050.0 + 11_025.0) as usize;
    let both = run(&|_| {});
    assert_eq!(both.len(), 8);
    let muted = run(&|e| set_track(e, 0, TrackParam::Mute, 1.0));
    assert_eq!(muted, (0..4).map(eighth_off).collect::<Vec<_>>());
    let solo = run(&|e| set_track(e, 0, TrackParam::Solo, 1.0));
    assert_eq!(solo, (0..4).map(quarter).collect::<Vec<_>>());
}

#[test]
fn a_track_can_play_its_own_sound_and_pitch() {
    use chronus::engine::params::Waveform;
    let mut e = plain_engine("saw");
    pattern(&mut e, 2, "x");
    set_track(&mut e, 2, TrackParam::Rate, 1.0);
    set_track(&mut e, 2, TrackParam::Gate, 1.0);
    set_track(&mut e, 2, TrackParam::Pitch, 69.0);
    set_track(
        &mut e,
        2,
        TrackParam::Sound(ParamId::OscWave),
        Waveform::Sine as u8 as f32,
    );
    e.apply(Command::TransportStart);
    let x = render(&mut e, 1.0);
    let f = estimate_frequency(&x[2000..40_000], SR).expect("a tone");
    assert!((f - 440.0).abs() < 0.5, "{f}");
    // A pure sine: no energy at the second harmonic, which a saw would have.
    let spec = spectrum::power_spectrum(&x[2000..2000 + 32_768]);
    let h1 = spectrum::band_energy(&spec, 440.0, 44_100.0, 32_768, 3);
    let h2 = spectrum::band_energy(&spec, 880.0, 44_100.0, 32_768, 3);
    assert!(h2 < h1 * 1e-6, "second harmonic {h2} vs {h1}");
}

#[path = "support/spectrum.rs"]
mod spectrum;

#[test]
fn the_arpeggiator_plays_held_notes_in_the_expected_order() {
    let cases: [(f32, f32, &[u8]); 3] = [
        (1.0, 1.0, &[60, 64, 67, 60, 64, 67]),
        (3.0, 1.0, &[60, 64, 67, 64, 60, 64]),
        (1.0, 2.0, &[60, 64, 67, 72, 76, 79]),
    ];
    for (mode, octaves, want) in cases {
        let mut e = plain_engine("sine");
        set(&mut e, ParamId::ArpMode, mode);
        set(&mut e, ParamId::ArpOctaves, octaves);
        set(&mut e, ParamId::ArpRate, 0.125);
        set(&mut e, ParamId::ArpGate, 0.9);
        for note in [67, 60, 64] {
            e.apply(Command::NoteOn {
                note,
                velocity: 1.0,
            });
        }
        let x = render(&mut e, 1.6);
        let step = 11_025;
        for (i, note) in want.iter().enumerate() {
            let f = estimate_frequency(&x[i * step + 500..i * step + 9_000], SR).expect("a tone");
            let hz = midi_to_hz(f32::from(*note));
            assert!(
                (f - hz).abs() < 1.0,
                "mode {mode} step {i}: {f} Hz, want {hz}"
            );
        }
        // Letting go stops the arpeggio after its last note.
        e.apply(Command::AllNotesOff);
        render(&mut e, 0.3);
        assert_eq!(rms(&render(&mut e, 0.3)), 0.0);
    }
}

#[test]
fn arp_off_turns_held_notes_back_into_a_chord() {
    let mut e = plain_engine("sine");
    set(&mut e, ParamId::ArpMode, 1.0);
    for note in [60, 64, 67] {
        e.apply(Command::NoteOn {
            note,
            velocity: 1.0,
        });
    }
    render(&mut e, 0.2);
    set(&mut e, ParamId::ArpMode, 0.0);
    render(&mut e, 0.1);
    assert_eq!(e.active_voices(), 3, "the chord sounds");
}
