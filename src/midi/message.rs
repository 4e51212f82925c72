//! One MIDI message as chronus understands it: channel voice messages, the system real-time
//! messages of MIDI clock, and song position. Small and `Copy`; pure data, any thread.

/// A MIDI message. Channels are 0..=15 here (shown to people as 1..=16).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MidiMessage {
    /// A key went down (a note-on with velocity 0 is read as [`MidiMessage::NoteOff`]).
    NoteOn {
        /// Channel 0..=15.
        channel: u8,
        /// Note number 0..=127.
        note: u8,
        /// Velocity 1..=127.
        velocity: u8,
    },
    /// A key went up.
    NoteOff {
        /// Channel 0..=15.
        channel: u8,
        /// Note number 0..=127.
        note: u8,
    },
    /// A controller moved (knob, fader, pedal).
    ControlChange {
        /// Channel 0..=15.
        channel: u8,
        /// Controller number 0..=127.
        controller: u8,
        /// Value 0..=127.
        value: u8,
    },
    /// The pitch wheel moved: 0..=16383, 8192 is the centre.
    PitchBend {
        /// Channel 0..=15.
        channel: u8,
        /// 14-bit wheel position.
        value: u16,
    },
    /// Any other channel message (program change, aftertouch): read and ignored.
    OtherChannel {
        /// Channel 0..=15.
        channel: u8,
    },
    /// MIDI clock: 24 per quarter note.
    Clock,
    /// Start from the top.
    Start,
    /// Continue from the current song position.
    Continue,
    /// Stop.
    Stop,
    /// Song position in sixteenth notes since the start.
    SongPosition {
        /// 14-bit count of MIDI beats (sixteenths).
        sixteenths: u16,
    },
}

/// Controller numbers with a fixed meaning.
pub mod cc {
    /// Modulation wheel.
    pub const MOD_WHEEL: u8 = 1;
    /// Sustain (damper) pedal: 64 and above is down.
    pub const SUSTAIN: u8 = 64;
    /// All sound off.
    pub const ALL_SOUND_OFF: u8 = 120;
    /// All notes off.
    pub const ALL_NOTES_OFF: u8 = 123;
}

impl MidiMessage {
    /// The message as bytes on the wire (full status, no running status); the number of
    /// bytes used is returned with them. `OtherChannel` has no bytes of its own (0).
    pub fn to_bytes(self) -> ([u8; 3], usize) {
        match self {
            MidiMessage::NoteOn {
                channel,
                note,
                velocity,
            } => ([0x90 | (channel & 15), note & 127, velocity & 127], 3),
            MidiMessage::NoteOff { channel, note } => ([0x80 | (channel & 15), note & 127, 0], 3),
            MidiMessage::ControlChange {
                channel,
                controller,
                value,
            } => ([0xB0 | (channel & 15), controller & 127, value & 127], 3),
            MidiMessage::PitchBend { channel, value } => (
                [
                    0xE0 | (channel & 15),
                    (value & 127) as u8,
                    ((value >> 7) & 127) as u8,
                ],
                3,
            ),
            MidiMessage::OtherChannel { .. } => ([0; 3], 0),
            MidiMessage::Clock => ([0xF8, 0, 0], 1),
            MidiMessage::Start => ([0xFA, 0, 0], 1),
            MidiMessage::Continue => ([0xFB, 0, 0], 1),
            MidiMessage::Stop => ([0xFC, 0, 0], 1),
            MidiMessage::SongPosition { sixteenths } => (
                [
                    0xF2,
                    (sixteenths & 127) as u8,
                    ((sixteenths >> 7) & 127) as u8,
                ],
                3,
            ),
        }
    }

    /// The channel of a channel message.
    pub fn channel(self) -> Option<u8> {
        match self {
            MidiMessage::NoteOn { channel, .. }
            | MidiMessage::NoteOff { channel, .. }
            | MidiMessage::ControlChange { channel, .. }
            | MidiMessage::PitchBend { channel, .. }
            | MidiMessage::OtherChannel { channel } => Some(channel),
            _ => None,
        }
    }
}
