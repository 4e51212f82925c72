//! User vocabulary folders: words are added or overridden; a broken file is reported with
//! its file, line and key, skipped as a whole, and the built-in vocabulary still works.

use chronus::engine::PatchState;
use chronus::lang::{resolve_line, Vocabulary};
use std::path::PathBuf;

fn explain(v: &Vocabulary, line: &str) -> Result<Vec<String>, String> {
    resolve_line(line, &PatchState::default(), v)
        .map(|a| a.iter().map(|a| a.canonical()).collect())
        .map_err(|e| e.summary())
}

fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    dir
}

#[test]
fn user_files_add_and_override_words() {
    let dir = folder(&[(
        "words.toml",
        r#"
[describe]
murkier = { param = "filter.cutoff", op = "mul", step = 0.5 }
darker = { param = "filter.cutoff", op = "mul", step = 0.9 }

[intensity]
"a smidge" = 0.1

[params."filter.cutoff"]
alone = ["lpf"]

[verbs]
help = ["aide"]
"#,
    )]);
    let (v, errors) = Vocabulary::load_with_overrides(&[dir.path().to_path_buf()]);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        explain(&v, "murkier"),
        Ok(vec!["set filter.cutoff 1000".into()])
    );
    assert_eq!(
        explain(&v, "darker"),
        Ok(vec!["set filter.cutoff 1800".into()])
    );
    assert_eq!(
        explain(&v, "a smidge brighter"),
        Ok(vec!["set filter.cutoff 2072.6".into()])
    );
    // "lpf" was a module word; now it names the cutoff on its own.
    assert_eq!(
        explain(&v, "lpf 500"),
        Ok(vec!["set filter.cutoff 500".into()])
    );
    assert_eq!(explain(&v, "aide"), Ok(vec!["help".into()]));
    assert!(v.completion_words().iter().any(|w| w == "murkier"));
    // The built-in words are still there.
    assert_eq!(explain(&v, "osc saw"), Ok(vec!["set osc.wave saw".into()]));
}

#[test]
fn a_broken_file_is_reported_with_file_line_and_key_and_skipped_whole() {
    let dir = folder(&[
        (
            "a_broken.toml",
            "[describe]\nmurkier = { param = \"filter.cutoff\", op = \"mul\", step = 0.5 }\n\nfoggier = { param = \"filter.cutof\", op = \"mul\", step = 0.5 }\n",
        ),
        ("b_syntax.toml", "[intensity]\n\"a smidge\" = \n"),
        ("c_good.toml", "[intensity]\n\"a hair\" = 0.1\n"),
    ]);
    let (v, errors) = Vocabulary::load_with_overrides(&[dir.path().to_path_buf()]);
    assert_eq!(errors.len(), 2, "{errors:#?}");
    let e = &errors[0];
    assert!(e.file.ends_with("a_broken.toml"));
    assert_eq!((e.line, e.key.as_str()), (4, "describe.foggier.param"));
    assert!(
        e.to_string()
            .contains("a_broken.toml:4: describe.foggier.param: unknown parameter"),
        "{e}"
    );
    let e = &errors[1];
    assert!(e.file.ends_with("b_syntax.toml"));
    assert_eq!((e.line, e.key.as_str()), (2, "a smidge"));
    // Nothing of a broken file is used, not even its good entries; other files still load.
    assert!(explain(&v, "murkier").is_err());
    assert_eq!(
        explain(&v, "a hair darker"),
        Ok(vec!["set filter.cutoff 1929.9".into()])
    );
    assert_eq!(
        explain(&v, "darker"),
        Ok(vec!["set filter.cutoff 1400".into()])
    );
}

#[test]
fn a_missing_folder_is_an_error_not_a_crash() {
    let (v, errors) =
        Vocabulary::load_with_overrides(&[PathBuf::from("/nonexistent/chronus-vocab")]);
    assert_eq!(errors.len(), 1);
    assert!(errors[0].to_string().contains("/nonexistent/chronus-vocab"));
    assert_eq!(
        explain(&v, "darker"),
        Ok(vec!["set filter.cutoff 1400".into()])
    );
}

#[test]
fn later_folders_win() {
    let a = folder(&[(
        "x.toml",
        "[describe]\nmurkier = { param = \"filter.cutoff\", op = \"mul\", step = 0.5 }\n",
    )]);
    let b = folder(&[(
        "x.toml",
        "[describe]\nmurkier = { param = \"filter.cutoff\", op = \"mul\", step = 0.25 }\n",
    )]);
    let (v, errors) =
        Vocabulary::load_with_overrides(&[a.path().to_path_buf(), b.path().to_path_buf()]);
    assert!(errors.is_empty());
    assert_eq!(
        explain(&v, "murkier"),
        Ok(vec!["set filter.cutoff 500".into()])
    );
}

#[test]
fn every_builtin_word_is_offered_for_completion() {
    let words = Vocabulary::builtin().completion_words();
    assert!(words.len() > 200, "{}", words.len());
    for w in [
        "darker",
        "a bit",
        "resonance",
        "filter.cutoff",
        "undo",
        "explain",
        "octave",
        "saw",
        "bpm",
    ] {
        assert!(words.iter().any(|x| x == w), "{w}");
    }
}
