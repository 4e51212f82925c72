//! The OSC server: one UDP socket read on its own "chronus-osc" thread, never on the audio
//! path. Lines go to the control thread through the inbox; their answers come back on a second
//! thread, "chronus-osc-reply", which sends `/chronus/reply` or `/chronus/error` to the sender.
//! `/engine/status` and `/engine/start` are answered on the OSC thread from the meters.
//! Bundles with a future time tag wait on the OSC thread until they are due.

use super::hold::HeldRequests;
use super::packet::{decode_datagram, flatten};
use super::reply::{error_packet, line_reply_packet, reply_packet, status_packet};
use super::route::{route, Request};
use super::timetag::{delay_until, now_timetag};
use crate::control::inbox::{InboxSender, IncomingLine, LineReply, LineSource};
use crate::rt::meters::Meters;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The original project's port.
pub const DEFAULT_PORT: u16 = 5005;

/// How often the threads look at the stop flag when nothing arrives.
const POLL: Duration = Duration::from_millis(50);

/// Shortest socket wait while a held request is nearly due.
const MIN_WAIT: Duration = Duration::from_micros(200);

/// Where and how the server listens.
#[derive(Clone, Debug, PartialEq)]
pub struct OscConfig {
    /// Address to listen on; loopback unless the user asks for another.
    pub bind: IpAddr,
    /// UDP port (0 picks a free one).
    pub port: u16,
    /// Larger datagrams are refused as bad packets.
    pub max_packet_bytes: usize,
    /// Lines sent to the control thread and not answered yet; beyond this, new lines are
    /// refused with "busy" instead of piling up.
    pub max_pending_lines: usize,
    /// How far ahead a bundle's time tag may be.
    pub max_hold: Duration,
    /// How many scheduled messages may wait at once.
    pub max_held: usize,
}

impl Default for OscConfig {
    fn default() -> Self {
        OscConfig {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: DEFAULT_PORT,
            max_packet_bytes: 16 * 1024,
            max_pending_lines: 4096,
            max_hold: Duration::from_secs(60),
            max_held: 4096,
        }
    }
}

/// Why the server did not start.
#[derive(Debug, thiserror::Error)]
pub enum OscStartError {
    /// Another program listens on the port.
    #[error("OSC port {addr} is taken by another program; choose one with --osc-port N")]
    PortTaken {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// The address cannot be used (not on this machine, no permission, …).
    #[error("cannot listen for OSC on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The cause.
        source: io::Error,
    },
    /// A thread or socket clone could not be made.
    #[error("could not start the OSC server: {0}")]
    Io(io::Error),
}

/// What starting the OSC server beside a UI gave.
#[derive(Debug)]
pub struct OscLaunch {
    /// The running server (keep it alive as long as the UI runs), if it started.
    pub server: Option<OscServer>,
    /// One-line notices for the user: a non-loopback warning, or why OSC is off.
    pub notices: Vec<String>,
}

/// Starts the OSC server for a UI unless `config` is `None` (`--no-osc`). A taken port or an
/// unusable address is not fatal: it becomes one notice ("…; running without OSC").
pub fn launch(config: Option<&OscConfig>, inbox: InboxSender, meters: Arc<Meters>) -> OscLaunch {
    let Some(config) = config else {
        return OscLaunch {
            server: None,
            notices: Vec::new(),
        };
    };
    match OscServer::start(config, inbox, meters) {
        Ok(server) => OscLaunch {
            notices: server.warning().map(str::to_string).into_iter().collect(),
            server: Some(server),
        },
        Err(e) => OscLaunch {
            server: None,
            notices: vec![format!("{e}; running without OSC")],
        },
    }
}

/// The one-line warning for a server that listens beyond this machine, if it does.
pub fn exposure_warning(local_addr: SocketAddr) -> Option<String> {
    (!local_addr.ip().is_loopback()).then(|| {
        format!(
            "OSC listens on {local_addr}, not only on this machine: anyone who can reach this \
             port can play chronus"
        )
    })
}

/// A running OSC server. Dropping it stops it.
#[derive(Debug)]
pub struct OscServer {
    local_addr: SocketAddr,
    warning: Option<String>,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

/// A line sent to the control thread, waiting for its answer.
struct PendingReply {
    peer: SocketAddr,
    answer: mpsc::Receiver<LineReply>,
}

impl OscServer {
    /// Binds the socket and starts the threads. Lines go into `inbox`; meters are counted in
    /// `meters` and read for `/engine/status`.
    pub fn start(
        config: &OscConfig,
        inbox: InboxSender,
        meters: Arc<Meters>,
    ) -> Result<OscServer, OscStartError> {
        let addr = SocketAddr::new(config.bind, config.port);
        let socket = UdpSocket::bind(addr).map_err(|source| match source.kind() {
            io::ErrorKind::AddrInUse => OscStartError::PortTaken { addr },
            _ => OscStartError::Bind { addr, source },
        })?;
        let local_addr = socket.local_addr().map_err(OscStartError::Io)?;
        let warning = exposure_warning(local_addr);
        let reply_socket = socket.try_clone().map_err(OscStartError::Io)?;
        let stop = Arc::new(AtomicBool::new(false));
        let pending = Arc::new(AtomicUsize::new(0));
        let (replies_tx, replies_rx) = mpsc::channel();

        let replier = {
            let stop = stop.clone();
            let pending = pending.clone();
            std::thread::Builder::new()
                .name("chronus-osc-reply".into())
                .spawn(move || send_answers(&reply_socket, &replies_rx, &pending, &stop))
                .map_err(OscStartError::Io)?
        };
        let mut receiver = OscThread {
            socket,
            inbox,
            meters,
            held: HeldRequests::new(),
            replies: replies_tx,
            pending,
            config: config.clone(),
        };
        let receiver_stop = stop.clone();
        let spawned = std::thread::Builder::new()
            .name("chronus-osc".into())
            .spawn(move || receiver.run(&receiver_stop));
        let receiver = match spawned {
            Ok(handle) => handle,
            Err(e) => {
                stop.store(true, Release);
                drop(replier.join());
                return Err(OscStartError::Io(e));
            }
        };
        Ok(OscServer {
            local_addr,
            warning,
            stop,
            threads: vec![receiver, replier],
        })
    }

    /// The address the server listens on (with the real port when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// A one-line warning to show the user (listening beyond loopback), if any.
    pub fn warning(&self) -> Option<&str> {
        self.warning.as_deref()
    }

    /// Stops both threads and waits for them (at most a poll interval or two).
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Release);
        for t in self.threads.drain(..) {
            drop(t.join());
        }
    }
}

impl Drop for OscServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The "chronus-osc" thread's state.
struct OscThread {
    socket: UdpSocket,
    inbox: InboxSender,
    meters: Arc<Meters>,
    held: HeldRequests,
    replies: mpsc::Sender<PendingReply>,
    pending: Arc<AtomicUsize>,
    config: OscConfig,
}

impl OscThread {
    fn run(&mut self, stop: &AtomicBool) {
        // Room for the largest UDP datagram, so an oversized one is seen whole and refused.
        let mut buf = vec![0u8; 65_536];
        let mut wait = None;
        while !stop.load(Acquire) {
            self.release_due();
            let next = match self.held.next_due() {
                Some(due) => due
                    .saturating_duration_since(Instant::now())
                    .clamp(MIN_WAIT, POLL),
                None => POLL,
            };
            if wait != Some(next) && self.socket.set_read_timeout(Some(next)).is_ok() {
                wait = Some(next);
            }
            match self.socket.recv_from(&mut buf) {
                Ok((n, peer)) => self.handle_datagram(&buf[..n], peer),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock
                            | io::ErrorKind::TimedOut
                            | io::ErrorKind::Interrupted
                    ) => {}
                // E.g. an ICMP error for an earlier reply: nothing to read, do not spin.
                Err(_) => std::thread::sleep(Duration::from_millis(1)),
            }
        }
    }

    fn release_due(&mut self) {
        let now = Instant::now();
        while let Some((request, peer)) = self.held.pop_due(now) {
            self.dispatch(request, peer);
        }
    }

    fn handle_datagram(&mut self, bytes: &[u8], peer: SocketAddr) {
        self.meters.osc_packets.fetch_add(1, Relaxed);
        let packet = match decode_datagram(bytes, self.config.max_packet_bytes) {
            Ok(p) => p,
            Err(e) => return self.refuse(peer, &e.to_string()),
        };
        let now_tag = now_timetag();
        let now = Instant::now();
        for (due, message) in flatten(&packet) {
            self.meters.osc_messages.fetch_add(1, Relaxed);
            let request = match route(message) {
                Ok(r) => r,
                Err(e) => {
                    self.refuse(peer, &e.to_string());
                    continue;
                }
            };
            match delay_until(due, now_tag) {
                None => self.dispatch(request, peer),
                Some(d) if d > self.config.max_hold => self.refuse(
                    peer,
                    &format!(
                        "{}: time tag is {:.1} s ahead; chronus schedules at most {} s ahead",
                        message.addr,
                        d.as_secs_f64(),
                        self.config.max_hold.as_secs()
                    ),
                ),
                Some(_) if self.held.len() >= self.config.max_held => self.refuse(
                    peer,
                    &format!(
                        "{}: {} messages are already scheduled; try again later",
                        message.addr,
                        self.held.len()
                    ),
                ),
                Some(d) => self.held.hold(now + d, request, peer),
            }
        }
    }

    fn dispatch(&mut self, request: Request, peer: SocketAddr) {
        match request {
            Request::Status => self.send(peer, status_packet(&self.meters.snapshot())),
            Request::EngineStart => {
                let rate = self.meters.sample_rate.load(Relaxed);
                self.send(peer, reply_packet(&format!("engine running at {rate} Hz")));
            }
            Request::Line(text) => self.pass_on(text, LineSource::Osc(peer), peer),
            Request::AgentLine(text) => self.pass_on(text, LineSource::Agent, peer),
        }
    }

    /// Hands a line to the control thread; its answer goes back to `peer` in order.
    fn pass_on(&mut self, text: String, source: LineSource, peer: SocketAddr) {
        if self.pending.load(Relaxed) >= self.config.max_pending_lines {
            return self.refuse(
                peer,
                &format!(
                    "busy: chronus has not answered the last lines yet; \"{text}\" was dropped"
                ),
            );
        }
        let (tx, rx) = mpsc::channel();
        let sent = self.inbox.send(IncomingLine {
            text,
            source,
            reply_to: Some(tx),
        });
        if !sent {
            return self.refuse(peer, "chronus is not taking lines (shutting down)");
        }
        self.pending.fetch_add(1, Relaxed);
        // The reply thread only ends after this thread, so the send cannot fail.
        drop(self.replies.send(PendingReply { peer, answer: rx }));
    }

    /// Counts a refused packet or message and tells the sender why.
    fn refuse(&self, peer: SocketAddr, message: &str) {
        self.meters.osc_bad_packets.fetch_add(1, Relaxed);
        self.send(peer, error_packet(message));
    }

    fn send(&self, peer: SocketAddr, packet: Option<Vec<u8>>) {
        if let Some(bytes) = packet {
            // A sender that has gone away is not our problem.
            drop(self.socket.send_to(&bytes, peer));
        }
    }
}

/// The "chronus-osc-reply" thread: answers lines in the order they were sent, as the control
/// thread finishes them. Ends when the OSC thread has ended and every answer is sent.
fn send_answers(
    socket: &UdpSocket,
    queue: &mpsc::Receiver<PendingReply>,
    pending: &AtomicUsize,
    stop: &AtomicBool,
) {
    loop {
        let item = match queue.recv_timeout(POLL) {
            Ok(item) => item,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        let answer = loop {
            let got = if stop.load(Acquire) {
                item.answer
                    .try_recv()
                    .map_err(|_| RecvTimeoutError::Disconnected)
            } else {
                item.answer.recv_timeout(POLL)
            };
            match got {
                Ok(reply) => break Some(reply),
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => break None,
            }
        };
        let packet = match answer {
            Some(reply) => line_reply_packet(&reply),
            None => error_packet("chronus stopped before answering this line"),
        };
        if let Some(bytes) = packet {
            drop(socket.send_to(&bytes, item.peer));
        }
        pending.fetch_sub(1, Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_non_loopback_addresses_get_a_warning() {
        let addr = |s: &str| s.parse::<SocketAddr>().expect("address");
        assert_eq!(exposure_warning(addr("127.0.0.1:5005")), None);
        assert_eq!(exposure_warning(addr("[::1]:5005")), None);
        let w = exposure_warning(addr("0.0.0.0:5005")).expect("a warning");
        assert!(w.contains("0.0.0.0:5005") && w.contains("anyone"), "{w}");
        assert!(!w.contains('\n'));
        assert!(exposure_warning(addr("192.168.1.20:5005")).is_some());
    }
}
