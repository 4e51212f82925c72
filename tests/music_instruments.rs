//! Instruments heard: drum voices, LFOs, ramps and a sound per track, written as sessions in
//! words, rendered offline like `chronus render`, then measured in Rust. The kick's pitch
//! falls over its first 50 ms; hats carry most of their energy above 5 kHz; a filter LFO at
//! 1/8 and 120 bpm moves the spectral centroid at 4 Hz; a ramp rises monotonically and stops
//! on its target; two tracks with different instruments give both spectra; bad input is a
//! located error.

use chronus::engine::command::Command;
use chronus::engine::params::ParamId;
use chronus::engine::ramp::{RampUnit, PATCH_RAMP};
use chronus::engine::{Engine, PatchState, BLOCK_SAMPLES};
use chronus::lang::{resolve_line, Vocabulary};

#[path = "support/spectrum.rs"]
mod spectrum;

#[path = "support/session_render.rs"]
mod session_render;
use session_render::{render, RATE};

/// No colour from the effects and the patch voice out of the way.
const DRY: &str = "@0 drive off, chorus off, delay off, reverb off\n";

/// The first frame whose level passes `threshold`.
fn onset(x: &[f32], threshold: f32) -> usize {
    x.iter()
        .position(|s| s.abs() > threshold)
        .expect("something sounds")
}

/// Frequency from the zero crossings of a window (Hz).
fn crossing_frequency(x: &[f32]) -> f64 {
    let crossings = x
        .windows(2)
        .filter(|w| (w[0] < 0.0) != (w[1] < 0.0))
        .count();
    crossings as f64 / 2.0 / (x.len() as f64 / f64::from(RATE))
}

#[test]
fn the_kick_pitch_falls_over_its_first_50_ms() {
    let x = render(&format!(
        "{DRY}track kick drum kick, pattern x..............., start\n@1\n"
    ));
    let at = onset(&x, 0.01);
    let ms = |m: f64| at + (m * f64::from(RATE) / 1000.0) as usize;
    let early = crossing_frequency(&x[ms(3.0)..ms(13.0)]);
    let late = crossing_frequency(&x[ms(35.0)..ms(50.0)]);
    assert!(
        early > 1.5 * late,
        "the kick starts at {early:.0} Hz and falls to {late:.0} Hz"
    );
    assert!(
        (40.0..130.0).contains(&late),
        "the kick ends low: {late:.0} Hz"
    );
}

#[test]
fn hats_carry_most_of_their_energy_above_5_khz() {
    let x = render(&format!(
        "{DRY}track hats drum hat, pattern xxxxxxxxxxxxxxxx, start\n@2\n"
    ));
    let frame = &x[RATE as usize / 2..RATE as usize / 2 + 32_768];
    let spec = spectrum::power_spectrum(frame);
    let bin_5k = 5000 * frame.len() / RATE as usize;
    let total: f64 = spec.iter().sum();
    let high: f64 = spec[bin_5k..].iter().sum();
    assert!(total > 0.0);
    assert!(
        high / total > 0.6,
        "only {:.0}% of the hats' energy is above 5 kHz",
        100.0 * high / total
    );
}

/// The spectral centroid (Hz) of consecutive windows, one every `hop` frames.
fn centroids(x: &[f32], window: usize, hop: usize) -> Vec<f64> {
    (0..(x.len() - window) / hop)
        .map(|i| {
            let spec = spectrum::power_spectrum(&x[i * hop..i * hop + window]);
            let total: f64 = spec.iter().sum();
            let weighted: f64 = spec
                .iter()
                .enumerate()
                .map(|(k, p)| k as f64 * f64::from(RATE) / window as f64 * p)
                .sum();
            weighted / total.max(1e-30)
        })
        .collect()
}

/// The strongest frequency (Hz) of a series sampled at `rate`, searched from 0.5 to 20 Hz.
fn dominant_frequency(series: &[f64], rate: f64) -> f64 {
    let mean = series.iter().sum::<f64>() / series.len() as f64;
    let mut best = (0.0, 0.0);
    let mut f = 0.5;
    while f <= 20.0 {
        let (mut re, mut im) = (0.0, 0.0);
        for (n, v) in series.iter().enumerate() {
            let phase = 2.0 * std::f64::consts::PI * f * n as f64 / rate;
            re += (v - mean) * phase.cos();
            im += (v - mean) * phase.sin();
        }
        let power = re * re + im * im;
        if power > best.1 {
            best = (f, power);
        }
        f += 0.05;
    }
    best.0
}

#[test]
fn a_filter_lfo_at_an_eighth_and_120_bpm_moves_the_spectral_centroid_at_4_hz() {
    let x = render(&format!(
        "{DRY}osc saw, cutoff 800, resonance 0, volume -12 db, tempo 120, sustain 1\n\
         wobble the filter at 1/8 depth 2 octaves\ngate on, start\n@3\n"
    ));
    let hop = 256;
    let series = centroids(&x[RATE as usize / 2..], 1024, hop);
    let f = dominant_frequency(&series, f64::from(RATE) / hop as f64);
    assert!((f - 4.0).abs() < 0.2, "the centroid moves at {f:.2} Hz");
    let (lo, hi) = series
        .iter()
        .fold((f64::MAX, 0.0f64), |(lo, hi), c| (lo.min(*c), hi.max(*c)));
    assert!(
        hi > 1.5 * lo,
        "the centroid swings from {lo:.0} to {hi:.0} Hz"
    );
}

#[test]
fn a_ramp_rises_monotonically_over_its_span_and_stops_on_its_target() {
    let mut engine = Engine::new(RATE);
    engine.apply(Command::Set {
        param: ParamId::FilterCutoff,
        value: 200.0,
    });
    // Two beats at 120 bpm: one second.
    engine.apply(Command::Ramp {
        param: ParamId::FilterCutoff,
        track: PATCH_RAMP,
        target: 4000.0,
        length: 2.0,
        unit: RampUnit::Beats,
    });
    let mut out = [0.0f32; BLOCK_SAMPLES];
    let mut values = Vec::new();
    for _ in 0..(2 * RATE as usize / 64) {
        engine.render(&mut out);
        values.push(engine.value(ParamId::FilterCutoff));
    }
    assert!(values.windows(2).all(|w| w[1] >= w[0]), "never falls back");
    let one_second = RATE as usize / 64;
    assert!(values[one_second / 2] > 500.0 && values[one_second / 2] < 3000.0);
    assert!(
        values[one_second - 2] < 4000.0,
        "still moving before its end"
    );
    assert!(values[one_second + 1..].iter().all(|v| *v == 4000.0));
    assert!(
        engine.ramp(ParamId::FilterCutoff).is_none(),
        "the ramp ended"
    );

    // A new value for the same parameter cancels a ramp where it is.
    engine.apply(Command::Ramp {
        param: ParamId::FilterCutoff,
        track: PATCH_RAMP,
        target: 100.0,
        length: 10.0,
        unit: RampUnit::Seconds,
    });
    engine.render(&mut out);
    engine.apply(Command::Set {
        param: ParamId::FilterCutoff,
        value: 900.0,
    });
    for _ in 0..100 {
        engine.render(&mut out);
    }
    assert_eq!(engine.value(ParamId::FilterCutoff), 900.0);
}

#[test]
fn a_fade_out_over_a_bar_silences_the_output_by_its_end() {
    let x = render(&format!(
        "{DRY}osc sine, sustain 1, volume -12 db, tempo 120\ngate on\n@1 fade out over 1 bar\n@4\n"
    ));
    let level = |from: f64, to: f64| {
        let s = &x[(from * f64::from(RATE)) as usize..(to * f64::from(RATE)) as usize];
        s.iter().map(|v| v.abs()).fold(0.0f32, f32::max)
    };
    let before = level(0.5, 1.0);
    let during = level(2.0, 2.1);
    let after = level(3.2, 3.9);
    assert!(before > 0.05);
    assert!(
        during < before && during > after,
        "{before} {during} {after}"
    );
    assert!(after < before * 0.002, "-60 dB at the end: {after}");
}

#[test]
fn two_tracks_with_different_instruments_give_both_spectra() {
    let x = render(&format!(
        "{DRY}cutoff 18k, resonance 0, sustain 1, volume -18 db\n\
         track low osc sine, track low pitch A2, track low pattern xxxx, track low gate 100%\n\
         track high osc square, track high pitch A5, track high pattern xxxx, track high gate 100%\n\
         start\n@2\n"
    ));
    let frame = &x[RATE as usize / 2..RATE as usize / 2 + 32_768];
    let spec = spectrum::power_spectrum(frame);
    let band = |f: f64| spectrum::band_energy(&spec, f, f64::from(RATE), frame.len(), 3);
    let floor = band(700.0).max(1e-12);
    assert!(band(110.0) > 100.0 * floor, "the sine track at 110 Hz");
    assert!(band(880.0) > 100.0 * floor, "the square track at 880 Hz");
    assert!(band(2640.0) > 10.0 * floor, "the square's third harmonic");
    assert!(
        band(330.0) < band(110.0) * 1e-3,
        "the sine track has no third harmonic"
    );
}

#[test]
fn bad_instrument_input_is_a_located_error_and_changes_nothing() {
    let vocab = Vocabulary::builtin();
    let patch = PatchState::default();
    for (line, word, says) in [
        ("track kick drum banjo", "banjo", "no drum called"),
        ("lfo on delay mix", "delay mix", "cannot move delay.mix"),
        ("lfo 3 on cutoff", "3", "2 LFOs"),
        ("vibrato 500 hz", "500 hz", "at most 50 Hz"),
        (
            "osc square over 2 bars",
            "osc square over 2 bars",
            "cannot move over time",
        ),
        ("filter 4k over 2 apples", "apples", "unknown word"),
    ] {
        let e = resolve_line(line, &patch, &vocab).expect_err(line);
        let rendered = e.render(line);
        assert!(rendered.contains(says), "{line}: {rendered}");
        let at = line.find(word).expect("the word is in the line");
        assert_eq!(e.span.start, at, "{line}: {rendered}");
    }
}

#[test]
fn drums_sets_up_kick_snare_and_hats_and_the_canonical_lines_resolve_back() {
    let vocab = Vocabulary::builtin();
    let actions = resolve_line("drums", &PatchState::default(), &vocab).expect("drums");
    let mut patch = PatchState::default();
    for a in &actions {
        a.apply_to(&mut patch);
    }
    for (name, drum) in [("kick", "kick"), ("snare", "snare"), ("hats", "closed-hat")] {
        let t = patch.track_names().find(name).expect(name);
        let track = patch.tracks()[usize::from(t)];
        assert_eq!(track.drum_kind().map(|k| k.name()), Some(drum));
        assert!(track.has_hits());
    }
    assert!(patch.running());
    // Replaying the canonical lines of a phrase gives the same patch as the phrase.
    for line in [
        "wobble the filter at 1/8",
        "track bass lfo 2 on resonance rate 2 hz depth 30%",
        "vibrato 5 hz 20 cents",
        "filter up to 4k over 4 bars",
        "track kick tune -2, track kick tone 70%",
    ] {
        let first = resolve_line(line, &patch, &vocab).expect(line);
        let mut direct = patch;
        let mut replayed = patch;
        for a in &first {
            a.apply_to(&mut direct);
            let canonical = a.canonical();
            for b in resolve_line(&canonical, &replayed, &vocab).expect(&canonical) {
                b.apply_to(&mut replayed);
            }
        }
        assert!(direct.same_sound(&replayed), "{line}");
        assert!(!direct.same_sound(&patch), "{line} changes something");
    }
}

#[test]
fn a_track_ramp_moves_only_that_tracks_own_value_at_once_while_the_transport_runs() {
    let vocab = Vocabulary::builtin();
    let mut patch = PatchState::default();
    for line in [
        "track bass cutoff 200, start",
        "track bass cutoff 4k over 2 beats",
    ] {
        for a in resolve_line(line, &patch, &vocab).expect(line) {
            a.apply_to(&mut patch);
        }
    }
    let canonical: Vec<String> = resolve_line("track bass cutoff 4k over 2 beats", &patch, &vocab)
        .expect("ramp")
        .iter()
        .map(|a| a.canonical())
        .collect();
    assert_eq!(
        canonical,
        ["track bass", "track 1 set filter.cutoff 4000 over 2 beats"]
    );

    let mut engine = Engine::new(RATE);
    engine.apply(Command::TransportStart);
    let mut out = [0.0f32; BLOCK_SAMPLES];
    engine.render(&mut out);
    engine.apply(Command::SetTrack {
        track: 0,
        param: chronus::engine::command::TrackParam::Sound(ParamId::FilterCutoff),
        value: 200.0,
    });
    engine.apply(Command::ApplyPending);
    engine.apply(Command::Ramp {
        param: ParamId::FilterCutoff,
        track: 0,
        target: 4000.0,
        length: 1.0,
        unit: RampUnit::Seconds,
    });
    let cutoff = |e: &Engine| e.state().tracks()[0].sound_override(ParamId::FilterCutoff);
    let mut values = Vec::new();
    for _ in 0..(2 * RATE as usize / 64) {
        engine.render(&mut out);
        values.push(cutoff(&engine).expect("the track has its own cutoff"));
    }
    assert!(values.windows(2).all(|w| w[1] >= w[0]));
    assert!(
        values[100] > 200.0 && values[100] < 4000.0,
        "moving mid-bar"
    );
    assert_eq!(values.last().copied(), Some(4000.0));
    assert_eq!(
        engine.value(ParamId::FilterCutoff),
        2000.0,
        "the patch stays"
    );
    assert!(engine.track_ramp(0, ParamId::FilterCutoff).is_none());
}
