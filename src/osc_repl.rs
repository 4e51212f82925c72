//! The line REPL with the OSC server beside it: stdin lines (read on a "chronus-stdin" thread)
//! and OSC lines meet in the inbox and run in arrival order on the main (control) thread, which
//! prints each reply; OSC lines are printed with their sender, like a log.

use anyhow::Result;
use chronus::control::{Control, UiRequest};
use chronus::inbox::{inbox, IncomingLine, LineReply, LineSource};
use chronus::lang::Vocabulary;
use chronus::osc::headless::{handle_line, is_keyboard, line_reply, serve_inbox};
use chronus::osc::OscConfig;
use chronus::rt::LiveAudio;
use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

fn show(line: &IncomingLine, reply: &LineReply) {
    let from = match &line.source {
        LineSource::Keyboard => String::new(),
        LineSource::Osc(peer) => format!("[osc {peer}] "),
        LineSource::Session { line: n } => format!("[session line {n}] "),
    };
    match reply {
        LineReply::Applied(lines) => {
            for l in lines {
                if from.is_empty() {
                    println!("{l}");
                } else {
                    println!("{from}{}: {l}", line.text);
                }
            }
        }
        // The rendered error starts with the line itself; indent the rest under it so the
        // caret stays under the word.
        LineReply::Error(message) => {
            let indent = " ".repeat(from.chars().count());
            for (i, l) in message.lines().enumerate() {
                println!("{}{l}", if i == 0 { &from } else { &indent });
            }
        }
    }
    drop(std::io::stdout().flush());
}

/// Reads lines until `quit` or end of input, serving OSC meanwhile.
pub fn run(
    audio: LiveAudio,
    config: &OscConfig,
    vocab: Vocabulary,
    faults_enabled: bool,
) -> Result<()> {
    if let Some(n) = &audio.notice {
        eprintln!("chronus: {n}");
    }
    let meters = audio.meters.clone();
    let (tx, rx) = inbox();
    let launch = chronus::osc::launch(Some(config), tx.clone(), meters.clone());
    for notice in &launch.notices {
        eprintln!("chronus: {notice}");
    }
    if let Some(server) = &launch.server {
        println!("OSC on {}", server.local_addr());
    }
    println!(
        "chronus — output: {}. Type phrases like `gate on`, `darker`, `osc saw`; `help` lists them, `quit` leaves.",
        audio.output_name
    );
    let done = Arc::new(AtomicBool::new(false));
    let reader_done = done.clone();
    std::thread::Builder::new()
        .name("chronus-stdin".into())
        .spawn(move || {
            let mut stdin = std::io::stdin().lock();
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match stdin.read_until(b'\n', &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                // Invalid UTF-8 is replaced, then reported by the language with its column.
                let text = String::from_utf8_lossy(&buf)
                    .trim_end_matches(['\n', '\r'])
                    .to_string();
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

    let mut control = Control::new(audio.commands.clone(), meters.clone());
    control.set_faults_enabled(faults_enabled);
    let quit = AtomicBool::new(false);
    let mut runner = |c: &mut Control, line: &IncomingLine| {
        let outcome = c.run_line(&line.text, &vocab);
        if is_keyboard(line) && outcome.requests.contains(&UiRequest::Quit) {
            quit.store(true, Ordering::Release);
            let mut rest = outcome.clone();
            rest.requests.retain(|r| *r != UiRequest::Quit);
            return line_reply(&rest, &line.text, &meters);
        }
        line_reply(&outcome, &line.text, &meters)
    };
    let mut observe = show;
    serve_inbox(&mut control, &rx, &mut runner, &mut observe, || {
        !done.load(Ordering::Acquire) && !quit.load(Ordering::Acquire)
    });
    if !quit.load(Ordering::Acquire) {
        // End of input: the lines typed before it still run.
        for line in rx.drain() {
            handle_line(&mut control, &mut runner, &mut observe, line);
        }
    }
    if let Some(server) = launch.server {
        server.stop();
    }
    audio.stop();
    Ok(())
}
