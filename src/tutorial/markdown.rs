//! docs/TUTORIAL.md, generated from the lesson files so the two never drift apart
//! (`tests/tutorial_docs.rs` compares them; `CHRONUS_WRITE_DOCS=1` rewrites the file).

use super::lesson::Lesson;
use super::moving_on;

/// The whole tutorial as Markdown.
pub fn markdown(lessons: &[Lesson]) -> String {
    let mut out = String::from(
        "# The chronus tutorial\n\n\
         <!-- Generated from lessons/*.txt by `CHRONUS_WRITE_DOCS=1 cargo test --test tutorial_docs`; \
         edit the lessons, not this file. -->\n\n\
         Type `tutorial` in chronus (the full-screen instrument or plain mode) to take these lessons \
         there: each one shows its text and phrases in a pane beside the meters, notices when you \
         have done it, and moves on. `next` and `back` move by hand, `tutorial 4` jumps to a \
         lesson, `tutorial off` closes the tutorial.\n",
    );
    for lesson in lessons {
        out.push_str(&format!("\n## {}\n\n", lesson.heading()));
        for p in &lesson.paragraphs {
            out.push_str(p);
            out.push_str("\n\n");
        }
        if !lesson.tries.is_empty() {
            out.push_str("Try:\n\n```\n");
            for t in &lesson.tries {
                out.push_str(t);
                out.push('\n');
            }
            out.push_str("```\n\n");
        }
        if lesson.checks.is_empty() {
            out.push_str(&format!("Then: {}.\n", moving_on(lesson)));
        } else {
            let checks: Vec<String> = lesson.checks.iter().map(|c| c.describe()).collect();
            out.push_str(&format!(
                "Done when {}; then the next lesson follows.\n",
                checks.join(" and ")
            ));
        }
    }
    out
}
