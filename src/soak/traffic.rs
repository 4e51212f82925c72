//! The load a soak run puts on the control side: random phrases as if typed at a steady rate,
//! and OSC messages from a real UDP client (rosc) to the running server.
//!
//! Each generator runs on its own "chronus-soak-*" thread; none of this is on the audio path.

use crate::control::inbox::{InboxSender, IncomingLine, LineSource};
use rosc::{encoder, OscMessage, OscPacket, OscType};
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A small xorshift generator (deterministic for a seed).
#[derive(Clone, Debug)]
pub struct Random(u64);

impl Random {
    /// A generator from `seed` (0 is replaced by a fixed odd number).
    pub fn new(seed: u64) -> Self {
        Random(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }

    /// The next raw value.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A value in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }
}

/// One random phrase a player might type: a parameter change, a relative move or a note.
pub fn random_phrase(rng: &mut Random) -> String {
    match rng.range(0, 15) {
        0 => format!("cutoff {}", rng.range(200, 5000)),
        1 => format!("resonance 0.{}", rng.range(0, 9)),
        2 => "filter a bit darker".into(),
        3 => "filter a bit brighter".into(),
        4 | 5 => format!("note on {}", rng.range(48, 72)),
        6 | 7 => format!("note off {}", rng.range(48, 72)),
        8 => format!("attack {} ms", rng.range(1, 40)),
        9 => format!("release {} ms", rng.range(50, 600)),
        10 => format!("delay mix {}%", rng.range(0, 40)),
        11 => format!("reverb mix {}%", rng.range(0, 40)),
        12 => format!("chorus mix {}%", rng.range(0, 30)),
        13 => format!("drive 0.{}", rng.range(0, 5)),
        14 => format!("volume -{} db", rng.range(6, 18)),
        _ => format!("detune {}", rng.range(0, 10)),
    }
}

/// One random OSC message for the server (addresses from `src/osc/route.rs`).
pub fn random_osc_message(rng: &mut Random) -> OscMessage {
    let (addr, args) = match rng.range(0, 5) {
        0 => (
            "/mod/filter/cutoff",
            vec![OscType::Float(rng.range(200, 4000) as f32)],
        ),
        1 => (
            "/chronus/say",
            vec![OscType::String("filter a bit darker".into())],
        ),
        2 => ("/note/on", vec![OscType::Int(rng.range(36, 84) as i32)]),
        3 => ("/note/off", vec![OscType::Int(rng.range(36, 84) as i32)]),
        4 => (
            "/mod/env/release",
            vec![OscType::Float(rng.range(50, 500) as f32 / 1000.0)],
        ),
        _ => ("/engine/status", vec![]),
    };
    OscMessage {
        addr: addr.into(),
        args,
    }
}

/// A running generator thread and what it has sent.
pub struct Generator {
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicU64>,
    handle: Option<JoinHandle<()>>,
}

impl Generator {
    /// Messages sent so far.
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// Stops the thread and returns how many it sent.
    pub fn stop(mut self) -> u64 {
        self.halt();
        self.sent()
    }

    fn halt(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(h) = self.handle.take() {
            drop(h.join());
        }
    }
}

impl Drop for Generator {
    fn drop(&mut self) {
        self.halt();
    }
}

/// Runs `tick` `per_second` times a second on an absolute schedule (no drift) on a thread
/// named `name`, until stopped; `tick` returns false to end early.
fn spawn_paced(
    name: &str,
    per_second: f64,
    mut tick: impl FnMut() -> bool + Send + 'static,
) -> std::io::Result<Generator> {
    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicU64::new(0));
    let (flag, count) = (stop.clone(), sent.clone());
    let period = Duration::from_secs_f64(1.0 / per_second.clamp(0.01, 100_000.0));
    let handle = std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            let mut due = Instant::now();
            while !flag.load(Ordering::Acquire) {
                if !tick() {
                    return;
                }
                count.fetch_add(1, Ordering::Relaxed);
                due += period;
                let now = Instant::now();
                if due > now {
                    std::thread::sleep(due - now);
                } else if now - due > period * 50 {
                    due = now;
                }
            }
        })?;
    Ok(Generator {
        stop,
        sent,
        handle: Some(handle),
    })
}

/// Sends `per_second` random phrases a second into `inbox`, as if typed.
pub fn spawn_phrases(inbox: InboxSender, per_second: f64, seed: u64) -> std::io::Result<Generator> {
    let mut rng = Random::new(seed);
    spawn_paced("chronus-soak-phrases", per_second, move || {
        inbox.send(IncomingLine {
            text: random_phrase(&mut rng),
            source: LineSource::Keyboard,
            reply_to: None,
        })
    })
}

/// Sends `per_second` random OSC messages a second from a UDP client to `server`, and
/// reads (and drops) the server's replies so they never pile up.
pub fn spawn_osc_client(
    server: SocketAddr,
    per_second: f64,
    seed: u64,
) -> std::io::Result<Generator> {
    let socket = UdpSocket::bind(("127.0.0.1", 0))?;
    socket.set_nonblocking(true)?;
    let mut rng = Random::new(seed);
    let mut scratch = [0u8; 2048];
    spawn_paced("chronus-soak-osc", per_second, move || {
        while socket.recv_from(&mut scratch).is_ok() {}
        let packet = OscPacket::Message(random_osc_message(&mut rng));
        match encoder::encode(&packet) {
            Ok(bytes) => {
                let _ = socket.send_to(&bytes, server);
                true
            }
            Err(_) => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::{explain_phrases, Vocabulary};
    use crate::osc::route::{route, Request};

    #[test]
    fn every_random_phrase_resolves() {
        let vocab = Vocabulary::builtin();
        let mut rng = Random::new(7);
        for _ in 0..500 {
            let p = random_phrase(&mut rng);
            assert!(
                explain_phrases(std::slice::from_ref(&p), &vocab).is_ok(),
                "{p}"
            );
        }
    }

    #[test]
    fn every_random_osc_message_is_routed() {
        let mut rng = Random::new(7);
        for _ in 0..200 {
            let m = random_osc_message(&mut rng);
            let r = route(&m);
            assert!(
                matches!(r, Ok(Request::Line(_)) | Ok(Request::Status)),
                "{m:?}: {r:?}"
            );
        }
    }
}
