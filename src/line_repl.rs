//! The minimal line REPL on stdin: `gate on`, `gate off`, `freq 220`, `wave saw`, `status`,
//! `quit`. Runs on the main (control) thread.

use anyhow::Result;
use chronus::control::Control;
use chronus::engine::command::Command;
use chronus::engine::params::ParamId;
use chronus::rt::LiveAudio;
use std::io::{BufRead, Write};

/// What one input line asks for.
#[derive(Debug, PartialEq)]
pub(crate) enum LineAction {
    Send(Command, String),
    Status,
    Quit,
    Nothing,
}

pub(crate) fn parse_line(line: &str) -> Result<LineAction, String> {
    let words: Vec<String> = line.split_whitespace().map(str::to_lowercase).collect();
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    match w.as_slice() {
        [] => Ok(LineAction::Nothing),
        ["quit"] | ["exit"] => Ok(LineAction::Quit),
        ["status"] => Ok(LineAction::Status),
        ["gate", "on"] => Ok(LineAction::Send(
            Command::Gate { on: true },
            "gate on".into(),
        )),
        ["gate", "off"] => Ok(LineAction::Send(
            Command::Gate { on: false },
            "gate off".into(),
        )),
        ["freq", v] => {
            let hz: f32 = v
                .parse()
                .map_err(|_| format!("\"{v}\" is not a frequency in Hz"))?;
            let spec = ParamId::OscFreq.spec();
            let value = spec.clamp(hz);
            Ok(LineAction::Send(
                Command::Set {
                    param: ParamId::OscFreq,
                    value,
                },
                format!("osc.freq {}", spec.format_with_unit(value)),
            ))
        }
        ["wave", name] => {
            let spec = ParamId::OscWave.spec();
            let i = spec.choice_index(name).ok_or_else(|| {
                format!(
                    "unknown wave \"{name}\"; expected one of {}",
                    spec.choices.join(", ")
                )
            })?;
            Ok(LineAction::Send(
                Command::Set {
                    param: ParamId::OscWave,
                    value: i as f32,
                },
                format!("osc.wave {name}"),
            ))
        }
        _ => Err(format!(
            "unknown phrase \"{}\"; try gate on, gate off, freq 220, wave saw, status, quit",
            line.trim()
        )),
    }
}

/// Reads lines until `quit` or end of input.
pub fn run(audio: LiveAudio) -> Result<()> {
    let LiveAudio {
        ref meters,
        ref notice,
        ref output_name,
        ..
    } = audio;
    if let Some(n) = notice {
        eprintln!("chronus: {n}");
    }
    println!("chronus — output: {output_name}. Type gate on, freq 220, wave saw, status, quit.");
    let meters = meters.clone();
    let mut audio = audio;
    let commands = std::mem::replace(&mut audio.commands, rtrb::RingBuffer::new(1).0);
    let mut control = Control::new(commands, meters.clone());
    let stdin = std::io::stdin();
    let mut out = std::io::stdout();
    for line in stdin.lock().lines() {
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                println!("error: input is not valid text ({e})");
                continue;
            }
        };
        match parse_line(&line) {
            Ok(LineAction::Quit) => break,
            Ok(LineAction::Nothing) => {}
            Ok(LineAction::Status) => println!("{}", meters.snapshot().to_key_values()),
            Ok(LineAction::Send(cmd, reply)) => match control.send(cmd) {
                Ok(()) => println!("{reply}"),
                Err(e) => println!("error: {e}"),
            },
            Err(msg) => println!("error: {msg}"),
        }
        out.flush()?;
    }
    audio.stop();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_minimal_phrases_parse() {
        assert_eq!(parse_line("  quit "), Ok(LineAction::Quit));
        assert!(matches!(
            parse_line("GATE ON"),
            Ok(LineAction::Send(Command::Gate { on: true }, _))
        ));
        assert!(matches!(
            parse_line("freq 99999"),
            Ok(LineAction::Send(Command::Set { value, .. }, _)) if value == 20_000.0
        ));
        assert!(parse_line("freq abc").is_err());
        assert!(parse_line("wave kazoo").unwrap_err().contains("sine"));
        assert!(parse_line("fliter").is_err());
    }
}
