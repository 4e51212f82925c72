//! The input line widget: the prompt, the text scrolled so the cursor stays visible, the
//! Ctrl-R search state in the title and completion candidates or key hints under it.
//!
//! Runs on the control (UI) thread; renders from a borrowed [`App`].

use super::app::App;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

/// The prompt before the text.
pub const PROMPT: &str = "> ";

/// Key hints shown under the input when there is nothing else to say.
pub const KEY_HINTS: &str =
    " F1 help · Tab complete · ↑↓ history · Ctrl-R search · PgUp/PgDn log · Ctrl-C quit ";

/// The input pane widget.
#[derive(Clone, Copy, Debug)]
pub struct InputPane<'a> {
    app: &'a App,
}

impl<'a> InputPane<'a> {
    /// A pane showing `app`'s input line.
    pub fn new(app: &'a App) -> Self {
        InputPane { app }
    }

    /// The first character shown, so that the cursor fits in `width` columns after the prompt.
    fn first_shown(&self, width: usize) -> usize {
        let room = width.saturating_sub(PROMPT.len() + 1).max(1);
        self.app.editor.cursor_column().saturating_sub(room)
    }

    /// Where the terminal cursor goes when the pane fills `area`.
    pub fn cursor_position(&self, area: Rect) -> Position {
        let inner = Block::bordered().inner(area);
        let first = self.first_shown(usize::from(inner.width));
        let col = PROMPT.len() + self.app.editor.cursor_column() - first;
        Position {
            x: inner.x + (col as u16).min(inner.width.saturating_sub(1)),
            y: inner.y,
        }
    }
}

impl Widget for InputPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let title = match &self.app.search {
            Some(s) if s.found.is_none() && !s.query.is_empty() => {
                format!(" (failing reverse-i-search) `{}' ", s.query)
            }
            Some(s) => format!(" (reverse-i-search) `{}' ", s.query),
            None => " phrase ".to_string(),
        };
        let bottom = match &self.app.hint {
            Some(h) => Line::styled(format!(" {h} "), Style::new().fg(Color::Yellow)),
            None => Line::styled(KEY_HINTS, Style::new().fg(Color::DarkGray)),
        };
        let block = Block::bordered()
            .title(title)
            .title_bottom(bottom)
            .border_style(Style::new().fg(Color::Cyan));
        let inner = block.inner(area);
        let first = self.first_shown(usize::from(inner.width));
        let shown: String = self.app.editor.text().chars().skip(first).collect();
        let line = Line::from(vec![
            Span::styled(PROMPT, Style::new().fg(Color::Cyan)),
            Span::raw(shown),
        ]);
        Paragraph::new(line).block(block).render(area, buf);
    }
}
