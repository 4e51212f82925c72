//! What chronus sends back to an OSC sender: `/chronus/reply "<text>"`, `/chronus/error
//! "<message>"` and `/chronus/status key value key value …`. Encoding only; the sockets are in
//! `server`. Runs on the OSC threads.

use crate::control::inbox::LineReply;
use crate::rt::meters::MeterSnapshot;
use rosc::{encoder, OscMessage, OscPacket, OscType};

/// Address of a reply to an applied phrase.
pub const REPLY: &str = "/chronus/reply";
/// Address of an error reply.
pub const ERROR: &str = "/chronus/error";
/// Address of the meters reply to `/engine/status`.
pub const STATUS: &str = "/chronus/status";

/// Longest text sent in one reply, in bytes (keeps a reply in one ordinary datagram).
pub const MAX_REPLY_BYTES: usize = 4096;

fn encode(addr: &str, args: Vec<OscType>) -> Option<Vec<u8>> {
    encoder::encode(&OscPacket::Message(OscMessage {
        addr: addr.to_string(),
        args,
    }))
    .ok()
}

/// Cuts `text` to at most [`MAX_REPLY_BYTES`] bytes at a character boundary.
fn bounded(text: &str) -> String {
    if text.len() <= MAX_REPLY_BYTES {
        return text.to_string();
    }
    let mut end = MAX_REPLY_BYTES - 3;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

/// A `/chronus/reply` datagram.
pub fn reply_packet(text: &str) -> Option<Vec<u8>> {
    encode(REPLY, vec![OscType::String(bounded(text))])
}

/// A `/chronus/error` datagram.
pub fn error_packet(message: &str) -> Option<Vec<u8>> {
    encode(ERROR, vec![OscType::String(bounded(message))])
}

/// The datagram answering a line: one `/chronus/reply` with every action's reply joined by
/// `"; "` (`ok` when the line did nothing visible), or one `/chronus/error`.
pub fn line_reply_packet(reply: &LineReply) -> Option<Vec<u8>> {
    match reply {
        LineReply::Applied(lines) if lines.is_empty() => reply_packet("ok"),
        LineReply::Applied(lines) => reply_packet(&lines.join("; ")),
        LineReply::Error(message) => error_packet(message),
    }
}

/// The meters as `key, value` argument pairs, one pair for every `key=value` of the plain
/// mode's `status` line (so meters added later appear here too). Numbers are sent as ints when
/// whole and small enough, otherwise floats; anything else (`ring=3/32`) as a string.
pub fn status_args(snapshot: &MeterSnapshot) -> Vec<OscType> {
    let line = snapshot.to_key_values();
    let mut args = Vec::new();
    for pair in line.split_whitespace() {
        let Some((key, value)) = pair.split_once('=') else {
            continue;
        };
        args.push(OscType::String(key.to_string()));
        let number = value.trim_end_matches('%');
        let arg = if let Ok(i) = number.parse::<i32>() {
            OscType::Int(i)
        } else if let Ok(f) = number.parse::<f32>() {
            OscType::Float(f)
        } else {
            OscType::String(value.to_string())
        };
        args.push(arg);
    }
    args
}

/// A `/chronus/status` datagram.
pub fn status_packet(snapshot: &MeterSnapshot) -> Option<Vec<u8>> {
    encode(STATUS, status_args(snapshot))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rosc::decoder::decode_udp;

    fn decode(bytes: &[u8]) -> OscMessage {
        match decode_udp(bytes) {
            Ok((_, OscPacket::Message(m))) => m,
            other => panic!("not a message: {other:?}"),
        }
    }

    #[test]
    fn replies_carry_one_string() {
        let m = decode(
            &line_reply_packet(&LineReply::Applied(vec!["a".into(), "b".into()])).expect("encodes"),
        );
        assert_eq!(m.addr, REPLY);
        assert_eq!(m.args, vec![OscType::String("a; b".into())]);
        let m = decode(&line_reply_packet(&LineReply::Error("bad".into())).expect("encodes"));
        assert_eq!(m.addr, ERROR);
        let long = "é".repeat(MAX_REPLY_BYTES);
        let m = decode(&reply_packet(&long).expect("encodes"));
        match &m.args[0] {
            OscType::String(s) => assert!(s.len() <= MAX_REPLY_BYTES && s.ends_with("...")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn status_is_key_value_pairs_of_the_status_line() {
        let snap = MeterSnapshot {
            underruns: 3,
            dsp_load_pct: 12.5,
            ring_fill: 2,
            ring_capacity_blocks: 32,
            osc_bad_packets: 7,
            ..MeterSnapshot::default()
        };
        let args = status_args(&snap);
        assert_eq!(args.len() % 2, 0);
        let value = |key: &str| {
            args.chunks(2)
                .find(|kv| kv[0] == OscType::String(key.into()))
                .map(|kv| kv[1].clone())
        };
        assert_eq!(value("underruns"), Some(OscType::Int(3)));
        assert_eq!(value("dsp_load"), Some(OscType::Float(12.5)));
        assert_eq!(value("ring"), Some(OscType::String("2/32".into())));
        assert_eq!(value("osc_bad"), Some(OscType::Int(7)));
        let m = decode(&status_packet(&snap).expect("encodes"));
        assert_eq!(m.addr, STATUS);
    }
}
