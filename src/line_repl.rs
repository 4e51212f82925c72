//! The line REPL on stdin: every line is a phrase of the chronus language (`help` lists them).
//! It records every accepted phrase (`session save NAME` writes the recording; it is
//! autosaved every 30 s and on exit), and with `chronus play` it replays a session while the
//! user types over it.
//!
//! Runs on the main (control) thread; a "chronus-stdin" thread reads lines and the session
//! player thread replays them, both into the inbox the main thread drains.

use anyhow::Result;
use chronus::control::{Control, UiRequest};
use chronus::inbox::{inbox, InboxSender, IncomingLine, LineReply, LineSource};
use chronus::lang::Vocabulary;
use chronus::rt::LiveAudio;
use chronus::session::player::Playback;
use chronus::session::{LiveRecorder, Recorder};
use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Reads lines until `quit`, or until the input ends and any session has finished playing.
/// Invalid UTF-8 is replaced, then reported as an unknown word with its column.
pub fn run(
    audio: LiveAudio,
    vocab: Vocabulary,
    faults_enabled: bool,
    playback: Option<Playback>,
) -> Result<()> {
    let LiveAudio {
        ref meters,
        ref notice,
        ref output_name,
        ..
    } = audio;
    if let Some(n) = notice {
        eprintln!("chronus: {n}");
    }
    println!("chronus — output: {output_name}. Type phrases like `gate on`, `darker`, `osc saw`; `help` lists them, `quit` leaves.");
    let meters = meters.clone();
    let mut control = Control::new(audio.commands.clone(), meters.clone());
    control.set_faults_enabled(faults_enabled);
    let (tx, rx) = inbox();
    let stdin_closed = Arc::new(AtomicBool::new(false));
    spawn_stdin_reader(tx.clone(), stdin_closed.clone())?;
    let recorder = LiveRecorder::start(Recorder::new())?;
    let player = match &playback {
        Some(p) => {
            println!(
                "playing {} ({} phrases) at {}x from {:.1} s; type to play along",
                p.path.display(),
                p.session.events.len(),
                p.speed,
                p.from
            );
            Some(p.spawn(tx.clone())?)
        }
        None => None,
    };
    drop(tx);
    let mut out = std::io::stdout();
    let mut ui = Ui {
        control: &mut control,
        vocab: &vocab,
        recorder: &recorder,
        meters: &meters,
    };
    'outer: loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Some(line) => {
                if ui.perform(line, &mut out)? {
                    break;
                }
            }
            None => {
                let input_done = stdin_closed.load(Ordering::Acquire);
                if input_done && player.as_ref().is_none_or(|p| p.is_finished()) {
                    for line in rx.drain() {
                        if ui.perform(line, &mut out)? {
                            break 'outer;
                        }
                    }
                    break;
                }
            }
        }
        if let Some(e) = recorder.take_autosave_error() {
            writeln!(out, "autosave failed: {e}")?;
        }
    }
    if let Some(p) = player {
        p.stop();
    }
    match recorder.finish() {
        Ok(Some(path)) => println!(
            "session autosaved to {} (keep it with `session save NAME`)",
            path.display()
        ),
        Ok(None) => {}
        Err(e) => println!("autosave failed: {e}"),
    }
    audio.stop();
    Ok(())
}

/// What the loop needs to perform one line.
struct Ui<'a> {
    control: &'a mut Control,
    vocab: &'a Vocabulary,
    recorder: &'a LiveRecorder,
    meters: &'a chronus::rt::meters::Meters,
}

impl Ui<'_> {
    /// Performs one line; true when it asks to quit.
    fn perform(&mut self, line: IncomingLine, out: &mut impl Write) -> Result<bool> {
        let text = line.text.trim_end_matches(['\n', '\r']);
        if let LineSource::Session { line: n } = line.source {
            writeln!(out, "» {text}    (session line {n})")?;
        }
        let (lines, requests, ok) = if let Some(saved) = self.recorder.save_phrase(text) {
            let reply = saved.map(|p| format!("saved {}", p.display()));
            let ok = reply.is_ok();
            (
                vec![reply.unwrap_or_else(|e| format!("error: {e}"))],
                vec![],
                ok,
            )
        } else {
            let outcome = self.control.run_line(text, self.vocab);
            let ok = outcome.error.is_none();
            self.recorder.record_performed(text, &outcome);
            (outcome.lines(text), outcome.requests, ok)
        };
        for l in &lines {
            writeln!(out, "{l}")?;
        }
        if let Some(reply_to) = line.reply_to {
            let _ = reply_to.send(if ok {
                LineReply::Applied(lines)
            } else {
                LineReply::Error(lines.join("\n"))
            });
        }
        let mut quit = false;
        for r in &requests {
            match r {
                UiRequest::Status => writeln!(out, "{}", self.meters.snapshot().to_key_values())?,
                UiRequest::Quit => quit = true,
            }
        }
        out.flush()?;
        Ok(quit)
    }
}

/// Reads stdin line by line on its own thread into the inbox; sets `closed` at end of input.
fn spawn_stdin_reader(tx: InboxSender, closed: Arc<AtomicBool>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("chronus-stdin".into())
        .spawn(move || {
            let mut stdin = std::io::stdin().lock();
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match stdin.read_until(b'\n', &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        let line = IncomingLine {
                            text: String::from_utf8_lossy(&buf).into_owned(),
                            source: LineSource::Keyboard,
                            reply_to: None,
                        };
                        if !tx.send(line) {
                            break;
                        }
                    }
                }
            }
            closed.store(true, Ordering::Release);
        })?;
    Ok(())
}
