//! The MIDI command-line options and `chronus midi`: wiring only (the work is in
//! `chronus::midi`).

use anyhow::Result;
use chronus::control::extension::PhraseExtension;
use chronus::control::inbox::InboxSender;
use chronus::midi::{MidiInHub, MidiPhrases};

/// MIDI options.
#[derive(clap::Args, Debug, Clone)]
pub struct MidiArgs {
    /// Play chronus from MIDI: part of a port name, `all` ports, or a path to a raw MIDI byte
    /// stream (a FIFO, or a device node such as /dev/snd/midiC1D0). May be repeated.
    #[arg(long = "midi-in", global = true, value_name = "NAME|all|PATH")]
    pub inputs: Vec<String>,
}

/// What the MIDI options started.
pub struct MidiStarted {
    /// The MIDI phrases, for the performer.
    pub extensions: Vec<Box<dyn PhraseExtension>>,
    /// Inputs that could not be opened (chronus plays on without them).
    pub notices: Vec<String>,
}

impl MidiArgs {
    /// Opens the inputs, feeding `lines`; says in `info` what plays chronus.
    pub fn start(&self, lines: &InboxSender, info: &mut Vec<String>) -> MidiStarted {
        let mut phrases = MidiPhrases::new(MidiInHub::new(lines.clone()));
        let mut notices = Vec::new();
        for spec in &self.inputs {
            match phrases.open_input(spec) {
                Ok(line) => info.push(line),
                Err(e) => notices.push(e),
            }
        }
        MidiStarted {
            extensions: vec![Box::new(phrases)],
            notices,
        }
    }
}

/// `chronus midi`: the ports, or why there are none.
pub fn list_ports() -> Result<()> {
    match chronus::midi::ports::list_ports() {
        Ok((ins, outs)) => {
            println!("MIDI inputs:");
            for n in &ins {
                println!("  {n}");
            }
            println!("MIDI outputs:");
            for n in &outs {
                println!("  {n}");
            }
            if ins.is_empty() && outs.is_empty() {
                println!("  (none)");
            }
        }
        Err(e) => println!("{e}"),
    }
    Ok(())
}
