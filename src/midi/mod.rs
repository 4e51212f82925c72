//! Playing with other gear: MIDI in (raw byte streams and midir ports), CC mappings with
//! MIDI learn, and the MIDI phrases.
//!
//! Data flow: bytes (a FIFO or raw device node read by `chronus-midi-in`, or a midir port
//! callback) → [`parser::MidiParser`] → [`translate::MidiTranslator`] → phrases such as
//! `note on 60 velocity 0.787` → the control inbox as `LineSource::Midi` lines → performed
//! and recorded like typed lines. Nothing here touches the audio path.

pub mod clock_in;
pub mod input;
pub mod mapping;
pub mod message;
pub mod out;
pub mod parser;
pub mod phrases;
pub mod ports;
pub mod translate;

pub use input::MidiInHub;
pub use message::MidiMessage;
pub use parser::MidiParser;
pub use phrases::MidiPhrases;
pub use translate::MidiTranslator;
