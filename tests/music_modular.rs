//! Modular voices: a second and a third oscillator, a sub-oscillator, noise, FM, ring modulation and hard
//! sync, measured on offline renders (spectral peaks, clicks) of the engine.

use chronus::analysis::{find_clicks, rms};
use chronus::engine::command::Command;
use chronus::engine::params::ParamId;
use chronus::engine::Engine;

#[path = "support/music.rs"]
mod music;
#[path = "support/spectrum.rs"]
mod spectrum;
use music::{plain_engine, render, set, SR};

const N: usize = 32_768;

/// A sine at 440 Hz through an open filter, gate open, settled for 0.1 s.
fn sine_440() -> Engine {
    let mut e = plain_engine("sine");
    set(&mut e, ParamId::AmpGain, -12.0);
    set(&mut e, ParamId::OscFreq, 440.0);
    e.apply(Command::Gate { on: true });
    e
}

fn choice(param: ParamId, word: &str) -> f32 {
    param.spec().choice_index(word).expect("a choice word") as f32
}

/// Energy within 3 bins of `hz`, in dB relative to the whole spectrum.
fn level_db(spec: &[f64], hz: f64) -> f64 {
    let all: f64 = spec.iter().sum();
    10.0 * (spectrum::band_energy(spec, hz, f64::from(SR), N, 3) / all).log10()
}

fn spectrum_after_settling(e: &mut Engine) -> Vec<f64> {
    render(e, 0.2);
    let x = render(e, 1.0);
    spectrum::power_spectrum(&x[..N])
}

#[test]
fn osc2_an_octave_down_adds_a_peak_at_220_hz() {
    let mut e = sine_440();
    let before = spectrum_after_settling(&mut e);
    assert!(level_db(&before, 220.0) < -60.0, "no 220 Hz before osc2");
    set(&mut e, ParamId::Osc2On, 1.0);
    set(&mut e, ParamId::Osc2Wave, choice(ParamId::Osc2Wave, "sine"));
    set(&mut e, ParamId::Osc2Octave, -1.0);
    let spec = spectrum_after_settling(&mut e);
    let (at440, at220) = (level_db(&spec, 440.0), level_db(&spec, 220.0));
    assert!(
        at440 > -4.0 && at220 > -4.0,
        "440: {at440:.1} dB, 220: {at220:.1} dB"
    );
    assert!(
        level_db(&spec, 660.0) < -60.0,
        "nothing else: two clean sines"
    );
}

#[test]
fn osc2_level_and_detune_and_fixed_frequency_move_its_peak() {
    let mut e = sine_440();
    set(&mut e, ParamId::Osc2On, 1.0);
    set(&mut e, ParamId::Osc2Wave, 0.0);
    set(&mut e, ParamId::Osc2Semitones, 7.0); // a fifth: 659.3 Hz
    set(&mut e, ParamId::Osc2Level, -12.0);
    let spec = spectrum_after_settling(&mut e);
    let diff = level_db(&spec, 440.0) - level_db(&spec, 659.26);
    assert!(
        (diff - 12.0).abs() < 1.0,
        "osc2 sits 12 dB below osc: {diff:.1}"
    );
    set(&mut e, ParamId::Osc2Freq, 1000.0);
    let spec = spectrum_after_settling(&mut e);
    assert!(level_db(&spec, 1000.0) > -20.0, "the fixed frequency plays");
    assert!(
        level_db(&spec, 659.26) < -60.0,
        "and the note's fifth is gone"
    );
}

#[test]
fn fm_ratio_2_index_1_puts_sidebands_at_1320_and_2200_hz() {
    let mut e = sine_440();
    let plain = spectrum_after_settling(&mut e);
    assert!(level_db(&plain, 1320.0) < -80.0);
    set(&mut e, ParamId::FmRatio, 2.0);
    set(&mut e, ParamId::FmIndex, 1.0);
    let spec = spectrum_after_settling(&mut e);
    // sin(wt + I sin(2wt)) = sum of J_k(I) sin((1 + 2k)wt): the sidebands at 1320 and 2200 Hz
    // (k = 1, 2) and those below zero folded back onto them (k = -2, -3, sign flipped).
    // For I = 1: 440 Hz carries J0 + J1 = 1.205, 1320 Hz J1 - J2 = 0.325 (11.4 dB below),
    // 2200 Hz J2 + J3 = 0.135 (19.0 dB below).
    let (c, s1, s2) = (
        level_db(&spec, 440.0),
        level_db(&spec, 1320.0),
        level_db(&spec, 2200.0),
    );
    assert!(
        (c - s1 - 11.4).abs() < 1.0,
        "440 Hz {c:.1} dB, 1320 Hz {s1:.1} dB"
    );
    assert!(
        (c - s2 - 19.0).abs() < 1.0,
        "440 Hz {c:.1} dB, 2200 Hz {s2:.1} dB"
    );
    assert!(level_db(&spec, 880.0) < -60.0, "only odd multiples of 440");
    set(&mut e, ParamId::FmIndex, 0.0);
    let off = spectrum_after_settling(&mut e);
    assert!(level_db(&off, 1320.0) < -80.0, "fm off: a plain sine again");
}

#[test]
fn ring_mod_of_440_and_a_fixed_660_gives_220_and_1100_hz() {
    let mut e = sine_440();
    set(&mut e, ParamId::Osc2On, 1.0);
    set(&mut e, ParamId::Osc2Wave, 0.0);
    set(&mut e, ParamId::Osc2Freq, 660.0);
    set(&mut e, ParamId::RingOn, 1.0);
    let spec = spectrum_after_settling(&mut e);
    let (lo, hi) = (level_db(&spec, 220.0), level_db(&spec, 1100.0));
    assert!(lo > -4.0 && hi > -4.0, "220: {lo:.1} dB, 1100: {hi:.1} dB");
    let (a, b) = (level_db(&spec, 440.0), level_db(&spec, 660.0));
    assert!(a < -60.0 && b < -60.0, "440: {a:.1} dB, 660: {b:.1} dB");
}

#[test]
fn a_sub_oscillator_sounds_an_octave_below_osc() {
    let mut e = sine_440();
    set(&mut e, ParamId::SubOn, 1.0);
    set(&mut e, ParamId::SubWave, choice(ParamId::SubWave, "sine"));
    set(&mut e, ParamId::SubLevel, 0.0);
    let spec = spectrum_after_settling(&mut e);
    assert!(level_db(&spec, 220.0) > -4.0 && level_db(&spec, 440.0) > -4.0);
}

#[test]
fn noise_adds_a_floor_across_the_spectrum() {
    let mut e = sine_440();
    let quiet = spectrum_after_settling(&mut e);
    set(&mut e, ParamId::NoiseOn, 1.0);
    set(&mut e, ParamId::NoiseLevel, -18.0);
    let noisy = spectrum_after_settling(&mut e);
    for hz in [3000.0, 9000.0] {
        assert!(
            level_db(&noisy, hz) > level_db(&quiet, hz) + 40.0,
            "{hz} Hz"
        );
    }
}

#[test]
fn hard_sync_makes_osc2_repeat_at_osc_s_period() {
    let mut e = sine_440();
    set(&mut e, ParamId::OscFreq, 441.0); // 100 samples a cycle
    set(&mut e, ParamId::Osc2On, 1.0);
    set(&mut e, ParamId::Osc2Freq, 441.0 * 2.37);
    set(&mut e, ParamId::Osc2Level, 0.0);
    let spec = spectrum_after_settling(&mut e);
    assert!(
        level_db(&spec, 441.0 * 2.37) > -15.0,
        "free-running: its own pitch"
    );
    set(&mut e, ParamId::SyncOn, 1.0);
    let spec = spectrum_after_settling(&mut e);
    assert!(
        level_db(&spec, 441.0 * 2.37) < -40.0,
        "synced: no energy off the harmonics"
    );
    let inharmonic = spectrum::inharmonic_db(&render(&mut e, 0.75)[..N], 441.0, 44_100.0);
    assert!(
        inharmonic < -40.0,
        "energy off the harmonics of 441: {inharmonic:.1} dB"
    );
}

#[test]
fn switching_osc2_sub_noise_and_ring_under_a_held_note_does_not_click() {
    let mut e = plain_engine("saw");
    set(&mut e, ParamId::AmpGain, -12.0);
    set(&mut e, ParamId::FilterCutoff, 4000.0);
    set(&mut e, ParamId::OscFreq, 220.0);
    e.apply(Command::Gate { on: true });
    let mut x = render(&mut e, 0.2);
    let steps: [(ParamId, f32); 10] = [
        (ParamId::Osc2On, 1.0),
        (ParamId::Osc2Wave, 2.0),
        (ParamId::SubOn, 1.0),
        (ParamId::NoiseOn, 1.0),
        (ParamId::RingOn, 1.0),
        (ParamId::RingOn, 0.0),
        (ParamId::FmIndex, 2.0),
        (ParamId::FmIndex, 0.0),
        (ParamId::NoiseOn, 0.0),
        (ParamId::Osc2On, 0.0),
    ];
    for (param, value) in steps {
        set(&mut e, param, value);
        x.extend(render(&mut e, 0.1));
    }
    assert!(rms(&x) > 0.05, "it plays");
    let clicks = find_clicks(&x, 64, 8.0, 0.01);
    assert!(clicks.is_empty(), "clicks at {clicks:?}");
}

#[test]
fn osc3_an_octave_up_and_at_a_fixed_frequency_adds_its_own_peak() {
    let mut e = sine_440();
    let before = spectrum_after_settling(&mut e);
    assert!(level_db(&before, 880.0) < -60.0, "no 880 Hz before osc3");
    set(&mut e, ParamId::Osc2On, 1.0);
    set(&mut e, ParamId::Osc2Wave, choice(ParamId::Osc2Wave, "sine"));
    set(&mut e, ParamId::Osc2Octave, -1.0);
    set(&mut e, ParamId::Osc3On, 1.0);
    set(&mut e, ParamId::Osc3Wave, choice(ParamId::Osc3Wave, "sine"));
    set(&mut e, ParamId::Osc3Octave, 1.0);
    set(&mut e, ParamId::Osc3Level, -6.0);
    let spec = spectrum_after_settling(&mut e);
    let (at440, at220, at880) = (
        level_db(&spec, 440.0),
        level_db(&spec, 220.0),
        level_db(&spec, 880.0),
    );
    assert!(
        at440 > -8.0 && at220 > -8.0 && at880 > -14.0,
        "440: {at440:.1} dB, 220: {at220:.1} dB, 880: {at880:.1} dB"
    );
    assert!(
        (at440 - at880 - 6.0).abs() < 1.0,
        "osc3 sits 6 dB below osc: {:.1}",
        at440 - at880
    );
    set(&mut e, ParamId::Osc3Freq, 1500.0);
    let spec = spectrum_after_settling(&mut e);
    assert!(level_db(&spec, 1500.0) > -20.0, "the fixed frequency plays");
    assert!(level_db(&spec, 880.0) < -60.0, "and the octave is gone");
    set(&mut e, ParamId::Osc3On, 0.0);
    let spec = spectrum_after_settling(&mut e);
    assert!(level_db(&spec, 1500.0) < -60.0, "osc3 off is silent");
}

#[test]
fn osc3_switched_off_renders_bit_identical_to_a_voice_without_it() {
    let mut plain = sine_440();
    let mut shaped = sine_440();
    set(&mut plain, ParamId::Osc2On, 1.0);
    set(&mut shaped, ParamId::Osc2On, 1.0);
    for (param, value) in [
        (ParamId::Osc3Wave, 2.0),
        (ParamId::Osc3Octave, 2.0),
        (ParamId::Osc3Semitones, 7.0),
        (ParamId::Osc3Detune, -7.0),
        (ParamId::Osc3Level, 6.0),
        (ParamId::Osc3Freq, 330.0),
    ] {
        set(&mut shaped, param, value);
    }
    let (a, b) = (render(&mut plain, 0.5), render(&mut shaped, 0.5));
    assert!(rms(&a) > 0.05, "it plays");
    assert!(
        a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()),
        "an osc3 that is off changes nothing"
    );
    set(&mut shaped, ParamId::Osc3On, 1.0);
    let (a, b) = (render(&mut plain, 0.1), render(&mut shaped, 0.1));
    assert!(a != b, "and switched on it is heard");
}

#[test]
fn switching_osc3_under_a_held_note_does_not_click() {
    let mut e = plain_engine("saw");
    set(&mut e, ParamId::AmpGain, -12.0);
    set(&mut e, ParamId::FilterCutoff, 4000.0);
    set(&mut e, ParamId::OscFreq, 220.0);
    e.apply(Command::Gate { on: true });
    let mut x = render(&mut e, 0.2);
    let steps: [(ParamId, f32); 5] = [
        (ParamId::Osc3On, 1.0),
        (ParamId::Osc3Wave, 2.0),
        (ParamId::Osc2On, 1.0),
        (ParamId::Osc3On, 0.0),
        (ParamId::Osc2On, 0.0),
    ];
    for (param, value) in steps {
        set(&mut e, param, value);
        x.extend(render(&mut e, 0.1));
    }
    assert!(rms(&x) > 0.05, "it plays");
    let clicks = find_clicks(&x, 64, 8.0, 0.01);
    assert!(clicks.is_empty(), "clicks at {clicks:?}");
}

#[test]
fn the_click_test_catches_an_instant_switch() {
    // Without the 10 ms level fade, a second sine switched in at full level mid-cycle clicks.
    let sine = |i: usize, hz: f32, phase: f32| {
        0.3 * (std::f32::consts::TAU * (i as f32 * hz / SR as f32 + phase)).sin()
    };
    let x: Vec<f32> = (0..8000)
        .map(|i| sine(i, 220.0, 0.0) + if i >= 4010 { sine(i, 110.0, 0.25) } else { 0.0 })
        .collect();
    assert!(!find_clicks(&x, 64, 8.0, 0.01).is_empty());
}
