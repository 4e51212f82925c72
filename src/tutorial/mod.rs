//! The in-app tutorial: about ten short lessons from a blank screen to a groove. `tutorial`
//! opens it (in the TUI and plain mode alike), `next` and `back` move, `tutorial 4` jumps,
//! `tutorial off` closes it. Each lesson starts with `Lesson N: title`, shows a few lines of
//! text and phrases to try, and is done when its checks hold on the patch state (e.g. the
//! cutoff went down after `darker`); then the next lesson follows by itself.
//!
//! The lessons are the text files in `lessons/` (format: [`lesson`]); `docs/TUTORIAL.md` is
//! generated from them by [`markdown`] and `tests/tutorial_docs.rs` keeps the two in sync.
//!
//! Runs on the control thread: `control::Performer` asks [`TutorialCommand::parse`] before
//! the phrase language sees a line, and calls [`Tutorial::notice`] after every performed line
//! from any source. May allocate; never touches audio.

mod builtin;
pub mod lesson;
pub mod lesson_check;
mod markdown;

pub use builtin::{builtin_lessons, LESSON_FILES};
pub use lesson::{Lesson, LessonError};
pub use lesson_check::Check;
pub use markdown::markdown;

use crate::engine::PatchState;

/// Width plain-mode lesson text is wrapped to.
pub const TEXT_WIDTH: usize = 76;

/// A line that moves through the tutorial.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TutorialCommand {
    /// `tutorial`: open at the current lesson (the first, the first time).
    Open,
    /// `tutorial 4`: go to lesson 4.
    Go(usize),
    /// `next`: the next lesson.
    Next,
    /// `back`: the lesson before.
    Back,
    /// `tutorial off`: close the tutorial.
    Off,
}

impl TutorialCommand {
    /// The tutorial command on `line`, if it is one: `Some(Err(why))` for a line that starts
    /// with `tutorial` but says something else after it; `None` for every other line.
    pub fn parse(line: &str) -> Option<Result<TutorialCommand, String>> {
        let lower = line.trim().trim_end_matches(['.', '!']).to_lowercase();
        let words: Vec<&str> = lower.split_whitespace().collect();
        let command = match words.as_slice() {
            ["next"] | ["tutorial", "next"] => TutorialCommand::Next,
            ["back"] | ["tutorial", "back"] => TutorialCommand::Back,
            ["tutorial"] | ["tutorial", "on"] => TutorialCommand::Open,
            ["tutorial", "off" | "close" | "stop" | "end"] => TutorialCommand::Off,
            ["tutorial", n] | ["tutorial", "lesson", n] => match n.parse::<usize>() {
                Ok(n) => TutorialCommand::Go(n),
                Err(_) => {
                    return Some(Err(format!(
                        "\"{n}\" is not a lesson; try `tutorial`, `tutorial 3`, `next`, `back` or `tutorial off`"
                    )))
                }
            },
            ["tutorial", ..] => {
                return Some(Err(
                    "try `tutorial`, `tutorial 3`, `next`, `back` or `tutorial off`".into(),
                ))
            }
            _ => return None,
        };
        Some(Ok(command))
    }
}

/// Where the learner is.
#[derive(Clone, Debug)]
pub struct Tutorial {
    lessons: Vec<Lesson>,
    /// Index of the lesson shown, while the tutorial is open.
    open: Option<usize>,
    /// Where to resume on `tutorial`.
    resume: usize,
    /// The patch when the current lesson began (for `down`/`up`/`changed` checks).
    at_start: PatchState,
    /// Lessons begin with their heading only: a pane shows the rest (the TUI).
    headings_only: bool,
}

impl Tutorial {
    /// A closed tutorial over `lessons`.
    pub fn new(lessons: Vec<Lesson>) -> Tutorial {
        Tutorial {
            lessons,
            open: None,
            resume: 0,
            at_start: PatchState::default(),
            headings_only: false,
        }
    }

    /// Whether a beginning lesson is told with its heading only (the TUI shows the rest in its
    /// lesson pane) or whole (plain mode, OSC).
    pub fn set_headings_only(&mut self, headings_only: bool) {
        self.headings_only = headings_only;
    }

    /// The built-in lessons (a test proves they all read).
    pub fn builtin() -> Tutorial {
        Tutorial::new(builtin_lessons().unwrap_or_default())
    }

    /// The lessons, in order.
    pub fn lessons(&self) -> &[Lesson] {
        &self.lessons
    }

    /// The lesson shown, while the tutorial is open.
    pub fn current(&self) -> Option<&Lesson> {
        self.open.and_then(|i| self.lessons.get(i))
    }

    /// Whether the tutorial is open.
    pub fn is_open(&self) -> bool {
        self.open.is_some()
    }

    /// Performs a tutorial command against the current `patch`: the lines to show, or why not.
    pub fn perform(
        &mut self,
        command: TutorialCommand,
        patch: &PatchState,
    ) -> Result<Vec<String>, String> {
        if self.lessons.is_empty() {
            return Err("this chronus has no lessons".into());
        }
        let last = self.lessons.len() - 1;
        let not_open = || "the tutorial is not open; type `tutorial` to start it".to_string();
        let target = match command {
            TutorialCommand::Open => self.open.unwrap_or(self.resume),
            TutorialCommand::Go(n) if (1..=self.lessons.len()).contains(&n) => n - 1,
            TutorialCommand::Go(n) => {
                return Err(format!(
                    "there is no lesson {n}; the lessons are 1 to {}",
                    self.lessons.len()
                ))
            }
            TutorialCommand::Next => match self.open {
                None => return Err(not_open()),
                Some(i) if i == last => {
                    return Ok(vec![format!(
                        "that was the last lesson; `tutorial 1` starts over, `tutorial off` closes the tutorial"
                    )])
                }
                Some(i) => i + 1,
            },
            TutorialCommand::Back => match self.open {
                None => return Err(not_open()),
                Some(0) => return Ok(vec!["this is the first lesson".to_string()]),
                Some(i) => i - 1,
            },
            TutorialCommand::Off => {
                return Ok(match self.open.take() {
                    Some(i) => {
                        self.resume = i;
                        vec![format!(
                            "tutorial closed at lesson {}; `tutorial` opens it there again",
                            i + 1
                        )]
                    }
                    None => vec!["the tutorial is not open".to_string()],
                });
            }
        };
        Ok(self.begin(target, patch))
    }

    /// Looks at the patch after a performed line: when the current lesson's checks all hold,
    /// says so and begins the next lesson. Nothing when the tutorial is closed, the lesson
    /// waits for `next`, or a check does not hold yet.
    pub fn notice(&mut self, patch: &PatchState) -> Vec<String> {
        let Some(i) = self.open else {
            return Vec::new();
        };
        let Some(lesson) = self.lessons.get(i) else {
            return Vec::new();
        };
        if lesson.checks.is_empty() || !lesson.checks.iter().all(|c| c.holds(patch, &self.at_start))
        {
            return Vec::new();
        }
        let done = format!("✓ Lesson {} done.", lesson.number);
        if i + 1 == self.lessons.len() {
            self.open = None;
            self.resume = 0;
            return vec![format!(
                "{done} That was the last lesson: the tutorial is closed."
            )];
        }
        let mut out = vec![done];
        out.extend(self.begin(i + 1, patch));
        out
    }

    fn begin(&mut self, index: usize, patch: &PatchState) -> Vec<String> {
        self.open = Some(index);
        self.resume = index;
        self.at_start = *patch;
        match self.lessons.get(index) {
            Some(lesson) if self.headings_only => vec![lesson.heading()],
            Some(lesson) => lesson_lines(lesson),
            None => Vec::new(),
        }
    }
}

/// A lesson as plain lines: the heading, the text wrapped to [`TEXT_WIDTH`], the phrases to
/// try, and how to move on.
pub fn lesson_lines(lesson: &Lesson) -> Vec<String> {
    let mut out = vec![lesson.heading()];
    for p in &lesson.paragraphs {
        out.extend(
            wrap(p, TEXT_WIDTH - 2)
                .into_iter()
                .map(|l| format!("  {l}")),
        );
    }
    for t in &lesson.tries {
        out.push(format!("  try: {t}"));
    }
    out.push(format!("  ({})", moving_on(lesson)));
    out
}

/// How a lesson ends: by doing it, or by `next`.
pub fn moving_on(lesson: &Lesson) -> &'static str {
    if lesson.checks.is_empty() {
        "type `next` when you are ready; `back`, `tutorial off`"
    } else {
        "do it and the next lesson follows; `next` skips, `back`, `tutorial off`"
    }
}

/// Splits `text` into lines of at most `width` characters at spaces (a longer word gets a line
/// of its own).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::command::Command;
    use crate::engine::params::ParamId;

    fn two_lessons() -> Tutorial {
        Tutorial::new(vec![
            Lesson::parse(
                "01-a.txt",
                "title: making a sound\nOpen the gate.\ntry: gate on\ncheck: gate\n",
            )
            .unwrap(),
            Lesson::parse(
                "02-b.txt",
                "title: describing words\ntry: darker\ncheck: filter.cutoff down\n",
            )
            .unwrap(),
        ])
    }

    #[test]
    fn tutorial_words_are_recognised_and_other_lines_are_not() {
        assert_eq!(
            TutorialCommand::parse("tutorial"),
            Some(Ok(TutorialCommand::Open))
        );
        assert_eq!(
            TutorialCommand::parse(" Tutorial 4 "),
            Some(Ok(TutorialCommand::Go(4)))
        );
        assert_eq!(
            TutorialCommand::parse("tutorial off"),
            Some(Ok(TutorialCommand::Off))
        );
        assert_eq!(
            TutorialCommand::parse("next"),
            Some(Ok(TutorialCommand::Next))
        );
        assert_eq!(
            TutorialCommand::parse("back"),
            Some(Ok(TutorialCommand::Back))
        );
        assert!(matches!(
            TutorialCommand::parse("tutorial please"),
            Some(Err(_))
        ));
        assert_eq!(TutorialCommand::parse("gate on"), None);
        assert_eq!(TutorialCommand::parse("next darker"), None);
    }

    #[test]
    fn a_lesson_starts_with_its_heading_and_is_done_when_its_check_holds() {
        let mut t = two_lessons();
        let mut patch = PatchState::default();
        let lines = t.perform(TutorialCommand::Open, &patch).unwrap();
        assert_eq!(lines[0], "Lesson 1: making a sound");
        assert!(lines.contains(&"  try: gate on".to_string()), "{lines:?}");
        assert!(t.notice(&patch).is_empty(), "the gate is still closed");
        patch.apply(&Command::Gate { on: true });
        let lines = t.notice(&patch);
        assert_eq!(lines[0], "✓ Lesson 1 done.");
        assert_eq!(lines[1], "Lesson 2: describing words");
        assert_eq!(t.current().map(|l| l.number), Some(2));
    }

    #[test]
    fn a_relative_check_compares_with_the_patch_when_the_lesson_began() {
        let mut t = two_lessons();
        let mut patch = PatchState::default();
        patch.set(ParamId::FilterCutoff, 500.0);
        t.perform(TutorialCommand::Go(2), &patch).unwrap();
        assert!(t.notice(&patch).is_empty(), "500 Hz was already there");
        patch.set(ParamId::FilterCutoff, 400.0);
        let lines = t.notice(&patch);
        assert!(lines[0].contains("Lesson 2 done"), "{lines:?}");
        assert!(!t.is_open(), "the last lesson closes the tutorial");
    }

    #[test]
    fn next_back_and_off_move_and_refuse_clearly() {
        let mut t = two_lessons();
        let patch = PatchState::default();
        assert!(t
            .perform(TutorialCommand::Next, &patch)
            .unwrap_err()
            .contains("`tutorial`"));
        t.perform(TutorialCommand::Open, &patch).unwrap();
        assert_eq!(
            t.perform(TutorialCommand::Back, &patch).unwrap(),
            vec!["this is the first lesson"]
        );
        let lines = t.perform(TutorialCommand::Next, &patch).unwrap();
        assert_eq!(lines[0], "Lesson 2: describing words");
        assert!(t.perform(TutorialCommand::Next, &patch).unwrap()[0].contains("last lesson"));
        assert!(t
            .perform(TutorialCommand::Go(9), &patch)
            .unwrap_err()
            .contains("1 to 2"));
        t.perform(TutorialCommand::Off, &patch).unwrap();
        assert!(t.current().is_none());
        let lines = t.perform(TutorialCommand::Open, &patch).unwrap();
        assert_eq!(
            lines[0], "Lesson 2: describing words",
            "resumes where it was closed"
        );
    }

    #[test]
    fn with_a_lesson_pane_only_the_heading_is_told() {
        let mut t = two_lessons();
        t.set_headings_only(true);
        let patch = PatchState::default();
        assert_eq!(
            t.perform(TutorialCommand::Open, &patch).unwrap(),
            vec!["Lesson 1: making a sound"]
        );
    }

    #[test]
    fn wrapping_keeps_words_whole() {
        assert_eq!(
            wrap("one two three four", 9),
            vec!["one two", "three", "four"]
        );
        assert_eq!(wrap("abcdefghijkl x", 5), vec!["abcdefghijkl", "x"]);
    }
}
