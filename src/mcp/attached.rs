//! Attach mode: the agent plays a chronus that is already running (the TUI or plain mode,
//! where a person may be playing too) through its OSC server. Lines go to
//! `/chronus/agent/say` (so the log marks them `agent>`), the meters come from
//! `/engine/status`. One request at a time; replies are matched by order.

use super::instrument::{Instrument, InstrumentError, REPLY_WAIT};
use crate::control::inbox::LineReply;
use rosc::{OscMessage, OscPacket, OscType};
use serde_json::{Map, Value};
use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::sync::Mutex;

/// A running chronus at an OSC address.
#[derive(Debug)]
pub struct AttachedInstrument {
    target: SocketAddr,
    socket: Mutex<UdpSocket>,
}

impl AttachedInstrument {
    /// Talks to the chronus whose OSC server listens at `target`. Nothing is sent yet, so
    /// this succeeds whether or not chronus runs.
    pub fn new(target: SocketAddr) -> std::io::Result<AttachedInstrument> {
        let local: SocketAddr = if target.is_ipv4() {
            ([0, 0, 0, 0], 0).into()
        } else {
            (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
        };
        let socket = UdpSocket::bind(local)?;
        socket.connect(target)?;
        socket.set_read_timeout(Some(REPLY_WAIT))?;
        Ok(AttachedInstrument {
            target,
            socket: Mutex::new(socket),
        })
    }

    /// Sends one message and returns the answer's address and arguments.
    fn ask(&self, addr: &str, args: Vec<OscType>) -> Result<OscMessage, InstrumentError> {
        let packet = OscPacket::Message(OscMessage {
            addr: addr.to_string(),
            args,
        });
        let bytes = rosc::encoder::encode(&packet)
            .map_err(|e| InstrumentError::Garbled(format!("could not encode {addr}: {e}")))?;
        let socket = self
            .socket
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        discard_stale_answers(&socket);
        let not_running = || InstrumentError::NotRunning {
            target: self.target.to_string(),
        };
        match socket.send(&bytes) {
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::ConnectionRefused => return Err(not_running()),
            Err(e) => return Err(e.into()),
        }
        let mut buf = vec![0u8; 65_536];
        let n = match socket.recv(&mut buf) {
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::ConnectionRefused | ErrorKind::WouldBlock | ErrorKind::TimedOut
                ) =>
            {
                return Err(not_running())
            }
            Err(e) => return Err(e.into()),
        };
        match rosc::decoder::decode_udp(&buf[..n]) {
            Ok((_, OscPacket::Message(m))) => Ok(m),
            Ok((_, OscPacket::Bundle(_))) => Err(InstrumentError::Garbled(
                "a bundle instead of a reply".into(),
            )),
            Err(e) => Err(InstrumentError::Garbled(e.to_string())),
        }
    }
}

/// Drops answers to earlier requests that arrived after their wait ended.
fn discard_stale_answers(socket: &UdpSocket) {
    if socket.set_nonblocking(true).is_err() {
        return;
    }
    let mut buf = [0u8; 2048];
    while socket.recv(&mut buf).is_ok() {}
    let _ = socket.set_nonblocking(false);
}

fn first_string(m: &OscMessage) -> Result<String, InstrumentError> {
    match m.args.first() {
        Some(OscType::String(s)) => Ok(s.clone()),
        _ => Err(InstrumentError::Garbled(format!(
            "{} without a text argument",
            m.addr
        ))),
    }
}

impl Instrument for AttachedInstrument {
    fn line(&self, text: &str) -> Result<LineReply, InstrumentError> {
        let answer = self.ask(
            "/chronus/agent/say",
            vec![OscType::String(text.to_string())],
        )?;
        match answer.addr.as_str() {
            "/chronus/reply" => {
                let reply = first_string(&answer)?;
                Ok(LineReply::Applied(if reply == "ok" {
                    Vec::new()
                } else {
                    vec![reply]
                }))
            }
            "/chronus/error" => Ok(LineReply::Error(first_string(&answer)?)),
            other => Err(InstrumentError::Garbled(format!("an answer at {other}"))),
        }
    }

    fn meters(&self) -> Result<Map<String, Value>, InstrumentError> {
        let answer = self.ask("/engine/status", Vec::new())?;
        if answer.addr != "/chronus/status" {
            return Err(InstrumentError::Garbled(format!(
                "an answer at {}",
                answer.addr
            )));
        }
        let mut out = Map::new();
        for pair in answer.args.chunks(2) {
            if let [OscType::String(key), value] = pair {
                let value = match value {
                    OscType::Int(i) => Value::from(*i),
                    OscType::Long(i) => Value::from(*i),
                    OscType::Float(f) => Value::from(f64::from(*f)),
                    OscType::Double(d) => Value::from(*d),
                    OscType::String(s) => Value::from(s.clone()),
                    OscType::Bool(b) => Value::from(*b),
                    other => Value::from(format!("{other:?}")),
                };
                out.insert(key.clone(), value);
            }
        }
        Ok(out)
    }

    fn describe(&self) -> String {
        format!("the chronus at {} (OSC)", self.target)
    }
}
