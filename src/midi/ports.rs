//! MIDI ports through midir (the ALSA sequencer on Linux, CoreMIDI, WinMM): listing, and
//! connecting inputs by a piece of their name (or `all`). Where there is no sequencer (no
//! `/dev/snd/seq`, e.g. in a container) every call says so instead of failing hard.

use super::input::MidiInHub;
use super::parser::MidiParser;
use std::sync::Arc;

/// A connected input port; dropping it disconnects.
pub struct PortConnection {
    /// The port's name.
    pub name: String,
    _connection: midir::MidiInputConnection<()>,
}

impl std::fmt::Debug for PortConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PortConnection")
            .field("name", &self.name)
            .finish()
    }
}

/// Why ports could not be listed or connected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PortError {
    /// No MIDI system to talk to.
    #[error(
        "no MIDI ports on this machine ({0}); a raw stream still works: --midi-in /path/to/fifo"
    )]
    NoMidiSystem(String),
    /// No input port's name contains the text.
    #[error("no MIDI input port matches \"{wanted}\"; ports: {available}")]
    NoSuchPort {
        /// What was asked for.
        wanted: String,
        /// The ports there are, comma-separated (or "none").
        available: String,
    },
    /// The port was there but would not connect.
    #[error("could not connect to MIDI port {port}: {reason}")]
    Connect {
        /// The port.
        port: String,
        /// What midir said.
        reason: String,
    },
}

fn new_input() -> Result<midir::MidiInput, PortError> {
    if cfg!(target_os = "linux") && !std::path::Path::new("/dev/snd/seq").exists() {
        return Err(PortError::NoMidiSystem(
            "no ALSA sequencer at /dev/snd/seq".into(),
        ));
    }
    midir::MidiInput::new("chronus").map_err(|e| PortError::NoMidiSystem(e.to_string()))
}

/// The names of the input and output ports.
pub fn list_ports() -> Result<(Vec<String>, Vec<String>), PortError> {
    let input = new_input()?;
    let ins = input
        .ports()
        .iter()
        .filter_map(|p| input.port_name(p).ok())
        .collect();
    let outs = match midir::MidiOutput::new("chronus") {
        Ok(out) => out
            .ports()
            .iter()
            .filter_map(|p| out.port_name(p).ok())
            .collect(),
        Err(_) => Vec::new(),
    };
    Ok((ins, outs))
}

/// Connects every input port whose name contains `wanted` (case-insensitive; `all` connects
/// every port), feeding the hub.
pub fn connect_inputs(
    hub: &Arc<MidiInHub>,
    wanted: &str,
) -> Result<Vec<PortConnection>, PortError> {
    let probe = new_input()?;
    let want = wanted.to_lowercase();
    let matching: Vec<(midir::MidiInputPort, String)> = probe
        .ports()
        .into_iter()
        .filter_map(|p| probe.port_name(&p).ok().map(|n| (p, n)))
        .filter(|(_, n)| want == "all" || n.to_lowercase().contains(&want))
        .collect();
    if matching.is_empty() {
        let (ins, _) = list_ports()?;
        return Err(PortError::NoSuchPort {
            wanted: wanted.to_string(),
            available: if ins.is_empty() {
                "none".into()
            } else {
                ins.join(", ")
            },
        });
    }
    let mut out = Vec::new();
    for (port, name) in matching {
        let input = new_input()?;
        let feed = hub.clone();
        let mut parser = MidiParser::new();
        let connection = input
            .connect(
                &port,
                "chronus-in",
                move |_stamp, bytes, _| {
                    feed.take_bytes(&mut parser, bytes);
                },
                (),
            )
            .map_err(|e| PortError::Connect {
                port: name.clone(),
                reason: e.to_string(),
            })?;
        out.push(PortConnection {
            name,
            _connection: connection,
        });
    }
    Ok(out)
}
