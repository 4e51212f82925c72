//! MIDI input: a raw byte stream read from a path (a FIFO, or a raw device node such as
//! `/dev/snd/midiC1D0`, the interface `amidi` uses) on the thread `chronus-midi-in`, and
//! sequencer ports through midir (see `ports.rs`). Both feed a [`MidiParser`], hand whole
//! messages to the shared [`MidiTranslator`] and send the resulting phrases into the control
//! inbox as [`LineSource::Midi`] lines.
//!
//! A stream that ends (the FIFO's writer closed, the device went away) is reported once in
//! the log and in `midi`, and opened again when it comes back. Never on the audio path.

use super::message::MidiMessage;
use super::parser::MidiParser;
use super::translate::MidiTranslator;
use crate::control::inbox::{InboxSender, IncomingLine, LineSource};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// How long to wait before opening a stream that ended or failed again.
const REOPEN_PAUSE: Duration = Duration::from_millis(200);

/// The state every MIDI input shares: the translator and what each input is doing.
#[derive(Debug)]
pub struct MidiInHub {
    translator: Mutex<MidiTranslator>,
    inputs: Mutex<Vec<InputState>>,
    inbox: InboxSender,
    /// Incoming clock and transport messages, for `clock follow midi` (see `clock_in.rs`).
    clock: Mutex<Option<std::sync::mpsc::Sender<(std::time::Instant, MidiMessage)>>>,
}

/// One input as shown by `midi`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputState {
    /// The path or port name.
    pub name: String,
    /// `reading`, `waiting for the stream (ended 2 times)`, an error.
    pub state: String,
}

impl MidiInHub {
    /// A hub sending phrases to `inbox`.
    pub fn new(inbox: InboxSender) -> Arc<Self> {
        Arc::new(MidiInHub {
            translator: Mutex::new(MidiTranslator::new()),
            inputs: Mutex::new(Vec::new()),
            inbox,
            clock: Mutex::new(None),
        })
    }

    /// The translator (settings, mappings, counts). A poisoned lock is taken over: the
    /// translator holds no invariant a panic could break.
    pub fn translator(&self) -> MutexGuard<'_, MidiTranslator> {
        self.translator.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Each input and its state.
    pub fn inputs(&self) -> Vec<InputState> {
        self.inputs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Follows incoming MIDI clock (`clock follow midi`, see `clock_in.rs`) or stops
    /// (`None`).
    pub fn follow(&self, state: Option<Arc<super::clock_in::FollowState>>) -> std::io::Result<()> {
        match state {
            Some(state) => {
                let (tx, rx) = std::sync::mpsc::channel();
                super::clock_in::spawn_clock_follower(rx, self.inbox.clone(), state)?;
                self.follow_clock(Some(tx));
            }
            None => self.follow_clock(None),
        }
        Ok(())
    }

    /// Sends clock and transport messages to `to` from now on.
    pub fn follow_clock(
        &self,
        to: Option<std::sync::mpsc::Sender<(std::time::Instant, MidiMessage)>>,
    ) {
        *self.clock.lock().unwrap_or_else(|e| e.into_inner()) = to;
    }

    fn set_state(&self, name: &str, state: impl Into<String>) {
        let mut inputs = self.inputs.lock().unwrap_or_else(|e| e.into_inner());
        let state = state.into();
        match inputs.iter_mut().find(|i| i.name == name) {
            Some(i) => i.state = state,
            None => inputs.push(InputState {
                name: name.to_string(),
                state,
            }),
        }
    }

    /// Parses `bytes` with `parser` and sends the phrases they mean; false when the control
    /// thread has gone away.
    pub fn take_bytes(&self, parser: &mut MidiParser, bytes: &[u8]) -> bool {
        let before = parser.counts();
        let mut lines = Vec::new();
        let mut clock = Vec::new();
        {
            let mut translator = self.translator();
            parser.feed(bytes, |m| match m {
                MidiMessage::Clock
                | MidiMessage::Start
                | MidiMessage::Stop
                | MidiMessage::Continue
                | MidiMessage::SongPosition { .. } => clock.push(m),
                _ => lines.extend(translator.translate(m)),
            });
            let after = parser.counts();
            translator.add_parse_counts(super::parser::ParseCounts {
                messages: after.messages - before.messages,
                malformed: after.malformed - before.malformed,
                sysex_skipped: after.sysex_skipped - before.sysex_skipped,
            });
        }
        if !clock.is_empty() {
            let now = std::time::Instant::now();
            if let Some(tx) = self
                .clock
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .as_ref()
            {
                for m in clock {
                    let _ = tx.send((now, m));
                }
            }
        }
        lines.into_iter().all(|text| {
            self.inbox.send(IncomingLine {
                text,
                source: LineSource::Midi,
                reply_to: None,
            })
        })
    }
}

/// Whether `spec` names a path (a raw byte stream) rather than a port: it starts with `/` or
/// `.`, or names an existing file.
pub fn is_path(spec: &str) -> bool {
    spec.starts_with('/') || spec.starts_with('.') || Path::new(spec).exists()
}

/// Starts the thread `chronus-midi-in` reading raw MIDI bytes from `path` until the control
/// thread goes away. It opens the path again whenever the stream ends.
pub fn spawn_path_reader(hub: Arc<MidiInHub>, path: PathBuf) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("chronus-midi-in".into())
        .spawn(move || read_path_forever(&hub, &path))
        .map(|_| ())
}

fn read_path_forever(hub: &MidiInHub, path: &Path) {
    let name = path.display().to_string();
    let mut parser = MidiParser::new();
    let mut ended = 0u32;
    let mut failed_once = false;
    hub.set_state(&name, "opening");
    loop {
        let mut file = match open_stream(path) {
            Ok(f) => f,
            Err(e) => {
                if !failed_once {
                    log::warn!("midi in {name}: {e}; trying again until it appears");
                    hub.set_state(&name, format!("cannot open: {e} (trying again)"));
                    failed_once = true;
                }
                std::thread::sleep(REOPEN_PAUSE);
                continue;
            }
        };
        failed_once = false;
        hub.set_state(&name, "reading");
        let mut buf = [0u8; 256];
        loop {
            match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if !hub.take_bytes(&mut parser, &buf[..n]) {
                        return;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    log::warn!("midi in {name}: {e}");
                    break;
                }
            }
        }
        drop(file);
        ended += 1;
        if ended == 1 {
            log::warn!("midi in {name}: the stream ended; waiting for it to come back");
        }
        hub.set_state(
            &name,
            format!(
                "waiting for the stream (ended {ended} time{})",
                plural(ended)
            ),
        );
        std::thread::sleep(REOPEN_PAUSE);
    }
}

/// Opens a byte stream for reading. A FIFO is opened for reading and writing, so that it
/// never reports an end while no writer has it open: writers may come and go without a byte
/// lost between one and the next.
fn open_stream(path: &Path) -> std::io::Result<std::fs::File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if std::fs::metadata(path)?.file_type().is_fifo() {
            return std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(path);
        }
    }
    std::fs::File::open(path)
}

fn plural(n: u32) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
