//! A control loop with no screen: drains the inbox (OSC, session player, a stdin reader), runs
//! each line against `Control` with a line runner, answers on `reply_to`, and tells an observer
//! (a printer, a log) what happened. Runs on the control thread, or on a "chronus-control"
//! thread it spawns for tests and headless use.
//!
//! The line runner is a parameter; [`phrase_runner`] runs every line through the phrase
//! language (`Control::run_line`), exactly as the UIs do.

use crate::control::inbox::{InboxReceiver, IncomingLine, LineReply};
use crate::control::{Control, LineReport};
use crate::lang::Vocabulary;
use crate::rt::meters::Meters;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// How long the loop waits for a line before looking at its stop condition again.
const WAIT: Duration = Duration::from_millis(20);

/// Runs one line against the control side and says what happened.
pub type LineRunner = Box<dyn FnMut(&mut Control, &IncomingLine) -> LineReply + Send>;

/// Sees every line and its reply (to print it, log it, record it).
pub type LineObserver = Box<dyn FnMut(&IncomingLine, &LineReply) + Send>;

/// The answer to a line from what `Control::run_line_from` did: its replies (with the meters
/// for `status`), or the rendered error (line, caret, message).
pub fn line_reply(report: &LineReport, meters: &Meters) -> LineReply {
    report.to_reply(|| meters.snapshot().to_key_values())
}

/// A runner that speaks the whole phrase language with `vocab`.
pub fn phrase_runner(vocab: Vocabulary) -> LineRunner {
    Box::new(move |control: &mut Control, line: &IncomingLine| {
        // Headless chronus has no keyboard: `quit` is refused from every source.
        let mut report = control.run_line_from(&line.text, line.source.clone(), &vocab);
        report.refuse_quit();
        let meters = control.meters().clone();
        line_reply(&report, &meters)
    })
}

/// Runs `line` with `runner`, shows it to `observe`, and answers its sender.
pub fn handle_line(
    control: &mut Control,
    runner: &mut (impl FnMut(&mut Control, &IncomingLine) -> LineReply + ?Sized),
    observe: &mut (impl FnMut(&IncomingLine, &LineReply) + ?Sized),
    line: IncomingLine,
) {
    let reply = runner(control, &line);
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
    runner: &mut (impl FnMut(&mut Control, &IncomingLine) -> LineReply + ?Sized),
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
    use crate::control::inbox::{inbox, LineSource};
    use crate::engine::params::ParamId;

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
            phrase_runner(Vocabulary::builtin()),
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
        match ask("flitter darker") {
            LineReply::Error(e) => assert!(e.contains("^") && e.contains("filter"), "{e}"),
            other => panic!("{other:?}"),
        }
        match ask("status") {
            LineReply::Applied(r) => assert!(r[0].contains("underruns="), "{r:?}"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(ask("quit"), LineReply::Applied(r) if r[0].contains("keyboard")));
        let control = headless.stop().expect("the control side comes back");
        assert_eq!(control.patch().get(ParamId::FilterCutoff), 800.0);
        assert!(control.patch().gate());
        let mut sent = Vec::new();
        while let Ok(c) = cmd_rx.pop() {
            sent.push(c.command);
        }
        assert_eq!(sent.len(), 2, "the refused line sent nothing: {sent:?}");
        let seen = seen.lock().map(|v| v.clone()).unwrap_or_default();
        assert_eq!(
            seen,
            [
                "set filter.cutoff 800",
                "gate on",
                "flitter darker",
                "status",
                "quit"
            ]
        );
    }
}
