//! The meters pane: ring fill gauge with min/max, underruns (red while rising), latency,
//! callback jitter, DSP load with a sparkline, output level with clip indicator, worker
//! health, device, rate and buffer, and the log file's warning count.
//!
//! Runs on the control (UI) thread; renders from a borrowed [`MeterView`].

use super::meter_view::MeterView;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Sparkline, Widget};

/// Lines of text the pane shows (its height is this plus the border).
pub const METER_LINES: u16 = 10;

/// Line index of the DSP load line, where the sparkline goes.
const DSP_LINE: u16 = 5;

/// The meters pane widget.
#[derive(Clone, Copy, Debug)]
pub struct MetersPane<'a> {
    view: &'a MeterView,
    device: &'a str,
}

fn bar(fraction: f32, width: usize) -> String {
    let fraction = if fraction.is_finite() {
        fraction.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let full = (fraction * width as f32).round() as usize;
    format!("{}{}", "█".repeat(full), "░".repeat(width - full))
}

const LABEL: Style = Style::new().fg(Color::DarkGray);
const VALUE: Style = Style::new().fg(Color::White);
const GOOD: Style = Style::new().fg(Color::Green);
const BAD: Style = Style::new().fg(Color::Red).add_modifier(Modifier::BOLD);
const WARN: Style = Style::new().fg(Color::Yellow);

fn label(text: &str) -> Span<'static> {
    Span::styled(text.to_string(), LABEL)
}

fn value(text: String) -> Span<'static> {
    Span::styled(text, VALUE)
}

/// Yellow when something was counted, plain when nothing was.
fn count_style(n: u64) -> Style {
    if n > 0 {
        WARN
    } else {
        VALUE
    }
}

fn db(value: f32) -> String {
    if value.is_finite() && value > -120.0 {
        format!("{value:.1}")
    } else {
        "-inf".to_string()
    }
}

impl<'a> MetersPane<'a> {
    /// A pane showing `view` for the output `device`.
    pub fn new(view: &'a MeterView, device: &'a str) -> Self {
        MetersPane { view, device }
    }

    /// The pane's text at an inner width (the DSP line leaves room for the sparkline), one
    /// line per meter in [`METER_LINES`] order.
    pub fn lines(&self, width: usize) -> Vec<Line<'static>> {
        vec![
            self.device_line(),
            self.ring_line(width),
            self.underruns_line(),
            self.latency_line(),
            self.jitter_line(),
            self.dsp_line(),
            self.level_line(width),
            self.worker_line(),
            self.health_line(width),
            self.counts_line(),
        ]
    }

    fn device_line(&self) -> Line<'static> {
        let s = &self.view.snapshot;
        let buffer = if s.buffer_frames == 0 {
            "default".to_string()
        } else {
            s.buffer_frames.to_string()
        };
        let mut spans = vec![
            label("out "),
            value(self.device.to_string()),
            label(" · "),
            value(format!("{} Hz", s.sample_rate)),
            label(" · buf "),
            value(buffer),
        ];
        if !s.rt.is_empty() && s.rt != "none" {
            // How the audio threads are scheduled: `fifo` or `normal`.
            spans.push(label(" · "));
            spans.push(value(s.rt.to_string()));
        }
        Line::from(spans)
    }

    fn ring_line(&self, width: usize) -> Line<'static> {
        let s = &self.view.snapshot;
        let (min, max) = self.view.fill_range();
        let fill_text = format!(
            " {}/{} min {min} max {max}",
            s.ring_fill, s.ring_capacity_blocks
        );
        let bar_width = width
            .saturating_sub(5 + fill_text.chars().count())
            .clamp(3, 24);
        let fraction = s.ring_fill as f32 / self.view.gauge_blocks() as f32;
        let fill_style = if s.ring_fill == 0 { BAD } else { GOOD };
        Line::from(vec![
            label("ring "),
            Span::styled(bar(fraction, bar_width), fill_style),
            value(fill_text),
        ])
    }

    fn underruns_line(&self) -> Line<'static> {
        let s = &self.view.snapshot;
        let recent = self.view.underruns_last_second();
        let style = if self.view.underruns_rising() {
            BAD
        } else {
            VALUE
        };
        Line::from(vec![
            label("underruns "),
            Span::styled(s.underruns.to_string(), style),
            label("  last 1 s "),
            Span::styled(recent.to_string(), style),
            label("  steals "),
            value(s.voice_steals.to_string()),
        ])
    }

    fn latency_line(&self) -> Line<'static> {
        let s = &self.view.snapshot;
        Line::from(vec![
            label("latency "),
            value(format!("{:.2} ms", s.latency_ms)),
            label("  p95 "),
            value(format!("{:.2} ms", s.latency_p95_ms)),
        ])
    }

    fn jitter_line(&self) -> Line<'static> {
        let s = &self.view.snapshot;
        Line::from(vec![
            label("jitter "),
            value(format!("{:.2} ms", s.callback_jitter_ms)),
            label("  played "),
            value(s.blocks_played.to_string()),
            label("  beat "),
            value(format!("{:.1}", s.beat)),
        ])
    }

    fn dsp_line(&self) -> Line<'static> {
        let s = &self.view.snapshot;
        let style = if s.dsp_load_max_pct >= 80.0 {
            BAD
        } else if s.dsp_load_max_pct >= 50.0 {
            WARN
        } else {
            VALUE
        };
        Line::from(vec![
            label("dsp "),
            Span::styled(format!("{:>5.1}%", s.dsp_load_pct), style),
            label(" max "),
            Span::styled(format!("{:>5.1}% ", s.dsp_load_max_pct), style),
        ])
    }

    fn level_line(&self, width: usize) -> Line<'static> {
        let s = &self.view.snapshot;
        let level_text = format!(" pk {} rms {} dB", db(s.peak_db), db(s.rms_db));
        let clip = if self.view.clipping() { " CLIP" } else { "" };
        let level_width = width
            .saturating_sub(6 + level_text.chars().count() + clip.len())
            .clamp(3, 16);
        let fraction = ((s.peak_db + 60.0) / 60.0).clamp(0.0, 1.0);
        let style = if s.peak_db > -1.0 { WARN } else { GOOD };
        Line::from(vec![
            label("level "),
            Span::styled(bar(fraction, level_width), style),
            value(level_text),
            Span::styled(clip.to_string(), BAD),
        ])
    }

    fn worker_line(&self) -> Line<'static> {
        let s = &self.view.snapshot;
        let age_style = if s.heartbeat_age_ms > 100.0 {
            BAD
        } else {
            VALUE
        };
        let mut spans = vec![
            label("worker gen "),
            value(s.worker_generation.to_string()),
            label("  hb "),
            value(s.heartbeat.to_string()),
            label("  age "),
            Span::styled(format!("{:.0} ms", s.heartbeat_age_ms), age_style),
        ];
        // After a failover: how many seams, and any that lost the beat (red).
        if s.seams > 0 {
            spans.push(label("  seams "));
            spans.push(value(s.seams.to_string()));
            if s.seams_off_beat > 0 {
                spans.push(Span::styled(format!(" off {}", s.seams_off_beat), BAD));
            }
        }
        // Hangs not failed over because the worker was descheduled, not stuck.
        if s.hangs_spared > 0 {
            spans.push(label("  spared "));
            spans.push(Span::styled(s.hangs_spared.to_string(), WARN));
        }
        Line::from(spans)
    }

    fn health_line(&self, width: usize) -> Line<'static> {
        let s = &self.view.snapshot;
        let failovers = s.failovers_panic + s.failovers_hang + s.failovers_poisoned;
        let breakdown = format!(
            " (p{} h{} n{})",
            s.failovers_panic, s.failovers_hang, s.failovers_poisoned
        );
        let (standby, standby_style) = if s.standby_ready {
            ("ready", GOOD)
        } else {
            ("wait", WARN)
        };
        let leaked = if s.leaked_threads > 0 {
            format!(" leaked {}", s.leaked_threads)
        } else {
            String::new()
        };
        let plain_len = format!("failovers {failovers} standby {standby}{leaked}").len();
        let mut health = vec![
            label("failovers "),
            Span::styled(failovers.to_string(), count_style(failovers)),
        ];
        // The breakdown by kind only when it fits: the totals matter more.
        if failovers > 0 && plain_len + breakdown.len() <= width {
            health.push(label(&breakdown));
        }
        health.push(label(" standby "));
        health.push(Span::styled(standby, standby_style));
        health.push(Span::styled(leaked, BAD));
        Line::from(health)
    }

    fn counts_line(&self) -> Line<'static> {
        let s = &self.view.snapshot;
        Line::from(vec![
            label("clipped "),
            Span::styled(
                s.clipped_samples.to_string(),
                count_style(s.clipped_samples),
            ),
            label("  drops "),
            Span::styled(s.command_drops.to_string(), count_style(s.command_drops)),
            label("  warnings "),
            Span::styled(
                self.view.warnings.to_string(),
                count_style(self.view.warnings),
            ),
        ])
    }
}

impl Widget for MetersPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let block = Block::bordered().title(" meters ");
        let inner = block.inner(area);
        let lines = self.lines(usize::from(inner.width));
        let dsp_used = lines
            .get(usize::from(DSP_LINE))
            .map_or(0, |l| l.width() as u16);
        Paragraph::new(lines).block(block).render(area, buf);
        if inner.height > DSP_LINE && inner.width > dsp_used {
            let spark_area = Rect {
                x: inner.x + dsp_used,
                y: inner.y + DSP_LINE,
                width: inner.width - dsp_used,
                height: 1,
            };
            let history = self.view.dsp_history();
            let shown = &history[history.len().saturating_sub(usize::from(spark_area.width))..];
            let top = shown.iter().copied().max().unwrap_or(0).max(100);
            Sparkline::default()
                .data(shown.iter().copied())
                .max(top)
                .style(Style::new().fg(Color::Magenta))
                .render(spark_area, buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_fill_in_proportion_and_survive_bad_numbers() {
        assert_eq!(bar(0.5, 4), "██░░");
        assert_eq!(bar(2.0, 3), "███");
        assert_eq!(bar(f32::NAN, 2), "░░");
        assert_eq!(db(f32::NEG_INFINITY), "-inf");
        assert_eq!(db(-6.04), "-6.0");
    }

    #[test]
    fn the_pane_has_its_fixed_number_of_lines() {
        let view = MeterView::default();
        assert_eq!(
            MetersPane::new(&view, "null").lines(38).len(),
            usize::from(METER_LINES)
        );
    }
}
