//! The effects after the voices, measured on offline renders: echo timing, reverb decay and
//! click-free switching.

use chronus::analysis::{find_clicks, rms};
use chronus::engine::command::Command;
use chronus::engine::params::ParamId;
use chronus::engine::Engine;

#[path = "support/music.rs"]
mod music;
use music::{onsets, plain_engine, render, set, SR};

/// A 10 ms noise burst from silence, then silence; returns the render.
fn burst(e: &mut Engine, seconds: f32) -> Vec<f32> {
    e.apply(Command::Gate { on: true });
    let mut x = render(e, 0.01);
    e.apply(Command::Gate { on: false });
    x.extend(render(e, seconds));
    x
}

fn dry_burst_engine() -> Engine {
    let mut e = plain_engine("noise");
    set(&mut e, ParamId::EnvRelease, 0.0);
    e
}

#[test]
fn a_delay_echo_appears_at_the_set_time_within_1_ms() {
    for time in [0.125f32, 0.25, 0.6] {
        let mut e = dry_burst_engine();
        set(&mut e, ParamId::DelayTime, time);
        set(&mut e, ParamId::DelayFeedback, 0.0);
        set(&mut e, ParamId::DelayMix, 0.5);
        render(&mut e, 0.2);
        let x = burst(&mut e, 1.0);
        let found = onsets(&x, 500);
        assert_eq!(found.len(), 2, "the burst and one echo: {found:?}");
        let gap_ms = (found[1] - found[0]) as f32 * 1000.0 / SR as f32;
        assert!(
            (gap_ms - time * 1000.0).abs() <= 1.0,
            "echo after {gap_ms} ms, set {time} s"
        );
    }
}

#[test]
fn a_tempo_synced_delay_of_3_8_at_120_bpm_echoes_after_750_ms() {
    let mut e = dry_burst_engine();
    set(&mut e, ParamId::DelaySync, 0.375);
    set(&mut e, ParamId::DelayFeedback, 0.0);
    set(&mut e, ParamId::DelayMix, 0.5);
    render(&mut e, 0.2);
    let x = burst(&mut e, 1.0);
    let found = onsets(&x, 500);
    let gap_ms = (found[1] - found[0]) as f32 * 1000.0 / SR as f32;
    assert!((gap_ms - 750.0).abs() <= 1.0, "echo after {gap_ms} ms");
}

#[test]
fn feedback_repeats_the_echo_each_time_quieter() {
    let mut e = dry_burst_engine();
    set(&mut e, ParamId::DelayTime, 0.1);
    set(&mut e, ParamId::DelayFeedback, 0.5);
    set(&mut e, ParamId::DelayDamping, 0.0);
    set(&mut e, ParamId::DelayMix, 0.5);
    render(&mut e, 0.2);
    let x = burst(&mut e, 0.5);
    let echo = |k: usize| rms(&x[k * 4410..k * 4410 + 441]);
    for k in 1..4 {
        let ratio = echo(k + 1) / echo(k);
        assert!(
            (ratio - 0.5).abs() < 0.05,
            "echo {k} → {}: ratio {ratio}",
            k + 1
        );
    }
}

#[test]
fn a_reverb_tail_follows_the_sound_and_decays() {
    let mut e = dry_burst_engine();
    set(&mut e, ParamId::ReverbSize, 0.8);
    set(&mut e, ParamId::ReverbMix, 0.4);
    render(&mut e, 0.2);
    let x = burst(&mut e, 4.0);
    let window = |t: f32| {
        let i = (t * SR as f32) as usize;
        rms(&x[i..i + 4410])
    };
    let early = window(0.1);
    assert!(early > 1e-3, "a tail is heard after the burst: {early}");
    let mut last = early;
    for t in [0.5, 1.0, 1.5, 2.0, 3.0] {
        let now = window(t);
        assert!(now < last, "still decaying at {t} s: {now} after {last}");
        last = now;
    }
    let drop_db = 20.0 * (early / window(3.5)).log10();
    assert!(drop_db > 40.0, "the tail fell only {drop_db:.1} dB");
}

#[test]
fn switching_each_effect_on_and_off_on_a_sustained_tone_does_not_click() {
    let mut e = plain_engine("sine");
    set(&mut e, ParamId::OscFreq, 220.0);
    set(&mut e, ParamId::EnvRelease, 0.3);
    set(&mut e, ParamId::DriveAmount, 0.6);
    set(&mut e, ParamId::ChorusMix, 0.5);
    set(&mut e, ParamId::DelayMix, 0.4);
    set(&mut e, ParamId::ReverbMix, 0.4);
    for p in [
        ParamId::DriveOn,
        ParamId::ChorusOn,
        ParamId::DelayOn,
        ParamId::ReverbOn,
    ] {
        set(&mut e, p, 0.0);
    }
    e.apply(Command::Gate { on: true });
    render(&mut e, 0.2);
    let mut x = Vec::new();
    for p in [
        ParamId::DriveOn,
        ParamId::ChorusOn,
        ParamId::DelayOn,
        ParamId::ReverbOn,
    ] {
        for on in [1.0, 0.0, 1.0] {
            set(&mut e, p, on);
            x.extend(render(&mut e, 0.15));
        }
    }
    for p in [
        ParamId::DriveOn,
        ParamId::ChorusOn,
        ParamId::DelayOn,
        ParamId::ReverbOn,
    ] {
        set(&mut e, p, 0.0);
    }
    x.extend(render(&mut e, 0.15));
    let clicks = find_clicks(&x, 64, 8.0, 0.01);
    assert!(clicks.is_empty(), "clicks at {clicks:?}");
}

#[test]
fn an_instant_switch_of_the_same_drive_would_be_caught() {
    // The click test fails on what the 20 ms fade prevents: a sine switched straight into
    // its driven form.
    let tone = |i: usize| (i as f32 * 220.0 * std::f32::consts::TAU / SR as f32).sin() * 0.5;
    let driven = |i: usize| chronus::engine::fx::drive::saturate(tone(i) * 9.64) * 0.5 / 0.98;
    let x: Vec<f32> = (0..8000)
        .map(|i| if i < 4000 { tone(i) } else { driven(i) })
        .collect();
    assert!(!find_clicks(&x, 64, 8.0, 0.01).is_empty());
}

#[test]
fn moving_effect_settings_while_a_tone_plays_does_not_click() {
    let mut e = plain_engine("sine");
    set(&mut e, ParamId::OscFreq, 330.0);
    set(&mut e, ParamId::DelayMix, 0.3);
    set(&mut e, ParamId::ReverbMix, 0.3);
    set(&mut e, ParamId::ChorusMix, 0.3);
    e.apply(Command::Gate { on: true });
    render(&mut e, 0.3);
    let mut x = Vec::new();
    for i in 0..12 {
        let f = i as f32 / 11.0;
        set(&mut e, ParamId::DelayTime, 0.05 + 0.4 * f);
        set(&mut e, ParamId::DelayFeedback, 0.9 * f);
        set(&mut e, ParamId::ReverbSize, f);
        set(&mut e, ParamId::ChorusDepth, f);
        set(&mut e, ParamId::ChorusRate, 0.1 + 4.0 * f);
        set(&mut e, ParamId::DriveAmount, 0.5 * f);
        x.extend(render(&mut e, 0.1));
    }
    let clicks = find_clicks(&x, 64, 8.0, 0.01);
    assert!(clicks.is_empty(), "clicks at {clicks:?}");
    assert!(x.iter().all(|s| s.is_finite() && s.abs() <= 1.0));
}

#[test]
fn a_waveform_switch_under_a_sounding_voice_does_not_click() {
    let mut e = plain_engine("sine");
    set(&mut e, ParamId::OscFreq, 220.0);
    e.apply(Command::Gate { on: true });
    render(&mut e, 0.1);
    let mut x = Vec::new();
    for wave in [3.0, 0.0, 3.0, 0.0] {
        set(&mut e, ParamId::OscWave, wave);
        x.extend(render(&mut e, 0.1));
    }
    let clicks = find_clicks(&x, 64, 8.0, 0.01);
    assert!(clicks.is_empty(), "clicks at {clicks:?}");
}
