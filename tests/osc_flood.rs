//! A flood of OSC parameter messages while a tone plays on the real-time-paced null device:
//! no underruns, every message applied and answered, the final patch as sent, and the control
//! loop answering other lines promptly all along. Loopback only, ephemeral ports.

#[path = "support/osc_client.rs"]
mod osc_client;

use chronus::control::inbox::{IncomingLine, LineReply, LineSource};
use chronus::control::Control;
use chronus::engine::params::ParamId;
use chronus::osc::reply::{ERROR, REPLY, STATUS};
use chronus::rt::{AudioConfig, LiveAudio, OutputChoice};
use osc_client::{message, Client, Rig};
use rosc::OscType;
use std::collections::HashMap;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const MESSAGES: usize = 10_000;
/// Messages per 10 ms tick: 2,500 a second when the machine keeps up.
const PER_TICK: usize = 25;

/// The parameters the flood moves, with the range its values sweep.
const SWEPT: &[(ParamId, &str, f32, f32)] = &[
    (ParamId::FilterCutoff, "/mod/filter/cutoff", 300.0, 8_000.0),
    (ParamId::FilterRes, "/mod/filter/res", 0.0, 0.9),
    (ParamId::AmpGain, "/mod/amp/gain", -24.0, -6.0),
    (ParamId::DelayMix, "/mod/delay/mix", 0.0, 0.5),
    (ParamId::ReverbMix, "/mod/reverb/mix", 0.0, 0.5),
    (ParamId::OscDetune, "/mod/osc/detune", -50.0, 50.0),
];

#[derive(Default, Debug)]
struct Answers {
    replies: usize,
    errors: Vec<String>,
    statuses: usize,
}

#[test]
fn ten_thousand_parameter_messages_at_over_1000_a_second_apply_without_underruns() {
    let config = AudioConfig {
        output: OutputChoice::Null,
        buffer_frames: Some(256),
        target_fill: 16,
        ..AudioConfig::default()
    };
    let audio = LiveAudio::start(&config).expect("the null device starts");
    let meters = audio.meters.clone();
    let control = Control::new(audio.commands.clone(), meters.clone());
    let rig = Rig::with_control(control, meters.clone(), None);
    let c = rig.client();

    // A tone.
    for (addr, arg) in [
        ("/mod/osc/wave", OscType::String("sine".into())),
        ("/mod/osc/freq", OscType::Int(440)),
        ("/gate", OscType::Int(1)),
    ] {
        assert_eq!(c.ask(addr, vec![arg]).addr, REPLY, "{addr}");
    }
    std::thread::sleep(Duration::from_millis(200));
    let underruns_before = meters.underruns.load(Relaxed);
    let played_before = meters.blocks_played.load(Relaxed);

    // Answers are read on their own thread so the sender never waits for them.
    let reader = Client {
        socket: c.socket.try_clone().expect("socket clone"),
        server: c.server,
    };
    let expected_answers = MESSAGES + 1;
    let answers = std::thread::spawn(move || {
        let mut a = Answers::default();
        let deadline = Instant::now() + Duration::from_secs(60);
        while a.replies + a.errors.len() + a.statuses < expected_answers
            && Instant::now() < deadline
        {
            let Some(m) = reader.recv(Duration::from_secs(5)) else {
                break;
            };
            match m.addr.as_str() {
                REPLY => a.replies += 1,
                STATUS => a.statuses += 1,
                ERROR => a.errors.push(format!("{:?}", m.args)),
                _ => {}
            }
        }
        a
    });

    // Meanwhile a "keyboard" keeps typing into the same control loop and times the answers.
    let flooding = Arc::new(AtomicBool::new(true));
    let probe = {
        let flooding = flooding.clone();
        let inbox = rig.inbox.clone();
        std::thread::spawn(move || {
            let mut worst = Duration::ZERO;
            let mut answered = 0;
            while flooding.load(Ordering::Acquire) {
                let (tx, rx) = std::sync::mpsc::channel();
                let t = Instant::now();
                assert!(inbox.send(IncomingLine {
                    text: "set osc.freq 440".into(),
                    source: LineSource::Keyboard,
                    reply_to: Some(tx),
                }));
                match rx.recv_timeout(Duration::from_secs(5)) {
                    Ok(LineReply::Applied(_)) => answered += 1,
                    other => panic!("the keyboard line got {other:?}"),
                }
                worst = worst.max(t.elapsed());
                std::thread::sleep(Duration::from_millis(20));
            }
            (answered, worst)
        })
    };

    let mut last: HashMap<ParamId, f32> = HashMap::new();
    let start = Instant::now();
    let mut deadline = start;
    for i in 0..MESSAGES {
        let (param, addr, lo, hi) = SWEPT[i % SWEPT.len()];
        let value = lo + (hi - lo) * ((i * 7919) % 1000) as f32 / 999.0;
        c.send(&message(addr, vec![OscType::Float(value)]));
        last.insert(param, value);
        if i == MESSAGES / 2 {
            c.send(&message("/engine/status", vec![]));
        }
        if (i + 1) % PER_TICK == 0 {
            deadline += Duration::from_millis(10);
            if let Some(wait) = deadline.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        }
    }
    let send_time = start.elapsed();
    let answers = answers.join().expect("reader");
    let all_answered = start.elapsed();
    flooding.store(false, Ordering::Release);
    let (probes, worst_probe) = probe.join().expect("probe");
    std::thread::sleep(Duration::from_millis(100));

    let rate = MESSAGES as f64 / send_time.as_secs_f64();
    println!(
        "sent {MESSAGES} in {send_time:?} ({rate:.0}/s), all answered after {all_answered:?}; \
         keyboard probes {probes}, slowest {worst_probe:?}; blocks played {}",
        meters.blocks_played.load(Relaxed) - played_before
    );
    assert!(rate >= 1_000.0, "only {rate:.0} messages a second");
    assert!(
        answers.errors.is_empty(),
        "{:?}",
        &answers.errors[..answers.errors.len().min(5)]
    );
    assert_eq!(answers.replies, MESSAGES, "every message answered");
    assert_eq!(answers.statuses, 1);
    assert_eq!(
        meters.underruns.load(Relaxed) - underruns_before,
        0,
        "underruns"
    );
    assert_eq!(meters.command_drops.load(Relaxed), 0);
    assert!(meters.commands_applied.load(Relaxed) >= MESSAGES as u64);
    assert_eq!(meters.osc_bad_packets.load(Relaxed), 0);
    assert!(probes >= 10, "only {probes} keyboard lines answered");
    assert!(
        worst_probe < Duration::from_millis(500),
        "a keyboard line waited {worst_probe:?}"
    );

    let control = rig.stop();
    for (param, value) in last {
        assert_eq!(control.patch().get(param), value, "{param}");
    }
    assert!(control.patch().gate(), "the tone still plays");
    audio.stop();
}
