//! Every OSC address over real loopback UDP, with the answers a sender gets back; bundles held
//! until their time tag; refusals counted; the port-taken error. In-process server and headless
//! control loop, ephemeral ports only.

#[path = "support/osc_client.rs"]
mod osc_client;

use chronus::control::inbox::LineSource;
use chronus::engine::command::Command;
use chronus::engine::params::ParamId;
use chronus::osc::reply::{ERROR, REPLY, STATUS};
use chronus::osc::timetag::{after, now_timetag};
use chronus::osc::{OscServer, OscStartError};
use osc_client::{loopback_config, message, text, Client, Rig};
use rosc::{OscBundle, OscPacket, OscType};
use std::net::UdpSocket;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use OscType::{Float, Int, String as Str};

fn reply_text(m: &rosc::OscMessage) -> String {
    assert_eq!(m.addr, REPLY, "expected a reply, got {m:?}");
    text(m)
}

fn error_text(m: &rosc::OscMessage) -> String {
    assert_eq!(m.addr, ERROR, "expected an error, got {m:?}");
    text(m)
}

#[test]
fn every_address_is_answered_and_reaches_the_control_side_as_a_canonical_line() {
    let rig = Rig::start(1024);
    let c = rig.client();
    let cases: Vec<(&str, Vec<OscType>, &str)> = vec![
        (
            "/mod/filter/cutoff",
            vec![Int(800)],
            "filter.cutoff 2000 → 800 Hz",
        ),
        (
            "/mod/osc/wave",
            vec![Str("square".into())],
            "osc.wave saw → square",
        ),
        (
            "/mod/sine/freq",
            vec![Float(440.0)],
            "osc.freq 220 → 440 Hz",
        ),
        (
            "/mod/adsr/attack",
            vec![Float(0.5)],
            "env.attack 0.01 → 0.5 s",
        ),
        ("/mod/filter1/q", vec![Float(0.5)], "filter.res 0.2 → 0"),
        (
            "/mod/voice1/filter/freq",
            vec![Int(1200)],
            "filter.cutoff 800 → 1200 Hz",
        ),
        ("/gate", vec![Int(1)], "gate on"),
        ("/gate/adsr", vec![Int(0)], "gate off"),
        ("/gate/env", vec![OscType::Bool(true)], "gate on"),
        ("/note/on", vec![Int(57)], "note on 57 (A3, 220 Hz)"),
        (
            "/note/on",
            vec![Int(60), Float(0.5)],
            "note on 60 (C4, 261.6 Hz)",
        ),
        ("/note/off", vec![Int(60)], "note off 60"),
        (
            "/chronus/say",
            vec![Str("set filter.res 0.5".into())],
            "filter.res 0 → 0.5",
        ),
        ("/engine/stop", vec![], "all notes off"),
        ("/engine/start", vec![], "engine running at 44100 Hz"),
    ];
    for (addr, args, expected) in &cases {
        let answer = c.ask(addr, args.clone());
        assert_eq!(reply_text(&answer), *expected, "{addr}");
    }

    let status = c.ask("/engine/status", vec![]);
    assert_eq!(status.addr, STATUS);
    assert_eq!(status.args.len() % 2, 0);
    let value = |key: &str| {
        status
            .args
            .chunks(2)
            .find(|kv| kv[0] == Str(key.into()))
            .map(|kv| kv[1].clone())
    };
    assert_eq!(value("osc_messages"), Some(Int(cases.len() as i32 + 1)));
    assert_eq!(value("osc_bad"), Some(Int(0)));
    assert!(value("underruns").is_some() && value("rate") == Some(Int(44_100)));

    // The control loop saw each line as text from this peer, like a typed phrase.
    let seen = rig.seen();
    let peer = c.local_addr();
    assert!(seen.iter().all(|(src, _, _)| *src == LineSource::Osc(peer)));
    let lines: Vec<&str> = seen.iter().map(|(_, t, _)| t.as_str()).collect();
    assert_eq!(lines[0], "set filter.cutoff 800");
    assert_eq!(lines[1], "set osc.wave square");
    assert!(
        lines.contains(&"note on 60 velocity 0.5"),
        "the velocity reaches the phrase: {lines:?}"
    );
    assert!(lines.contains(&"all notes off"));

    let mut rig = rig;
    let mut sent = Vec::new();
    let ring = rig.commands.as_mut().expect("a plain ring");
    while let Ok(s) = ring.pop() {
        sent.push(s.command);
    }
    assert!(sent.contains(&Command::NoteOn {
        note: 60,
        velocity: 0.5
    }));
    assert_eq!(sent.last(), Some(&Command::AllNotesOff));
    let control = rig.stop();
    assert_eq!(control.patch().get(ParamId::FilterCutoff), 1200.0);
    assert_eq!(control.patch().get(ParamId::FilterRes), 0.5);
    assert_eq!(control.patch().get(ParamId::OscWave), 2.0);
    assert!(!control.patch().gate());
}

#[test]
fn bad_messages_and_packets_get_an_error_and_are_counted() {
    let rig = Rig::start(1024);
    let c = rig.client();
    let e = error_text(&c.ask("/mod/fliter/cutoff", vec![Int(800)]));
    assert!(e.contains("did you mean \"filter\""), "{e}");
    let e = error_text(&c.ask("/mod/filter/cutoff", vec![OscType::Blob(vec![1, 2])]));
    assert!(e.contains("expects a number, got a blob"), "{e}");
    let e = error_text(&c.ask("/nowhere", vec![]));
    assert!(e.contains("unknown address"), "{e}");
    // A phrase the control side refuses comes back as an error too.
    let e = error_text(&c.ask("/chronus/say", vec![Str("flitter darker".into())]));
    assert!(!e.is_empty());
    // Not OSC at all, truncated, and too big.
    for bytes in [
        b"hello world".to_vec(),
        b"/mod/filter/cutoff\0\0,i\0\0".to_vec(),
        vec![b'/'; 20_000],
    ] {
        c.send_raw(&bytes);
        let e = error_text(&c.recv(Duration::from_secs(5)).expect("an error answer"));
        assert!(e.contains("packet"), "{e}");
    }
    assert_eq!(rig.meters.osc_bad_packets.load(Relaxed), 6);
    assert_eq!(rig.meters.osc_packets.load(Relaxed), 7);
    // Still serving.
    assert_eq!(reply_text(&c.ask("/gate", vec![Int(1)])), "gate on");
    let control = rig.stop();
    assert!(control.patch().gate());
}

fn bundle(timetag: rosc::OscTime, content: Vec<OscPacket>) -> OscPacket {
    OscPacket::Bundle(OscBundle { timetag, content })
}

#[test]
fn a_future_bundle_waits_for_its_time_tag_while_later_messages_go_first() {
    let rig = Rig::start(1024);
    let c = rig.client();
    let hold = Duration::from_millis(300);
    let sent_at = Instant::now();
    c.send(&bundle(
        after(now_timetag(), hold),
        vec![
            message("/mod/filter/cutoff", vec![Int(500)]),
            message("/gate", vec![Int(1)]),
        ],
    ));
    // Sent after the bundle, applied before it.
    assert_eq!(
        reply_text(&c.ask("/mod/filter/cutoff", vec![Int(900)])),
        "filter.cutoff 2000 → 900 Hz"
    );
    let first = c
        .recv(Duration::from_secs(5))
        .expect("the bundle's first reply");
    let waited = sent_at.elapsed();
    assert_eq!(reply_text(&first), "filter.cutoff 900 → 500 Hz");
    let second = c
        .recv(Duration::from_secs(5))
        .expect("the bundle's second reply");
    assert_eq!(reply_text(&second), "gate on");
    assert!(
        waited >= hold - Duration::from_millis(5),
        "released after {waited:?}, before its time tag"
    );
    assert!(
        waited < hold + Duration::from_secs(2),
        "released after {waited:?}"
    );
    // Past and "immediately" tags apply now.
    let past = rosc::OscTime {
        seconds: now_timetag().seconds - 10,
        fractional: 0,
    };
    c.send(&bundle(past, vec![message("/gate", vec![Int(0)])]));
    assert_eq!(
        reply_text(&c.recv(Duration::from_secs(1)).expect("now")),
        "gate off"
    );
    c.send(&bundle(
        chronus::osc::timetag::IMMEDIATELY,
        vec![message("/gate", vec![Int(1)])],
    ));
    assert_eq!(
        reply_text(&c.recv(Duration::from_secs(1)).expect("now")),
        "gate on"
    );
    // Too far ahead is refused, not held for an hour.
    c.send(&bundle(
        after(now_timetag(), Duration::from_secs(3600)),
        vec![message("/gate", vec![Int(0)])],
    ));
    let e = error_text(&c.recv(Duration::from_secs(1)).expect("an error"));
    assert!(e.contains("ahead"), "{e}");
    let control = rig.stop();
    assert_eq!(control.patch().get(ParamId::FilterCutoff), 500.0);
    assert!(control.patch().gate());
}

#[test]
fn a_taken_port_is_one_clear_error() {
    let holder = UdpSocket::bind("127.0.0.1:0").expect("socket");
    let port = holder.local_addr().expect("address").port();
    let (tx, _rx) = chronus::control::inbox::inbox();
    let config = chronus::osc::OscConfig {
        port,
        ..loopback_config()
    };
    let err =
        OscServer::start(&config, tx, std::sync::Arc::default()).expect_err("the port is taken");
    assert!(matches!(err, OscStartError::PortTaken { .. }), "{err:?}");
    let line = err.to_string();
    assert!(
        line.contains(&port.to_string()) && line.contains("taken"),
        "{line}"
    );
    assert!(!line.contains('\n'));
}

#[test]
fn the_server_stops_promptly_and_frees_its_port() {
    let rig = Rig::start(64);
    let addr = rig.addr();
    let t = Instant::now();
    drop(rig.stop());
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    UdpSocket::bind(addr).expect("the port is free again");
    let _ = Client::new(addr);
}

#[test]
fn mini_notation_and_rhythm_words_arrive_through_say() {
    let rig = Rig::start(1024);
    let c = rig.client();
    let answer = reply_text(&c.ask("/chronus/say", vec![Str("pattern x(3,8)".into())]));
    assert!(answer.contains("x . . x . . x ."), "{answer}");
    let answer = reply_text(&c.ask("/chronus/say", vec![Str("fast 2".into())]));
    assert!(answer.contains("steps 16"), "{answer}");
    let e = error_text(&c.ask("/chronus/say", vec![Str("pattern x(3,8".into())]));
    assert!(e.contains("missing `)`"), "{e}");
    let control = rig.stop();
    let track = control.patch().tracks()[0];
    assert_eq!(track.length, 16, "x(3,8) twice as fast: 16 slots of 1/32");
    let typed = control.rhythms().tracks[0].clone().map(|r| r.phrase());
    assert_eq!(typed.as_deref(), Some("pattern x(3,8), fast 2"));
}
