//! Lines that reach the control thread from somewhere other than the keyboard: the OSC server
//! thread and the session player thread send them here; the UI loop (TUI or plain mode) on the
//! control thread drains them between key events, runs each exactly as if it had been typed,
//! shows it in the log, records it in the session, and answers on `reply_to` if given.
//!
//! Senders run on their own threads; `InboxReceiver::drain` runs on the control thread. Plain
//! std channels: none of this is on the audio path.

use std::net::SocketAddr;
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};

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

/// The sending side; clone it for each producer thread.
#[derive(Clone, Debug)]
pub struct InboxSender(Sender<IncomingLine>);

/// The receiving side, owned by the control thread.
#[derive(Debug)]
pub struct InboxReceiver(Receiver<IncomingLine>);

/// Makes a connected sender/receiver pair.
pub fn inbox() -> (InboxSender, InboxReceiver) {
    let (tx, rx) = mpsc::channel();
    (InboxSender(tx), InboxReceiver(rx))
}

impl InboxSender {
    /// Sends a line; returns false if the control thread has gone away.
    pub fn send(&self, line: IncomingLine) -> bool {
        self.0.send(line).is_ok()
    }
}

impl InboxReceiver {
    /// Takes every line waiting now, without blocking.
    pub fn drain(&self) -> Vec<IncomingLine> {
        let mut out = Vec::new();
        loop {
            match self.0.try_recv() {
                Ok(line) => out.push(line),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => return out,
            }
        }
    }

    /// Waits up to `timeout` for one line (for loops that have nothing else to wait on).
    pub fn recv_timeout(&self, timeout: std::time::Duration) -> Option<IncomingLine> {
        self.0.recv_timeout(timeout).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
