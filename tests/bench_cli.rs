//! `chronus bench` and `chronus soak` run from the binary with short settings, and their output
//! is parsed: every field is there, no number is NaN (JSON has no NaN: it would be `null`), and
//! a soak has no underrun. Timing numbers are printed, never asserted.
//!
//! The last test is the one-minute soak through the real cpal path: jackd's dummy
//! driver behind ALSA's `jack` PCM paces a real cpal stream in real time, at chronus's default
//! buffer. `CHRONUS_SOAK_SECONDS` shortens it for local runs.

mod support;

use serde_json::Value;
use std::time::Duration;
use support::alsa_config::AlsaConfig;
use support::chronus_process::{chronus_command, ChronusProcess, Finished};
use support::jack_server::JackServer;

/// Every path to a `null` (a NaN or infinity serialised) in `v`.
fn nulls(v: &Value, path: &str, out: &mut Vec<String>) {
    match v {
        Value::Null => out.push(path.to_string()),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| nulls(x, &format!("{path}[{i}]"), out)),
        Value::Object(m) => m
            .iter()
            .for_each(|(k, x)| nulls(x, &format!("{path}.{k}"), out)),
        _ => {}
    }
}

fn run(args: &[&str], patience: Duration) -> Finished {
    let mut cmd = chronus_command(args);
    // No sound card in tests: the null device unless a test sets up ALSA itself.
    let alsa = AlsaConfig::empty();
    alsa.apply(&mut cmd);
    ChronusProcess::spawn(&mut cmd).finish(patience)
}

fn json_of(finished: &Finished) -> Value {
    let text = finished.stdout.join("\n");
    let value: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}\nstderr:\n{}", finished.stderr));
    let mut bad = Vec::new();
    nulls(&value, "", &mut bad);
    assert!(
        bad.is_empty(),
        "NaN or missing numbers at {bad:?} in\n{text}"
    );
    value
}

fn number(v: &Value, pointer: &str) -> f64 {
    v.pointer(pointer)
        .and_then(Value::as_f64)
        .unwrap_or_else(|| panic!("no number at {pointer} in {v:#}"))
}

fn assert_summary(v: &Value, pointer: &str, count: f64) {
    for field in ["min", "median", "p99", "max", "mean"] {
        let x = number(v, &format!("{pointer}/{field}"));
        assert!(x.is_finite() && x >= 0.0, "{pointer}/{field} = {x}");
    }
    assert_eq!(number(v, &format!("{pointer}/count")), count, "{pointer}");
    assert!(number(v, &format!("{pointer}/min")) <= number(v, &format!("{pointer}/max")));
}

#[test]
fn a_quick_bench_prints_every_measurement_as_json() {
    let done = run(&["bench", "--quick", "--json"], Duration::from_secs(240));
    assert!(done.status.success(), "{}", done.stderr);
    let v = json_of(&done);
    assert!(number(&v, "/machine/cpus") >= 1.0);
    assert!(v.pointer("/machine/cpu").and_then(Value::as_str).is_some());

    let rows = v["realtime"].as_array().expect("realtime rows");
    let mut seen: Vec<(u64, bool)> = rows
        .iter()
        .map(|r| {
            let x = r["realtime_factor"].as_f64().expect("realtime_factor");
            assert!(x.is_finite() && x > 0.0, "{r}");
            let voices = r["voices"].as_u64().expect("voices");
            let vs = r["voice_seconds_per_second"]
                .as_f64()
                .expect("voice-seconds");
            assert!((vs - x * voices as f64).abs() <= 1e-6 * vs.max(1.0), "{r}");
            (voices, r["effects"].as_bool().expect("effects"))
        })
        .collect();
    seen.sort();
    let arrangement = number(&v, "/full_arrangement");
    assert!(
        arrangement.is_finite() && arrangement > 0.0,
        "{arrangement}"
    );
    let want: Vec<(u64, bool)> = [1, 16, 64, 128]
        .iter()
        .flat_map(|&n| [(n, false), (n, true)])
        .collect();
    let mut want = want;
    want.sort();
    assert_eq!(seen, want);

    let latency = &v["latency"];
    assert_eq!(latency["output"], "null");
    let commands = number(latency, "/commands");
    assert!(commands >= 200.0, "{latency:#}");
    assert_eq!(number(latency, "/lost"), 0.0, "{latency:#}");
    for part in ["total_ms", "queue_ms", "render_ms", "buffer_ms"] {
        assert_summary(latency, &format!("/{part}"), commands);
    }
    assert!(number(latency, "/bound_ms") > 0.0);
    assert!(latency["median_within_bound"].is_boolean());

    let callbacks = v["callbacks"].as_array().expect("callback rows");
    let buffers: Vec<u64> = callbacks
        .iter()
        .map(|c| c["buffer_frames"].as_u64().expect("buffer_frames"))
        .collect();
    assert_eq!(buffers, [64, 128, 256]);
    for c in callbacks {
        assert!(number(c, "/callbacks") > 0.0, "{c}");
        for field in [
            "period_ms",
            "jitter_mean_ms",
            "jitter_max_ms",
            "dsp_load_mean_pct",
            "dsp_load_peak_pct",
        ] {
            let x = number(c, &format!("/{field}"));
            assert!(x.is_finite() && x >= 0.0, "{field} in {c}");
        }
        assert!(number(c, "/dsp_load_mean_pct") > 0.0, "{c}");
    }

    let failover = v["failover"].as_array().expect("failover rows");
    let faults: Vec<&str> = failover
        .iter()
        .map(|f| f["fault"].as_str().expect("fault"))
        .collect();
    assert_eq!(faults, ["panic", "hang", "nan"]);
    for f in failover {
        let measured = number(f, "/measured");
        assert!(measured + number(f, "/discarded") >= 2.0, "{f}");
        assert_summary(f, "/detection_ms", measured);
        assert_summary(f, "/gap_frames", measured);
    }
}

#[test]
fn the_bench_table_names_every_part() {
    let done = run(
        &["bench", "--quick", "--no-failover", "--seconds", "0.05"],
        Duration::from_secs(240),
    );
    assert!(done.status.success(), "{}", done.stderr);
    let text = done.stdout.join("\n");
    for expected in [
        "realtime factor",
        "voice-seconds/s",
        "command-to-sound latency on null",
        "queue wait",
        "ring + device buffer",
        "callback jitter and DSP load on null",
    ] {
        assert!(text.contains(expected), "{expected} in\n{text}");
    }
    assert!(!text.contains("failover ("), "{text}");
    assert!(!text.contains("NaN"), "{text}");
}

const SOAK_KEYS: [&str; 26] = [
    "output",
    "session",
    "seconds",
    "session_loops",
    "phrases_sent",
    "lines_applied",
    "line_errors",
    "osc_sent",
    "osc_handled",
    "osc_bad",
    "commands_applied",
    "command_drops",
    "underruns",
    "underrun_frames",
    "ring_target_blocks",
    "ring_fill_min_blocks",
    "max_ring_drain_blocks",
    "peak_dsp_load_pct",
    "mean_dsp_load_pct",
    "max_callback_jitter_ms",
    "failovers",
    "hang_false_alarms",
    "rss_start_kb",
    "rss_started_kb",
    "rss_end_kb",
    "rss_peak_kb",
];

/// Checks a soak's JSON report: every key, real traffic, no underrun.
fn assert_clean_soak(v: &Value, seconds: f64) {
    for key in SOAK_KEYS {
        assert!(v.get(key).is_some(), "{key} missing from {v:#}");
    }
    assert!(number(v, "/seconds") >= seconds * 0.9, "{v:#}");
    assert!(number(v, "/session_loops") >= 1.0, "{v:#}");
    // 50 phrases a second and 20 OSC messages, give or take a busy machine.
    assert!(number(v, "/phrases_sent") >= 10.0 * seconds, "{v:#}");
    assert!(number(v, "/osc_sent") >= 4.0 * seconds, "{v:#}");
    assert!(number(v, "/osc_handled") > 0.0, "{v:#}");
    assert!(
        number(v, "/lines_applied") > number(v, "/phrases_sent") / 2.0,
        "{v:#}"
    );
    assert_eq!(number(v, "/line_errors"), 0.0, "{v:#}");
    assert_eq!(number(v, "/osc_bad"), 0.0, "{v:#}");
    assert!(number(v, "/rss_peak_kb") > 0.0, "{v:#}");
    assert!(number(v, "/peak_dsp_load_pct") > 0.0, "{v:#}");
    assert_eq!(number(v, "/underruns"), 0.0, "underruns in {v:#}");
    // A worker descheduled past the hang timeout on a busy machine is replaced without a gap
    // and counted as a false alarm; any other failover is a real fault.
    assert_eq!(
        number(v, "/failovers") - number(v, "/hang_false_alarms"),
        0.0,
        "{v:#}"
    );
}

/// The null device's clock is an ordinary thread that a busy machine may wake late; these
/// short soaks check the report, so they keep 8 blocks of margin (the one-minute soak below
/// checks real-time safety at the defaults, on a real device).
const NULL_MARGIN: [&str; 6] = ["--output", "null", "--buffer", "256", "--target-fill", "8"];

#[test]
fn a_short_soak_on_the_null_device_reports_every_field_and_no_underrun() {
    let done = run(
        &[&["soak", "--seconds", "4", "--json"][..], &NULL_MARGIN[..]].concat(),
        Duration::from_secs(60),
    );
    let v = json_of(&done);
    assert!(done.status.success(), "{}\n{v:#}", done.stderr);
    assert_eq!(v["output"], "null");
    assert_eq!(v["session"], "acid.chronus");
    assert_clean_soak(&v, 4.0);
}

#[test]
fn a_soak_prints_one_key_value_per_line_and_loops_a_given_session() {
    let session = concat!(env!("CARGO_MANIFEST_DIR"), "/sessions/pluck.chronus");
    let done = run(
        &[
            &["soak", "--seconds", "2", "--session", session][..],
            &NULL_MARGIN[..],
        ]
        .concat(),
        Duration::from_secs(60),
    );
    assert!(done.status.success(), "{}", done.stderr);
    let pairs: Vec<(&str, &str)> = done
        .stdout
        .iter()
        .map(|l| {
            l.split_once('=')
                .unwrap_or_else(|| panic!("not key=value: {l}"))
        })
        .collect();
    for key in SOAK_KEYS {
        let value = pairs
            .iter()
            .find(|(k, _)| *k == key)
            .unwrap_or_else(|| panic!("{key} missing from {:?}", done.stdout))
            .1;
        assert!(!value.is_empty() && value != "NaN", "{key}={value}");
    }
    assert!(pairs.contains(&("underruns", "0")), "{:?}", done.stdout);
    assert!(pairs
        .iter()
        .any(|(k, v)| *k == "session" && v.ends_with("pluck.chronus")));
}

#[test]
fn a_soak_refuses_a_length_of_zero() {
    let done = run(&["soak", "--seconds", "0"], Duration::from_secs(20));
    assert!(!done.status.success());
    assert!(
        done.stderr.contains("between 0 seconds and 24 hours"),
        "{}",
        done.stderr
    );
}

#[test]
fn a_one_minute_soak_through_cpal_on_jackd_has_no_underruns_at_the_default_buffer() {
    let seconds: f64 = std::env::var("CHRONUS_SOAK_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60.0);
    let jack = JackServer::start(44_100, 64)
        .unwrap_or_else(|why| panic!("the JACK dummy server could not start: {why}"));
    let alsa = AlsaConfig::jack_default();
    let secs = seconds.to_string();
    let mut cmd = chronus_command(&["soak", "--seconds", &secs, "--output", "device", "--json"]);
    alsa.apply(&mut cmd);
    jack.apply(&mut cmd);
    let done =
        ChronusProcess::spawn(&mut cmd).finish(Duration::from_secs_f64(seconds * 2.0 + 60.0));
    let v = json_of(&done);
    println!("{v:#}");
    assert!(
        done.status.success(),
        "{}\n{v:#}\njackd:\n{}",
        done.stderr,
        jack.log()
    );
    let output = v["output"].as_str().expect("output");
    assert!(output.contains("ALSA"), "the real cpal path, not {output}");
    assert_clean_soak(&v, seconds);
}
