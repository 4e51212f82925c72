//! The patch pane: every module with its main parameters and units (effects show `off` when
//! switched off), the arpeggiator, the transport (running or stopped, tempo, swing), the gate,
//! held notes and sounding voices, and a step display of every track in use with the step
//! playing now highlighted. The last-changed value is highlighted. Rows flow onto a second
//! line when the pane is narrow.
//!
//! Runs on the control (UI) thread; renders from a borrowed `PatchState` and the latest
//! engine facts (voices, transport, steps) from the meters.

use crate::engine::command::{midi_to_hz, TRACKS};
use crate::engine::params::{format_decimal, ParamId};
use crate::engine::state::TrackState;
use crate::engine::PatchState;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

/// Width of the module column.
const LABEL_WIDTH: usize = 7;

/// Rows of the pane: a module label, its on/off switch (if it has one) and its parameters
/// with short labels.
type Row = (
    &'static str,
    Option<ParamId>,
    &'static [(&'static str, ParamId)],
);
const ROWS: &[Row] = &[
    (
        "osc",
        None,
        &[
            ("", ParamId::OscWave),
            ("", ParamId::OscFreq),
            ("det", ParamId::OscDetune),
        ],
    ),
    (
        "env",
        None,
        &[
            ("A", ParamId::EnvAttack),
            ("D", ParamId::EnvDecay),
            ("S", ParamId::EnvSustain),
            ("R", ParamId::EnvRelease),
        ],
    ),
    (
        "filter",
        None,
        &[
            ("", ParamId::FilterMode),
            ("", ParamId::FilterCutoff),
            ("res", ParamId::FilterRes),
            ("env", ParamId::FilterEnv),
        ],
    ),
    (
        "amp",
        None,
        &[("", ParamId::AmpGain), ("master", ParamId::MasterGain)],
    ),
    (
        "drive",
        Some(ParamId::DriveOn),
        &[("", ParamId::DriveAmount), ("mix", ParamId::DriveMix)],
    ),
    (
        "chorus",
        Some(ParamId::ChorusOn),
        &[
            ("", ParamId::ChorusRate),
            ("depth", ParamId::ChorusDepth),
            ("mix", ParamId::ChorusMix),
        ],
    ),
    (
        "delay",
        Some(ParamId::DelayOn),
        &[
            ("", ParamId::DelayTime),
            ("fb", ParamId::DelayFeedback),
            ("damp", ParamId::DelayDamping),
            ("mix", ParamId::DelayMix),
        ],
    ),
    (
        "reverb",
        Some(ParamId::ReverbOn),
        &[
            ("size", ParamId::ReverbSize),
            ("damp", ParamId::ReverbDamping),
            ("mix", ParamId::ReverbMix),
        ],
    ),
    (
        "arp",
        None,
        &[
            ("", ParamId::ArpMode),
            ("", ParamId::ArpRate),
            ("oct", ParamId::ArpOctaves),
            ("gate", ParamId::ArpGate),
        ],
    ),
];

/// What the engine plays now, from the meters: sounding voices, whether the transport runs,
/// and the step each track played last.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LiveFacts {
    /// Voices sounding.
    pub voices: u32,
    /// Whether the engine's transport runs.
    pub running: bool,
    /// The step each track played last.
    pub steps: [Option<u8>; TRACKS],
}

/// A fraction of a bar as a note value: 0.0625 → `1/16`, 0.375 → `3/8`.
fn bar_fraction(v: f32) -> String {
    for den in [1u32, 2, 4, 8, 16, 32, 64] {
        let num = v * den as f32;
        if (num - num.round()).abs() < 1e-4 && num.round() >= 1.0 {
            return format!("{}/{den}", num.round());
        }
    }
    format_decimal(v)
}

/// Parameters the pane shows in [`ROWS`]; any other parameter goes to an `other` row.
fn listed(param: ParamId) -> bool {
    matches!(
        param,
        ParamId::DelaySync
            | ParamId::TransportTempo
            | ParamId::TransportSwing
            | ParamId::DriveOrder
            | ParamId::ChorusOrder
            | ParamId::DelayOrder
            | ParamId::ReverbOrder
    ) || crate::lang::voice_chain::MODULAR_MODULES.contains(&param.spec().module())
        || ROWS.iter().any(|(_, switch, items)| {
            *switch == Some(param) || items.iter().any(|(_, p)| *p == param)
        })
}

/// The patch pane widget.
#[derive(Clone, Copy, Debug)]
pub struct PatchPane<'a> {
    patch: &'a PatchState,
    last_changed: Option<ParamId>,
    live: LiveFacts,
}

/// One label + value item before flowing into lines.
struct Item {
    label: String,
    value: String,
    highlight: bool,
    /// A step display: the index (in characters of `value`) of the step playing now.
    now: Option<usize>,
}

impl Item {
    fn plain(label: &str, value: String) -> Item {
        Item {
            label: label.into(),
            value,
            highlight: false,
            now: None,
        }
    }
}

impl<'a> PatchPane<'a> {
    /// A pane showing `patch`, highlighting `last_changed`.
    pub fn new(patch: &'a PatchState, last_changed: Option<ParamId>) -> Self {
        PatchPane {
            patch,
            last_changed,
            live: LiveFacts::default(),
        }
    }

    /// The same pane with what the engine plays now (voices, transport, current steps).
    pub fn with_live(mut self, live: LiveFacts) -> Self {
        self.live = live;
        self
    }

    fn item(&self, label: &str, param: ParamId) -> Item {
        let value = self.patch.get(param);
        let value = match param {
            // Tempo-synced delay times read as note values.
            ParamId::DelayTime if self.patch.get(ParamId::DelaySync) > 0.0 => {
                bar_fraction(self.patch.get(ParamId::DelaySync))
            }
            ParamId::ArpRate => bar_fraction(value),
            ParamId::ArpOctaves => format!("{}", value.round()),
            _ => param.spec().format_with_unit(value),
        };
        let highlight = self.last_changed == Some(param)
            || (param == ParamId::DelayTime && self.last_changed == Some(ParamId::DelaySync));
        Item {
            label: label.to_string(),
            value,
            highlight,
            now: None,
        }
    }

    fn rows(&self) -> Vec<(String, Vec<Item>)> {
        let mut rows: Vec<(String, Vec<Item>)> = ROWS
            .iter()
            .map(|(module, switch, items)| {
                let off = switch.is_some_and(|s| self.patch.get(s) < 0.5)
                    || (*module == "arp" && self.patch.get(ParamId::ArpMode) < 0.5);
                let items = if off {
                    let param = switch.unwrap_or(ParamId::ArpMode);
                    vec![Item {
                        highlight: self.last_changed == Some(param),
                        ..Item::plain("", "off".into())
                    }]
                } else {
                    items.iter().map(|(l, p)| self.item(l, *p)).collect()
                };
                (module.to_string(), items)
            })
            .collect();
        if crate::lang::voice_chain::modular_in_use(self.patch) {
            // The same line as `show`: sources → filters → amp → the effects in order.
            let chain = crate::lang::voice_chain::voice_chain(self.patch);
            rows.insert(1, ("voice".to_string(), vec![Item::plain("", chain)]));
        }
        let running = self.patch.running() || self.live.running;
        let mut transport = vec![
            Item::plain("", (if running { "running" } else { "stopped" }).into()),
            self.item("", ParamId::TransportTempo),
            self.item("swing", ParamId::TransportSwing),
        ];
        transport[0].highlight = false;
        rows.push(("clock".to_string(), transport));
        let others: Vec<Item> = ParamId::ALL
            .iter()
            .filter(|p| !listed(**p))
            .map(|p| self.item(p.name(), *p))
            .collect();
        if !others.is_empty() {
            rows.push(("other".to_string(), others));
        }
        let gate = if self.patch.sounding() { "on" } else { "off" };
        let mut gate_items = vec![Item::plain("", gate.to_string())];
        let held = self.patch.held_notes();
        if held.len() > 1 {
            let names: Vec<String> = held.iter().map(|n| crate::lang::note_name(*n)).collect();
            gate_items.push(Item::plain("notes", names.join(" ")));
        } else if let Some(note) = self.patch.note() {
            gate_items.push(Item::plain(
                "note",
                format!(
                    "{note} ({} Hz)",
                    format_decimal(midi_to_hz(f32::from(note)))
                ),
            ));
        }
        gate_items.push(Item::plain("voices", self.live.voices.to_string()));
        rows.push(("gate".to_string(), gate_items));
        for (i, track) in self.patch.tracks().iter().enumerate() {
            if *track == TrackState::default() {
                continue;
            }
            let names = self.patch.track_names();
            let mut label: String = names.label(i as u8).chars().take(LABEL_WIDTH - 2).collect();
            if track.mute {
                label.push('~');
            } else if track.solo {
                label.push('*');
            }
            // The cycle playing now (a mini-notation loop holds several), its step lit.
            let playing = self.live.steps[i]
                .map(usize::from)
                .filter(|n| running && *n < usize::from(track.length));
            let (cycle, now) = crate::lang::pattern::show::current_cycle(track, playing);
            let steps: String = track.steps[cycle.start..cycle.end.min(usize::from(track.length))]
                .iter()
                .map(|s| crate::lang::pattern::show::step_char(*s))
                .collect();
            rows.push((
                label,
                vec![Item {
                    now,
                    ..Item::plain("", steps)
                }],
            ));
        }
        // The selected track's own instrument (`select bass` or `track bass` selects).
        let current = self.patch.track_names().current();
        let in_use = self
            .patch
            .tracks()
            .get(usize::from(current))
            .is_some_and(|t| *t != TrackState::default());
        if in_use {
            if let Some(summary) = crate::lang::track_instrument_summary(self.patch, current) {
                let name = self.patch.track_names().label(current);
                rows.push((
                    "sound".to_string(),
                    vec![Item::plain("", format!("{name}: {summary}"))],
                ));
            }
        }
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
                match item.now {
                    Some(n) => {
                        let chars: Vec<char> = item.value.chars().collect();
                        let before: String = chars[..n].iter().collect();
                        let after: String = chars[n + 1..].iter().collect();
                        spans.push(Span::styled(before, style));
                        spans.push(Span::styled(
                            chars[n].to_string(),
                            style.add_modifier(Modifier::REVERSED),
                        ));
                        spans.push(Span::styled(after, style));
                    }
                    None => spans.push(Span::styled(item.value, style)),
                }
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
    use crate::engine::command::{Step, StepLevel};

    fn text(lines: &[Line<'_>]) -> Vec<String> {
        lines.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn every_module_appears_with_its_values_and_units() {
        let patch = PatchState::default();
        let pane = PatchPane::new(&patch, None);
        let all = text(&pane.lines(38)).join("\n");
        for module in [
            "osc", "env", "filter", "amp", "drive", "chorus", "delay", "reverb", "arp", "clock",
            "gate",
        ] {
            assert!(all.contains(module), "{module} missing:\n{all}");
        }
        assert!(all.contains("2000 Hz") && all.contains("-6 dB") && all.contains("120 bpm"));
        assert!(all.contains("0.8 Hz") && all.contains("stopped") && all.contains("voices 0"));
        assert!(
            !all.contains("other"),
            "every parameter has its row:\n{all}"
        );
    }

    #[test]
    fn switched_off_effects_say_off_and_synced_delays_read_as_note_values() {
        let mut patch = PatchState::default();
        patch.set(ParamId::ReverbOn, 0.0);
        patch.set(ParamId::DelaySync, 0.375);
        patch.set(ParamId::ArpMode, 1.0);
        let all = text(&PatchPane::new(&patch, None).lines(60)).join("\n");
        assert!(all.contains("reverb off"), "{all}");
        assert!(all.contains("delay  3/8"), "{all}");
        assert!(all.contains("arp    up 1/16"), "{all}");
    }

    #[test]
    fn used_tracks_show_their_steps_with_the_step_playing_now() {
        use crate::engine::command::{Command, TrackParam};
        let mut patch = PatchState::default();
        patch.select_track(1, Some("hats"));
        for (index, level) in [(0u8, StepLevel::Accent), (2, StepLevel::Hit)] {
            patch.apply(&Command::SetStep {
                track: 1,
                index,
                step: Step::hit(level),
            });
        }
        patch.apply(&Command::SetTrack {
            track: 1,
            param: TrackParam::Length,
            value: 4.0,
        });
        patch.apply(&Command::TransportStart);
        let mut steps = [None; TRACKS];
        steps[1] = Some(2);
        let live = LiveFacts {
            voices: 3,
            running: true,
            steps,
        };
        let lines = PatchPane::new(&patch, None).with_live(live).lines(38);
        let all = text(&lines).join("\n");
        assert!(all.contains("hats   X.x."), "{all}");
        assert!(all.contains("running") && all.contains("voices 3"), "{all}");
        let now: Vec<String> = lines
            .iter()
            .flat_map(|l| l.spans.iter())
            .filter(|s| s.style.add_modifier.contains(Modifier::REVERSED))
            .map(|s| s.content.to_string())
            .collect();
        assert_eq!(now, vec!["x".to_string()], "the third step is playing");
    }

    #[test]
    fn the_selected_track_shows_its_own_instrument() {
        let vocab = crate::lang::Vocabulary::builtin();
        let mut patch = PatchState::default();
        let untouched = text(&PatchPane::new(&patch, None).lines(60)).join("\n");
        assert!(
            !untouched.contains("sound"),
            "no track, no sound row:\n{untouched}"
        );
        for line in [
            "track kick drum kick, track kick pattern x...x...",
            "track kick tune -2, track kick gate 50%",
            "track hats pattern x.x., track hats osc noise",
        ] {
            for action in crate::lang::resolve_line(line, &patch, &vocab).expect(line) {
                action.apply_to(&mut patch);
            }
        }
        let hats = text(&PatchPane::new(&patch, None).lines(60)).join("\n");
        assert!(hats.contains("sound  hats: osc.wave noise"), "{hats}");
        for action in crate::lang::resolve_line("select kick", &patch, &vocab).expect("select") {
            action.apply_to(&mut patch);
        }
        let kick = text(&PatchPane::new(&patch, None).lines(60)).join("\n");
        assert!(
            kick.contains("sound  kick: drum kick, tune -2 st") && kick.contains("gate 50%"),
            "{kick}"
        );
    }

    #[test]
    fn a_mini_notation_row_shows_the_cycle_playing_now() {
        let vocab = crate::lang::Vocabulary::builtin();
        let mut patch = PatchState::default();
        // Loop of two cycles of 4 slots: `x.x.` then `xxx.`.
        for line in ["track hats pattern <x [x x]> x", "start"] {
            let actions = crate::lang::resolve_line(line, &patch, &vocab).expect("resolves");
            for a in &actions {
                a.apply_to(&mut patch);
            }
        }
        let mut steps = [None; TRACKS];
        steps[0] = Some(5);
        let live = LiveFacts {
            voices: 1,
            running: true,
            steps,
        };
        let lines = PatchPane::new(&patch, None).with_live(live).lines(38);
        let all = text(&lines).join("\n");
        assert!(all.contains("hats   xxx."), "{all}");
        let now: Vec<String> = lines
            .iter()
            .flat_map(|l| l.spans.iter())
            .filter(|s| s.style.add_modifier.contains(Modifier::REVERSED))
            .map(|s| s.content.to_string())
            .collect();
        assert_eq!(now, vec!["x".to_string()], "slot 2 of cycle 2 is playing");
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
