//! The MIDI command-line options and `chronus midi`: wiring only (the work is in
//! `chronus::midi`).

use anyhow::Result;
use chronus::control::extension::PhraseExtension;
use chronus::control::inbox::InboxSender;
use chronus::engine::note_tap::{NoteTap, SharedNoteTap};
use chronus::midi::out::spawn_midi_out;
use chronus::midi::phrases::MidiOutHandle;
use chronus::midi::{MidiInHub, MidiPhrases};
use chronus::rt::AudioConfig;
use std::sync::Arc;
use std::time::Duration;

/// MIDI options.
#[derive(clap::Args, Debug, Clone)]
pub struct MidiArgs {
    /// Play chronus from MIDI: part of a port name, `all` ports, or a path to a raw MIDI byte
    /// stream (a FIFO, or a device node such as /dev/snd/midiC1D0). May be repeated.
    #[arg(long = "midi-in", global = true, value_name = "NAME|all|PATH")]
    pub inputs: Vec<String>,
    /// Send the notes of tracks routed with `track NAME midi out channel N` (and MIDI clock
    /// with `clock out`) to part of a port name or a path (a FIFO, a device node, a file).
    #[arg(long = "midi-out", global = true, value_name = "NAME|PATH")]
    pub midi_out: Option<String>,
    /// Join an Ableton Link session (shared tempo and bar phase with other apps and machines).
    #[arg(long, global = true)]
    pub link: bool,
}

/// What the MIDI options started.
pub struct MidiStarted {
    /// The MIDI phrases, for the performer.
    pub extensions: Vec<Box<dyn PhraseExtension>>,
    /// Inputs that could not be opened (chronus plays on without them).
    pub notices: Vec<String>,
}

impl MidiArgs {
    /// `config` with a note tap attached when `--midi-out` is given (the engines write the
    /// tap; MIDI out reads it).
    pub fn with_note_tap(&self, mut config: AudioConfig) -> (AudioConfig, Option<Arc<NoteTap>>) {
        if self.midi_out.is_none() {
            return (config, None);
        }
        let tap = Arc::new(NoteTap::new(config.sample_rate));
        config.note_tap = Some(SharedNoteTap(tap.clone()));
        (config, Some(tap))
    }

    /// Opens the inputs, feeding `lines`, and MIDI out on `tap`; says in `info` what plays
    /// chronus and where its notes go.
    pub fn start(
        &self,
        lines: &InboxSender,
        info: &mut Vec<String>,
        tap: Option<Arc<NoteTap>>,
        audio: &AudioConfig,
    ) -> MidiStarted {
        let mut phrases = MidiPhrases::new(MidiInHub::new(lines.clone()));
        let mut notices = Vec::new();
        let mut extensions: Vec<Box<dyn PhraseExtension>> = Vec::new();
        #[cfg(feature = "link")]
        {
            let frames = audio.target_fill as u32 * 64
                + audio
                    .buffer_frames
                    .unwrap_or(chronus::rt::NULL_DEFAULT_BUFFER);
            let lead = Duration::from_secs_f64(f64::from(frames) / f64::from(audio.sample_rate));
            let mut link = chronus::link::LinkPhrases::new(lines.clone(), lead);
            if self.link {
                match link.enable(120.0) {
                    Ok(m) => info.push(m),
                    Err(e) => notices.push(e),
                }
            }
            extensions.push(Box::new(link));
        }
        #[cfg(not(feature = "link"))]
        if self.link {
            notices.push(chronus::midi::phrases::LINK_MISSING.to_string());
        }
        if let (Some(tap), Some(spec)) = (tap, &self.midi_out) {
            // Heard after the frames the worker keeps ready and one device buffer.
            let frames = audio.target_fill as u32 * 64
                + audio
                    .buffer_frames
                    .unwrap_or(chronus::rt::NULL_DEFAULT_BUFFER);
            let lead = Duration::from_secs_f64(f64::from(frames) / f64::from(audio.sample_rate));
            match spawn_midi_out(tap.clone(), spec.clone(), lead) {
                Ok(switches) => {
                    info.push(format!(
                        "midi out: {spec} (route a track with `track NAME midi out channel N`, clock with `clock out`)"
                    ));
                    phrases.set_out(MidiOutHandle {
                        tap,
                        switches,
                        spec: spec.clone(),
                    });
                }
                Err(e) => notices.push(format!("midi out {spec}: cannot start: {e}")),
            }
        }
        for spec in &self.inputs {
            match phrases.open_input(spec) {
                Ok(line) => info.push(line),
                Err(e) => notices.push(e),
            }
        }
        extensions.push(Box::new(phrases));
        MidiStarted {
            extensions,
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
