//! The tutorial's lessons are one folder of text files (`lessons/`): these tests keep
//! `docs/TUTORIAL.md` and the built-in list in step with that folder, prove every phrase a
//! lesson suggests is understood, and walk the lessons through a real `Performer`, typing
//! each lesson's suggestions and checking that exactly they complete it.
//!
//! After editing a lesson, regenerate the docs with
//! `CHRONUS_WRITE_DOCS=1 cargo test --test tutorial_docs` and review the diff.

use chronus::control::inbox::LineSource;
use chronus::control::performer::{NoRecording, Performer};
use chronus::control::Control;
use chronus::lang::Vocabulary;
use chronus::rt::meters::Meters;
use chronus::tutorial::{builtin_lessons, markdown, LESSON_FILES};
use std::path::Path;
use std::sync::Arc;

fn lessons_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons")
}

#[test]
fn docs_tutorial_md_is_generated_from_the_lesson_files() {
    let lessons = builtin_lessons().expect("every lesson file reads");
    let want = markdown(&lessons);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/TUTORIAL.md");
    if std::env::var_os("CHRONUS_WRITE_DOCS").is_some() {
        std::fs::write(&path, &want).expect("write docs/TUTORIAL.md");
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/TUTORIAL.md is out of date with lessons/; run \
         `CHRONUS_WRITE_DOCS=1 cargo test --test tutorial_docs` and commit the result"
    );
    for lesson in &lessons {
        assert!(have.contains(&format!("## {}", lesson.heading())));
    }
}

#[test]
fn the_built_in_lessons_are_exactly_the_files_in_the_lessons_folder() {
    let mut on_disk: Vec<String> = std::fs::read_dir(lessons_dir())
        .expect("lessons/ exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".txt"))
        .collect();
    on_disk.sort();
    let built_in: Vec<String> = LESSON_FILES.iter().map(|(n, _)| n.to_string()).collect();
    assert_eq!(
        built_in, on_disk,
        "src/tutorial/builtin.rs lists other files"
    );
    for (name, text) in LESSON_FILES {
        let disk = std::fs::read_to_string(lessons_dir().join(name)).unwrap_or_default();
        assert_eq!(*text, disk, "{name} differs from the built-in copy");
    }
    let numbers: Vec<usize> = builtin_lessons()
        .unwrap()
        .iter()
        .map(|l| l.number)
        .collect();
    let expected: Vec<usize> = (1..=numbers.len()).collect();
    assert_eq!(
        numbers, expected,
        "lessons are numbered 1, 2, 3… without gaps"
    );
    assert!((8..=14).contains(&numbers.len()), "about ten lessons");
}

/// A performer on a ring nobody reads, that never writes patch files.
fn performer() -> Performer {
    let (tx, _rx) = rtrb::RingBuffer::new(1 << 14);
    let mut control = Control::new(tx, Arc::new(Meters::new()));
    control.set_saves_patches(false);
    Performer::new(control, Vocabulary::builtin(), Box::new(NoRecording))
}

#[test]
fn every_suggested_phrase_is_understood_in_the_order_the_lessons_give_them() {
    let mut performer = performer();
    for lesson in builtin_lessons().unwrap() {
        for phrase in &lesson.tries {
            // `session save` belongs to the session recorder, which this performer has not.
            if phrase.starts_with("session ") {
                continue;
            }
            let r = performer.run(phrase, LineSource::Keyboard);
            assert!(r.accepted(), "{}: {:?}", lesson.heading(), r.lines());
        }
    }
}

#[test]
fn typing_each_lessons_suggestions_completes_it_and_moves_to_the_next() {
    let mut performer = performer();
    let lessons = builtin_lessons().unwrap();
    let opened = performer.run("tutorial", LineSource::Keyboard);
    assert_eq!(opened.replies[0], "Lesson 1: making a sound");
    for lesson in lessons.iter().take_while(|l| !l.checks.is_empty()) {
        assert_eq!(
            performer.tutorial().current().map(|l| l.number),
            Some(lesson.number)
        );
        let (last, before) = lesson
            .tries
            .split_last()
            .expect("a checked lesson has tries");
        for phrase in before {
            let r = performer.run(phrase, LineSource::Keyboard);
            assert!(
                r.accepted(),
                "{}: `{phrase}`: {:?}",
                lesson.heading(),
                r.lines()
            );
            assert_eq!(
                performer.tutorial().current().map(|l| l.number),
                Some(lesson.number),
                "{} ended early, at `{phrase}`",
                lesson.heading()
            );
        }
        let r = performer.run(last, LineSource::Keyboard);
        let done = format!("✓ Lesson {} done.", lesson.number);
        assert!(
            r.replies.contains(&done),
            "{}: {:?}",
            lesson.heading(),
            r.lines()
        );
        assert!(
            r.replies
                .iter()
                .any(|l| l.starts_with(&format!("Lesson {}: ", lesson.number + 1))),
            "the next lesson follows: {:?}",
            r.lines()
        );
    }
}
