//! The line REPL with the OSC server beside it: stdin lines (read on a "chronus-stdin" thread)
//! and OSC lines meet in the inbox and run in arrival order on the main (control) thread, which
//! prints each reply; OSC lines are printed with their sender, like a log.

use crate::line_repl::{parse_line, LineAction};
use anyhow::Result;
use chronus::control::Control;
use chronus::inbox::{inbox, IncomingLine, LineReply, LineSource};
use chronus::osc::canonical::CanonicalAction;
use chronus::osc::headless::{handle_line, run_canonical_line, serve_inbox};
use chronus::osc::{OscConfig, OscServer};
use chronus::rt::meters::Meters;
use chronus::rt::LiveAudio;
use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Runs one line: the canonical actions (`set filter.cutoff 800`, what OSC sends), else the
/// minimal REPL phrases (`freq 220`, `wave saw`, `status`).
fn run_line(control: &mut Control, meters: &Meters, text: &str) -> LineReply {
    if CanonicalAction::parse(text).is_ok() {
        return run_canonical_line(control, text);
    }
    match parse_line(text) {
        Ok(LineAction::Send(command, reply)) => match control.send(command) {
            Ok(()) => LineReply::Applied(vec![reply]),
            Err(e) => LineReply::Error(e.to_string()),
        },
        Ok(LineAction::Status) => LineReply::Applied(vec![meters.snapshot().to_key_values()]),
        Ok(LineAction::Nothing) => LineReply::Applied(Vec::new()),
        Ok(LineAction::Quit) => LineReply::Error("quit works from the keyboard only".into()),
        Err(message) => LineReply::Error(message),
    }
}

fn show(line: &IncomingLine, reply: &LineReply) {
    let prefix = match &line.source {
        LineSource::Keyboard => String::new(),
        LineSource::Osc(peer) => format!("[osc {peer}] {}: ", line.text),
        LineSource::Session { line: n } => format!("[session line {n}] {}: ", line.text),
    };
    match reply {
        LineReply::Applied(lines) => {
            for l in lines {
                println!("{prefix}{l}");
            }
        }
        LineReply::Error(message) => println!("{prefix}error: {message}"),
    }
    drop(std::io::stdout().flush());
}

/// Reads lines until `quit` or end of input, serving OSC meanwhile.
pub fn run(audio: LiveAudio, config: &OscConfig) -> Result<()> {
    if let Some(n) = &audio.notice {
        eprintln!("chronus: {n}");
    }
    let meters = audio.meters.clone();
    let (tx, rx) = inbox();
    let server = match OscServer::start(config, tx.clone(), meters.clone()) {
        Ok(server) => {
            if let Some(w) = server.warning() {
                eprintln!("chronus: warning: {w}");
            }
            println!("OSC on {}", server.local_addr());
            Some(server)
        }
        Err(e) => {
            eprintln!("chronus: {e}; running without OSC");
            None
        }
    };
    println!(
        "chronus — output: {}. Type gate on, freq 220, wave saw, set filter.cutoff 800, status, quit.",
        audio.output_name
    );
    let done = Arc::new(AtomicBool::new(false));
    let reader_done = done.clone();
    std::thread::Builder::new()
        .name("chronus-stdin".into())
        .spawn(move || {
            for line in std::io::stdin().lock().lines() {
                let text = match line {
                    Ok(l) => l,
                    Err(e) => {
                        println!("error: input is not valid text ({e})");
                        continue;
                    }
                };
                if matches!(text.trim().to_lowercase().as_str(), "quit" | "exit") {
                    break;
                }
                let sent = tx.send(IncomingLine {
                    text,
                    source: LineSource::Keyboard,
                    reply_to: None,
                });
                if !sent {
                    break;
                }
            }
            reader_done.store(true, Ordering::Release);
        })?;

    let mut audio = audio;
    let commands = std::mem::replace(&mut audio.commands, rtrb::RingBuffer::new(1).0);
    let mut control = Control::new(commands, meters.clone());
    let mut runner = |c: &mut Control, text: &str| run_line(c, &meters, text);
    let mut observe = show;
    serve_inbox(&mut control, &rx, &mut runner, &mut observe, || {
        !done.load(Ordering::Acquire)
    });
    for line in rx.drain() {
        handle_line(&mut control, &mut runner, &mut observe, line);
    }
    if let Some(server) = server {
        server.stop();
    }
    audio.stop();
    Ok(())
}
