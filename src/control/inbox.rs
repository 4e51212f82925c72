//! Lines that reach the control thread from somewhere other than the keyboard: the OSC server
//! thread and the session player thread send them here; the UI loop (TUI or plain mode) on the
//! control thread drains them between key events, runs each exactly as if it had been typed,
//! shows it in the log, records it in the session, and answers on `reply_to` if given.
//!
//! Senders run on their own threads; `InboxReceiver::drain` runs on the control thread. Plain
//! std channels: none of this is on the audio path.

use std::net::SocketAddr;
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::sync::{Arc, Mutex, PoisonError};

/// Where a line came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineSource {
    /// Typed by the user.
    Keyboard,
    /// Arrived over OSC from this peer.
    Osc(SocketAddr),
    /// Replayed from a session file, at this line number.
    Session {
        /// 1-based line number in the session file.
        line: usize,
    },
    /// Sent by an AI agent through `chronus mcp` (attached over OSC, or embedded).
    Agent,
    /// Made from MIDI input (a key, a mapped knob, the pedal), by `src/midi`.
    Midi,
    /// Made by an Ableton Link session (a peer's tempo, start or stop), by `src/link`.
    Link,
}

impl LineSource {
    /// The marker shown before a line from here: `> `, `osc 127.0.0.1:9000> `,
    /// `session:3> `, `agent> `.
    pub fn marker(&self) -> String {
        match self {
            LineSource::Keyboard => "> ".to_string(),
            LineSource::Osc(addr) => format!("osc {addr}> "),
            LineSource::Session { line } => format!("session:{line}> "),
            LineSource::Agent => "agent> ".to_string(),
            LineSource::Midi => "midi> ".to_string(),
            LineSource::Link => "link> ".to_string(),
        }
    }
}

/// What happened to a line, sent back to whoever asked.
#[derive(Clone, Debug, PartialEq)]
pub enum LineReply {
    /// Applied; one human reply per action (e.g. `filter.cutoff 2000 → 1400 Hz`).
    Applied(Vec<String>),
    /// Refused, with the rendered error (line, caret, message).
    Error(String),
}

/// One line on its way to the control thread.
#[derive(Debug)]
pub struct IncomingLine {
    /// The phrase text, exactly as a user would type it.
    pub text: String,
    /// Where it came from.
    pub source: LineSource,
    /// Where to send the outcome, if the sender wants it.
    pub reply_to: Option<Sender<LineReply>>,
}

/// Called after each line is sent, so a control loop that sleeps on something else (plain
/// mode waits on typed lines) wakes at once instead of polling the inbox.
pub type ArrivalWaker = Box<dyn Fn() + Send>;

/// The waker the receiver's owner installed, shared by every sender.
type WakerSlot = Arc<Mutex<Option<ArrivalWaker>>>;

/// The sending side; clone it for each producer thread.
#[derive(Clone)]
pub struct InboxSender {
    lines: Sender<IncomingLine>,
    waker: WakerSlot,
}

/// The receiving side, owned by the control thread.
pub struct InboxReceiver {
    lines: Receiver<IncomingLine>,
    waker: WakerSlot,
}

impl std::fmt::Debug for InboxSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InboxSender")
    }
}

impl std::fmt::Debug for InboxReceiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InboxReceiver")
    }
}

/// Makes a connected sender/receiver pair.
pub fn inbox() -> (InboxSender, InboxReceiver) {
    let (tx, rx) = mpsc::channel();
    let waker = WakerSlot::default();
    (
        InboxSender {
            lines: tx,
            waker: Arc::clone(&waker),
        },
        InboxReceiver { lines: rx, waker },
    )
}

impl InboxSender {
    /// Sends a line; returns false if the control thread has gone away.
    pub fn send(&self, line: IncomingLine) -> bool {
        if self.lines.send(line).is_err() {
            return false;
        }
        // Senders are OSC, MIDI and session threads, never real-time ones.
        if let Some(wake) = self
            .waker
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
        {
            wake();
        }
        true
    }
}

impl InboxReceiver {
    /// Takes every line waiting now, without blocking.
    pub fn drain(&self) -> Vec<IncomingLine> {
        let mut out = Vec::new();
        loop {
            match self.lines.try_recv() {
                Ok(line) => out.push(line),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => return out,
            }
        }
    }

    /// Waits up to `timeout` for one line (for loops that have nothing else to wait on).
    pub fn recv_timeout(&self, timeout: std::time::Duration) -> Option<IncomingLine> {
        self.lines.recv_timeout(timeout).ok()
    }

    /// Installs (or, with `None`, removes) what every sender calls after sending a line.
    pub fn on_arrival(&self, waker: Option<ArrivalWaker>) {
        *self.waker.lock().unwrap_or_else(PoisonError::into_inner) = waker;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_installed_waker_hears_every_line_and_a_removed_one_hears_none() {
        let (tx, rx) = inbox();
        let (wake_tx, wake_rx) = mpsc::channel();
        rx.on_arrival(Some(Box::new(move || {
            let _ = wake_tx.send(());
        })));
        let line = |text: &str| IncomingLine {
            text: text.into(),
            source: LineSource::Keyboard,
            reply_to: None,
        };
        assert!(tx.send(line("gate on")));
        assert!(tx.clone().send(line("gate off")));
        assert_eq!(wake_rx.try_iter().count(), 2);
        rx.on_arrival(None);
        assert!(tx.send(line("osc saw")));
        assert_eq!(wake_rx.try_iter().count(), 0);
        assert_eq!(rx.drain().len(), 3);
    }

    #[test]
    fn lines_arrive_in_order_with_their_source() {
        let (tx, rx) = inbox();
        let tx2 = tx.clone();
        assert!(tx.send(IncomingLine {
            text: "gate on".into(),
            source: LineSource::Session { line: 3 },
            reply_to: None,
        }));
        assert!(tx2.send(IncomingLine {
            text: "osc saw".into(),
            source: LineSource::Keyboard,
            reply_to: None,
        }));
        let got = rx.drain();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].text, "gate on");
        assert_eq!(got[0].source, LineSource::Session { line: 3 });
        assert!(rx.drain().is_empty());
        drop(rx);
        assert!(!tx.send(IncomingLine {
            text: "x".into(),
            source: LineSource::Keyboard,
            reply_to: None,
        }));
    }
}
