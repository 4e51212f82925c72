//! Embedded mode: the MCP server runs its own engine. Lines from the agent (and from OSC, when
//! the server's OSC is on) meet in one inbox, served on a "chronus-control" thread by a
//! [`Performer`] exactly as the TUI serves typed lines: the session hook records every
//! accepted line, and the log file gets each line with its `agent>` marker and its replies.

use super::instrument::{key_values_json, Instrument, InstrumentError, REPLY_WAIT};
use crate::control::inbox::{InboxReceiver, InboxSender, IncomingLine, LineReply, LineSource};
use crate::control::performer::{AcceptedLineHook, Performer};
use crate::control::Control;
use crate::lang::Vocabulary;
use crate::rt::meters::Meters;
use serde_json::{Map, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long the control thread waits for a line before looking at its stop flag.
const POLL: Duration = Duration::from_millis(20);

/// The control thread of an embedded engine.
#[derive(Debug)]
pub struct EmbeddedInstrument {
    lines: InboxSender,
    meters: Arc<Meters>,
    output: String,
    stop: Arc<AtomicBool>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl EmbeddedInstrument {
    /// Serves `inbox` (which `lines` feeds) with a performer over `control` on a
    /// "chronus-control" thread, reporting accepted lines to `hook`. `output` names the
    /// output device for [`Instrument::describe`].
    pub fn start(
        control: Control,
        vocab: Vocabulary,
        hook: impl AcceptedLineHook + Send + 'static,
        (lines, inbox): (InboxSender, InboxReceiver),
        output: &str,
    ) -> std::io::Result<EmbeddedInstrument> {
        let meters = control.meters().clone();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::Builder::new()
            .name("chronus-control".into())
            .spawn(move || {
                let mut performer = Performer::new(control, vocab, Box::new(hook));
                while !stopping.load(Ordering::Acquire) {
                    if let Some(line) = inbox.recv_timeout(POLL) {
                        let report = performer.run_incoming(line);
                        if !report.quiet {
                            log::info!("{}{}", report.source.marker(), report.text);
                            for l in report.lines() {
                                log::info!("  {l}");
                            }
                        }
                    }
                }
                performer.release();
            })?;
        Ok(EmbeddedInstrument {
            lines,
            meters,
            output: output.to_string(),
            stop,
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Stops the control thread after the line it is performing (every note is released).
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Release);
        let thread = self
            .thread
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(t) = thread {
            let _ = t.join();
        }
    }
}

impl Instrument for EmbeddedInstrument {
    fn line(&self, text: &str) -> Result<LineReply, InstrumentError> {
        let (tx, rx) = mpsc::channel();
        let sent = self.lines.send(IncomingLine {
            text: text.to_string(),
            source: LineSource::Agent,
            reply_to: Some(tx),
        });
        if !sent {
            return Err(InstrumentError::Stopped);
        }
        rx.recv_timeout(REPLY_WAIT)
            .map_err(|_| InstrumentError::Stopped)
    }

    fn meters(&self) -> Result<Map<String, Value>, InstrumentError> {
        Ok(key_values_json(&self.meters.snapshot().to_key_values()))
    }

    fn describe(&self) -> String {
        format!("an embedded engine (output {})", self.output)
    }
}
