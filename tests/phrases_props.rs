//! Property tests for the phrase language: no input panics the parser or the resolver, errors
//! always point inside the line, relative steps invert. Bounded (a few hundred cases each) so
//! that `make test` stays fast.

use chronus::control::PatchState;
use chronus::engine::params::ParamId;
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

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
        let before = patch.clone();
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
