//! Property tests for the phrase language: no input panics the parser or the resolver, errors
//! always point inside the line, relative steps invert. Bounded (a few hundred cases each) so
//! that `make test` stays fast.

use chronus::engine::params::ParamId;
use chronus::engine::PatchState;
use chronus::lang::{resolve_bytes, resolve_line, PhraseErrorKind, Vocabulary, MAX_LINE_BYTES};
use proptest::prelude::*;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn vocab() -> &'static Vocabulary {
    static V: OnceLock<Vocabulary> = OnceLock::new();
    V.get_or_init(Vocabulary::builtin)
}

/// Resolves and checks what must hold for any input: an error's column is inside the line
/// and it renders; success never yields out-of-range values.
fn check(line: &str) {
    match resolve_line(line, &PatchState::default(), vocab()) {
        Ok(actions) => {
            for a in actions {
                if let Some(chronus::engine::command::Command::Set { param, value }) = a.command() {
                    let spec = param.spec();
                    assert!(
                        value.is_finite() && value >= spec.min && value <= spec.max,
                        "{line:?}: {value}"
                    );
                }
                assert!(!a.canonical().is_empty());
            }
        }
        Err(e) => {
            assert!(
                e.column >= 1 && e.column <= line.chars().count() + 1,
                "{line:?}: column {}",
                e.column
            );
            assert!(e.span.end <= line.len() && line.is_char_boundary(e.span.start));
            let r = e.render(line);
            assert!(r.lines().count() >= 3, "{r}");
        }
    }
}

/// Strings that look like phrases: vocabulary words, numbers, units, separators, junk.
fn phrase_like() -> impl Strategy<Value = String> {
    let words = vocab().completion_words();
    let piece = prop_oneof![
        4 => proptest::sample::select(words),
        2 => (-100_000.0f64..100_000.0).prop_map(|v| format!("{v:.3}")),
        1 => (0u32..20, 0u32..20).prop_map(|(a, b)| format!("{a}/{b}")),
        1 => proptest::sample::select(vec![",", ";", "then", "and", ".", "!", "%", "ms", "k", "-", "\u{0}", "\t", "é", "c#4", "a3", "explain", "help", "undo"]).prop_map(str::to_string),
        1 => "\\PC{1,6}",
    ];
    proptest::collection::vec(piece, 0..24).prop_map(|v| v.join(" "))
}

/// Music phrases with random operands: patterns of any length and characters, sequences,
/// chord names, track names and patch names (path tricks included).
fn music_like() -> impl Strategy<Value = String> {
    let step = proptest::sample::select(vec!['x', 'X', '.', '-', '|', 'o', '?', 'é', '/']);
    let pattern = proptest::collection::vec(step, 0..80)
        .prop_map(|v| format!("pattern {}", v.into_iter().collect::<String>()));
    let note = prop_oneof![
        proptest::sample::select(vec![
            "C3", "A#2", "Bb1", ".", "-", "H3", "c", "G9", "C-1", "x", "now"
        ])
        .prop_map(str::to_string),
        "[A-Ga-g][#b]{0,2}-?[0-9]{0,2}",
    ];
    let seq = proptest::collection::vec(note, 0..70).prop_map(|v| format!("seq {}", v.join(" ")));
    let chord = (
        "[A-Ha-h][#b♭]{0,2}[0-9]{0,2}(m|maj|min|dim|aug|sus|7|9|M|Δ|ø|[a-z]){0,3}",
        proptest::sample::select(vec![
            "",
            " minor",
            " major 7",
            " inversion 1",
            " inversion 9",
            " octave 3",
            " velocity 2",
            " inversion",
            " mnor",
        ]),
    )
        .prop_map(|(c, rest)| format!("chord {c}{rest}"));
    let name = proptest::sample::select(vec![
        "bass", "hats", "1", "9", "0", "-3", "b a s s", "../x", "…", "track", "filter", "now",
    ]);
    let track = (
        name.clone(),
        proptest::sample::select(vec![
            "",
            "pattern x..x",
            "seq C2 .",
            "mute",
            "noise",
            "wave saw",
            "reverb mix 20%",
            "pitch C1",
            "decay 40 ms",
            "steps 99",
            "rate 1/3",
            "clear",
            "solo",
        ]),
    )
        .prop_map(|(n, rest)| format!("track {n} {rest}"));
    let toggles = (
        proptest::sample::select(vec!["mute", "unmute", "solo", "unsolo"]),
        name,
    )
        .prop_map(|(v, n)| format!("{v} {n}"));
    let patch = (
        proptest::sample::select(vec!["save", "load", "save patch", "load patch"]),
        "[a-z./\\_-]{0,70}",
    )
        .prop_map(|(v, n)| format!("{v} {n}"));
    let one = prop_oneof![
        pattern,
        seq,
        chord,
        track,
        toggles,
        patch,
        proptest::sample::select(vec![
            "start",
            "stop",
            "stop transport",
            "now",
            "release all",
            "arp up",
            "arp off",
            "arp on",
            "delay off",
            "reverb on",
            "arp rate 1/16",
            "delay time 3/8",
            "filter on",
            "steps 0",
            "rate 0"
        ])
        .prop_map(str::to_string),
    ];
    proptest::collection::vec(one, 1..4).prop_map(|v| v.join(", "))
}

/// Patch names that try to leave the patch folder.
fn escaping_name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{0,5}\\.\\.[a-z/]{0,5}",
        "/[a-z]{1,8}",
        "[a-z]{1,4}/[a-z]{1,4}",
        "[a-z]{0,4}\\\\[a-z]{1,4}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn music_phrases_never_panic_and_errors_point_inside_the_line(line in music_like()) {
        check(&line);
    }

    #[test]
    fn patterns_longer_than_192_steps_are_refused_and_shorter_ones_fit(n in 1usize..260) {
        let line = format!("pattern {}", "x.".repeat(n).chars().take(n).collect::<String>());
        let r = resolve_line(&line, &PatchState::default(), vocab());
        if n <= 192 {
            let actions = r.map_err(|e| TestCaseError::fail(e.render(&line)))?;
            // n steps and the length, then the pattern remembered as typed.
            let commands = actions.iter().filter(|a| a.command().is_some()).count();
            prop_assert_eq!((commands, actions.len()), (n + 1, n + 2));
        } else {
            let e = r.err().ok_or_else(|| TestCaseError::fail("accepted"))?;
            prop_assert_eq!(e.column, 9);
            prop_assert!(e.message.contains("1 to 192"), "{}", e.message);
        }
    }

    #[test]
    fn patch_names_cannot_escape_the_patch_folder(name in escaping_name(), verb in proptest::sample::select(vec!["save patch", "load patch"])) {
        let line = format!("{verb} {name}");
        let r = resolve_line(&line, &PatchState::default(), vocab());
        prop_assert!(r.is_err(), "{:?} was accepted", line);
    }

    #[test]
    fn any_string_up_to_4_kib_never_panics(chars in proptest::collection::vec(any::<char>(), 0..4096)) {
        let line: String = chars.into_iter().collect();
        check(&line);
    }

    #[test]
    fn any_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = resolve_bytes(&bytes, &PatchState::default(), vocab());
        check(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn phrase_like_strings_never_panic(line in phrase_like()) {
        check(&line);
    }

    #[test]
    fn darker_then_brighter_restores_the_cutoff(start in 60.0f32..6000.0, k in proptest::sample::select(vec!["", "slightly ", "a bit ", "a little ", "somewhat ", "very ", "much ", "a lot ", "way "])) {
        let mut patch = PatchState::default();
        patch.set(ParamId::FilterCutoff, start);
        let line = format!("{k}darker then {k}brighter");
        let actions = resolve_line(&line, &patch, vocab()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for a in actions {
            if let Some(c) = a.command() { patch.apply(&c); }
        }
        let end = patch.get(ParamId::FilterCutoff);
        prop_assert!((end - start).abs() / start < 0.001, "{} → {}", start, end);
    }

    #[test]
    fn opposite_words_undo_each_other(start in -40.0f32..0.0, pair in proptest::sample::select(vec![("louder", "quieter"), ("more resonance", "less resonance"), ("faster", "slower"), ("longer release", "shorter release"), ("pitch up", "pitch down"), ("up an octave", "down an octave")])) {
        let mut patch = PatchState::default();
        patch.set(ParamId::AmpGain, start);
        let before = patch;
        let line = format!("{}, {}", pair.0, pair.1);
        for a in resolve_line(&line, &patch, vocab()).map_err(|e| TestCaseError::fail(e.to_string()))? {
            if let Some(c) = a.command() { patch.apply(&c); }
        }
        for &p in ParamId::ALL {
            let (a, b) = (before.get(p), patch.get(p));
            prop_assert!((a - b).abs() <= 1e-3 * a.abs().max(1.0), "{}: {} → {} after {:?}", p, a, b, line);
        }
    }
}

#[test]
fn a_one_megabyte_line_is_refused_quickly_with_a_clear_error() {
    let line = "darker ".repeat(150_000);
    assert!(line.len() > 1_000_000);
    let t = Instant::now();
    let e = resolve_line(&line, &PatchState::default(), vocab()).expect_err("too long");
    assert_eq!(e.kind, PhraseErrorKind::TooLong);
    assert!(e.message.contains("limit"), "{}", e.message);
    assert!(e.render(&line).len() < 1000);
    let e = resolve_bytes(line.as_bytes(), &PatchState::default(), vocab()).expect_err("too long");
    assert_eq!(e.kind, PhraseErrorKind::TooLong);
    // Generous bound: refusing is a length check, not a parse.
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
}

#[test]
fn a_line_just_under_the_limit_still_resolves() {
    let mut line = String::new();
    while line.len() + 8 < MAX_LINE_BYTES {
        line.push_str("darker, ");
    }
    let actions = resolve_line(&line, &PatchState::default(), vocab()).expect("resolves");
    assert!(actions.len() > 1000);
    // Cutoff clamps at its minimum; nothing explodes.
    assert!(actions
        .last()
        .is_some_and(|a| a.canonical() == "set filter.cutoff 20"));
}

#[test]
fn invalid_utf8_is_an_unknown_word_with_its_column() {
    let bytes = b"filter \xff\xfe darker";
    let e = resolve_bytes(bytes, &PatchState::default(), vocab()).expect_err("invalid");
    assert_eq!(e.kind, PhraseErrorKind::UnknownWord);
    assert_eq!(e.column, 8);
}

/// Mini-notation of any shape: brackets, modifiers, numbers, notes and junk.
fn mini_like() -> impl Strategy<Value = String> {
    let piece = proptest::sample::select(vec![
        "x", "X", ".", "~", "-", "_", "C3", "a#2", "60", "[", "]", "<", ">", "{", "}", "(", ")",
        ",", "|", "*", "/", "!", "@", "?", ":", "%", "2", "3", "8", "0.5", "-1", " ", " ", "é",
        "x..X", "H3", "999",
    ]);
    (
        proptest::sample::select(vec!["pattern ", "seq ", "track hats pattern "]),
        proptest::collection::vec(piece, 0..40),
    )
        .prop_map(|(verb, v)| format!("{verb}{}", v.concat()))
}

/// Natural phrasings (issue 15): frames, questions, numbers in words, spelled notes and
/// chords, other tools' brackets and colons, contractions, repetition counts, typos.
fn natural_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => proptest::sample::select(vec![
            "can", "you", "please", "pls", "let's", "i'd", "what's", "how", "which", "tell me",
            "make", "it", "the", "some", "a bit", "way", "too", "not", "so", "enough", "less",
            "more", "double", "halve", "kill", "remove", "take out", "mute", "track", "a",
            "one", "twenty", "hundred", "and", "minus", "half", "a quarter", "three quarters",
            "flat", "sharp", "middle", "C", "Bb", "F#m7", "Cmaj7", "E7", "minor", "major",
            "seven", "7th", "chord", "triad", "play", "x3", "x", "but", "setcps", "setcpm",
            "use_synth", ":saw", "with_fx", "[60,", "64]", "chord(:e3,", ":minor)", "?", "??",
            "!!", "fliter", "squre", "mjaor", "tempp", "beats per minute", "kilohertz",
            "largo", "pianissimo", "warmish", "roomier", "reverbs", "lpf", "hpf", "at", "to",
            "with", "feedback", "octaves", "level", "now", "define", "words", "’s", "'",
            "forget", "as",
            // The second blind corpus's forms: switches, glued numbers, case, ties, wants.
            "no", "out", "take", "leave", "arp", "on", "Fm", "FM", "fs3", ":fs3", "tempo140",
            "cutoff800hz", "osc4", "twelve", "darkr", "bmp", "quiter", "higher", "lower",
            "want", "need", "echo", "crescendo", "half speed", "minor7", "sustain", "explain",
            "tempo1.2.3", "a touch of", "roll off", "thx",
        ]).prop_map(str::to_string),
        1 => (-1000i32..1000).prop_map(|v| v.to_string()),
        1 => proptest::sample::select(vec!["%", "hz", "ms", "db", "bpm", "s", "k"]).prop_map(str::to_string),
        1 => "\\PC{1,4}",
    ];
    proptest::collection::vec(piece, 0..16).prop_map(|v| v.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn mini_notation_never_panics_and_every_error_is_located(line in mini_like()) {
        check(&line);
    }

    #[test]
    fn natural_phrasings_never_panic_and_errors_point_inside_the_line(line in natural_like()) {
        check(&line);
    }

    /// Words of conversation around a phrase do not change what it does.
    #[test]
    fn frames_around_a_phrase_do_not_change_its_commands(
        phrase in proptest::sample::select(vec![
            "darker", "more reverb", "cutoff 800", "tempo 128 bpm", "a bit brighter",
            "square wave", "delay off", "up an octave", "chord Dm7", "gate on", "louder",
        ]),
        before in proptest::sample::select(vec!["", "please", "can you", "ok so", "let's", "i want"]),
        after in proptest::sample::select(vec!["", "please", "pls", "!", "!!", "."]),
    ) {
        let commands = |line: &str| -> Vec<String> {
            resolve_line(line, &PatchState::default(), vocab())
                .map(|a| a.iter().filter(|a| a.command().is_some()).map(|a| a.canonical()).collect())
                .unwrap_or_default()
        };
        let plain = commands(phrase);
        prop_assert!(!plain.is_empty(), "{} does not resolve", phrase);
        let framed = format!("{before} {phrase} {after}");
        prop_assert_eq!(commands(&framed), plain, "{}", framed);
    }
}

/// Lines that teach, forget and use words (issue 15, class 13): `define`/`forget`/`words`,
/// names of any shape, `as`, phrases and junk, in any order.
fn taught_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => proptest::sample::select(vec![
            "define", "forget", "words", "as", "as", "dark pad", "pad", "dark", "wide", "loop",
            "darker", "louder", ",", "then", "and", "osc saw", "reverb mix 40%", "pattern x . x",
            "undo", "help", "explain", "?", "9lives", "a-b_c", "é", "filter.cutoff", "x",
        ]).prop_map(str::to_string),
        1 => (-1000i32..1000).prop_map(|v| v.to_string()),
        1 => "\\PC{1,4}",
    ];
    proptest::collection::vec(piece, 0..14).prop_map(|v| v.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Teaching, forgetting and using words through the control path never panics, an
    /// error always points inside its line, and words never come to use themselves.
    #[test]
    fn taught_words_never_panic_and_errors_point_inside_the_line(
        lines in proptest::collection::vec(taught_like(), 1..8)
    ) {
        let (tx, _rx) = rtrb::RingBuffer::new(1 << 16);
        let mut control = chronus::control::Control::new(tx, std::sync::Arc::new(chronus::rt::meters::Meters::new()));
        control.run_line("define wide as chorus mix 50%", vocab());
        control.run_line("define dark pad as osc saw, darker, wide", vocab());
        for line in lines.iter().chain(std::iter::once(&"define".to_string())) {
            let report = control.run_line(line, vocab());
            if let Some(chronus::control::LineError::Phrase(e)) = &report.error {
                prop_assert!(e.column >= 1 && e.column <= line.chars().count() + 1, "{line:?}: column {}", e.column);
                prop_assert!(e.span.end <= line.len() && line.is_char_boundary(e.span.start));
            }
            for (name, _) in control.definitions().iter() {
                prop_assert!(control.definitions().recursion(name, control.definitions().get(name).unwrap_or_default()).is_none(), "{name} uses itself");
            }
        }
    }
}
