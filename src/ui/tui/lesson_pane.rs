//! The lesson pane: while the tutorial is open, the current lesson takes the patch pane's
//! place (the meters and the log stay where they are): its heading in the border, the text,
//! then the phrases to try. The phrases always fit; a text too long for the pane ends in `…`
//! (the whole lesson is in the log too).
//!
//! Runs on the control (UI) thread.

use crate::tutorial::{wrap, Lesson};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Widget};

/// The lesson pane widget.
#[derive(Clone, Copy, Debug)]
pub struct LessonPane<'a> {
    lesson: &'a Lesson,
    count: usize,
}

impl<'a> LessonPane<'a> {
    /// A pane for `lesson`, one of `count` lessons.
    pub fn new(lesson: &'a Lesson, count: usize) -> Self {
        LessonPane { lesson, count }
    }

    /// The pane's lines for an inner area `width` columns wide and `height` rows high.
    pub fn lines(&self, width: u16, height: u16) -> Vec<Line<'static>> {
        let width = usize::from(width.max(8));
        let height = usize::from(height);
        let mut tries: Vec<Line<'static>> = Vec::new();
        for t in &self.lesson.tries {
            for (i, part) in wrap(t, width - 2).into_iter().enumerate() {
                let lead = if i == 0 { "› " } else { "  " };
                tries.push(Line::styled(
                    format!("{lead}{part}"),
                    Style::new().fg(Color::Cyan),
                ));
            }
        }
        let footer = if self.lesson.checks.is_empty() {
            "next when ready · back · tutorial off"
        } else {
            "next · back · tutorial off"
        };
        let footer = Line::styled(footer, Style::new().fg(Color::DarkGray));
        let room = height.saturating_sub(tries.len() + 1);
        let mut text: Vec<String> = Vec::new();
        for (i, p) in self.lesson.paragraphs.iter().enumerate() {
            if i > 0 {
                text.push(String::new());
            }
            text.extend(wrap(p, width));
        }
        if text.len() > room {
            text.truncate(room);
            if let Some(last) = text.last_mut() {
                let keep: String = last.chars().take(width.saturating_sub(1)).collect();
                *last = format!("{keep}…");
            }
        }
        let mut out: Vec<Line<'static>> = text.into_iter().map(Line::raw).collect();
        out.extend(tries);
        out.push(footer);
        out
    }
}

impl Widget for LessonPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let title = format!(
            " Lesson {}/{}: {} ",
            self.lesson.number, self.count, self.lesson.title
        );
        let block = Block::bordered().title(Line::styled(
            title,
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        ));
        let inner = block.inner(area);
        let lines = self.lines(inner.width, inner.height);
        Paragraph::new(lines).block(block).render(area, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tutorial::builtin_lessons;

    #[test]
    fn every_lesson_keeps_its_phrases_in_the_pane_at_80_by_24() {
        // At 80×24 the pane is 40 columns by 12 rows, so 38 by 10 inside.
        for lesson in builtin_lessons().unwrap() {
            let lines = LessonPane::new(&lesson, 11).lines(38, 10);
            assert!(
                lines.len() <= 10,
                "{}: {} lines",
                lesson.heading(),
                lines.len()
            );
            let shown: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            let first_try = lesson.tries.first().map(|t| wrap(t, 36)[0].clone());
            if let Some(t) = first_try {
                assert!(
                    shown.iter().any(|l| l == &format!("› {t}")),
                    "{}: {shown:?}",
                    lesson.heading()
                );
            }
            assert!(shown.iter().all(|l| l.chars().count() <= 38), "{shown:?}");
        }
    }
}
