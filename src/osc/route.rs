//! What one OSC message asks for: a canonical line for the control thread, a status reply, or
//! an error naming what was wrong. Pure code, used on the OSC thread (and by offline renders).
//!
//! | address | arguments | becomes |
//! |---|---|---|
//! | `/mod/<module>/<param>` | number or word | `set <module>.<param> <value>` |
//! | `/gate`, `/gate/<module>` | `0`/`1` (int, float, bool, "on"/"off") | `gate on` / `gate off` |
//! | `/note/on` | midi [velocity 0..1 or 1..127; 0 = note off] | `note on <midi> [velocity <v>]` |
//! | `/note/off` | midi | `note off <midi>` |
//! | `/chronus/say` | phrase (strings, joined by spaces) | the phrase itself |
//! | `/engine/status` | – | `/chronus/status` reply with the meters |
//! | `/engine/start` | – | a reply: the engine runs |
//! | `/engine/stop` | – | `all notes off` |
//! | `/transport/start` | – | `start` (the sequencer runs from bar 1) |
//! | `/transport/stop` | – | `stop transport` |
//!
//! Every parameter of the table, the effects, arpeggiator and transport included, is a
//! `/mod/<module>/<param>` address (`/mod/delay/sync 0.375`, `/mod/arp/mode "up"`); words such
//! as phrases (`chord Dm7`, `pattern x..x`) go through `/chronus/say`.

use super::aliases::{resolve_module, resolve_param_path, Conversion};
use super::canonical::{canonical_line, exact_number};
use crate::engine::command::Command;
use crate::engine::params::Unit;
use rosc::{OscMessage, OscType};

/// The longest phrase `/chronus/say` accepts, in bytes.
pub const MAX_PHRASE_BYTES: usize = 1024;

/// What a message asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// A line for the control thread, run exactly as if typed.
    Line(String),
    /// A line from an AI agent (`/chronus/agent/say`, sent by `chronus mcp`): run the same
    /// way, marked as the agent's in the log.
    AgentLine(String),
    /// Reply with the meters (`/chronus/status`).
    Status,
    /// Reply that the engine is running (it always is while chronus runs).
    EngineStart,
}

/// Why a message was refused; the text goes back to the sender as `/chronus/error`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{address}: {reason}")]
pub struct RouteError {
    /// The address as sent.
    pub address: String,
    /// What was wrong.
    pub reason: String,
}

/// Routes one message.
pub fn route(message: &OscMessage) -> Result<Request, RouteError> {
    let fail = |reason: String| RouteError {
        address: message.addr.clone(),
        reason,
    };
    let addr = message.addr.trim_end_matches('/');
    let args = &message.args;
    if let Some(path) = addr.strip_prefix("/mod/") {
        return set_line(path, args).map(Request::Line).map_err(fail);
    }
    if let Some(module) = addr.strip_prefix("/gate/") {
        if module != "1" {
            resolve_module(module).map_err(|e| fail(e.to_string()))?;
        }
        return gate_line(args).map(Request::Line).map_err(fail);
    }
    match addr {
        "/gate" => gate_line(args).map(Request::Line).map_err(fail),
        "/note/on" => note_on_line(args).map(Request::Line).map_err(fail),
        "/note/off" => note_off_line(args).map(Request::Line).map_err(fail),
        "/chronus/say" => say_line(args).map(Request::Line).map_err(fail),
        "/chronus/agent/say" => say_line(args).map(Request::AgentLine).map_err(fail),
        "/engine/status" => Ok(Request::Status),
        "/engine/start" => Ok(Request::EngineStart),
        "/engine/stop" => Ok(Request::Line(canonical_line(&Command::AllNotesOff))),
        "/transport/start" => Ok(Request::Line(canonical_line(&Command::TransportStart))),
        "/transport/stop" => Ok(Request::Line(canonical_line(&Command::TransportStop))),
        _ => Err(fail(
            "unknown address; chronus understands /mod/<module>/<param>, /gate, \
             /gate/<module>, /note/on, /note/off, /chronus/say, /chronus/agent/say, /engine/status, \
             /engine/start, /engine/stop, /transport/start, /transport/stop"
                .to_string(),
        )),
    }
}

/// The value of a numeric argument, if it is one (numeric strings count).
fn number(arg: &OscType) -> Option<f64> {
    match arg {
        OscType::Int(i) => Some(f64::from(*i)),
        OscType::Long(i) => Some(*i as f64),
        OscType::Float(f) => Some(f64::from(*f)),
        OscType::Double(d) => Some(*d),
        OscType::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
}

/// A short name for an argument's type, for error messages.
fn type_name(arg: &OscType) -> &'static str {
    match arg {
        OscType::Int(_) => "an int",
        OscType::Long(_) => "a 64-bit int",
        OscType::Float(_) => "a float",
        OscType::Double(_) => "a double",
        OscType::String(_) => "a string",
        OscType::Blob(_) => "a blob",
        OscType::Time(_) => "a time tag",
        OscType::Char(_) => "a char",
        OscType::Color(_) => "a color",
        OscType::Midi(_) => "a MIDI message",
        OscType::Bool(_) => "a boolean",
        OscType::Array(_) => "an array",
        OscType::Nil => "nil",
        OscType::Inf => "infinitum",
    }
}

/// Exactly one argument, or an error saying what was expected.
fn one_arg<'a>(args: &'a [OscType], expected: &str) -> Result<&'a OscType, String> {
    match args {
        [one] => Ok(one),
        [] => Err(format!("expects {expected}, got no argument")),
        more => Err(format!(
            "expects one argument ({expected}), got {}",
            more.len()
        )),
    }
}

fn set_line(path: &str, args: &[OscType]) -> Result<String, String> {
    let target = resolve_param_path(path).map_err(|e| e.to_string())?;
    let spec = target.param.spec();
    let arg = one_arg(args, "a number or a word")?;
    let value = if spec.unit == Unit::Choice {
        choice_value(arg, spec.name, spec.choices)?
    } else {
        let x = number(arg)
            .ok_or_else(|| format!("{} expects a number, got {}", spec.name, describe_arg(arg)))?;
        let v = target.conversion.apply(x as f32);
        if !v.is_finite() {
            return Err(format!("{} expects a finite number", spec.name));
        }
        v
    };
    let value = if target.conversion == Conversion::LinearToDb {
        value.max(spec.min)
    } else {
        value
    };
    Ok(canonical_line(&Command::Set {
        param: target.param,
        value,
    }))
}

fn choice_value(arg: &OscType, name: &str, choices: &[&str]) -> Result<f32, String> {
    let index = match arg {
        OscType::String(word) => choices
            .iter()
            .position(|c| c.eq_ignore_ascii_case(word.trim()))
            .or_else(|| word.trim().parse::<usize>().ok()),
        other => number(other)
            .filter(|x| x.fract() == 0.0 && *x >= 0.0)
            .map(|x| x as usize),
    };
    match index {
        Some(i) if i < choices.len() => Ok(i as f32),
        _ => Err(format!(
            "{name} takes one of {} (or their index 0..{}), got {}",
            choices.join(", "),
            choices.len() - 1,
            describe_arg(arg)
        )),
    }
}

fn describe_arg(arg: &OscType) -> String {
    match arg {
        OscType::String(s) => {
            let short: String = s.chars().take(40).collect();
            format!("\"{short}\"")
        }
        other => type_name(other).to_string(),
    }
}

fn gate_line(args: &[OscType]) -> Result<String, String> {
    let arg = one_arg(args, "0 or 1")?;
    let on = match arg {
        OscType::Bool(b) => *b,
        OscType::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "on" | "1" | "true" => true,
            "off" | "0" | "false" => false,
            _ => {
                return Err(format!(
                    "expects 0 or 1 (or on/off), got {}",
                    describe_arg(arg)
                ))
            }
        },
        other => match number(other) {
            Some(x) if x.is_finite() => x > 0.0,
            _ => return Err(format!("expects 0 or 1, got {}", describe_arg(arg))),
        },
    };
    Ok(canonical_line(&Command::Gate { on }))
}

fn midi_note(arg: &OscType) -> Result<u8, String> {
    match number(arg) {
        Some(x) if x.fract() == 0.0 && (0.0..=127.0).contains(&x) => Ok(x as u8),
        _ => Err(format!(
            "expects a MIDI note number 0..127, got {}",
            match number(arg) {
                Some(x) => exact_number(x as f32),
                None => describe_arg(arg),
            }
        )),
    }
}

fn note_on_line(args: &[OscType]) -> Result<String, String> {
    let (note, velocity) = match args {
        [n] => (midi_note(n)?, None),
        [n, v] => {
            let v = number(v)
                .filter(|v| v.is_finite() && (0.0..=127.0).contains(v))
                .ok_or_else(|| {
                    format!(
                        "velocity must be 0..1 (or MIDI 0..127), got {}",
                        describe_arg(v)
                    )
                })?;
            // Above 1 it is a MIDI velocity.
            let v = if v > 1.0 { v / 127.0 } else { v };
            (midi_note(n)?, Some(v as f32))
        }
        [] => return Err("expects a MIDI note number, got no argument".to_string()),
        more => {
            return Err(format!(
                "expects a MIDI note and an optional velocity, got {} arguments",
                more.len()
            ))
        }
    };
    // A note-on with velocity 0 is a note-off, as in MIDI.
    let command = match velocity {
        Some(0.0) => Command::NoteOff { note },
        v => Command::NoteOn {
            note,
            velocity: v.unwrap_or(1.0),
        },
    };
    Ok(canonical_line(&command))
}

fn note_off_line(args: &[OscType]) -> Result<String, String> {
    match args {
        // A release velocity is allowed and ignored.
        [n] | [n, _] => Ok(canonical_line(&Command::NoteOff {
            note: midi_note(n)?,
        })),
        [] => Err("expects a MIDI note number, got no argument".to_string()),
        more => Err(format!(
            "expects a MIDI note number, got {} arguments",
            more.len()
        )),
    }
}

fn say_line(args: &[OscType]) -> Result<String, String> {
    let mut words = Vec::with_capacity(args.len());
    for arg in args {
        match arg {
            OscType::String(s) => words.push(s.clone()),
            OscType::Int(i) => words.push(i.to_string()),
            OscType::Long(i) => words.push(i.to_string()),
            OscType::Float(f) if f.is_finite() => words.push(exact_number(*f)),
            OscType::Double(d) if d.is_finite() => words.push(exact_number(*d as f32)),
            other => {
                return Err(format!(
                    "expects the phrase as strings, got {}",
                    type_name(other)
                ))
            }
        }
    }
    let phrase = words.join(" ");
    if phrase.trim().is_empty() {
        return Err("expects a phrase, e.g. /chronus/say \"filter darker\"".to_string());
    }
    if phrase.len() > MAX_PHRASE_BYTES {
        return Err(format!(
            "phrase of {} bytes is longer than the {MAX_PHRASE_BYTES}-byte limit",
            phrase.len()
        ));
    }
    if phrase.chars().any(|c| c == '\n' || c == '\r') {
        return Err("expects one line; send one message per line".to_string());
    }
    Ok(phrase)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(addr: &str, args: Vec<OscType>) -> OscMessage {
        OscMessage {
            addr: addr.to_string(),
            args,
        }
    }

    fn line(addr: &str, args: Vec<OscType>) -> String {
        match route(&msg(addr, args)) {
            Ok(Request::Line(l)) => l,
            other => panic!("{addr}: {other:?}"),
        }
    }

    fn error(addr: &str, args: Vec<OscType>) -> String {
        match route(&msg(addr, args)) {
            Err(e) => e.to_string(),
            ok => panic!("{addr} should fail, got {ok:?}"),
        }
    }

    #[test]
    fn the_music_parameters_are_mod_addresses_too() {
        use OscType::*;
        assert_eq!(
            line("/mod/arp/mode", vec![String("up".into())]),
            "set arp.mode up"
        );
        assert_eq!(
            line("/mod/arp/rate", vec![Float(0.125)]),
            "set arp.rate 0.125"
        );
        assert_eq!(
            line("/mod/delay/sync", vec![Float(0.375)]),
            "set delay.sync 0.375"
        );
        assert_eq!(
            line("/mod/reverb/on", vec![String("off".into())]),
            "set reverb.on off"
        );
        assert_eq!(
            line("/mod/chorus/depth", vec![Float(0.6)]),
            "set chorus.depth 0.6"
        );
        assert_eq!(
            line("/mod/reverb/damping", vec![Float(0.3)]),
            "set reverb.damping 0.3"
        );
        assert_eq!(
            line("/mod/transport/swing", vec![Float(0.58)]),
            "set transport.swing 0.58"
        );
    }

    #[test]
    fn parameter_messages_become_set_lines() {
        use OscType::*;
        assert_eq!(
            line("/mod/filter/cutoff", vec![Int(800)]),
            "set filter.cutoff 800"
        );
        assert_eq!(
            line("/mod/filter/cutoff", vec![Float(812.5)]),
            "set filter.cutoff 812.5"
        );
        assert_eq!(
            line("/mod/filter/cutoff", vec![String("1200".into())]),
            "set filter.cutoff 1200"
        );
        assert_eq!(
            line("/mod/osc/wave", vec![String("SAW".into())]),
            "set osc.wave saw"
        );
        assert_eq!(line("/mod/osc/wave", vec![Int(2)]), "set osc.wave square");
        assert_eq!(
            line("/mod/sine/freq", vec![Double(440.0)]),
            "set osc.freq 440"
        );
        assert_eq!(
            line("/mod/voice1/filter/freq", vec![Float(1000.0)]),
            "set filter.cutoff 1000"
        );
        assert_eq!(line("/mod/sine/gain", vec![Float(1.0)]), "set amp.gain 0");
        assert_eq!(line("/mod/sine/gain", vec![Float(0.0)]), "set amp.gain -60");
        assert_eq!(line("/mod/adsr1/attack", vec![Long(2)]), "set env.attack 2");
        // Out of range values pass through: the control side clamps and says so.
        assert_eq!(
            line("/mod/filter/cutoff", vec![Int(99_999)]),
            "set filter.cutoff 99999"
        );
    }

    #[test]
    fn gates_notes_and_engine_addresses() {
        use OscType::*;
        assert_eq!(line("/gate", vec![Int(1)]), "gate on");
        assert_eq!(line("/gate", vec![Float(0.0)]), "gate off");
        assert_eq!(line("/gate/adsr", vec![Bool(true)]), "gate on");
        assert_eq!(line("/gate/adsr1", vec![String("off".into())]), "gate off");
        assert_eq!(line("/gate/voice1", vec![Int(1)]), "gate on");
        assert_eq!(line("/gate/1", vec![Int(0)]), "gate off");
        assert_eq!(line("/note/on", vec![Int(60)]), "note on 60");
        assert_eq!(
            line("/note/on", vec![Int(60), Float(0.5)]),
            "note on 60 velocity 0.5"
        );
        assert_eq!(line("/note/on", vec![Int(60), Int(127)]), "note on 60");
        assert_eq!(line("/note/on", vec![Int(60), Int(0)]), "note off 60");
        assert_eq!(line("/note/off", vec![Float(60.0)]), "note off 60");
        assert_eq!(line("/engine/stop", vec![]), "all notes off");
        assert_eq!(line("/transport/start", vec![]), "start");
        assert_eq!(line("/transport/stop", vec![]), "stop transport");
        assert_eq!(route(&msg("/engine/status", vec![])), Ok(Request::Status));
        assert_eq!(
            route(&msg("/engine/start", vec![])),
            Ok(Request::EngineStart)
        );
    }

    #[test]
    fn say_passes_the_phrase_through() {
        use OscType::*;
        assert_eq!(
            line("/chronus/say", vec![String("filter a bit darker".into())]),
            "filter a bit darker"
        );
        assert_eq!(
            line("/chronus/say", vec![String("cutoff".into()), Int(800)]),
            "cutoff 800"
        );
        assert!(error("/chronus/say", vec![]).contains("expects a phrase"));
        assert!(error("/chronus/say", vec![String("a\nb".into())]).contains("one line"));
        assert!(error("/chronus/say", vec![Blob(vec![1])]).contains("blob"));
        let long = "x".repeat(MAX_PHRASE_BYTES + 1);
        assert!(error("/chronus/say", vec![String(long)]).contains("limit"));
    }

    #[test]
    fn wrong_types_and_unknown_addresses_are_refused_clearly() {
        use OscType::*;
        let e = error("/mod/filter/cutoff", vec![Blob(vec![0, 1])]);
        assert!(
            e.starts_with("/mod/filter/cutoff: filter.cutoff expects a number"),
            "{e}"
        );
        assert!(error("/mod/filter/cutoff", vec![]).contains("no argument"));
        assert!(error("/mod/filter/cutoff", vec![Int(1), Int(2)]).contains("got 2"));
        assert!(error("/mod/filter/cutoff", vec![Float(f32::NAN)]).contains("finite"));
        assert!(error("/mod/filter/cutoff", vec![String("loud".into())]).contains("\"loud\""));
        assert!(error("/mod/osc/wave", vec![String("kazoo".into())]).contains("sine, saw"));
        assert!(error("/mod/osc/wave", vec![Int(9)]).contains("index 0..4"));
        assert!(error("/mod/fliter/cutoff", vec![Int(1)]).contains("did you mean \"filter\""));
        assert!(error("/gate/fliter", vec![Int(1)]).contains("unknown module"));
        assert!(error("/gate", vec![Nil]).contains("expects 0 or 1"));
        assert!(error("/note/on", vec![Int(128)]).contains("0..127"));
        assert!(error("/note/on", vec![Float(60.5)]).contains("60.5"));
        assert!(error("/note/on", vec![Int(60), Int(200)]).contains("velocity"));
        assert!(error("/nope", vec![]).contains("unknown address"));
        assert!(error("/mod", vec![Int(1)]).contains("unknown address"));
        assert!(error("/mod/", vec![Int(1)]).contains("unknown"));
    }
}
