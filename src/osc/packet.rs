//! One UDP datagram in: checked for size and bundle nesting before rosc decodes it, decoded
//! without letting a panic out, and flattened into messages, each with the time tag it is due
//! at. Pure code, used on the OSC thread (and by offline renders of OSC input).

use super::timetag::{ticks, IMMEDIATELY};
use rosc::{OscMessage, OscPacket, OscTime};

/// Deepest bundle nesting accepted (rosc decodes bundles recursively).
pub const MAX_BUNDLE_DEPTH: usize = 8;

/// Why a datagram could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PacketError {
    /// Larger than the configured limit.
    #[error("packet of {size} bytes is larger than the {limit}-byte limit")]
    TooBig {
        /// Bytes received.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Bundles inside bundles, too deep.
    #[error("bundles nested deeper than {MAX_BUNDLE_DEPTH} levels")]
    TooDeep,
    /// Not OSC, or truncated, or with an unknown type tag.
    #[error("not a valid OSC packet: {0}")]
    Undecodable(String),
}

/// Whether every bundle in `bytes` is nested at most `depth_left` deep. Walks only the bundle
/// headers and element sizes; anything malformed is left for the decoder to reject.
fn nesting_within(bytes: &[u8], depth_left: usize) -> bool {
    if !bytes.starts_with(b"#bundle\0") {
        return true;
    }
    if depth_left == 0 {
        return false;
    }
    let mut rest = bytes.get(16..).unwrap_or_default();
    while let (Some(size), Some(after)) = (rest.get(..4), rest.get(4..)) {
        let n = u32::from_be_bytes([size[0], size[1], size[2], size[3]]) as usize;
        let Some(element) = after.get(..n) else {
            return true;
        };
        if !nesting_within(element, depth_left - 1) {
            return false;
        }
        rest = &after[n..];
    }
    true
}

/// Decodes one datagram, refusing packets over `limit` bytes or nested too deep.
pub fn decode_datagram(bytes: &[u8], limit: usize) -> Result<OscPacket, PacketError> {
    if bytes.len() > limit {
        return Err(PacketError::TooBig {
            size: bytes.len(),
            limit,
        });
    }
    if !nesting_within(bytes, MAX_BUNDLE_DEPTH) {
        return Err(PacketError::TooDeep);
    }
    // rosc returns errors for every malformed input we know of; a panic would still be a bad
    // packet, never the end of the server.
    let decoded = std::panic::catch_unwind(|| rosc::decoder::decode_udp(bytes));
    match decoded {
        Ok(Ok((_, packet))) => Ok(packet),
        Ok(Err(e)) => Err(PacketError::Undecodable(e.to_string())),
        Err(_) => Err(PacketError::Undecodable("the decoder gave up".to_string())),
    }
}

/// The later of two time tags, treating "immediately" as the earliest of all.
fn later(a: OscTime, b: OscTime) -> OscTime {
    if a == IMMEDIATELY {
        return b;
    }
    if b == IMMEDIATELY {
        return a;
    }
    if (ticks(b).wrapping_sub(ticks(a)) as i64) > 0 {
        b
    } else {
        a
    }
}

/// Every message in `packet` in order, with the time tag it is due at: a bundle's own tag, but
/// never earlier than the bundle around it; `IMMEDIATELY` for a bare message.
pub fn flatten(packet: &OscPacket) -> Vec<(OscTime, &OscMessage)> {
    let mut out = Vec::new();
    collect(packet, IMMEDIATELY, &mut out);
    out
}

fn collect<'a>(packet: &'a OscPacket, due: OscTime, out: &mut Vec<(OscTime, &'a OscMessage)>) {
    match packet {
        OscPacket::Message(m) => out.push((due, m)),
        OscPacket::Bundle(b) => {
            let due = later(due, b.timetag);
            for p in &b.content {
                collect(p, due, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rosc::{encoder, OscBundle, OscType};

    fn message(addr: &str) -> OscPacket {
        OscPacket::Message(OscMessage {
            addr: addr.into(),
            args: vec![OscType::Int(1)],
        })
    }

    fn bundle(seconds: u32, content: Vec<OscPacket>) -> OscPacket {
        OscPacket::Bundle(OscBundle {
            timetag: OscTime {
                seconds,
                fractional: 0,
            },
            content,
        })
    }

    fn nested(depth: usize) -> OscPacket {
        (0..depth).fold(message("/gate"), |inner, _| bundle(10, vec![inner]))
    }

    #[test]
    fn messages_and_bundles_decode() {
        let bytes =
            encoder::encode(&bundle(10, vec![message("/a"), message("/b")])).expect("encodes");
        let packet = decode_datagram(&bytes, 65_536).expect("decodes");
        let flat = flatten(&packet);
        assert_eq!(flat.len(), 2);
        assert_eq!(flat[1].1.addr, "/b");
    }

    #[test]
    fn size_depth_and_garbage_are_refused() {
        let bytes = encoder::encode(&message("/gate")).expect("encodes");
        assert!(matches!(
            decode_datagram(&bytes, 4),
            Err(PacketError::TooBig { .. })
        ));
        let ok = encoder::encode(&nested(MAX_BUNDLE_DEPTH)).expect("encodes");
        assert!(decode_datagram(&ok, 65_536).is_ok());
        let deep = encoder::encode(&nested(MAX_BUNDLE_DEPTH + 1)).expect("encodes");
        assert_eq!(decode_datagram(&deep, 65_536), Err(PacketError::TooDeep));
        let very_deep = encoder::encode(&nested(3_000)).expect("encodes");
        assert_eq!(
            decode_datagram(&very_deep, 1 << 20),
            Err(PacketError::TooDeep)
        );
        for garbage in [
            &b""[..],
            b"\0\0\0\0",
            b"/gat",
            b"#bundle\0\0\0",
            b"/a\0\0,i\0\0\0",
        ] {
            assert!(
                matches!(
                    decode_datagram(garbage, 65_536),
                    Err(PacketError::Undecodable(_))
                ),
                "{garbage:?}"
            );
        }
    }

    #[test]
    fn nested_bundles_are_never_due_before_their_parent() {
        let packet = bundle(
            20,
            vec![
                message("/a"),
                bundle(10, vec![message("/early")]),
                bundle(30, vec![message("/late")]),
            ],
        );
        let due: Vec<(u32, &str)> = flatten(&packet)
            .iter()
            .map(|(t, m)| (t.seconds, m.addr.as_str()))
            .collect();
        assert_eq!(due, vec![(20, "/a"), (20, "/early"), (30, "/late")]);
        assert_eq!(flatten(&message("/x"))[0].0, IMMEDIATELY);
    }
}
