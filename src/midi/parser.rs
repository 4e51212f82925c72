//! A live MIDI byte-stream parser: bytes from a raw device node, a FIFO or a port go in one at
//! a time, whole messages come out.
//!
//! Handles running status, real-time bytes (clock, start, stop) in the middle of a message,
//! skips system exclusive and the system common messages chronus does not use, and counts
//! bytes it cannot place (a data byte with no status, a message cut short by a new status)
//! instead of failing. Pure, allocation-free; runs on the MIDI input thread.

use super::message::MidiMessage;

/// What the parser has seen besides whole messages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ParseCounts {
    /// Whole messages produced.
    pub messages: u64,
    /// Bytes that could not be placed (data without status, truncated messages, undefined
    /// status bytes).
    pub malformed: u64,
    /// System exclusive messages skipped.
    pub sysex_skipped: u64,
}

/// The state between bytes.
#[derive(Clone, Debug, Default)]
pub struct MidiParser {
    /// The running status (a channel status byte), or 0x00 when none.
    status: u8,
    /// Data bytes gathered for `status`.
    data: [u8; 2],
    /// How many of `data` are filled.
    filled: usize,
    /// Inside a system exclusive message.
    in_sysex: bool,
    /// A system common message (song position, song select, quarter frame) being read: its
    /// status, or 0.
    common: u8,
    counts: ParseCounts,
}

/// Data bytes a status needs (channel messages and the system common ones).
fn data_len(status: u8) -> usize {
    match status & 0xF0 {
        0xC0 | 0xD0 => 1,
        0x80 | 0x90 | 0xA0 | 0xB0 | 0xE0 => 2,
        _ => match status {
            0xF1 | 0xF3 => 1,
            0xF2 => 2,
            _ => 0,
        },
    }
}

impl MidiParser {
    /// A parser with no running status.
    pub fn new() -> Self {
        Self::default()
    }

    /// What has been counted so far.
    pub fn counts(&self) -> ParseCounts {
        self.counts
    }

    /// Feeds every byte of `bytes`, calling `on_message` for each whole message.
    pub fn feed(&mut self, bytes: &[u8], mut on_message: impl FnMut(MidiMessage)) {
        for &b in bytes {
            if let Some(m) = self.push(b) {
                on_message(m);
            }
        }
    }

    /// Feeds one byte; a whole message when this byte completes one.
    pub fn push(&mut self, byte: u8) -> Option<MidiMessage> {
        let out = self.step(byte);
        if out.is_some() {
            self.counts.messages += 1;
        }
        out
    }

    fn step(&mut self, byte: u8) -> Option<MidiMessage> {
        if byte >= 0xF8 {
            // Real-time bytes may appear anywhere, even inside other messages.
            return match byte {
                0xF8 => Some(MidiMessage::Clock),
                0xFA => Some(MidiMessage::Start),
                0xFB => Some(MidiMessage::Continue),
                0xFC => Some(MidiMessage::Stop),
                0xF9 | 0xFD => {
                    self.counts.malformed += 1;
                    None
                }
                _ => None, // active sensing, reset: nothing to do
            };
        }
        if byte >= 0x80 {
            return self.status_byte(byte);
        }
        // A data byte.
        if self.in_sysex {
            return None;
        }
        if self.common != 0 {
            self.data[self.filled] = byte;
            self.filled += 1;
            if self.filled < data_len(self.common) {
                return None;
            }
            let status = std::mem::take(&mut self.common);
            self.filled = 0;
            return (status == 0xF2).then(|| MidiMessage::SongPosition {
                sixteenths: u16::from(self.data[0]) | (u16::from(self.data[1]) << 7),
            });
        }
        if self.status == 0 {
            self.counts.malformed += 1;
            return None;
        }
        self.data[self.filled] = byte;
        self.filled += 1;
        if self.filled < data_len(self.status) {
            return None;
        }
        self.filled = 0; // running status: the next data byte starts a new message
        Some(channel_message(self.status, self.data))
    }

    fn status_byte(&mut self, byte: u8) -> Option<MidiMessage> {
        if self.filled > 0 {
            // The previous message was cut short.
            self.counts.malformed += self.filled as u64;
            self.filled = 0;
        }
        if self.in_sysex {
            self.in_sysex = false;
            self.counts.sysex_skipped += 1;
            if byte == 0xF7 {
                return None;
            }
        }
        self.common = 0;
        match byte {
            0xF0 => {
                self.in_sysex = true;
                self.status = 0;
            }
            0xF7 => {
                // An end of exclusive with no start.
                self.counts.malformed += 1;
            }
            0xF1..=0xF3 => {
                self.common = byte;
                self.status = 0;
            }
            0xF6 => self.status = 0, // tune request: no data
            0xF4 | 0xF5 => {
                self.counts.malformed += 1;
                self.status = 0;
            }
            _ => self.status = byte,
        }
        None
    }
}

fn channel_message(status: u8, data: [u8; 2]) -> MidiMessage {
    let channel = status & 0x0F;
    match status & 0xF0 {
        0x90 if data[1] > 0 => MidiMessage::NoteOn {
            channel,
            note: data[0],
            velocity: data[1],
        },
        0x80 | 0x90 => MidiMessage::NoteOff {
            channel,
            note: data[0],
        },
        0xB0 => MidiMessage::ControlChange {
            channel,
            controller: data[0],
            value: data[1],
        },
        0xE0 => MidiMessage::PitchBend {
            channel,
            value: u16::from(data[0]) | (u16::from(data[1]) << 7),
        },
        _ => MidiMessage::OtherChannel { channel },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(bytes: &[u8]) -> (Vec<MidiMessage>, ParseCounts) {
        let mut p = MidiParser::new();
        let mut out = Vec::new();
        p.feed(bytes, |m| out.push(m));
        (out, p.counts())
    }

    fn on(note: u8, velocity: u8) -> MidiMessage {
        MidiMessage::NoteOn {
            channel: 0,
            note,
            velocity,
        }
    }

    #[test]
    fn running_status_reads_several_notes_after_one_status_byte() {
        let (msgs, counts) = parse(&[0x90, 60, 100, 64, 90, 60, 0]);
        assert_eq!(
            msgs,
            [
                on(60, 100),
                on(64, 90),
                MidiMessage::NoteOff {
                    channel: 0,
                    note: 60
                }
            ]
        );
        assert_eq!(counts.malformed, 0);
        assert_eq!(counts.messages, 3);
    }

    #[test]
    fn clock_bytes_inside_a_message_do_not_break_it() {
        let (msgs, _) = parse(&[0x91, 0xF8, 62, 0xF8, 80]);
        assert_eq!(
            msgs,
            [
                MidiMessage::Clock,
                MidiMessage::Clock,
                MidiMessage::NoteOn {
                    channel: 1,
                    note: 62,
                    velocity: 80
                }
            ]
        );
    }

    #[test]
    fn sysex_is_skipped_and_counted() {
        let (msgs, counts) = parse(&[0xF0, 0x7E, 1, 2, 3, 0xF7, 0x90, 60, 1]);
        assert_eq!(msgs, [on(60, 1)]);
        assert_eq!(counts.sysex_skipped, 1);
        assert_eq!(counts.malformed, 0);
    }

    #[test]
    fn garbage_and_truncated_messages_are_counted_and_the_stream_recovers() {
        // Two data bytes with no status, a note-on cut short by a CC, an undefined status.
        let (msgs, counts) = parse(&[5, 6, 0x90, 60, 0xB0, 74, 127, 0xF4, 0x90, 61, 99]);
        assert_eq!(
            msgs,
            [
                MidiMessage::ControlChange {
                    channel: 0,
                    controller: 74,
                    value: 127
                },
                on(61, 99)
            ]
        );
        assert_eq!(counts.malformed, 4);
    }

    #[test]
    fn pitch_bend_and_song_position_are_fourteen_bits() {
        let (msgs, _) = parse(&[0xE3, 0x7F, 0x7F, 0xF2, 0x10, 0x01]);
        assert_eq!(
            msgs,
            [
                MidiMessage::PitchBend {
                    channel: 3,
                    value: 16383
                },
                MidiMessage::SongPosition { sixteenths: 144 }
            ]
        );
    }

    #[test]
    fn messages_written_out_read_back_the_same() {
        let sent = [
            on(36, 127),
            MidiMessage::NoteOff {
                channel: 9,
                note: 36,
            },
            MidiMessage::ControlChange {
                channel: 2,
                controller: 64,
                value: 0,
            },
            MidiMessage::PitchBend {
                channel: 0,
                value: 8192,
            },
            MidiMessage::Start,
            MidiMessage::SongPosition { sixteenths: 1000 },
        ];
        let mut bytes = Vec::new();
        for m in sent {
            let (b, n) = m.to_bytes();
            bytes.extend_from_slice(&b[..n]);
        }
        assert_eq!(parse(&bytes).0, sent);
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_parse_without_panicking(bytes in proptest::collection::vec(0u8..=255, 0..512)) {
            let (msgs, counts) = parse(&bytes);
            proptest::prop_assert_eq!(msgs.len() as u64, counts.messages);
        }
    }
}
