//! The help overlay (F1 or `help`): the keys and example phrases, drawn over the log.
//!
//! Runs on the control (UI) thread.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

/// Keys and what they do.
pub const KEYS: &[(&str, &str)] = &[
    ("Enter", "perform the line"),
    ("←/→ Home/End", "move; Ctrl-←/→ or Alt-B/F by word"),
    (
        "Backspace/Del",
        "delete; Ctrl-W / Alt-D a word; Ctrl-U/K to start/end",
    ),
    ("↑/↓", "recall earlier lines (kept across runs)"),
    ("Ctrl-R", "search earlier lines; again for older ones"),
    ("Tab", "complete a word or parameter name"),
    ("PgUp/PgDn", "scroll the log"),
    ("F1 / Esc", "open / close this help"),
    ("Ctrl-L", "repaint the screen"),
    ("Ctrl-C, Ctrl-D, quit", "leave chronus"),
];

/// Example phrases.
pub const EXAMPLES: &[&str] = &[
    "note A3 · chord Dm7 · play C4 E4 G4 · release all · gate off",
    "track bass seq C2 . C2 G1 · track hats pattern x.x. · start · stop",
    "arp up · delay time 3/8 · reverb size 0.8 · load patch acid",
    "osc saw · filter darker · cutoff 800 · attack 5 ms · tempo 128",
    "help chords · help tracks · help effects · undo · explain darker",
];

/// The help overlay widget.
#[derive(Clone, Copy, Debug, Default)]
pub struct HelpPane;

impl HelpPane {
    /// The overlay's lines.
    pub fn lines() -> Vec<Line<'static>> {
        let mut out = vec![Line::styled("keys", Style::new().fg(Color::Cyan))];
        for (key, what) in KEYS {
            out.push(Line::from(vec![
                Span::styled(format!(" {key:<21}"), Style::new().fg(Color::Yellow)),
                Span::raw(*what),
            ]));
        }
        out.push(Line::styled("phrases", Style::new().fg(Color::Cyan)));
        out.extend(EXAMPLES.iter().map(|e| Line::raw(format!(" {e}"))));
        out
    }

    /// The area the overlay takes inside `screen`.
    pub fn area(screen: Rect) -> Rect {
        let width = screen.width.saturating_sub(4).min(78);
        let height = (Self::lines().len() as u16 + 2).min(screen.height.saturating_sub(4));
        Rect {
            x: screen.x + (screen.width - width) / 2,
            y: screen.y + (screen.height.saturating_sub(height)) / 2,
            width,
            height,
        }
    }
}

impl Widget for HelpPane {
    fn render(self, area: Rect, buf: &mut Buffer) {
        Clear.render(area, buf);
        let block = Block::bordered()
            .title(" help — Esc closes ")
            .border_style(Style::new().fg(Color::Yellow));
        Paragraph::new(Self::lines()).block(block).render(area, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::PatchState;
    use crate::lang::{resolve_line, Vocabulary};

    #[test]
    fn every_example_phrase_is_understood() {
        let vocab = Vocabulary::builtin();
        let patch = PatchState::default();
        for line in EXAMPLES {
            for phrase in line.split(" · ") {
                if let Err(e) = resolve_line(phrase, &patch, &vocab) {
                    panic!("help example {phrase:?} fails:\n{}", e.render(phrase));
                }
            }
        }
    }

    #[test]
    fn the_overlay_fits_an_80_by_24_screen() {
        let area = HelpPane::area(Rect::new(0, 0, 80, 24));
        assert!(area.width <= 80 && area.height <= 24);
        assert!(area.height as usize >= HelpPane::lines().len() + 2);
    }
}
