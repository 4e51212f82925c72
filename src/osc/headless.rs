//! A control loop with no screen: drains the inbox (OSC, session player, a stdin reader), runs
//! each line against `Control` with a line runner, answers on `reply_to`, and tells an observer
//! (a printer, a log) what happened. Runs on the control thread, or on a "chronus-control"
//! thread it spawns for tests and headless use.
//!
//! The line runner is a parameter so the same loop serves the canonical actions
//! ([`run_canonical_line`]) now and the whole phrase language later.

use super::canonical::CanonicalAction;
use crate::control::Control;
use crate::engine::params::ParamId;
use crate::inbox::{InboxReceiver, IncomingLine, LineReply};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// How long the loop waits for a line before looking at its stop condition again.
const WAIT: Duration = Duration::from_millis(20);

/// Runs one line against the control side and says what happened.
pub type LineRunner = Box<dyn FnMut(&mut Control, &str) -> LineReply + Send>;

/// Sees every line and its reply (to print it, log it, record it).
pub type LineObserver = Box<dyn FnMut(&IncomingLine, &LineReply) + Send>;

/// Runs one canonical action line (`set filter.cutoff 800`, `gate on`, `note on 60`, `hush`):
/// the small resolver the loop uses until the phrase language runs every line.
pub fn run_canonical_line(control: &mut Control, text: &str) -> LineReply {
    let action = match CanonicalAction::parse(text) {
        Ok(a) => a,
        Err(e) => return LineReply::Error(e),
    };
    let param = match action {
        CanonicalAction::Set { param, .. } => param,
        _ => ParamId::OscFreq,
    };
    let before = control.patch().get(param);
    match control.send(action.command()) {
        Ok(()) => {
            let after = control.patch().get(param);
            LineReply::Applied(vec![action.describe(before, after)])
        }
        Err(e) => LineReply::Error(e.to_string()),
    }
}

/// Runs `line` with `runner`, shows it to `observe`, and answers its sender.
pub fn handle_line(
    control: &mut Control,
    runner: &mut (impl FnMut(&mut Control, &str) -> LineReply + ?Sized),
    observe: &mut (impl FnMut(&IncomingLine, &LineReply) + ?Sized),
    line: IncomingLine,
) {
    let reply = runner(control, &line.text);
    observe(&line, &reply);
    if let Some(tx) = &line.reply_to {
        // The sender may have given up waiting; that is fine.
        drop(tx.send(reply));
    }
}

/// Serves the inbox until `keep_going` says stop: every line, in arrival order.
pub fn serve_inbox(
    control: &mut Control,
    inbox: &InboxReceiver,
    runner: &mut (impl FnMut(&mut Control, &str) -> LineReply + ?Sized),
    observe: &mut (impl FnMut(&IncomingLine, &LineReply) + ?Sized),
    keep_going: impl Fn() -> bool,
) {
    while keep_going() {
        if let Some(line) = inbox.recv_timeout(WAIT) {
            handle_line(control, runner, observe, line);
            for line in inbox.drain() {
                handle_line(control, runner, observe, line);
            }
        }
    }
}

/// The headless loop on its own "chronus-control" thread.
pub struct HeadlessControl {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<Control>>,
}

impl HeadlessControl {
    /// Starts serving `inbox` with `runner`, showing each line and reply to `observe`.
    pub fn spawn(
        control: Control,
        inbox: InboxReceiver,
        runner: LineRunner,
        observe: LineObserver,
    ) -> std::io::Result<HeadlessControl> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::Builder::new()
            .name("chronus-control".into())
            .spawn(move || {
                let mut control = control;
                let mut runner = runner;
                let mut observe = observe;
                serve_inbox(&mut control, &inbox, &mut runner, &mut observe, || {
                    !flag.load(Ordering::Acquire)
                });
                // Lines that arrived while stopping are still answered.
                for line in inbox.drain() {
                    handle_line(&mut control, &mut runner, &mut observe, line);
                }
                control
            })?;
        Ok(HeadlessControl {
            stop,
            handle: Some(handle),
        })
    }

    /// Stops the loop and hands back the control side (with its patch state).
    pub fn stop(mut self) -> Option<Control> {
        self.stop.store(true, Ordering::Release);
        self.handle.take().and_then(|h| h.join().ok())
    }
}

impl Drop for HeadlessControl {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(h) = self.handle.take() {
            drop(h.join());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inbox::{inbox, LineSource};
    use crate::rt::meters::Meters;

    #[test]
    fn lines_are_applied_in_order_and_answered() {
        let (cmd_tx, mut cmd_rx) = rtrb::RingBuffer::new(64);
        let control = Control::new(cmd_tx, Arc::new(Meters::new()));
        let (tx, rx) = inbox();
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = seen.clone();
        let headless = HeadlessControl::spawn(
            control,
            rx,
            Box::new(run_canonical_line),
            Box::new(move |line, _| {
                if let Ok(mut v) = log.lock() {
                    v.push(line.text.clone());
                }
            }),
        )
        .expect("thread");
        let ask = |text: &str| {
            let (reply_tx, reply_rx) = std::sync::mpsc::channel();
            assert!(tx.send(IncomingLine {
                text: text.into(),
                source: LineSource::Keyboard,
                reply_to: Some(reply_tx),
            }));
            reply_rx
                .recv_timeout(Duration::from_secs(5))
                .expect("an answer")
        };
        assert_eq!(
            ask("set filter.cutoff 800"),
            LineReply::Applied(vec!["filter.cutoff 2000 → 800 Hz".into()])
        );
        assert_eq!(ask("gate on"), LineReply::Applied(vec!["gate on".into()]));
        assert!(matches!(ask("fliter darker"), LineReply::Error(_)));
        let control = headless.stop().expect("the control side comes back");
        assert_eq!(control.patch().get(ParamId::FilterCutoff), 800.0);
        assert!(control.patch().gate());
        let mut sent = Vec::new();
        while let Ok(c) = cmd_rx.pop() {
            sent.push(c.command);
        }
        assert_eq!(sent.len(), 2, "the refused line sent nothing: {sent:?}");
        let seen = seen.lock().map(|v| v.clone()).unwrap_or_default();
        assert_eq!(seen, ["set filter.cutoff 800", "gate on", "fliter darker"]);
    }
}
