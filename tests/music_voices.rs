//! Polyphony: chords, voice stealing and releasing everything, measured on offline renders.

use chronus::analysis::{find_clicks, peak, rms};
use chronus::engine::command::{midi_to_hz, Command};
use chronus::engine::params::ParamId;
use chronus::engine::Engine;

#[path = "support/music.rs"]
mod music;
#[path = "support/spectrum.rs"]
mod spectrum;
use music::{plain_engine, render, set, SR};

fn note_on(e: &mut Engine, note: u8) {
    e.apply(Command::NoteOn {
        note,
        velocity: 1.0,
    });
}

/// The `count` strongest local maxima of a power spectrum, as frequencies, lowest first.
fn strongest_peaks(spec: &[f64], count: usize, n: usize) -> Vec<f64> {
    let mut peaks: Vec<(usize, f64)> = (1..spec.len() - 1)
        .filter(|&k| spec[k] > spec[k - 1] && spec[k] >= spec[k + 1])
        .map(|k| (k, spec[k]))
        .collect();
    peaks.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut f: Vec<f64> = peaks
        .iter()
        .take(count)
        .map(|(k, _)| *k as f64 * f64::from(SR) / n as f64)
        .collect();
    f.sort_by(f64::total_cmp);
    f
}

#[test]
fn a_four_note_chord_renders_four_spectral_peaks_at_its_pitches() {
    let mut e = plain_engine("sine");
    set(&mut e, ParamId::AmpGain, -18.0);
    let chord = [60u8, 63, 67, 70]; // C minor 7
    for n in chord {
        note_on(&mut e, n);
    }
    render(&mut e, 0.1);
    assert_eq!(e.active_voices(), 4);
    let n = 32_768;
    let x = render(&mut e, 1.0);
    let spec = spectrum::power_spectrum(&x[..n]);
    let peaks = strongest_peaks(&spec, 4, n);
    let bin = f64::from(SR) / n as f64;
    for (got, note) in peaks.iter().zip(chord) {
        let want = f64::from(midi_to_hz(f32::from(note)));
        assert!(
            (got - want).abs() <= 1.5 * bin,
            "peak {got:.1} Hz, want {want:.1}"
        );
    }
    // All but a sliver of the energy is at the four notes (no other pitches, no distortion).
    let total: f64 = chord
        .iter()
        .map(|note| {
            let hz = f64::from(midi_to_hz(f32::from(*note)));
            spectrum::band_energy(&spec, hz, 44_100.0, n, 4)
        })
        .sum();
    let all: f64 = spec.iter().sum();
    assert!(
        total / all > 0.999,
        "energy outside the four notes: {}",
        1.0 - total / all
    );
}

#[test]
fn twenty_notes_into_sixteen_voices_steal_without_clicks() {
    let mut e = plain_engine("sine");
    set(&mut e, ParamId::AmpGain, -22.0);
    set(&mut e, ParamId::EnvAttack, 0.005);
    let mut x = Vec::new();
    for (i, note) in (36u8..56).enumerate() {
        note_on(&mut e, note);
        // Ten milliseconds apart: the last four each steal a sounding voice.
        x.extend(render(&mut e, 0.01 + i as f32 * 0.0001));
    }
    x.extend(render(&mut e, 0.3));
    assert_eq!(e.active_voices(), 16);
    assert_eq!(e.counters().voice_steals, 4);
    assert!(peak(&x) < 1.0);
    let clicks = find_clicks(&x, 64, 8.0, 0.01);
    assert!(clicks.is_empty(), "clicks at {clicks:?}");
}

#[test]
fn a_stolen_voice_cut_without_its_fade_would_be_caught() {
    // Sixteen sines at the level and pitches above, one of them cut dead at its peak: the
    // click test is sensitive enough to fail on a steal without a fade.
    let amp = 10f32.powf(-22.0 / 20.0);
    let tone = |note: u8, i: usize| {
        let f = midi_to_hz(f32::from(note));
        (i as f32 * f * std::f32::consts::TAU / SR as f32).sin() * amp
    };
    let victim = 40u8;
    let cut = (10_000..12_000)
        .max_by(|a, b| tone(victim, *a).total_cmp(&tone(victim, *b)))
        .unwrap_or(10_000);
    let x: Vec<f32> = (0..20_000)
        .map(|i| {
            (36u8..52)
                .filter(|n| *n != victim || i < cut)
                .map(|n| tone(n, i))
                .sum::<f32>()
        })
        .collect();
    assert!(find_clicks(&x, 64, 8.0, 0.01).contains(&cut));
}

#[test]
fn release_all_lets_every_voice_fade_out() {
    let mut e = plain_engine("saw");
    set(&mut e, ParamId::AmpGain, -20.0);
    set(&mut e, ParamId::EnvRelease, 0.1);
    for n in [48, 52, 55, 59] {
        note_on(&mut e, n);
    }
    e.apply(Command::Gate { on: true });
    render(&mut e, 0.2);
    e.apply(Command::AllNotesOff);
    let tail = render(&mut e, 0.3);
    assert!(rms(&tail[..2000]) > 0.01, "the release is heard");
    assert_eq!(peak(&tail[(0.11 * SR as f32) as usize..]), 0.0);
    assert_eq!(e.active_voices(), 0);
    assert!(!e.gate());
}

#[test]
fn the_gated_voice_still_follows_osc_freq_beside_chord_notes() {
    let mut e = plain_engine("sine");
    set(&mut e, ParamId::OscFreq, 1000.0);
    e.apply(Command::Gate { on: true });
    render(&mut e, 0.05);
    set(&mut e, ParamId::OscFreq, 2000.0);
    let x = render(&mut e, 0.5);
    let f = chronus::analysis::estimate_frequency(&x[4000..], SR).expect("a tone");
    assert!((f - 2000.0).abs() < 0.5, "{f}");
    assert_eq!(e.active_voices(), 1);
}

#[test]
fn a_patch_state_rebuilds_held_notes_tracks_and_transport() {
    let mut e = plain_engine("saw");
    for n in [60, 64, 67] {
        note_on(&mut e, n);
    }
    music::pattern(&mut e, 3, "x.x.");
    e.apply(Command::TransportStart);
    render(&mut e, 0.3);
    let snap = e.state();
    let position = e.position_beats();
    let twin = Engine::from_state(SR, &snap, position);
    assert!(position > 0.5);
    assert_eq!(twin.state(), snap);
    assert!((twin.position_beats() - position).abs() < 1e-9);
    assert_eq!(twin.active_voices(), 3);
    assert!(twin.is_running());
}

#[test]
fn settling_a_standby_jumps_held_voices_to_their_sustain_level() {
    let mut e = plain_engine("sine");
    set(&mut e, ParamId::EnvAttack, 0.5);
    set(&mut e, ParamId::EnvSustain, 0.5);
    set(&mut e, ParamId::OscFreq, 441.0);
    note_on(&mut e, 69);
    e.apply(Command::Gate { on: true });
    e.settle();
    let x = render(&mut e, 0.05);
    // Two sines at sustain 0.5 and amp -6 dB: about 0.25 peak each, no attack ramp.
    assert!(
        peak(&x[..200]) > 0.3,
        "already at sustain: {}",
        peak(&x[..200])
    );
    assert!((e.envelope_level() - 0.5).abs() < 1e-3);
}
