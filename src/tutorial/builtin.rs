//! The lessons that ship inside chronus: the files of `lessons/`, included at build time.
//! `tests/tutorial_docs.rs` checks that this list and the folder hold the same files.

use super::lesson::{Lesson, LessonError};

/// `(name, text)` of one file in `lessons/`.
macro_rules! lesson {
    ($name:literal) => {
        ($name, include_str!(concat!("../../lessons/", $name)))
    };
}

/// Every lesson file: its name and its text, in order.
pub const LESSON_FILES: &[(&str, &str)] = &[
    lesson!("01-making-a-sound.txt"),
    lesson!("02-describing-words.txt"),
    lesson!("03-waves-and-values.txt"),
    lesson!("04-notes-and-chords.txt"),
    lesson!("05-arpeggios-and-tempo.txt"),
    lesson!("06-the-sequencer.txt"),
    lesson!("07-drums.txt"),
    lesson!("08-effects.txt"),
    lesson!("09-changing-your-mind.txt"),
    lesson!("10-patches-and-sessions.txt"),
    lesson!("11-playing-with-others.txt"),
];

/// The built-in lessons, in order, or the first file that does not read.
pub fn builtin_lessons() -> Result<Vec<Lesson>, LessonError> {
    LESSON_FILES
        .iter()
        .map(|(name, text)| Lesson::parse(name, text))
        .collect()
}
