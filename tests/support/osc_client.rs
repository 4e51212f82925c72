//! A small rosc client and an in-process rig (OSC server + headless control loop) for the OSC
//! tests. Loopback only, ephemeral ports only.

#![allow(dead_code)]

use chronus::control::inbox::{inbox, InboxSender, IncomingLine, LineReply, LineSource};
use chronus::control::Control;
use chronus::engine::command::StampedCommand;
use chronus::lang::Vocabulary;
use chronus::osc::headless::{phrase_runner, HeadlessControl};
use chronus::osc::{OscConfig, OscServer};
use chronus::rt::meters::Meters;
use rosc::{encoder, OscMessage, OscPacket, OscType};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A UDP client on an ephemeral loopback port.
pub struct Client {
    pub socket: UdpSocket,
    pub server: SocketAddr,
}

pub fn message(addr: &str, args: Vec<OscType>) -> OscPacket {
    OscPacket::Message(OscMessage {
        addr: addr.to_string(),
        args,
    })
}

impl Client {
    pub fn new(server: SocketAddr) -> Client {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("client socket");
        Client { socket, server }
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.socket.local_addr().expect("client address")
    }

    pub fn send(&self, packet: &OscPacket) {
        let bytes = encoder::encode(packet).expect("encodes");
        self.send_raw(&bytes);
    }

    pub fn send_raw(&self, bytes: &[u8]) {
        self.socket.send_to(bytes, self.server).expect("send");
    }

    /// The next message that arrives within `timeout`.
    pub fn recv(&self, timeout: Duration) -> Option<OscMessage> {
        let deadline = Instant::now() + timeout;
        let mut buf = vec![0u8; 65_536];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            self.socket.set_read_timeout(Some(left)).ok()?;
            let (n, _) = self.socket.recv_from(&mut buf).ok()?;
            if let Ok((_, OscPacket::Message(m))) = rosc::decoder::decode_udp(&buf[..n]) {
                return Some(m);
            }
        }
    }

    /// Sends one message and waits for the answer.
    pub fn ask(&self, addr: &str, args: Vec<OscType>) -> OscMessage {
        self.send(&message(addr, args));
        self.recv(Duration::from_secs(5))
            .unwrap_or_else(|| panic!("no answer to {addr}"))
    }
}

/// The first string argument of a reply.
pub fn text(m: &OscMessage) -> String {
    match m.args.first() {
        Some(OscType::String(s)) => s.clone(),
        other => panic!("{} carries no text: {other:?}", m.addr),
    }
}

/// Server + headless control loop on a plain command ring, all in this process.
pub struct Rig {
    pub server: Option<OscServer>,
    pub headless: Option<HeadlessControl>,
    pub meters: Arc<Meters>,
    pub inbox: InboxSender,
    /// The engine side of the command ring, when no live worker owns it.
    pub commands: Option<rtrb::Consumer<StampedCommand>>,
    /// Every line the control loop ran: (source, text, reply).
    pub seen: Arc<Mutex<Vec<(LineSource, String, LineReply)>>>,
}

pub fn loopback_config() -> OscConfig {
    OscConfig {
        bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
        port: 0,
        ..OscConfig::default()
    }
}

impl Rig {
    pub fn start(command_capacity: usize) -> Rig {
        let meters = Arc::new(Meters::new());
        meters
            .sample_rate
            .store(44_100, std::sync::atomic::Ordering::Relaxed);
        let (cmd_tx, cmd_rx) = rtrb::RingBuffer::new(command_capacity);
        let control = Control::new(cmd_tx, meters.clone());
        Rig::with_control(control, meters, Some(cmd_rx))
    }

    pub fn with_control(
        control: Control,
        meters: Arc<Meters>,
        commands: Option<rtrb::Consumer<StampedCommand>>,
    ) -> Rig {
        let (tx, rx) = inbox();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let headless = HeadlessControl::spawn(
            control,
            rx,
            phrase_runner(Vocabulary::builtin()),
            Box::new(move |line: &IncomingLine, reply: &LineReply| {
                if let Ok(mut v) = log.lock() {
                    v.push((line.source.clone(), line.text.clone(), reply.clone()));
                }
            }),
        )
        .expect("control thread");
        let server =
            OscServer::start(&loopback_config(), tx.clone(), meters.clone()).expect("server");
        Rig {
            server: Some(server),
            headless: Some(headless),
            meters,
            inbox: tx,
            commands,
            seen,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.as_ref().expect("running").local_addr()
    }

    pub fn client(&self) -> Client {
        Client::new(self.addr())
    }

    /// Stops everything and returns the control side.
    pub fn stop(mut self) -> Control {
        if let Some(s) = self.server.take() {
            s.stop();
        }
        self.headless
            .take()
            .and_then(HeadlessControl::stop)
            .expect("control comes back")
    }

    pub fn seen(&self) -> Vec<(LineSource, String, LineReply)> {
        self.seen.lock().map(|v| v.clone()).unwrap_or_default()
    }
}
