//! The reply/log pane widget: the newest lines at the bottom, wrapped to the pane's width,
//! scrolled back with PgUp/PgDn (the title says how far).
//!
//! Runs on the control (UI) thread; renders from a borrowed [`LogView`].

use super::log_view::{LogKind, LogView};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Widget};

/// The log pane widget.
#[derive(Clone, Copy, Debug)]
pub struct LogPane<'a> {
    log: &'a LogView,
}

fn style(kind: LogKind) -> Style {
    match kind {
        LogKind::Input => Style::new().fg(Color::Cyan),
        LogKind::Reply => Style::new().fg(Color::Green),
        LogKind::Error => Style::new().fg(Color::Red),
        LogKind::Notice => Style::new().fg(Color::Gray),
    }
}

/// Splits `text` into rows of at most `width` characters; continuation rows keep the line's
/// own indentation, so wrapped replies and error messages stay readable.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= width || width == 0 {
        return vec![text.to_string()];
    }
    let indent = chars
        .iter()
        .take_while(|c| **c == ' ')
        .count()
        .min(width / 2);
    let mut rows = vec![chars[..width].iter().collect::<String>()];
    let room = width - indent;
    for chunk in chars[width..].chunks(room) {
        let mut row = " ".repeat(indent);
        row.extend(chunk);
        rows.push(row);
    }
    rows
}

impl<'a> LogPane<'a> {
    /// A pane showing `log`.
    pub fn new(log: &'a LogView) -> Self {
        LogPane { log }
    }

    /// The rows visible in a pane of `width` × `height` inside its border.
    pub fn visible(&self, width: usize, height: usize) -> Vec<Line<'static>> {
        let wanted = height + self.log.scroll();
        let mut rows: Vec<Line<'static>> = Vec::new();
        for line in self.log.lines().rev() {
            let pieces = wrap(&line.text, width);
            for piece in pieces.into_iter().rev() {
                rows.push(Line::styled(piece, style(line.kind)));
            }
            if rows.len() >= wanted {
                break;
            }
        }
        // rows is newest first: skip the scrolled-back part, keep a screenful, oldest first.
        let start = self.log.scroll().min(rows.len());
        let end = (start + height).min(rows.len());
        rows[start..end].iter().rev().cloned().collect()
    }
}

impl Widget for LogPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let title = if self.log.scroll() > 0 {
            format!(" log ↑{} (PgDn) ", self.log.scroll())
        } else {
            " log ".to_string()
        };
        let block = Block::bordered().title(title);
        let inner = block.inner(area);
        let rows = self.visible(usize::from(inner.width), usize::from(inner.height));
        Paragraph::new(rows).block(block).render(area, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_rows_keep_the_indentation() {
        assert_eq!(wrap("  abcdefgh", 6), vec!["  abcd", "  efgh"]);
        assert_eq!(wrap("abc", 6), vec!["abc"]);
        assert_eq!(wrap("", 6), vec![""]);
    }

    #[test]
    fn long_lines_wrap_and_the_newest_row_is_at_the_bottom() {
        let mut log = LogView::default();
        log.push(LogKind::Notice, "one");
        log.push(LogKind::Notice, "abcdefghij");
        let rows: Vec<String> = LogPane::new(&log)
            .visible(4, 3)
            .iter()
            .map(|l| l.to_string())
            .collect();
        assert_eq!(rows, vec!["abcd", "efgh", "ij"]);
        log.scroll_up(1);
        let rows: Vec<String> = LogPane::new(&log)
            .visible(4, 3)
            .iter()
            .map(|l| l.to_string())
            .collect();
        assert_eq!(rows, vec!["one", "abcd", "efgh"]);
    }
}
