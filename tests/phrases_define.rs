//! Words the performer teaches (`define NAME as PHRASES`, `forget NAME`, `words`), through the
//! control path every source shares (keyboard, OSC, sessions): a use performs what it means,
//! resolved at that moment and undoable; bad definitions are refused with a place and a
//! reason; taught words are kept in the user vocabulary folder, recorded before a session uses
//! them, and a session that teaches and uses a word renders deterministically.

#[path = "support/control_rig.rs"]
mod control_rig;

use chronus::control::inbox::LineSource;
use chronus::control::performer::{AcceptedLineHook, Performer};
use chronus::control::{Control, LineError};
use chronus::engine::params::ParamId;
use chronus::lang::{PhraseErrorKind, Vocabulary};
use chronus::rt::meters::Meters;
use chronus::session::{check_bytes, render_samples, ControlResolver, RenderOptions};
use control_rig::{control, drain};
use std::sync::{mpsc, Arc};

fn phrase_error(
    control: &mut Control,
    line: &str,
    vocab: &Vocabulary,
) -> chronus::lang::PhraseError {
    match control.run_line(line, vocab).error {
        Some(LineError::Phrase(e)) => e,
        other => panic!("{line}: expected a phrase error, got {other:?}"),
    }
}

#[test]
fn a_taught_word_performs_its_phrases_relative_to_the_patch_of_each_use() {
    let (mut c, mut rx, vocab) = control();
    let define = c.run_line("define dark pad as osc saw, darker, reverb mix 40%", &vocab);
    assert!(define.accepted(), "{:?}", define.error);
    assert_eq!(define.sent, 0, "teaching a word is not a sound change");
    assert!(define.taught && define.is_music(), "sessions record it");
    assert_eq!(c.undo_depth(), 0);

    let mut plain = control();
    plain
        .0
        .run_line("osc saw, darker, reverb mix 40%", &plain.2);
    let used = c.run_line("Dark Pad", &vocab);
    assert!(used.accepted(), "{:?}", used.error);
    assert_eq!(
        drain(&mut rx),
        drain(&mut plain.1),
        "the same commands as its phrases"
    );
    assert_eq!(
        used.replies.first().map(String::as_str),
        Some("read as: osc saw, darker, reverb mix 40%")
    );
    // `darker` stays relative: the second use darkens again.
    let once = c.patch().get(ParamId::FilterCutoff);
    c.run_line("dark pad", &vocab);
    assert!(c.patch().get(ParamId::FilterCutoff) < once);
    // Each use is one undo level, like its phrases.
    assert_eq!(c.undo_depth(), 2);
    c.run_line("undo", &vocab);
    assert_eq!(c.patch().get(ParamId::FilterCutoff), once);
}

#[test]
fn bad_definitions_and_forgets_are_refused_with_a_place_and_a_reason() {
    let (mut c, _rx, vocab) = control();
    c.run_line("define one as louder, two", &vocab);
    assert!(c.definitions().is_empty(), "`two` is not a word yet");
    c.run_line("define two as darker", &vocab);
    c.run_line("define one as louder, two", &vocab);
    assert_eq!(c.definitions().names(), vec!["one", "two"]);

    let e = phrase_error(&mut c, "define two as one, brighter", &vocab);
    assert_eq!((e.kind, e.column), (PhraseErrorKind::NotAllowed, 8));
    assert!(e.message.contains("two → one → two"), "{}", e.message);

    let e = phrase_error(&mut c, "define darker as louder", &vocab);
    assert_eq!((e.kind, e.column), (PhraseErrorKind::NotAllowed, 8));
    assert!(e.message.contains("cannot hide"), "{}", e.message);

    let e = phrase_error(&mut c, "define fuzzbox as ", &vocab);
    assert!(e.message.contains("would mean nothing"), "{}", e.message);

    let e = phrase_error(&mut c, "define fuzzbox as osc kazoo", &vocab);
    assert_eq!(e.column, 23, "at the bad word of the body: {}", e.summary());
    assert!(e.message.contains("\"kazoo\""), "{}", e.message);

    let e = phrase_error(&mut c, "forget onne", &vocab);
    assert_eq!(e.column, 8);
    assert_eq!(e.suggestion.as_deref(), Some("one"));
    assert_eq!(
        c.definitions().names(),
        vec!["one", "two"],
        "nothing changed"
    );

    // An error inside a use points at the word and says what it means.
    c.run_line("define odd as louder, pitch sideways", &vocab);
    assert!(c.definitions().get("odd").is_none());
    let forgot = c.run_line("forget two", &vocab);
    assert!(forgot.accepted() && forgot.taught);
    let e = phrase_error(&mut c, "darker, one", &vocab);
    assert_eq!(e.column, 9);
    assert!(
        e.message.starts_with("in \"one\" (= louder, two)"),
        "{}",
        e.message
    );
}

#[test]
fn words_lists_the_taught_words_and_help_shows_them() {
    let (mut c, _rx, vocab) = control();
    c.run_line("define wide as chorus mix 50%", &vocab);
    let words = c.run_line("words", &vocab);
    assert_eq!(words.replies, vec!["wide = chorus mix 50%".to_string()]);
    let help = c.run_line("help words", &vocab);
    assert!(
        help.replies
            .iter()
            .any(|l| l.trim() == "wide = chorus mix 50%"),
        "{:?}",
        help.replies
    );
}

#[test]
fn taught_words_are_kept_in_the_vocabulary_folder_and_loaded_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("vocab").join("definitions.txt");
    let (mut c, _rx, vocab) = control();
    assert!(c.keep_definitions_in(file.clone(), &vocab).is_empty());
    c.run_line("define wide as chorus mix 50%", &vocab);
    c.run_line("define haze wash as wide, reverb size 80%", &vocab);
    c.run_line("forget wide", &vocab);
    c.run_line("define wide as chorus mix 60%", &vocab);
    let text = std::fs::read_to_string(&file).expect("written");
    assert!(text.contains("define wide as chorus mix 60%\n"), "{text}");

    let (mut again, _rx2, vocab) = control();
    std::fs::write(
        &file,
        format!("{text}define cycle a as cycle b\ndefine cycle b as cycle a\nnot a definition\n"),
    )
    .expect("append");
    let problems = again.keep_definitions_in(file, &vocab);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert_eq!(
        again.definitions().names(),
        vec!["cycle a", "haze wash", "wide"]
    );
    let r = again.run_line("haze wash", &vocab);
    assert!(r.accepted(), "{:?}", r.error);
    assert_eq!(again.patch().get(ParamId::ChorusMix), 0.6);
}

struct Lines(mpsc::Sender<String>);
impl AcceptedLineHook for Lines {
    fn on_accepted(&mut self, line: &str, _source: &LineSource) {
        let _ = self.0.send(line.to_string());
    }
}

#[test]
fn a_recording_teaches_each_word_before_its_first_use() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("definitions.txt");
    std::fs::write(
        &file,
        "define shade as filter darker\ndefine shade pad as osc saw, shade\n",
    )
    .expect("write");
    let (tx, _ring) = rtrb::RingBuffer::new(1024);
    let mut control = Control::new(tx, Arc::new(Meters::new()));
    let vocab = Vocabulary::builtin();
    assert!(control.keep_definitions_in(file, &vocab).is_empty());
    let (lines_tx, lines) = mpsc::channel();
    let mut p = Performer::new(control, vocab, Box::new(Lines(lines_tx)));
    p.run("shade pad", LineSource::Keyboard);
    p.run("shade pad", LineSource::Keyboard);
    p.run("define wide as chorus mix 50%", LineSource::Keyboard);
    p.run("wide", LineSource::Keyboard);
    p.run("words", LineSource::Keyboard);
    let got: Vec<String> = lines.try_iter().collect();
    assert_eq!(
        got,
        [
            "define shade as filter darker",
            "define shade pad as osc saw, shade",
            "shade pad",
            "shade pad",
            "define wide as chorus mix 50%",
            "wide",
        ]
    );
    assert!(p.completion_words().iter().any(|w| w == "shade pad"));
}

#[test]
fn a_session_that_teaches_and_uses_a_word_renders_like_its_phrases_every_time() {
    let vocab = Vocabulary::builtin();
    let taught = "@0 define dark pad as osc saw, darker, reverb mix 40%\ngate on\n@0.5 dark pad\n@1 dark pad\n@1.5 gate off\n";
    let spelled = "@0 gate on\n@0.5 osc saw, darker, reverb mix 40%\n@1 osc saw, darker, reverb mix 40%\n@1.5 gate off\n";
    let render = |text: &str| {
        let r = check_bytes("test", text.as_bytes(), &mut ControlResolver::new(&vocab))
            .unwrap_or_else(|e| panic!("{e}"));
        render_samples(
            &r,
            RenderOptions {
                rate: 22_050,
                seconds: Some(2.0),
            },
            |_, _| {},
        )
    };
    let first = render(taught);
    assert!(first.iter().any(|s| s.abs() > 0.01), "it sounds");
    assert_eq!(first, render(taught), "deterministic");
    assert_eq!(first, render(spelled), "the word is its phrases");
    // A session that uses a word it never taught is refused at that line.
    let unknown = check_bytes(
        "test",
        b"@0 gate on\n@1 my lead\n",
        &mut ControlResolver::new(&vocab),
    );
    assert!(unknown.is_err());
}

#[test]
fn questions_about_a_taught_word_answer_without_performing() {
    let (mut c, mut rx, vocab) = control();
    let define = c.run_line("define wash as reverb mix 60%", &vocab);
    assert!(define.accepted(), "{:?}", define.error);
    drain(&mut rx);
    for line in ["explain wash", "wash?", "help wash", "what does wash do?"] {
        let report = c.run_line(line, &vocab);
        assert!(report.error.is_none(), "{line}: {:?}", report.error);
        assert_eq!(report.sent, 0, "{line}: a question changes nothing");
        assert!(!report.is_music(), "{line}: sessions do not record it");
        assert_eq!(
            report.replies,
            vec![
                "\"wash\" is a word you taught: wash = reverb mix 60%".to_string(),
                "now it would do: set reverb.mix 0.6".to_string(),
            ],
            "{line}"
        );
    }
    assert!(drain(&mut rx).is_empty(), "nothing was sent");
    assert_eq!(c.patch().get(ParamId::ReverbMix), 0.0);
    // Not a taught word: the line is read as usual (`darker?` explains the built-in word).
    let built_in = c.run_line("darker?", &vocab);
    assert!(built_in.error.is_none(), "{:?}", built_in.error);
    assert!(!built_in.replies.iter().any(|r| r.contains("you taught")));
}
