//! The second filter and the effect order, measured on offline renders of the engine:
//! highpass removes lows, notch removes its band, series and parallel differ, and switching
//! filter2 or reordering the effects under a held note does not click.

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

fn choice(param: ParamId, word: &str) -> f32 {
    param.spec().choice_index(word).expect("a choice word") as f32
}

/// A sine at `low` Hz plus a fixed sine at `high` Hz (osc2), both at the same level, gate open.
fn two_sines(low: f32, high: f32) -> Engine {
    let mut e = plain_engine("sine");
    set(&mut e, ParamId::AmpGain, -12.0);
    set(&mut e, ParamId::OscFreq, low);
    set(&mut e, ParamId::Osc2On, 1.0);
    set(&mut e, ParamId::Osc2Wave, choice(ParamId::Osc2Wave, "sine"));
    set(&mut e, ParamId::Osc2Freq, high);
    e.apply(Command::Gate { on: true });
    e
}

/// Energy within 3 bins of `hz`, in dB (absolute, a full-scale sine is about 0).
fn level_db(spec: &[f64], hz: f64) -> f64 {
    10.0 * (spectrum::band_energy(spec, hz, f64::from(SR), N, 3) + 1e-30).log10()
}

fn spectrum_after_settling(e: &mut Engine) -> Vec<f64> {
    render(e, 0.2);
    let x = render(e, 1.0);
    spectrum::power_spectrum(&x[..N])
}

fn filter2(e: &mut Engine, mode: &str, cutoff: f32) {
    set(e, ParamId::Filter2On, 1.0);
    set(e, ParamId::Filter2Mode, choice(ParamId::Filter2Mode, mode));
    set(e, ParamId::Filter2Cutoff, cutoff);
    set(e, ParamId::Filter2Res, 0.0);
}

#[test]
fn filter2_off_changes_nothing() {
    let render_with = |touch: bool| {
        let mut e = two_sines(100.0, 5000.0);
        if touch {
            // Everything but the switch: still off, still silent.
            set(&mut e, ParamId::Filter2Mode, 3.0);
            set(&mut e, ParamId::Filter2Cutoff, 1000.0);
            set(&mut e, ParamId::Filter2Routing, 1.0);
        }
        render(&mut e, 0.5)
    };
    assert_eq!(render_with(false), render_with(true), "bit for bit");
}

#[test]
fn filter2_highpass_removes_the_lows() {
    let mut e = two_sines(100.0, 5000.0);
    let before = spectrum_after_settling(&mut e);
    filter2(&mut e, "highpass", 1000.0);
    let after = spectrum_after_settling(&mut e);
    let low_drop = level_db(&before, 100.0) - level_db(&after, 100.0);
    let high_drop = level_db(&before, 5000.0) - level_db(&after, 5000.0);
    assert!(low_drop > 30.0, "100 Hz down by {low_drop:.1} dB");
    assert!(high_drop.abs() < 1.0, "5 kHz moved by {high_drop:.1} dB");
}

#[test]
fn notch_removes_its_band_in_either_filter() {
    for param in [ParamId::FilterMode, ParamId::Filter2Mode] {
        let mut e = two_sines(1000.0, 4000.0);
        let before = spectrum_after_settling(&mut e);
        if param == ParamId::FilterMode {
            set(&mut e, ParamId::FilterMode, choice(param, "notch"));
            set(&mut e, ParamId::FilterCutoff, 1000.0);
        } else {
            filter2(&mut e, "notch", 1000.0);
        }
        let after = spectrum_after_settling(&mut e);
        let band = level_db(&before, 1000.0) - level_db(&after, 1000.0);
        let away = level_db(&before, 4000.0) - level_db(&after, 4000.0);
        assert!(band > 30.0, "{param}: 1 kHz down by {band:.1} dB");
        assert!(away.abs() < 1.5, "{param}: 4 kHz moved by {away:.1} dB");
    }
}

#[test]
fn series_attenuates_both_ends_and_parallel_keeps_both() {
    // filter lowpass 300 Hz, filter2 highpass 3 kHz, a sine at 100 Hz and one at 8 kHz.
    let setup = |parallel: bool| {
        let mut e = two_sines(100.0, 8000.0);
        set(&mut e, ParamId::FilterCutoff, 300.0);
        filter2(&mut e, "highpass", 3000.0);
        set(
            &mut e,
            ParamId::Filter2Routing,
            if parallel { 1.0 } else { 0.0 },
        );
        e
    };
    let mut open = two_sines(100.0, 8000.0);
    let reference = spectrum_after_settling(&mut open);
    let series = spectrum_after_settling(&mut setup(false));
    let parallel = spectrum_after_settling(&mut setup(true));
    for hz in [100.0, 8000.0] {
        let s = level_db(&reference, hz) - level_db(&series, hz);
        let p = level_db(&reference, hz) - level_db(&parallel, hz);
        assert!(s > 25.0, "series: {hz} Hz down by {s:.1} dB");
        assert!(p.abs() < 1.5, "parallel: {hz} Hz moved by {p:.1} dB");
    }
}

/// A saw under a held note with every effect audible.
fn wet_saw() -> Engine {
    let mut e = plain_engine("saw");
    set(&mut e, ParamId::AmpGain, -14.0);
    set(&mut e, ParamId::FilterCutoff, 1500.0);
    set(&mut e, ParamId::OscFreq, 110.0);
    set(&mut e, ParamId::DriveAmount, 0.3);
    set(&mut e, ParamId::ChorusMix, 0.5);
    set(&mut e, ParamId::DelayMix, 0.3);
    set(&mut e, ParamId::DelayTime, 0.05);
    set(&mut e, ParamId::ReverbMix, 0.3);
    e.apply(Command::Gate { on: true });
    e
}

fn place(e: &mut Engine, order: [ParamId; 4]) {
    for (i, p) in order.iter().enumerate() {
        set(e, *p, (i + 1) as f32);
    }
}

#[test]
fn the_effect_order_changes_the_sound() {
    let mut a = wet_saw();
    let mut b = wet_saw();
    use ParamId::{ChorusOrder, DelayOrder, DriveOrder, ReverbOrder};
    place(&mut b, [ReverbOrder, DelayOrder, ChorusOrder, DriveOrder]);
    let (xa, xb) = (render(&mut a, 1.0), render(&mut b, 1.0));
    let diff: Vec<f32> = xa.iter().zip(&xb).map(|(p, q)| p - q).collect();
    assert!(
        rms(&diff) > 0.1 * rms(&xa),
        "drive after the reverb sounds different: {} vs {}",
        rms(&diff),
        rms(&xa)
    );
}

#[test]
fn reordering_the_effects_and_switching_filter2_under_a_held_note_does_not_click() {
    use ParamId::{ChorusOrder, DelayOrder, DriveOrder, ReverbOrder};
    let mut e = wet_saw();
    let mut x = render(&mut e, 0.5);
    let orders = [
        [ReverbOrder, DelayOrder, ChorusOrder, DriveOrder],
        [ChorusOrder, DriveOrder, DelayOrder, ReverbOrder],
        [DelayOrder, ReverbOrder, DriveOrder, ChorusOrder],
        [DriveOrder, ChorusOrder, DelayOrder, ReverbOrder],
    ];
    for order in orders {
        place(&mut e, order);
        x.extend(render(&mut e, 0.15));
    }
    // (A highpass or notch in parallel passes the raw saw's edges, which the click finder
    // would flag as clicks in the steady sound too: the switches here keep the edges filtered.)
    for (param, value) in [
        (ParamId::Filter2On, 1.0),
        (ParamId::Filter2Cutoff, 800.0),
        (
            ParamId::Filter2Mode,
            choice(ParamId::Filter2Mode, "lowpass"),
        ),
        (ParamId::Filter2Routing, 1.0),
        (
            ParamId::Filter2Mode,
            choice(ParamId::Filter2Mode, "bandpass"),
        ),
        (ParamId::Filter2Routing, 0.0),
        (ParamId::Filter2On, 0.0),
    ] {
        set(&mut e, param, value);
        x.extend(render(&mut e, 0.15));
    }
    assert!(rms(&x) > 0.05, "it plays: {}", rms(&x));
    let clicks = find_clicks(&x, 64, 8.0, 0.01);
    assert!(clicks.is_empty(), "clicks at {clicks:?}");
}

#[test]
fn renders_with_filter2_and_a_new_order_are_deterministic() {
    let run = || {
        let mut e = wet_saw();
        filter2(&mut e, "bandpass", 700.0);
        set(&mut e, ParamId::Filter2Env, 0.5);
        place(
            &mut e,
            [
                ParamId::DelayOrder,
                ParamId::DriveOrder,
                ParamId::ReverbOrder,
                ParamId::ChorusOrder,
            ],
        );
        render(&mut e, 0.5)
    };
    assert_eq!(run(), run());
}
