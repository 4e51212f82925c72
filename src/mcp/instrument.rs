//! What the MCP server plays: a running chronus reached over OSC ([`super::attached`]) or an
//! engine of its own ([`super::embedded`]). Either way a line goes in and a [`LineReply`]
//! comes back, exactly as for a typed line, and the meters can be read.
//!
//! Calls block (up to [`REPLY_WAIT`]); the server makes them on tokio's blocking threads.

use crate::control::inbox::LineReply;
use serde_json::{Map, Value};
use std::time::Duration;

/// How long to wait for chronus to answer a line before giving up.
pub const REPLY_WAIT: Duration = Duration::from_secs(3);

/// Why the instrument did not answer.
#[derive(Debug, thiserror::Error)]
pub enum InstrumentError {
    /// Nothing answers at the OSC address (attach mode).
    #[error(
        "no chronus answers on {target}: start one (`chronus`, OSC is on by default), pass \
         its --osc-port, or run `chronus mcp --embedded`"
    )]
    NotRunning {
        /// The address tried.
        target: String,
    },
    /// The answer was not what chronus sends.
    #[error("chronus answered something unexpected: {0}")]
    Garbled(String),
    /// The socket or channel failed.
    #[error("talking to chronus failed: {0}")]
    Io(#[from] std::io::Error),
    /// The embedded engine's control thread has stopped.
    #[error("the embedded engine has stopped")]
    Stopped,
}

/// A chronus to play.
pub trait Instrument: Send + Sync {
    /// Performs `text` as a line from the agent and returns what happened.
    fn line(&self, text: &str) -> Result<LineReply, InstrumentError>;

    /// The meters, as `status` shows them, with numbers as numbers.
    fn meters(&self) -> Result<Map<String, Value>, InstrumentError>;

    /// One line for people: `chronus at 127.0.0.1:5005`, `an embedded engine (output null)`.
    fn describe(&self) -> String;
}

/// The meters line of plain mode's `status` (`ring=3/36 underruns=0 dsp_load=1.2% …`) as a
/// JSON object: numbers (a trailing `%` dropped) as numbers, anything else as text.
pub fn key_values_json(line: &str) -> Map<String, Value> {
    line.split_whitespace()
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_string(), json_value(v)))
        .collect()
}

fn json_value(text: &str) -> Value {
    let number = text.strip_suffix('%').unwrap_or(text);
    if let Ok(i) = number.parse::<i64>() {
        return Value::from(i);
    }
    match number.parse::<f64>() {
        Ok(f) if f.is_finite() => Value::from(f),
        _ => Value::String(text.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_meters_line_becomes_numbers_where_it_can() {
        let m =
            key_values_json("ring=3/36 underruns=0 dsp_load=1.5% standby=ready latency_ms=20.70");
        assert_eq!(m["ring"], "3/36");
        assert_eq!(m["underruns"], 0);
        assert_eq!(m["dsp_load"], 1.5);
        assert_eq!(m["standby"], "ready");
        assert_eq!(m["latency_ms"], 20.7);
    }
}
