//! One lesson of the tutorial, read from a small text file in `lessons/`:
//!
//! ```text
//! # a comment
//! title: making a sound
//!
//! Text, in paragraphs separated by blank lines; `backticks` mark phrases.
//!
//! try: gate on
//! check: gate
//! ```
//!
//! `title:` comes once; every other line is text, a phrase to `try:`, or a `check:` (see
//! [`Check`]) that tells when the lesson is done. A lesson without a check waits for `next`.
//! The lesson's number is the file name's leading digits (`01-making-a-sound.txt`).
//!
//! Runs wherever lessons are loaded (the control thread, tests). May allocate.

use super::lesson_check::Check;

/// One lesson.
#[derive(Clone, Debug, PartialEq)]
pub struct Lesson {
    /// 1-based number, from the file name.
    pub number: usize,
    /// The title, e.g. `making a sound`.
    pub title: String,
    /// The text, one string per paragraph (lines joined with spaces).
    pub paragraphs: Vec<String>,
    /// Phrases to try, in order.
    pub tries: Vec<String>,
    /// What must hold for the lesson to be done (all of them); empty: wait for `next`.
    pub checks: Vec<Check>,
}

/// A problem in a lesson file, with its place.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct LessonError {
    /// The lesson file's name.
    pub file: String,
    /// 1-based line number (0: the file as a whole).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl Lesson {
    /// The heading every lesson starts with: `Lesson 1: making a sound`.
    pub fn heading(&self) -> String {
        format!("Lesson {}: {}", self.number, self.title)
    }

    /// Reads a lesson from the text of `file` (its name gives the number).
    pub fn parse(file: &str, text: &str) -> Result<Lesson, LessonError> {
        let error = |line: usize, message: String| LessonError {
            file: file.to_string(),
            line,
            message,
        };
        let digits: String = file.chars().take_while(char::is_ascii_digit).collect();
        let number =
            match digits.parse::<usize>() {
                Ok(n) if n > 0 => n,
                _ => return Err(error(
                    0,
                    "the file name must start with the lesson number, e.g. 01-making-a-sound.txt"
                        .into(),
                )),
            };
        let mut title = None;
        let mut paragraphs: Vec<String> = Vec::new();
        let mut paragraph = String::new();
        let mut tries = Vec::new();
        let mut checks = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let n = i + 1;
            let line = raw.trim();
            if line.starts_with('#') {
                continue;
            }
            if line.is_empty() {
                if !paragraph.is_empty() {
                    paragraphs.push(std::mem::take(&mut paragraph));
                }
                continue;
            }
            if let Some(rest) = line.strip_prefix("title:") {
                if title.is_some() {
                    return Err(error(n, "a second `title:`".into()));
                }
                let t = rest.trim();
                if t.is_empty() {
                    return Err(error(n, "`title:` needs a title".into()));
                }
                title = Some(t.to_string());
            } else if let Some(rest) = line.strip_prefix("try:") {
                let phrase = rest.trim();
                if phrase.is_empty() {
                    return Err(error(n, "`try:` needs a phrase".into()));
                }
                tries.push(phrase.to_string());
            } else if let Some(rest) = line.strip_prefix("check:") {
                checks.push(Check::parse(rest.trim()).map_err(|m| error(n, m))?);
            } else {
                if !paragraph.is_empty() {
                    paragraph.push(' ');
                }
                paragraph.push_str(line);
            }
        }
        if !paragraph.is_empty() {
            paragraphs.push(paragraph);
        }
        let Some(title) = title else {
            return Err(error(0, "no `title:` line".into()));
        };
        Ok(Lesson {
            number,
            title,
            paragraphs,
            tries,
            checks,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lesson_has_a_numbered_title_paragraphs_tries_and_checks() {
        let text = "# comment\ntitle: making a sound\n\nType a phrase\nand press Enter.\n\nSecond.\n\ntry: gate on\ncheck: gate\n";
        let lesson = Lesson::parse("01-making-a-sound.txt", text).unwrap();
        assert_eq!(lesson.heading(), "Lesson 1: making a sound");
        assert_eq!(
            lesson.paragraphs,
            vec!["Type a phrase and press Enter.", "Second."]
        );
        assert_eq!(lesson.tries, vec!["gate on"]);
        assert_eq!(lesson.checks, vec![Check::Gate(true)]);
    }

    #[test]
    fn problems_name_the_file_and_line() {
        let e = Lesson::parse("03-x.txt", "title: x\ncheck: filter.cutof < 3\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.to_string().starts_with("03-x.txt:2: "), "{e}");
        assert!(e.message.contains("filter.cutof"), "{e}");
        let e = Lesson::parse("intro.txt", "title: x\n").unwrap_err();
        assert!(e.message.contains("lesson number"), "{e}");
        let e = Lesson::parse("02-x.txt", "just text\n").unwrap_err();
        assert!(e.message.contains("title"), "{e}");
    }
}
