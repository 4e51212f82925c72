//! Patches on disk: save → load restores every parameter, names cannot escape the patch
//! directory, built-ins load and play.

use chronus::engine::command::Command;
use chronus::engine::params::{default_values, ParamId, Unit, PARAMS, PARAM_COUNT};
use chronus::engine::{Engine, BLOCK_SAMPLES};
use chronus::patch::{is_patch_param, Patch, PatchError, PatchName, PatchStore};
use proptest::prelude::*;

/// Values for every parameter from fractions of their ranges (choices and counts rounded).
fn values_from(fractions: &[f64]) -> [f32; PARAM_COUNT] {
    let mut v = default_values();
    for (p, f) in PARAMS.iter().zip(fractions) {
        let raw = p.min + (p.max - p.min) * *f as f32;
        v[p.id.index()] = p.clamp(raw);
    }
    v
}

fn store() -> (tempfile::TempDir, PatchStore) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let store = PatchStore::new(dir.path().join("patches"));
    (dir, store)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn save_then_load_restores_every_parameter_exactly(
        fractions in proptest::collection::vec(0.0f64..=1.0, PARAM_COUNT)
    ) {
        let (_dir, store) = store();
        let values = values_from(&fractions);
        store.save("round-trip", &Patch::from_values("x", &values)).expect("saved");
        let loaded = store.load("round-trip").expect("loaded");
        let mut restored = default_values();
        loaded.apply_to(&mut restored);
        for p in PARAMS {
            if is_patch_param(p.id) {
                prop_assert_eq!(restored[p.id.index()].to_bits(), values[p.id.index()].to_bits(),
                    "{}", p.name);
            } else {
                prop_assert_eq!(restored[p.id.index()], default_values()[p.id.index()]);
            }
        }
    }
}

#[test]
fn a_saved_patch_is_readable_toml_with_words_for_choices() {
    let (_dir, store) = store();
    let mut values = default_values();
    values[ParamId::OscWave.index()] = 3.0;
    values[ParamId::DelayOn.index()] = 0.0;
    values[ParamId::FilterRes.index()] = 0.3;
    let path = store
        .save("mine", &Patch::from_values("ignored", &values))
        .expect("saved");
    let text = std::fs::read_to_string(path).expect("written");
    assert!(text.contains("name = \"mine\""), "{text}");
    assert!(text.contains("wave = \"triangle\""), "{text}");
    assert!(text.contains("on = false"), "{text}");
    assert!(text.contains("res = 0.3\n"), "{text}");
    assert!(
        !text.contains("tempo"),
        "tempo is not part of a patch: {text}"
    );
}

#[test]
fn names_that_could_escape_the_directory_are_refused() {
    let (dir, store) = store();
    let patch = Patch::from_values("x", &default_values());
    for name in [
        "..",
        "../evil",
        "a/../../b",
        "sub/dir",
        "back\\slash",
        "/etc/passwd",
        "C:evil",
        "",
        ".hidden",
        "nul\0byte",
        "spaced name",
        &"x".repeat(65),
    ] {
        assert!(
            matches!(store.save(name, &patch), Err(PatchError::BadName { .. })),
            "save {name:?}"
        );
        assert!(
            matches!(store.load(name), Err(PatchError::BadName { .. })),
            "load {name:?}"
        );
    }
    // Nothing was written anywhere, inside or outside the patch directory.
    let written: Vec<_> = walk(dir.path());
    assert!(written.is_empty(), "{written:?}");
    assert!(PatchName::new("acid-2_b").is_ok());
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn listing_shows_builtins_and_user_patches_and_a_user_file_shadows_a_builtin() {
    let (_dir, store) = store();
    let names = |s: &PatchStore| -> Vec<(String, bool)> {
        s.list()
            .expect("listed")
            .into_iter()
            .map(|l| (l.name, l.builtin))
            .collect()
    };
    assert_eq!(
        names(&store),
        [
            ("acid".to_string(), true),
            ("bass".to_string(), true),
            ("pad".to_string(), true),
            ("pluck".to_string(), true)
        ]
    );
    let mut values = default_values();
    values[ParamId::FilterCutoff.index()] = 123.0;
    store
        .save("pad", &Patch::from_values("pad", &values))
        .expect("saved");
    store
        .save("zeta", &Patch::from_values("zeta", &values))
        .expect("saved");
    let listed = names(&store);
    assert!(listed.contains(&("pad".to_string(), false)));
    assert!(listed.contains(&("zeta".to_string(), false)));
    assert_eq!(
        store.load("pad").expect("mine").get(ParamId::FilterCutoff),
        Some(123.0)
    );
}

#[test]
fn a_missing_patch_suggests_the_closest_name() {
    let (_dir, store) = store();
    match store.load("acdi") {
        Err(PatchError::NotFound { suggestion, .. }) => {
            assert_eq!(suggestion.as_deref(), Some("acid"))
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
}

#[test]
fn every_builtin_patch_plays_a_chord_cleanly() {
    let (_dir, store) = store();
    for name in ["acid", "pad", "pluck", "bass"] {
        let patch = store.load(name).expect("built in");
        let mut engine = Engine::new(44_100);
        let current = *engine.state().values();
        for c in patch.commands(&current) {
            engine.apply(c);
        }
        for note in [45, 52, 57] {
            engine.apply(Command::NoteOn {
                note,
                velocity: 0.9,
            });
        }
        let mut out = vec![0.0f32; BLOCK_SAMPLES * 700];
        engine.render(&mut out);
        let peak = chronus::analysis::peak(&out);
        assert!(peak > 0.05 && peak <= 1.0, "{name}: peak {peak}");
        for p in PARAMS.iter().filter(|p| p.unit != Unit::Choice) {
            let want = patch.get(p.id).unwrap_or(p.default);
            if is_patch_param(p.id) {
                assert_eq!(engine.value(p.id), want, "{name} {}", p.name);
            }
        }
    }
}

#[test]
fn filter2_and_the_effect_order_are_saved_as_words_and_a_patch_without_them_resets_them() {
    let (dir, store) = store();
    let mut values = default_values();
    values[ParamId::Filter2On.index()] = 1.0;
    values[ParamId::Filter2Mode.index()] = 3.0;
    values[ParamId::Filter2Routing.index()] = 1.0;
    values[ParamId::ReverbOrder.index()] = 1.0;
    values[ParamId::DriveOrder.index()] = 4.0;
    store
        .save("patched", &Patch::from_values("patched", &values))
        .expect("saved");
    let text = std::fs::read_to_string(dir.path().join("patches/patched.toml")).expect("file");
    assert!(text.contains("[filter2]"), "{text}");
    assert!(text.contains("mode = \"notch\""), "{text}");
    assert!(text.contains("routing = \"parallel\""), "{text}");
    // A built-in patch written before filter2 existed turns it off and puts the effects back.
    let acid = store.load("acid").expect("the built-in acid patch");
    let commands = acid.commands(&values);
    for (param, value) in [
        (ParamId::Filter2On, 0.0),
        (ParamId::ReverbOrder, 4.0),
        (ParamId::DriveOrder, 1.0),
    ] {
        assert!(
            commands.contains(&Command::Set { param, value }),
            "{param} → {value}: {commands:?}"
        );
    }
}

#[test]
fn osc3_is_saved_as_words_and_a_patch_without_it_switches_it_off() {
    let (dir, store) = store();
    let mut values = default_values();
    values[ParamId::Osc3On.index()] = 1.0;
    values[ParamId::Osc3Wave.index()] = 2.0;
    values[ParamId::Osc3Semitones.index()] = 7.0;
    values[ParamId::Osc3Level.index()] = -9.0;
    store
        .save("three", &Patch::from_values("three", &values))
        .expect("saved");
    let text = std::fs::read_to_string(dir.path().join("patches/three.toml")).expect("file");
    assert!(text.contains("[osc3]"), "{text}");
    assert!(text.contains("wave = \"square\""), "{text}");
    let mut restored = default_values();
    store.load("three").expect("loaded").apply_to(&mut restored);
    for p in [
        ParamId::Osc3On,
        ParamId::Osc3Wave,
        ParamId::Osc3Semitones,
        ParamId::Osc3Level,
    ] {
        assert_eq!(restored[p.index()], values[p.index()], "{p}");
    }
    // A built-in patch written before osc3 existed switches it off.
    let acid = store.load("acid").expect("the built-in acid patch");
    let commands = acid.commands(&values);
    assert!(
        commands.contains(&Command::Set {
            param: ParamId::Osc3On,
            value: 0.0
        }),
        "{commands:?}"
    );
}
