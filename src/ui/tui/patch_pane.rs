//! The patch pane: every module's parameters with units, the last-changed value highlighted,
//! and the gate/note state. Rows flow onto a second line when the pane is narrow.
//!
//! Runs on the control (UI) thread; renders from a borrowed `PatchState`.

use crate::control::PatchState;
use crate::engine::command::midi_to_hz;
use crate::engine::params::{format_decimal, ParamId};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

/// Width of the module column.
const LABEL_WIDTH: usize = 7;

/// Rows of the pane: a module label and its parameters with short labels.
const ROWS: &[(&str, &[(&str, ParamId)])] = &[
    (
        "osc",
        &[
            ("", ParamId::OscWave),
            ("", ParamId::OscFreq),
            ("det", ParamId::OscDetune),
        ],
    ),
    (
        "env",
        &[
            ("A", ParamId::EnvAttack),
            ("D", ParamId::EnvDecay),
            ("S", ParamId::EnvSustain),
            ("R", ParamId::EnvRelease),
        ],
    ),
    (
        "filter",
        &[
            ("", ParamId::FilterMode),
            ("", ParamId::FilterCutoff),
            ("res", ParamId::FilterRes),
        ],
    ),
    (
        "amp",
        &[("", ParamId::AmpGain), ("master", ParamId::MasterGain)],
    ),
    (
        "delay",
        &[
            ("", ParamId::DelayTime),
            ("fb", ParamId::DelayFeedback),
            ("mix", ParamId::DelayMix),
        ],
    ),
    (
        "reverb",
        &[("size", ParamId::ReverbSize), ("mix", ParamId::ReverbMix)],
    ),
    (
        "fx",
        &[
            ("chorus", ParamId::ChorusMix),
            ("drive", ParamId::DriveAmount),
        ],
    ),
    (
        "tempo",
        &[
            ("", ParamId::TransportTempo),
            ("swing", ParamId::TransportSwing),
        ],
    ),
];

/// Parameters the pane shows in [`ROWS`]; any other parameter goes to an `other` row.
fn listed(param: ParamId) -> bool {
    ROWS.iter()
        .any(|(_, items)| items.iter().any(|(_, p)| *p == param))
}

/// The patch pane widget.
#[derive(Clone, Copy, Debug)]
pub struct PatchPane<'a> {
    patch: &'a PatchState,
    last_changed: Option<ParamId>,
}

/// One label + value item before flowing into lines.
struct Item {
    label: String,
    value: String,
    highlight: bool,
}

impl<'a> PatchPane<'a> {
    /// A pane showing `patch`, highlighting `last_changed`.
    pub fn new(patch: &'a PatchState, last_changed: Option<ParamId>) -> Self {
        PatchPane {
            patch,
            last_changed,
        }
    }

    fn item(&self, label: &str, param: ParamId) -> Item {
        Item {
            label: label.to_string(),
            value: param.spec().format_with_unit(self.patch.get(param)),
            highlight: self.last_changed == Some(param),
        }
    }

    fn rows(&self) -> Vec<(String, Vec<Item>)> {
        let mut rows: Vec<(String, Vec<Item>)> = ROWS
            .iter()
            .map(|(module, items)| {
                let items = items.iter().map(|(l, p)| self.item(l, *p)).collect();
                (module.to_string(), items)
            })
            .collect();
        let others: Vec<Item> = ParamId::ALL
            .iter()
            .filter(|p| !listed(**p))
            .map(|p| self.item(p.name(), *p))
            .collect();
        if !others.is_empty() {
            rows.push(("other".to_string(), others));
        }
        let gate = if self.patch.gate() { "on" } else { "off" };
        let mut gate_items = vec![Item {
            label: String::new(),
            value: gate.to_string(),
            highlight: false,
        }];
        if let Some(note) = self.patch.note() {
            gate_items.push(Item {
                label: "note".into(),
                value: format!(
                    "{note} ({} Hz)",
                    format_decimal(midi_to_hz(f32::from(note)))
                ),
                highlight: false,
            });
        }
        rows.push(("gate".to_string(), gate_items));
        rows
    }

    /// The pane's text at an inner width, flowing items onto continuation lines.
    pub fn lines(&self, width: usize) -> Vec<Line<'static>> {
        let mut out = Vec::new();
        let label_style = Style::new().fg(Color::DarkGray);
        let value_style = Style::new().fg(Color::White);
        let hot = Style::new()
            .fg(Color::Black)
            .bg(Color::Yellow)
            .add_modifier(Modifier::BOLD);
        for (module, items) in self.rows() {
            let mut spans = vec![Span::styled(
                format!("{module:<LABEL_WIDTH$}"),
                Style::new().fg(Color::Cyan),
            )];
            let mut used = LABEL_WIDTH;
            let mut first = true;
            for item in items {
                let len = item.label.chars().count()
                    + usize::from(!item.label.is_empty())
                    + item.value.chars().count();
                let gap = usize::from(!first);
                if !first && used + gap + len > width {
                    out.push(Line::from(std::mem::take(&mut spans)));
                    spans.push(Span::raw(" ".repeat(LABEL_WIDTH)));
                    used = LABEL_WIDTH;
                } else if !first {
                    spans.push(Span::raw(" "));
                    used += 1;
                }
                if !item.label.is_empty() {
                    spans.push(Span::styled(format!("{} ", item.label), label_style));
                }
                let style = if item.highlight { hot } else { value_style };
                spans.push(Span::styled(item.value, style));
                used += len;
                first = false;
            }
            out.push(Line::from(spans));
        }
        out
    }

    /// Rows the pane needs at an outer width (with its border).
    pub fn height(&self, outer_width: u16) -> u16 {
        self.lines(usize::from(outer_width.saturating_sub(2))).len() as u16 + 2
    }
}

impl Widget for PatchPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let block = Block::bordered().title(" patch ");
        let inner = block.inner(area);
        let lines = self.lines(usize::from(inner.width));
        Paragraph::new(lines).block(block).render(area, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Line<'_>]) -> Vec<String> {
        lines.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn every_parameter_appears_with_its_unit() {
        let patch = PatchState::default();
        let pane = PatchPane::new(&patch, None);
        let all = text(&pane.lines(38)).join("\n");
        for p in ParamId::ALL {
            let value = p.spec().format_with_unit(patch.get(*p));
            assert!(
                all.contains(&value),
                "{} ({value}) missing:\n{all}",
                p.name()
            );
        }
        assert!(all.contains("2000 Hz") && all.contains("-6 dB") && all.contains("120 bpm"));
    }

    #[test]
    fn narrow_panes_flow_onto_more_lines_within_the_width() {
        let patch = PatchState::default();
        let pane = PatchPane::new(&patch, None);
        let wide = pane.lines(70);
        let narrow = pane.lines(26);
        assert!(narrow.len() > wide.len());
        for l in text(&narrow) {
            assert!(l.chars().count() <= 26, "too wide: {l:?}");
        }
    }

    #[test]
    fn the_last_changed_value_is_highlighted() {
        let mut patch = PatchState::default();
        patch.set(ParamId::FilterCutoff, 1400.0);
        let lines = PatchPane::new(&patch, Some(ParamId::FilterCutoff)).lines(38);
        let hot: Vec<String> = lines
            .iter()
            .flat_map(|l| l.spans.iter())
            .filter(|s| s.style.bg == Some(Color::Yellow))
            .map(|s| s.content.to_string())
            .collect();
        assert_eq!(hot, vec!["1400 Hz".to_string()]);
    }
}
