//! Plain mode, for pipes, scripts and AI agents: one reply line per action, errors with their
//! caret, `status` as one line of `key=value` pairs. On a terminal it is a rustyline prompt
//! with the same history and completion as the TUI.
//!
//! Runs on the control thread; input is read on the "chronus-input" thread
//! (`src/ui/plain_input.rs`).

use super::completion::WordCompleter;
use super::line_history::LineHistory;
use super::plain_input::{self, PlainInput, TypedLine};
use crate::control::inbox::{InboxReceiver, LineSource};
use crate::control::performer::{LineReport, Performer, UiRequest};
use std::io::Write;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

/// How often the inbox is polled while the sound's release plays out at the end of input.
const INBOX_POLL: Duration = Duration::from_millis(2);

/// The longest plain mode sleeps with nothing typed and nothing in the inbox (a line that
/// arrives wakes it at once; this only bounds a missed wake).
const WAKE_AT_LEAST_EVERY: Duration = Duration::from_millis(100);

/// Extra time after the release before leaving, so the tail is heard.
const RELEASE_MARGIN: Duration = Duration::from_millis(100);

/// How plain mode behaves.
#[derive(Clone, Debug, Default)]
pub struct PlainOptions {
    /// Keep playing after the end of input instead of leaving.
    pub stay: bool,
    /// Whether stdin is a terminal (a prompt with editing) or a pipe.
    pub interactive: bool,
    /// Output device name, for the banner.
    pub device: String,
    /// Lines printed under the banner (`OSC on …`, the session being played).
    pub info: Vec<String>,
}

/// Formats what happened to a line, one string per output line.
pub fn report_lines(report: &LineReport, meters_line: impl FnOnce() -> String) -> Vec<String> {
    let mut out = Vec::new();
    let remote = report.source != LineSource::Keyboard;
    let indent = if remote { "  " } else { "" };
    if remote {
        out.push(format!("{}{}", report.source.marker(), report.text));
    }
    for reply in &report.replies {
        out.extend(reply.lines().map(|l| format!("{indent}{l}")));
    }
    if report.requests.contains(&UiRequest::Status) {
        out.push(format!("{indent}{}", meters_line()));
    }
    if let Some(error) = &report.error_text() {
        let lines: Vec<&str> = error.lines().collect();
        if let Some((last, context)) = lines.split_last() {
            out.extend(context.iter().map(|l| format!("{indent}{l}")));
            if last.starts_with("error:") {
                out.push(format!("{indent}{last}"));
            } else {
                out.push(format!("{indent}error: {last}"));
            }
        }
    }
    out
}

struct Output {
    printer: Option<plain_input::Printer>,
}

impl Output {
    fn print(&mut self, lines: &[String], remote: bool) {
        if lines.is_empty() {
            return;
        }
        if let (true, Some(p)) = (remote, self.printer.as_mut()) {
            if p.print(format!("{}\n", lines.join("\n"))).is_ok() {
                return;
            }
        }
        let mut stdout = std::io::stdout().lock();
        for l in lines {
            let _ = writeln!(stdout, "{l}");
        }
        let _ = stdout.flush();
    }
}

/// Runs plain mode until `quit`, Ctrl-C, or the end of input (then, once `keep_open` says
/// false, waits for the sound's release unless `stay` is set, in which case it keeps serving
/// the inbox).
pub fn run(
    performer: &mut Performer,
    inbox: &InboxReceiver,
    history: &mut LineHistory,
    options: &PlainOptions,
    keep_open: &dyn Fn() -> bool,
) -> std::io::Result<()> {
    println!(
        "chronus — output: {}. Type phrases, one per line (help, tutorial, status, quit).",
        options.device
    );
    for line in &options.info {
        println!("{line}");
    }
    let completer = WordCompleter::new(performer.completion_words());
    let input: PlainInput = if options.interactive {
        plain_input::spawn_prompt(history.entries(), completer.clone())?
    } else {
        plain_input::spawn_pipe()?
    };
    let wake = input.wake.clone();
    inbox.on_arrival(Some(Box::new(move || {
        let _ = wake.send(TypedLine::InboxArrival);
    })));
    let mut out = Output {
        printer: input.printer,
    };
    let result = serve_lines(
        performer,
        inbox,
        history,
        options,
        keep_open,
        (&input.lines, input.done.as_ref()),
        &completer,
        &mut out,
    );
    inbox.on_arrival(None);
    result
}

/// The loop of [`run`]: sleeps until a line is typed or one arrives in the inbox.
#[allow(clippy::too_many_arguments)]
fn serve_lines(
    performer: &mut Performer,
    inbox: &InboxReceiver,
    history: &mut LineHistory,
    options: &PlainOptions,
    keep_open: &dyn Fn() -> bool,
    (lines, done): (&Receiver<TypedLine>, Option<&Sender<()>>),
    completer: &WordCompleter,
    out: &mut Output,
) -> std::io::Result<()> {
    loop {
        match lines.recv_timeout(WAKE_AT_LEAST_EVERY) {
            Ok(TypedLine::Line(line)) => {
                history.push(&line);
                let report = performer.run(&line, LineSource::Keyboard);
                if report.taught {
                    completer.replace(performer.completion_words());
                }
                let lines = report_lines(&report, || performer.meters().snapshot().to_key_values());
                out.print(&lines, false);
                if report.requests.contains(&UiRequest::Quit) {
                    return Ok(());
                }
                if let Some(done) = done {
                    let _ = done.send(());
                }
            }
            Ok(TypedLine::Interrupted) => return Ok(()),
            Ok(TypedLine::End) | Err(RecvTimeoutError::Disconnected) => {
                if !options.stay {
                    while keep_open() {
                        if serve_inbox(performer, inbox, out) {
                            return Ok(());
                        }
                        std::thread::sleep(INBOX_POLL);
                    }
                    serve_inbox_for(performer, inbox, out, None);
                    let release = performer.release();
                    serve_inbox_for(performer, inbox, out, Some(release + RELEASE_MARGIN));
                    return Ok(());
                }
            }
            Ok(TypedLine::InboxArrival) | Err(RecvTimeoutError::Timeout) => {}
        }
        if serve_inbox(performer, inbox, out) {
            return Ok(());
        }
    }
}

/// Performs every waiting inbox line; true if one of them asked to quit.
fn serve_inbox(performer: &mut Performer, inbox: &InboxReceiver, out: &mut Output) -> bool {
    let mut quit = false;
    for line in inbox.drain() {
        let report = performer.run_incoming(line);
        if report.quiet {
            continue;
        }
        let lines = report_lines(&report, || performer.meters().snapshot().to_key_values());
        out.print(&lines, true);
        quit |= report.requests.contains(&UiRequest::Quit);
    }
    quit
}

/// Serves the inbox once, or for `duration` (stopping early on a remote `quit`).
fn serve_inbox_for(
    performer: &mut Performer,
    inbox: &InboxReceiver,
    out: &mut Output,
    duration: Option<Duration>,
) {
    let Some(duration) = duration else {
        serve_inbox(performer, inbox, out);
        return;
    };
    let end = Instant::now() + duration;
    while Instant::now() < end {
        if serve_inbox(performer, inbox, out) {
            return;
        }
        std::thread::sleep(INBOX_POLL.min(end.saturating_duration_since(Instant::now())));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(source: LineSource, replies: &[&str]) -> LineReport {
        let mut r = LineReport::new("x", source);
        r.replies = replies.iter().map(|s| s.to_string()).collect();
        r
    }

    /// What performing `text` from the default patch reports.
    fn performed(text: &str) -> LineReport {
        let (tx, _rx) = rtrb::RingBuffer::new(64);
        let meters = std::sync::Arc::new(crate::rt::meters::Meters::new());
        let mut control = crate::control::Control::new(tx, meters);
        control.run_line(text, &crate::lang::Vocabulary::builtin())
    }

    #[test]
    fn one_line_per_action_and_errors_keep_their_caret() {
        let r = report(LineSource::Keyboard, &["osc.wave saw", "gate on"]);
        assert_eq!(
            report_lines(&r, String::new),
            vec!["osc.wave saw", "gate on"]
        );
        let r = performed("frobnicate darker");
        let lines = report_lines(&r, String::new);
        assert_eq!(lines[0], "frobnicate darker");
        assert_eq!(lines[1].trim_end(), "^^^^^^^^^^");
        let last = lines.last().map(String::as_str).unwrap_or("");
        assert!(
            last.starts_with("error: ") && last.contains("frobnicate"),
            "{lines:?}"
        );
    }

    #[test]
    fn status_prints_the_meters_line_and_remote_lines_are_marked() {
        let mut r = report(LineSource::Session { line: 4 }, &[]);
        r.requests.push(UiRequest::Status);
        assert_eq!(
            report_lines(&r, || "ring=3/36 underruns=0".into()),
            vec!["session:4> x", "  ring=3/36 underruns=0"]
        );
    }
}
