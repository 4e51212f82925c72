//! The line REPL on stdin: every line is a phrase of the chronus language (`help` lists them).
//! Runs on the main (control) thread.

use anyhow::Result;
use chronus::control::{Control, UiRequest};
use chronus::lang::Vocabulary;
use chronus::rt::LiveAudio;
use std::io::{BufRead, Write};

/// Reads lines until `quit` or end of input. Invalid UTF-8 is replaced, then reported as an
/// unknown word with its column.
pub fn run(audio: LiveAudio, vocab: Vocabulary, faults_enabled: bool) -> Result<()> {
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
    let mut audio = audio;
    let commands = std::mem::replace(&mut audio.commands, rtrb::RingBuffer::new(1).0);
    let mut control = Control::new(commands, meters.clone());
    control.set_faults_enabled(faults_enabled);
    let mut stdin = std::io::stdin().lock();
    let mut out = std::io::stdout();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        if stdin.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        let line = String::from_utf8_lossy(&buf);
        let line = line.trim_end_matches(['\n', '\r']);
        let outcome = control.run_line(line, &vocab);
        for l in outcome.lines(line) {
            writeln!(out, "{l}")?;
        }
        let mut quit = false;
        for r in &outcome.requests {
            match r {
                UiRequest::Status => writeln!(out, "{}", meters.snapshot().to_key_values())?,
                UiRequest::Quit => quit = true,
            }
        }
        out.flush()?;
        if quit {
            break;
        }
    }
    audio.stop();
    Ok(())
}
