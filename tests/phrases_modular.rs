//! Phrases for the modular voice: osc2, osc3, sub, noise, FM, ring modulation and sync, resolved
//! from the default patch to canonical actions, and bad input refused with a located error
//! that changes nothing.

use chronus::engine::PatchState;
use chronus::lang::{resolve_line, Vocabulary};

fn actions(line: &str) -> Vec<String> {
    let vocab = Vocabulary::builtin();
    match resolve_line(line, &PatchState::default(), &vocab) {
        Ok(actions) => actions.iter().map(|a| a.canonical()).collect(),
        Err(e) => panic!("`{line}` did not resolve: {}", e.summary()),
    }
}

#[test]
fn osc2_phrases_set_its_parameters_and_switch_it_on() {
    for (line, want) in [
        (
            "osc2 square",
            vec!["set osc2.wave square", "set osc2.on on"],
        ),
        (
            "osc2 octave -1",
            vec!["set osc2.octave -1", "set osc2.on on"],
        ),
        (
            "osc2 detune 7 cents",
            vec!["set osc2.detune 7", "set osc2.on on"],
        ),
        (
            "osc2 level -6 db",
            vec!["set osc2.level -6", "set osc2.on on"],
        ),
        (
            "osc2 sine -6 db",
            vec!["set osc2.wave sine", "set osc2.on on", "set osc2.level -6"],
        ),
        (
            "osc2 freq 660 hz",
            vec!["set osc2.freq 660", "set osc2.on on"],
        ),
        ("osc2 off", vec!["set osc2.on off"]),
        ("set osc2.wave square", vec!["set osc2.wave square"]),
    ] {
        assert_eq!(actions(line), want, "{line}");
    }
}

#[test]
fn osc3_phrases_set_its_parameters_and_switch_it_on() {
    for (line, want) in [
        ("osc3 saw", vec!["set osc3.wave saw", "set osc3.on on"]),
        ("osc3 octave 1", vec!["set osc3.octave 1", "set osc3.on on"]),
        (
            "osc3 detune -7 cents",
            vec!["set osc3.detune -7", "set osc3.on on"],
        ),
        (
            "osc3 level -9 db",
            vec!["set osc3.level -9", "set osc3.on on"],
        ),
        (
            "osc3 freq 330 hz",
            vec!["set osc3.freq 330", "set osc3.on on"],
        ),
        ("osc3 off", vec!["set osc3.on off"]),
        ("set osc3.wave square", vec!["set osc3.wave square"]),
        (
            "add a third oscillator a fifth up",
            vec!["set osc3.semitones 7", "set osc3.on on"],
        ),
        ("add a 3rd osc", vec!["set osc3.on on"]),
        (
            "add osc3 an octave down",
            vec!["set osc3.octave -1", "set osc3.on on"],
        ),
        // osc3 never takes over what is osc2's: FM, ring and sync stay with osc2.
        ("sync", vec!["set sync.on on", "set osc2.on on"]),
    ] {
        assert_eq!(actions(line), want, "{line}");
    }
}

#[test]
fn sub_noise_fm_ring_and_sync_phrases() {
    for (line, want) in [
        ("sub on", vec!["set sub.on on"]),
        ("sub sine", vec!["set sub.wave sine", "set sub.on on"]),
        (
            "noise level -18 db",
            vec!["set noise.level -18", "set noise.on on"],
        ),
        ("noise off", vec!["set noise.on off"]),
        ("noise on", vec!["set noise.on on"]),
        (
            "fm ratio 2 index 1",
            vec!["set fm.ratio 2", "set fm.index 1"],
        ),
        ("fm off", vec!["set fm.index 0"]),
        ("fm on", vec!["set fm.index 1"]),
        ("more fm", vec!["set fm.index 0.5"]),
        ("ring mod", vec!["set ring.on on"]),
        ("ring mod off", vec!["set ring.on off"]),
        ("sync", vec!["set sync.on on", "set osc2.on on"]),
        ("sync off", vec!["set sync.on off"]),
    ] {
        assert_eq!(actions(line), want, "{line}");
    }
}

#[test]
fn the_words_osc1_had_keep_their_meaning() {
    assert_eq!(actions("noise"), vec!["set osc.wave noise"]);
    assert_eq!(actions("osc square"), vec!["set osc.wave square"]);
    assert_eq!(
        actions("osc saw 800"),
        vec!["set osc.wave saw", "set osc.freq 800"]
    );
}

#[test]
fn bad_modular_input_is_a_located_error() {
    let vocab = Vocabulary::builtin();
    for (line, column, text) in [
        (
            "osc4",
            1,
            "there are three oscillators, osc (osc1), osc2 and osc3",
        ),
        ("osc4 saw", 1, "osc2 and osc3"),
        ("add a third filter", 13, "add a second filter"),
        (
            "filter3 800",
            1,
            "there are two filters, filter (filter1) and filter2",
        ),
        ("effects order delay delay", 21, "delay is named twice"),
        ("effects order", 14, "drive, chorus, delay, reverb"),
        ("reverb before reverb", 15, "cannot move around itself"),
        ("filters in sideways", 12, "unknown word"),
        ("fm ratio -1", 10, "from 0.125 to 16"),
        ("filter square", 1, "value of osc.wave"),
    ] {
        let e = resolve_line(line, &PatchState::default(), &vocab).expect_err(line);
        assert_eq!(e.column, column, "{line}: {}", e.summary());
        assert!(e.summary().contains(text), "{line}: {}", e.summary());
    }
}

#[test]
fn filter2_phrases_set_it_and_switch_it_on() {
    for (line, want) in [
        (
            "filter2 highpass 200 hz",
            vec![
                "set filter2.mode highpass",
                "set filter2.on on",
                "set filter2.cutoff 200",
            ],
        ),
        (
            "filter2 res 0.3",
            vec!["set filter2.res 0.3", "set filter2.on on"],
        ),
        ("filter2 off", vec!["set filter2.on off"]),
        (
            "filters in parallel",
            vec!["set filter2.routing parallel", "set filter2.on on"],
        ),
        (
            "filters in series",
            vec!["set filter2.routing series", "set filter2.on on"],
        ),
        (
            "notch 1 khz",
            vec!["set filter.mode notch", "set filter.cutoff 1000"],
        ),
        (
            "filter2 notch 1 khz",
            vec![
                "set filter2.mode notch",
                "set filter2.on on",
                "set filter2.cutoff 1000",
            ],
        ),
        (
            "set filter2.mode bandpass",
            vec!["set filter2.mode bandpass"],
        ),
        ("add a second filter", vec!["set filter2.on on"]),
        ("osc1 square", vec!["set osc.wave square"]),
        ("filter1 800", vec!["set filter.cutoff 800"]),
    ] {
        assert_eq!(actions(line), want, "{line}");
    }
}

#[test]
fn effect_order_phrases_set_the_places_that_change() {
    for (line, want) in [
        ("delay before reverb", vec![]),
        (
            "reverb before delay",
            vec!["set reverb.order 3", "set delay.order 4"],
        ),
        (
            "drive after chorus",
            vec!["set chorus.order 1", "set drive.order 2"],
        ),
        (
            "effects order reverb delay",
            vec![
                "set reverb.order 1",
                "set delay.order 2",
                "set drive.order 3",
                "set chorus.order 4",
            ],
        ),
        (
            "reverb before delay, effects order drive chorus delay reverb",
            vec![
                "set reverb.order 3",
                "set delay.order 4",
                "set delay.order 3",
                "set reverb.order 4",
            ],
        ),
    ] {
        assert_eq!(actions(line), want, "{line}");
    }
}

#[test]
fn add_a_second_oscillator_and_thicker_reach_for_osc2() {
    for (line, want) in [
        (
            "add a second oscillator an octave down",
            vec!["set osc2.octave -1", "set osc2.on on"],
        ),
        ("add another oscillator", vec!["set osc2.on on"]),
        (
            "add osc2 2 octaves up",
            vec!["set osc2.octave 2", "set osc2.on on"],
        ),
        ("thicker", vec!["set osc.detune 5", "set drive.amount 0.05"]),
        (
            "osc2 on, thicker",
            vec![
                "set osc2.on on",
                "set osc.detune 5",
                "set drive.amount 0.05",
                "set osc2.detune -5",
            ],
        ),
    ] {
        assert_eq!(actions(line), want, "{line}");
    }
}
