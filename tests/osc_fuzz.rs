//! More than 100,000 random and mutated datagrams at the OSC server: random bytes, valid packets
//! with flipped, cut or inserted bytes, plausible messages with random type tags, huge packets
//! and deeply nested bundles. Nothing may panic, every bad one is counted, and afterwards the
//! server still answers `/engine/status` and applies a good message. Loopback, ephemeral ports.
//!
//! Sent in bursts; between bursts the sender waits (briefly) for the server to catch up, so the
//! socket buffer never overflows and no packet is lost on the way.

#[path = "support/osc_client.rs"]
mod osc_client;

use chronus::engine::params::ParamId;
use chronus::osc::reply::{REPLY, STATUS};
use chronus::osc::timetag::{after, now_timetag};
use osc_client::{message, Rig};
use rosc::{encoder, OscBundle, OscPacket, OscTime, OscType};
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

const PACKETS: usize = 110_000;
const BURST: usize = 64;

/// xorshift64*: a fixed sequence, so a failure can be replayed.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn pad(mut b: Vec<u8>) -> Vec<u8> {
    b.push(0);
    while !b.len().is_multiple_of(4) {
        b.push(0);
    }
    b
}

/// Valid packets of every kind chronus understands, to mutate.
fn templates() -> Vec<Vec<u8>> {
    use OscType::*;
    let soon = after(now_timetag(), Duration::from_millis(30));
    let packets = vec![
        message("/mod/filter/cutoff", vec![Float(800.0)]),
        message("/mod/osc/wave", vec![String("saw".into())]),
        message("/mod/voice1/filter/q", vec![Double(2.0)]),
        message("/gate", vec![Int(1)]),
        message("/gate/adsr1", vec![Bool(false)]),
        message("/note/on", vec![Int(60), Float(0.8)]),
        message("/note/off", vec![Int(60)]),
        message("/chronus/say", vec![String("set filter.res 0.3".into())]),
        message("/engine/status", vec![]),
        message("/engine/start", vec![]),
        OscPacket::Bundle(OscBundle {
            timetag: soon,
            content: vec![
                message("/mod/amp/gain", vec![Int(-12)]),
                OscPacket::Bundle(OscBundle {
                    timetag: soon,
                    content: vec![message("/gate", vec![Long(0)])],
                }),
            ],
        }),
    ];
    packets
        .iter()
        .map(|p| encoder::encode(p).expect("encodes"))
        .collect()
}

fn mutate(r: &mut Random, template: &[u8]) -> Vec<u8> {
    let mut b = template.to_vec();
    match r.below(5) {
        0 => {
            for _ in 0..1 + r.below(4) {
                let i = r.below(b.len());
                b[i] ^= 1 << r.below(8);
            }
        }
        1 => b.truncate(r.below(b.len())),
        2 => {
            let at = r.below(b.len() + 1);
            let n = 1 + r.below(16);
            let extra = r.bytes(n);
            b.splice(at..at, extra);
        }
        3 => {
            // A random 32-bit value over an aligned word: sizes, ints, floats, time tags.
            let at = r.below(b.len() / 4) * 4;
            let word = (r.next() as u32).to_be_bytes();
            b[at..at + 4].copy_from_slice(&word);
        }
        _ => {
            let n = r.below(64);
            let extra = r.bytes(n);
            b.extend(extra);
        }
    }
    b
}

/// A known address with a random type tag string and random argument bytes.
fn plausible(r: &mut Random) -> Vec<u8> {
    const ADDRS: &[&str] = &[
        "/mod/filter/cutoff",
        "/gate",
        "/note/on",
        "/chronus/say",
        "/mod/osc/wave",
    ];
    const TAGS: &[u8] = b"ifsbhdtTFNIcrm[]";
    let mut b = pad(ADDRS[r.below(ADDRS.len())].as_bytes().to_vec());
    let mut tags = vec![b','];
    for _ in 0..r.below(6) {
        tags.push(TAGS[r.below(TAGS.len())]);
    }
    b.extend(pad(tags));
    let n = r.below(40);
    b.extend(r.bytes(n));
    b
}

fn nested_bundles(depth: usize) -> Vec<u8> {
    let inner = encoder::encode(&message("/gate", vec![OscType::Int(1)])).expect("encodes");
    (0..depth).fold(inner, |inner, _| {
        let mut b = b"#bundle\0".to_vec();
        b.extend([0, 0, 0, 0, 0, 0, 0, 1]);
        b.extend((inner.len() as u32).to_be_bytes());
        b.extend(inner);
        b
    })
}

/// Waits (at most 200 ms) until the server has read `count` datagrams; false if it has not.
fn wait_for_server(rig: &Rig, count: usize) -> bool {
    let give_up = Instant::now() + Duration::from_millis(200);
    while rig.meters.osc_packets.load(Relaxed) < count as u64 {
        if Instant::now() > give_up {
            return false;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    true
}

#[test]
fn a_hundred_thousand_random_and_mutated_packets_leave_the_server_answering() {
    let rig = Rig::start(1 << 17);
    let fuzzer = rig.client();
    let templates = templates();
    let mut r = Random(0x9E37_79B9_7F4A_7C15);
    let mut certainly_bad = 0u64;
    let mut stalls = 0;
    let start = Instant::now();
    for i in 0..PACKETS {
        let packet = match i % 100 {
            0..=29 => {
                certainly_bad += 1;
                let n = r.below(257);
                r.bytes(n)
            }
            30..=79 => {
                let t = r.below(templates.len());
                mutate(&mut r, &templates[t])
            }
            80..=97 => plausible(&mut r),
            98 if i % 1000 == 98 => {
                certainly_bad += 1;
                let n = 20_000 + r.below(40_000);
                r.bytes(n)
            }
            99 if i % 1000 == 99 => {
                certainly_bad += 1;
                nested_bundles(9 + r.below(400))
            }
            _ => {
                let t = r.below(templates.len());
                mutate(&mut r, &templates[t])
            }
        };
        fuzzer.send_raw(&packet);
        if (i + 1) % BURST == 0 && !wait_for_server(&rig, i + 1 - BURST) {
            stalls += 1;
        }
    }
    // Everything read before the last checks, so their packets find room in the socket.
    if !wait_for_server(&rig, PACKETS) {
        stalls += 1;
    }
    let sent_in = start.elapsed();

    // A fresh sender is answered: the server and the control loop are alive.
    let c = rig.client();
    let status = c.ask("/engine/status", vec![]);
    assert_eq!(status.addr, STATUS);
    let answer = c.ask("/mod/filter/cutoff", vec![OscType::Int(1234)]);
    assert_eq!(answer.addr, REPLY, "{answer:?}");

    let received = rig.meters.osc_packets.load(Relaxed);
    let bad = rig.meters.osc_bad_packets.load(Relaxed);
    let messages = rig.meters.osc_messages.load(Relaxed);
    println!(
        "sent {PACKETS} in {sent_in:?}: received {received}, bad {bad}, messages {messages}, \
         stalls {stalls}"
    );
    assert!(
        received >= (PACKETS as u64) * 99 / 100,
        "received only {received}"
    );
    assert!(
        bad >= certainly_bad,
        "{bad} counted bad, {certainly_bad} certainly bad"
    );
    assert!(bad < received);
    let control = rig.stop();
    assert_eq!(control.patch().get(ParamId::FilterCutoff), 1234.0);
}

#[test]
fn time_tags_from_the_whole_range_never_panic_the_server() {
    let rig = Rig::start(1 << 12);
    let c = rig.client();
    let mut r = Random(42);
    for i in 0..2_000 {
        let timetag = OscTime {
            seconds: r.next() as u32,
            fractional: r.next() as u32,
        };
        c.send(&OscPacket::Bundle(OscBundle {
            timetag,
            content: vec![message("/gate", vec![OscType::Int(0)])],
        }));
        if (i + 1) % BURST == 0 {
            wait_for_server(&rig, i + 1);
        }
    }
    wait_for_server(&rig, 2_000);
    assert_eq!(rig.meters.osc_packets.load(Relaxed), 2_000);
    // A fresh sender, so the answers to the bundles above are not in the way.
    assert_eq!(rig.client().ask("/engine/status", vec![]).addr, STATUS);
    drop(rig.stop());
}
