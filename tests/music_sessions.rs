//! Music phrases heard: sessions written in words, rendered offline like `chronus render`,
//! then measured. A `chord Dm7` renders four spectral peaks at its notes' frequencies; a
//! `pattern` renders its hits on their exact frames; the arpeggiator plays a chord's notes
//! one after another; `track hats noise` gives that track a noise voice while the patch
//! stays a sine.

use chronus::analysis::{estimate_frequency, rms};
use chronus::engine::command::midi_to_hz;

#[path = "support/music.rs"]
mod music;
#[path = "support/spectrum.rs"]
mod spectrum;

#[path = "support/session_render.rs"]
mod session_render;
use session_render::{render, RATE};

/// A clean sine patch: no drive colour, no effects, quiet enough not to clip.
const CLEAN: &str = "@0 osc sine, drive off, chorus off, volume -20 db, cutoff 18k, resonance 0\n";

/// Frequencies (Hz) of the spectral peaks of `x` within 40 dB of the strongest.
fn peaks(x: &[f32]) -> Vec<f64> {
    let spec = spectrum::power_spectrum(x);
    let n = x.len();
    let max = spec.iter().cloned().fold(0.0, f64::max);
    (2..spec.len() - 2)
        .filter(|&k| {
            spec[k] > max * 1e-4
                && spec[k] >= spec[k - 1]
                && spec[k] > spec[k + 1]
                && spec[k] >= spec[k - 2]
                && spec[k] > spec[k + 2]
        })
        .map(|k| k as f64 * f64::from(RATE) / n as f64)
        .collect()
}

#[test]
fn a_rendered_d_minor_seventh_chord_has_four_peaks_at_its_notes() {
    let x = render(&format!(
        "{CLEAN}attack 5 ms, sustain 1\nchord Dm7\n@2 release all\n@2.5\n"
    ));
    let frame = &x[RATE as usize / 2..RATE as usize / 2 + 32_768];
    let found = peaks(frame);
    let want: Vec<f64> = [62, 65, 69, 72]
        .iter()
        .map(|n| f64::from(midi_to_hz(*n as f32)))
        .collect();
    assert_eq!(found.len(), 4, "peaks at {found:?}, want {want:?}");
    for (f, w) in found.iter().zip(&want) {
        assert!((f - w).abs() < 3.0, "peak at {f:.1} Hz, want {w:.1} Hz");
    }
}

#[test]
fn a_pattern_renders_its_hits_on_their_exact_frames() {
    // 120 bpm: a 1/16 step is 5512.5 frames; hits on steps 0, 3, 6, 8 and 12 of each bar.
    let x = render(&format!(
        "tempo 120\n{CLEAN}attack 0 ms, decay 30 ms, sustain 0, release 5 ms\n\
         pattern x..x..x.x...x...\nstart\n@bar 3 stop\n@bar 3 beat 2\n"
    ));
    let found = music::onsets(&x, 1000);
    let steps = [0usize, 3, 6, 8, 12, 16, 19, 22, 24, 28];
    assert_eq!(found.len(), steps.len(), "onsets {found:?}");
    let first = found[0];
    assert!(
        first < 2 * 64,
        "the transport starts within a block: {first}"
    );
    let expected: Vec<usize> = steps
        .iter()
        .map(|&n| first + (n as f64 * 5512.5).round() as usize)
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn the_arpeggiator_plays_a_chords_notes_one_after_another() {
    // Quarter notes at 120 bpm: a new note every 0.5 s, up through C major.
    let x = render(&format!(
        "tempo 120\n{CLEAN}attack 2 ms, sustain 1, release 10 ms\narp up, arp rate 1/4, arp gate 90%\n\
         chord C\n@1.5 release all\n@2\n"
    ));
    let heard: Vec<f32> = (0..3)
        .map(|i| {
            let at = (0.1 + 0.5 * i as f64) * f64::from(RATE);
            let w = &x[at as usize..at as usize + 12_000];
            estimate_frequency(w, RATE).unwrap_or(0.0)
        })
        .collect();
    for (f, note) in heard.iter().zip([60.0f32, 64.0, 67.0]) {
        let want = midi_to_hz(note);
        assert!((f - want).abs() / want < 0.01, "heard {heard:?}");
    }
}

#[test]
fn a_track_with_a_noise_voice_sounds_like_noise_while_the_patch_stays_a_sine() {
    let tone = render(&format!(
        "tempo 120\n{CLEAN}sustain 1\ntrack lead pattern xxxx\nstart\n@bar 2 stop\n@bar 2 beat 2\n"
    ));
    let noise = render(&format!(
        "tempo 120\n{CLEAN}sustain 1\ntrack hats pattern xxxx, track hats noise\nstart\n@bar 2 stop\n@bar 2 beat 2\n"
    ));
    let w = |x: &[f32]| x[2_000..20_000].to_vec();
    let (tone, noise) = (w(&tone), w(&noise));
    assert!(rms(&tone) > 0.005 && rms(&noise) > 0.005);
    // A sine has a pitch; noise does not, and it has far more energy above 5 kHz.
    assert!(estimate_frequency(&tone, RATE).is_some());
    let high = |x: &[f32]| {
        let s = spectrum::power_spectrum(&x[..16_384]);
        let k = 5_000 * 16_384 / RATE as usize;
        s[k..].iter().sum::<f64>() / s.iter().sum::<f64>()
    };
    assert!(
        high(&noise) > 100.0 * high(&tone),
        "{} vs {}",
        high(&noise),
        high(&tone)
    );
}
