//! The MIDI phrases, answered on the control thread before the phrase language sees a line:
//!
//! - `midi` — inputs, ports, settings and counts; `midi in NAME|all|PATH` — connect an input;
//! - `midi channel 2` / `midi channel all` — which channel plays;
//! - `bend 2 semitones` (or `midi bend 12`) — pitch wheel range;
//! - `map cc 74 to cutoff`, `unmap cc 74`, `unmap all`, `mappings`, `midi learn cutoff`;
//! - `track bass midi out channel 2 [also]`, `track bass midi off`, `clock out [off]`;
//! - `clock follow midi`, `clock follow off`.
//!
//! Mappings are saved beside a patch (`NAME.midi.toml` in the patch folder) by
//! `save patch NAME` and read back by `load patch NAME`.

use super::input::{is_path, spawn_path_reader, MidiInHub};
use super::mapping::MAX_CC;
use super::ports::{connect_inputs, list_ports, PortConnection};
use crate::control::extension::{ExtensionReply, PhraseExtension};
use crate::control::LineReport;
use crate::engine::params::ParamId;
use crate::engine::PatchState;
use crate::lang::action::{Action, Meta};
use crate::lang::words::{Verb, WordClass};
use crate::lang::Vocabulary;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

/// The MIDI phrase extension (owned by the performer).
pub struct MidiPhrases {
    hub: Arc<MidiInHub>,
    follow: Arc<super::clock_in::FollowState>,
    out: Option<MidiOutHandle>,
    ports: Vec<PortConnection>,
    /// `load patch NAME` seen in `intercept`, waiting for the language to accept it.
    loading: Option<String>,
}

impl MidiPhrases {
    /// Phrases that act on `hub`.
    pub fn new(hub: Arc<MidiInHub>) -> Self {
        MidiPhrases {
            hub,
            follow: Arc::default(),
            out: None,
            ports: Vec::new(),
            loading: None,
        }
    }

    /// Lets `track NAME midi out` and `clock out` use a running MIDI out.
    pub fn set_out(&mut self, out: MidiOutHandle) {
        self.out = Some(out);
    }

    /// Connects `spec`: a path (raw byte stream), `all`, or part of a port name.
    pub fn open_input(&mut self, spec: &str) -> Result<String, String> {
        if is_path(spec) {
            spawn_path_reader(self.hub.clone(), spec.into())
                .map_err(|e| format!("midi in {spec}: cannot start the reader: {e}"))?;
            return Ok(format!("midi in: reading raw MIDI bytes from {spec}"));
        }
        let connected = connect_inputs(&self.hub, spec).map_err(|e| e.to_string())?;
        let names: Vec<String> = connected.iter().map(|c| c.name.clone()).collect();
        self.ports.extend(connected);
        Ok(format!("midi in: {}", names.join(", ")))
    }

    fn overview(&self, patch: &PatchState) -> Vec<String> {
        let mut out = Vec::new();
        let inputs = self.hub.inputs();
        for i in &inputs {
            out.push(format!("midi in {}: {}", i.name, i.state));
        }
        for p in &self.ports {
            out.push(format!("midi in {}: connected", p.name));
        }
        match list_ports() {
            Ok((ins, outs)) => {
                out.push(format!("input ports: {}", list_or_none(&ins)));
                out.push(format!("output ports: {}", list_or_none(&outs)));
            }
            Err(e) => out.push(e.to_string()),
        }
        let t = self.hub.translator();
        out.push(format!(
            "channel {}, bend ±{} semitones, {} mapping{}{}",
            t.channel.map_or("all".to_string(), |c| (c + 1).to_string()),
            crate::engine::params::format_decimal(t.bend_semitones),
            t.mappings.iter().count(),
            if t.mappings.iter().count() == 1 {
                ""
            } else {
                "s"
            },
            t.learning
                .map(|p| format!(", learning {} (move a knob)", p.name()))
                .unwrap_or_default()
        ));
        drop(t);
        out.extend(self.status_lines(patch));
        out
    }

    fn mappings_lines(&self) -> Vec<String> {
        let t = self.hub.translator();
        if t.mappings.is_empty() {
            return vec!["no CC mappings (map cc 74 to cutoff, or midi learn cutoff)".into()];
        }
        t.mappings
            .iter()
            .map(|(cc, p)| format!("cc {cc} → {} ({})", p.name(), curve_word(p)))
            .collect()
    }

    fn perform(
        &mut self,
        words: &[&str],
        patch: &PatchState,
        vocab: &Vocabulary,
    ) -> Option<ExtensionReply> {
        let done = |lines: Vec<String>| Some(ExtensionReply::Done(lines));
        let refuse = |m: String| Some(ExtensionReply::Refused(m));
        match words {
            ["midi"] | ["midi", "ports"] => done(self.overview(patch)),
            ["midi", "in", spec @ ..] if !spec.is_empty() => match self.open_input(&spec.join(" "))
            {
                Ok(line) => done(vec![line]),
                Err(e) => refuse(e),
            },
            ["midi", "in"] => refuse("midi in: which input? a port name, `all`, or a path".into()),
            ["midi", "channel", ch] => match *ch {
                "all" | "any" | "omni" => {
                    self.hub.translator().channel = None;
                    done(vec!["midi channel: all".into()])
                }
                n => match n.parse::<u8>() {
                    Ok(c @ 1..=16) => {
                        self.hub.translator().channel = Some(c - 1);
                        done(vec![format!("midi channel: {c}")])
                    }
                    _ => refuse(format!(
                        "midi channel {n}: channels go from 1 to 16 (or `all`)"
                    )),
                },
            },
            ["midi", "bend", rest @ ..] | ["bend", rest @ ..] => match rest {
                [n] | [n, "semitones" | "semitone" | "st" | "semis"] => match n.parse::<f32>() {
                    Ok(v) if (0.0..=24.0).contains(&v) => {
                        self.hub.translator().bend_semitones = v;
                        done(vec![format!(
                            "pitch wheel: ±{} semitones",
                            crate::engine::params::format_decimal(v)
                        )])
                    }
                    _ => refuse(format!(
                        "bend {n}: the bend range is 0 to 24 semitones (e.g. bend 2 semitones)"
                    )),
                },
                _ => refuse("bend: say how far, e.g. bend 2 semitones".into()),
            },
            ["midi", "learn", param @ ..] => match param_named(param, vocab) {
                Ok(p) => {
                    self.hub.translator().learning = Some(p);
                    done(vec![format!(
                        "midi learn: move a knob to map it to {}",
                        p.name()
                    )])
                }
                Err(e) => refuse(format!("midi learn: {e}")),
            },
            ["map", rest @ ..] => self.map(rest, vocab),
            ["unmap", "all"] => {
                self.hub.translator().mappings = Default::default();
                done(vec!["every CC mapping removed".into()])
            }
            ["unmap", rest @ ..] => {
                let n = match rest {
                    ["cc", n] | [n] => *n,
                    _ => return refuse("unmap: which controller? e.g. unmap cc 74".into()),
                };
                match cc_number(n) {
                    Ok(cc) => match self.hub.translator().mappings.unmap(cc) {
                        Some(p) => done(vec![format!("cc {cc} no longer moves {}", p.name())]),
                        None => refuse(format!("unmap cc {cc}: cc {cc} is not mapped")),
                    },
                    Err(e) => refuse(format!("unmap: {e}")),
                }
            }
            ["mappings"] | ["midi", "mappings"] => done(self.mappings_lines()),
            ["track", name, "midi", rest @ ..] => self.track_out(name, rest, patch),
            ["clock", "follow", "midi"] | ["clock", "in"] | ["midi", "clock", "follow"] => {
                if let Err(e) = self.hub.follow(Some(self.follow.clone())) {
                    return refuse(format!("clock follow midi: cannot start: {e}"));
                }
                self.follow.following.store(true, Relaxed);
                done(vec![
                    "clock: following MIDI clock in (tempo, start, stop)".into()
                ])
            }
            ["clock", "follow", "off" | "internal"] | ["clock", "internal"] => {
                let _ = self.hub.follow(None);
                self.follow.following.store(false, Relaxed);
                done(vec!["clock: internal".into()])
            }
            ["link", ..] => refuse(LINK_MISSING.into()),
            ["clock", "out", rest @ ..] => {
                let Some(out) = &self.out else {
                    return refuse(NO_OUT.into());
                };
                let on = !matches!(rest, ["off"] | ["stop"]);
                out.switches.clock.store(on, Relaxed);
                done(vec![if on {
                    format!(
                        "clock out: 24 clocks per beat, start/stop and song position to {}",
                        out.spec
                    )
                } else {
                    "clock out: off".into()
                }])
            }
            _ => None,
        }
    }

    fn track_out(
        &mut self,
        name: &str,
        rest: &[&str],
        patch: &PatchState,
    ) -> Option<ExtensionReply> {
        let refuse = |m: String| Some(ExtensionReply::Refused(m));
        let Some(out) = &self.out else {
            return refuse(NO_OUT.into());
        };
        let index = match name.parse::<u8>() {
            Ok(n @ 1..=8) => n - 1,
            _ => match patch.track_names().find(name) {
                Some(i) => i,
                None => {
                    return refuse(format!(
                        "track {name}: no track has that name yet (name one with `track {name}`)"
                    ))
                }
            },
        };
        let wanted = match rest {
            ["off"] | ["out", "off"] => {
                out.tap.route(usize::from(index), None, true);
                return Some(ExtensionReply::Done(vec![format!(
                    "track {name}: MIDI out off, its own voice plays"
                )]));
            }
            ["out"] => Ok((1, false)),
            ["out", "also"] => Ok((1, true)),
            ["out", "channel", n] => channel_number(n).map(|c| (c, false)),
            ["out", "channel", n, "also"] | ["out", "also", "channel", n] => {
                channel_number(n).map(|c| (c, true))
            }
            _ => Err(format!(
                "track {name} midi: say `midi out channel 2`, `midi out channel 2 also` or `midi off`"
            )),
        };
        let (channel, also) = match wanted {
            Ok(w) => w,
            Err(e) => return refuse(e),
        };
        out.tap.route(usize::from(index), Some(channel), also);
        Some(ExtensionReply::Done(vec![format!(
            "track {name}: notes out on MIDI channel {channel} to {}{}",
            out.spec,
            if also {
                ", and its own voice plays too"
            } else {
                " instead of its own voice"
            }
        )]))
    }

    fn map(&mut self, rest: &[&str], vocab: &Vocabulary) -> Option<ExtensionReply> {
        let rest = match rest {
            ["cc", rest @ ..] => rest,
            rest => rest,
        };
        let Some((n, param)) = rest.split_first() else {
            return Some(ExtensionReply::Refused(
                "map: say which controller and what it moves, e.g. map cc 74 to cutoff".into(),
            ));
        };
        let param = match param {
            ["to", p @ ..] => p,
            p => p,
        };
        let cc = match cc_number(n) {
            Ok(cc) => cc,
            Err(e) => return Some(ExtensionReply::Refused(format!("map: {e}"))),
        };
        let param = match param_named(param, vocab) {
            Ok(p) => p,
            Err(e) => return Some(ExtensionReply::Refused(format!("map cc {cc}: {e}"))),
        };
        let before = self.hub.translator().mappings.map(cc, param);
        let mut line = format!("cc {cc} → {} ({})", param.name(), curve_word(param));
        if let Some(old) = before.filter(|&old| old != param) {
            line.push_str(&format!("; it moved {} before", old.name()));
        }
        Some(ExtensionReply::Done(vec![line]))
    }

    fn save_mappings(&self, name: &str) -> Option<String> {
        let store = crate::lang::patch_store();
        let path = store.dir().join(format!("{name}.midi.toml"));
        let mappings = self.hub.translator().mappings.clone();
        if mappings.is_empty() {
            let _ = std::fs::remove_file(&path);
            return None;
        }
        Some(match std::fs::write(&path, mappings.to_toml()) {
            Ok(()) => format!(
                "saved {} MIDI mapping(s) with it ({})",
                mappings.iter().count(),
                path.display()
            ),
            Err(e) => format!("error: MIDI mappings not saved to {}: {e}", path.display()),
        })
    }

    fn load_mappings(&self, name: &str) -> Option<String> {
        let path = crate::lang::patch_store()
            .dir()
            .join(format!("{name}.midi.toml"));
        let text = std::fs::read_to_string(&path).ok()?;
        Some(match super::mapping::CcMappings::from_toml(&text) {
            Ok(m) => {
                let n = m.iter().count();
                self.hub.translator().mappings = m;
                format!("loaded {n} MIDI mapping(s) from {}", path.display())
            }
            Err(e) => format!("error: {}: {e} (mappings unchanged)", path.display()),
        })
    }
}

impl PhraseExtension for MidiPhrases {
    fn intercept(
        &mut self,
        line: &str,
        patch: &PatchState,
        vocab: &Vocabulary,
    ) -> Option<ExtensionReply> {
        let lower = line.trim().to_lowercase();
        let words: Vec<&str> = lower.split_whitespace().collect();
        self.loading = None;
        if let Some(first) = words.first() {
            if vocab.lookup(first) == Some(&WordClass::Verb(Verb::Load)) {
                self.loading = words
                    .last()
                    .filter(|w| **w != "patch")
                    .map(|w| w.to_string());
                return None;
            }
        }
        self.perform(&words, patch, vocab)
    }

    fn status_lines(&self, patch: &PatchState) -> Vec<String> {
        let c = self.hub.translator().counts();
        vec![format!(
            "notes_held={} midi_in={} midi_notes={} midi_malformed={} midi_sysex_skipped={} midi_filtered={} midi_unmapped_cc={}",
            patch.held().iter().count(),
            c.messages, c.notes, c.malformed, c.sysex_skipped, c.filtered, c.unmapped_cc
        )]
        .into_iter()
        .chain(std::iter::once(if self.follow.following.load(Relaxed) {
            let tenths = self.follow.tempo_tenths.load(Relaxed);
            format!(
                "clock_source=midi clock_tempo={}",
                if tenths == 0 {
                    "none".to_string()
                } else {
                    format!("{:.1}", f64::from(tenths) / 10.0)
                }
            )
        } else {
            "clock_source=internal".to_string()
        }))
        .chain(self.out.as_ref().map(|o| {
            let n = &o.switches.counts;
            format!(
                "midi_out_notes={} midi_clocks_out={} midi_out_errors={} midi_out_max_late_us={} midi_out_dropped={}",
                n.notes.load(Relaxed),
                n.clocks.load(Relaxed),
                n.errors.load(Relaxed),
                n.max_late_us.load(Relaxed),
                o.tap.dropped()
            )
        }))
        .collect()
    }

    fn after_line(&mut self, report: &mut LineReport) {
        if !report.accepted() {
            return;
        }
        let saved: Vec<String> = report
            .actions
            .iter()
            .filter_map(|a| match a {
                Action::Meta(Meta::SavePatch { name }) => Some(name.clone()),
                _ => None,
            })
            .collect();
        for name in saved {
            report.replies.extend(self.save_mappings(&name));
        }
        if let Some(name) = self.loading.take() {
            report.replies.extend(self.load_mappings(&name));
        }
    }
}

/// What `link on` says in a build without Ableton Link.
pub const LINK_MISSING: &str = "Ableton Link is not in this build of chronus: build it with `cargo build --release --features link` (needs cmake, g++ and libclang-dev; Link is GPL-2.0-or-later, so that binary is too). Meanwhile MIDI clock shares a tempo: `clock out` here, `clock follow midi` there";

const NO_OUT: &str =
    "no MIDI out: start chronus with --midi-out PATH|PORT (a FIFO, a device node, or part of a port name)";

/// Who reads the engine's timeline for MIDI out and where it sends.
#[derive(Clone, Debug)]
pub struct MidiOutHandle {
    /// The tap the engines write.
    pub tap: Arc<crate::engine::note_tap::NoteTap>,
    /// The running sender's switches and counts.
    pub switches: Arc<super::out::MidiOutSwitches>,
    /// What it sends to.
    pub spec: String,
}

fn channel_number(word: &str) -> Result<u8, String> {
    match word.parse::<u8>() {
        Ok(c @ 1..=16) => Ok(c),
        _ => Err(format!("midi channel {word}: channels go from 1 to 16")),
    }
}

fn list_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

fn curve_word(p: ParamId) -> &'static str {
    match p.spec().scale {
        crate::engine::params::Scale::Log => "log curve",
        crate::engine::params::Scale::Linear => "linear",
        crate::engine::params::Scale::Discrete => "steps",
    }
}

/// A controller number 0..=127.
fn cc_number(word: &str) -> Result<u8, String> {
    match word.parse::<u32>() {
        Ok(n) if n <= MAX_CC => Ok(n as u8),
        Ok(n) => Err(format!("cc {n}: controller numbers go from 0 to 127")),
        Err(_) => Err(format!("\"{word}\" is not a controller number (0 to 127)")),
    }
}

/// The parameter named by `words`: a canonical name (`filter.cutoff`), a parameter word
/// (`cutoff`), a module and a parameter word (`filter q`), or a module (`filter`).
fn param_named(words: &[&str], vocab: &Vocabulary) -> Result<ParamId, String> {
    let words: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| vocab.lookup(w) != Some(&WordClass::Filler))
        .collect();
    let joined = words.join(" ");
    if let Some(p) = ParamId::from_name(&joined) {
        return Ok(p);
    }
    match (words.as_slice(), vocab.lookup(&joined)) {
        (_, Some(WordClass::Param(p))) => return Ok(*p),
        (_, Some(WordClass::Module(m))) => {
            if let Some(p) = vocab.module_default(m) {
                return Ok(p);
            }
        }
        ([module, param], _) => {
            if let Some(WordClass::Module(m)) = vocab.lookup(module) {
                if let Some(p) = vocab.param_in_module(m, param) {
                    return Ok(p);
                }
            }
        }
        _ => {}
    }
    if joined.is_empty() {
        return Err("which parameter? e.g. cutoff, resonance, filter.cutoff".into());
    }
    let names: Vec<&str> = ParamId::ALL.iter().map(|p| p.name()).collect();
    let hint = crate::lang::vocab::closest(&joined, names.iter().copied())
        .map(|s| format!("; did you mean {s}?"))
        .unwrap_or_default();
    Err(format!("\"{joined}\" is not a parameter{hint}"))
}
