//! Turns MIDI messages into phrases, the same lines a person could type: a key becomes
//! `note on 60 velocity 0.787`, a mapped knob `filter.cutoff 632.5`, the pitch wheel
//! `osc.detune -100`, the mod wheel `chorus.depth 0.5`, all-notes-off `release all`. The
//! lines go through the inbox like OSC lines, so they are shown, performed and recorded in
//! sessions exactly as if typed (a render of the session reproduces them).
//!
//! Holds the input settings: channel filter, bend range, sustain pedal, CC mappings and MIDI
//! learn. Shared between the MIDI input threads and the control thread behind one mutex
//! (never on the audio path).

use super::mapping::{cc_to_value, CcMappings};
use super::message::{cc, MidiMessage};
use super::parser::ParseCounts;
use crate::engine::params::{format_decimal, ParamId};

/// Counts shown by `midi` and `status`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MidiInCounts {
    /// Whole messages read.
    pub messages: u64,
    /// Bytes that could not be placed.
    pub malformed: u64,
    /// System exclusive messages skipped.
    pub sysex_skipped: u64,
    /// Note-ons played.
    pub notes: u64,
    /// Messages on other channels than `midi channel N`.
    pub filtered: u64,
    /// Controller moves with no mapping.
    pub unmapped_cc: u64,
}

/// The MIDI input settings and the translation into phrases.
#[derive(Clone, Debug)]
pub struct MidiTranslator {
    /// Only this channel (0..=15) plays; `None`: every channel.
    pub channel: Option<u8>,
    /// Pitch wheel range in semitones each way.
    pub bend_semitones: f32,
    /// Controller number → parameter.
    pub mappings: CcMappings,
    /// `midi learn PARAM`: the next moved controller is mapped to it.
    pub learning: Option<ParamId>,
    sustain_down: bool,
    /// Notes released while the pedal was down, released when it comes up.
    sustained: [bool; 128],
    counts: MidiInCounts,
}

impl Default for MidiTranslator {
    fn default() -> Self {
        MidiTranslator {
            channel: None,
            bend_semitones: 2.0,
            mappings: CcMappings::new(),
            learning: None,
            sustain_down: false,
            sustained: [false; 128],
            counts: MidiInCounts::default(),
        }
    }
}

impl MidiTranslator {
    /// Every channel, bend ±2 semitones, no mappings.
    pub fn new() -> Self {
        Self::default()
    }

    /// The counts so far.
    pub fn counts(&self) -> MidiInCounts {
        self.counts
    }

    /// Adds what a byte parser counted since its last report.
    pub fn add_parse_counts(&mut self, delta: ParseCounts) {
        self.counts.messages += delta.messages;
        self.counts.malformed += delta.malformed;
        self.counts.sysex_skipped += delta.sysex_skipped;
    }

    /// The phrases `message` means (often one, none for a filtered or ignored message).
    pub fn translate(&mut self, message: MidiMessage) -> Vec<String> {
        if let (Some(want), Some(got)) = (self.channel, message.channel()) {
            if want != got {
                self.counts.filtered += 1;
                return Vec::new();
            }
        }
        match message {
            MidiMessage::NoteOn { note, velocity, .. } => {
                self.counts.notes += 1;
                self.sustained[usize::from(note & 127)] = false;
                vec![format!(
                    "note on {note} velocity {}",
                    format_decimal(f32::from(velocity) / 127.0)
                )]
            }
            MidiMessage::NoteOff { note, .. } => {
                if self.sustain_down {
                    self.sustained[usize::from(note & 127)] = true;
                    Vec::new()
                } else {
                    vec![format!("note off {note}")]
                }
            }
            MidiMessage::ControlChange {
                controller, value, ..
            } => self.control_change(controller, value),
            MidiMessage::PitchBend { value, .. } => {
                let amount = (f32::from(value) - 8192.0) / 8192.0;
                let cents = (amount * self.bend_semitones * 100.0).round();
                vec![format!("osc.detune {}", format_decimal(cents))]
            }
            _ => Vec::new(),
        }
    }

    fn control_change(&mut self, controller: u8, value: u8) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(param) = self.learning.take() {
            self.mappings.map(controller, param);
            lines.push(format!("map cc {controller} to {}", param.name()));
        }
        if let Some(param) = self.mappings.get(controller) {
            let v = cc_to_value(param, value);
            lines.push(format!("{} {}", param.name(), format_decimal(v)));
            return lines;
        }
        match controller {
            cc::SUSTAIN => {
                let down = value >= 64;
                if self.sustain_down && !down {
                    for (note, held) in self.sustained.iter_mut().enumerate() {
                        if std::mem::take(held) {
                            lines.push(format!("note off {note}"));
                        }
                    }
                }
                self.sustain_down = down;
            }
            cc::ALL_NOTES_OFF | cc::ALL_SOUND_OFF => {
                self.sustained = [false; 128];
                lines.push("release all".to_string());
            }
            cc::MOD_WHEEL => lines.push(format!(
                "chorus.depth {}",
                format_decimal(cc_to_value(ParamId::ChorusDepth, value))
            )),
            _ => self.counts.unmapped_cc += 1,
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note_on(note: u8, velocity: u8) -> MidiMessage {
        MidiMessage::NoteOn {
            channel: 0,
            note,
            velocity,
        }
    }
    fn note_off(note: u8) -> MidiMessage {
        MidiMessage::NoteOff { channel: 0, note }
    }
    fn cc(controller: u8, value: u8) -> MidiMessage {
        MidiMessage::ControlChange {
            channel: 0,
            controller,
            value,
        }
    }

    #[test]
    fn keys_become_note_phrases_with_velocity() {
        let mut t = MidiTranslator::new();
        assert_eq!(t.translate(note_on(60, 127)), ["note on 60 velocity 1"]);
        assert_eq!(t.translate(note_off(60)), ["note off 60"]);
        assert_eq!(t.counts().notes, 1);
    }

    #[test]
    fn the_sustain_pedal_holds_released_notes_until_it_comes_up() {
        let mut t = MidiTranslator::new();
        t.translate(note_on(60, 100));
        t.translate(note_on(64, 100));
        assert!(t.translate(cc(64, 127)).is_empty());
        assert!(t.translate(note_off(60)).is_empty());
        assert!(t.translate(note_off(64)).is_empty());
        // 64 is struck again while held by the pedal: it keeps sounding after the pedal.
        t.translate(note_on(64, 90));
        assert_eq!(t.translate(cc(64, 0)), ["note off 60"]);
        assert_eq!(t.translate(note_off(64)), ["note off 64"]);
    }

    #[test]
    fn a_mapped_knob_moves_its_parameter_along_its_curve() {
        let mut t = MidiTranslator::new();
        assert_eq!(t.translate(cc(74, 127)), Vec::<String>::new());
        assert_eq!(t.counts().unmapped_cc, 1);
        t.mappings.map(74, ParamId::FilterCutoff);
        assert_eq!(t.translate(cc(74, 0)), ["filter.cutoff 20"]);
    }

    #[test]
    fn learn_maps_the_next_moved_controller() {
        let mut t = MidiTranslator::new();
        t.learning = Some(ParamId::FilterRes);
        assert_eq!(
            t.translate(cc(21, 127)),
            ["map cc 21 to filter.res", "filter.res 1"]
        );
        assert_eq!(t.learning, None);
        assert_eq!(t.mappings.get(21), Some(ParamId::FilterRes));
    }

    #[test]
    fn the_channel_filter_drops_other_channels_and_counts_them() {
        let mut t = MidiTranslator {
            channel: Some(1),
            ..MidiTranslator::new()
        };
        assert!(t.translate(note_on(60, 100)).is_empty());
        assert_eq!(t.counts().filtered, 1);
        let on_2 = MidiMessage::NoteOn {
            channel: 1,
            note: 62,
            velocity: 64,
        };
        assert_eq!(t.translate(on_2).len(), 1);
    }

    #[test]
    fn the_pitch_wheel_detunes_within_the_bend_range_and_all_notes_off_releases() {
        let mut t = MidiTranslator::new();
        let bend = |value| MidiMessage::PitchBend { channel: 0, value };
        assert_eq!(t.translate(bend(0)), ["osc.detune -200"]);
        assert_eq!(t.translate(bend(8192)), ["osc.detune 0"]);
        t.bend_semitones = 12.0;
        assert_eq!(t.translate(bend(16383)), ["osc.detune 1200"]);
        assert_eq!(t.translate(cc(123, 0)), ["release all"]);
    }
}
