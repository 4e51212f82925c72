//! The real cpal output path on ALSA's `null` PCM, and what chronus does with no ALSA config at
//! all. Runs the `chronus` binary on the test thread with a temp-dir ALSA config.
//!
//! The `null` PCM is not paced (its callback runs ~1000x faster than real time), so these tests
//! assert behaviour and event counts only: the stream opens with the exact buffer size, its
//! callbacks run, blocks are played, commands are applied, names and errors are clear.

mod support;

use support::alsa_config::AlsaConfig;
use support::capture::read_raw_i32;
use support::chronus_process::{chronus_command, run_to_end, ChronusProcess};
use support::PATIENCE;

/// Starts chronus on `config` with `args`, waits for its banner and returns both.
fn start(config: &AlsaConfig, args: &[&str]) -> (ChronusProcess, String) {
    let mut cmd = chronus_command(args);
    config.apply(&mut cmd);
    let mut chronus = ChronusProcess::spawn(&mut cmd);
    let banner = chronus.expect_line("banner", |l| l.contains("output:"));
    (chronus, banner)
}

#[test]
fn a_real_cpal_stream_plays_on_the_alsa_null_device_with_each_fixed_buffer_size() {
    let config = AlsaConfig::null_default();
    for buffer in ["64", "128", "256"] {
        let (mut chronus, banner) = start(&config, &["--output", "device", "--buffer", buffer]);
        assert!(
            banner.contains(&format!(
                "output: default (ALSA, 2 ch f32, {buffer}-frame buffer)"
            )),
            "{banner}"
        );
        chronus.send("gate on");
        chronus.expect_line("gate on reply", |l| l == "gate on");
        let status = chronus.status_until("callbacks running, blocks played, gate applied", |s| {
            s.count("callbacks") >= 4 && s.count("blocks_played") >= 8 && s.count("applied") >= 1
        });
        // The meters show the frames cpal really hands the callback: the exact fixed size.
        assert_eq!(status.text("buffer"), buffer, "{}", status.line);
        assert_eq!(status.count("skipped"), 0, "{}", status.line);
        assert_eq!(status.count("repeated"), 0, "{}", status.line);
        chronus.send("quit");
        let end = chronus.finish(PATIENCE);
        assert!(end.status.success(), "{end:?}");
        assert!(end.stderr_lines().is_empty(), "stderr: {}", end.stderr);
    }
}

#[test]
fn the_null_device_is_chosen_by_its_alsa_name_even_without_a_default() {
    let config = AlsaConfig::empty();
    for name in ["null", "alsa:null"] {
        let (mut chronus, banner) = start(
            &config,
            &["--output", "device", "--device", name, "--buffer", "128"],
        );
        assert!(
            banner.contains("output: null (ALSA, 2 ch f32, 128-frame buffer)"),
            "{banner}"
        );
        chronus.status_until("blocks played", |s| s.count("blocks_played") >= 8);
        chronus.send("quit");
        let end = chronus.finish(PATIENCE);
        assert!(end.status.success(), "{end:?}");
    }
}

/// A device that takes integer samples only (ALSA's `linear` plugin over `null`), with a `file`
/// PCM in front that keeps what chronus wrote.
const INTEGER_ONLY_ASOUNDRC: &str = r#"
pcm.ints_only {
    type file
    slave.pcm "ints_to_null"
    file "@CAPTURE@"
    format "raw"
    hint { show on description "chronus test: integer samples only, captured" }
}
pcm.ints_to_null {
    type linear
    slave { pcm "null" format S16_LE }
}
"#;

#[test]
fn a_device_without_float_samples_gets_the_tone_converted_to_integers() {
    let config = AlsaConfig::with_asoundrc(INTEGER_ONLY_ASOUNDRC);
    let (mut chronus, banner) = start(
        &config,
        &[
            "--output",
            "device",
            "--device",
            "ints_only",
            "--buffer",
            "64",
        ],
    );
    assert!(
        banner.contains("output: ints_only (ALSA, 2 ch i32, 64-frame buffer)"),
        "{banner}"
    );
    chronus.send("gate on");
    chronus.status_until("the gate applied and 100 blocks played", |s| {
        s.count("applied") >= 1 && s.count("blocks_played") >= 100
    });
    chronus.send("quit");
    let end = chronus.finish(PATIENCE);
    assert!(end.status.success(), "{end:?}");
    // The default patch's tone peaks at about -9 dBFS: scaled integers, not raw float bits.
    let played = read_raw_i32(&config.capture_path());
    let loudest = played.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    assert!(
        (0.2..0.6).contains(&loudest),
        "peak {loudest} of full scale"
    );
}

#[test]
fn chronus_devices_lists_the_null_device_and_marks_the_default() {
    let config = AlsaConfig::null_default();
    let mut cmd = chronus_command(&["devices"]);
    config.apply(&mut cmd);
    let end = run_to_end(cmd);
    assert!(end.status.success(), "{end:?}");
    let first_words: Vec<(bool, &str)> = end
        .stdout
        .iter()
        .filter_map(|l| {
            let default = l.starts_with('*');
            l.trim_start_matches('*')
                .split_whitespace()
                .next()
                .map(|w| (default, w))
        })
        .collect();
    assert!(first_words.contains(&(false, "null")), "{:?}", end.stdout);
    assert!(first_words.contains(&(true, "default")), "{:?}", end.stdout);
    assert!(end.stderr_lines().is_empty(), "stderr: {}", end.stderr);
}

#[test]
fn without_any_alsa_config_chronus_says_so_in_one_line_and_plays_to_the_null_device() {
    let config = AlsaConfig::empty();
    let (mut chronus, banner) = start(&config, &[]);
    assert!(banner.contains("output: null."), "{banner}");
    chronus.send("gate on");
    let status = chronus.status_until("blocks played and gate applied", |s| {
        s.count("blocks_played") >= 8 && s.count("applied") >= 1
    });
    assert_eq!(status.count("skipped"), 0, "{}", status.line);
    chronus.send("quit");
    let end = chronus.finish(PATIENCE);
    assert!(end.status.success(), "{end:?}");
    let stderr = end.stderr_lines();
    assert_eq!(
        stderr.len(),
        1,
        "exactly one line, no alsa-lib noise: {stderr:?}"
    );
    assert!(
        stderr[0].contains("\"default\" is not available")
            && stderr[0].contains("playing to the null device"),
        "{}",
        stderr[0]
    );
}

#[test]
fn without_any_alsa_config_output_device_fails_with_one_clear_line() {
    let config = AlsaConfig::empty();
    let mut cmd = chronus_command(&["--output", "device"]);
    config.apply(&mut cmd);
    let end = run_to_end(cmd);
    assert!(!end.status.success(), "{end:?}");
    assert_eq!(
        end.stderr_lines(),
        vec![
            "chronus: audio device \"default\" is not available (no sound card or server behind it)"
        ],
        "{end:?}"
    );
}

#[test]
fn an_unknown_device_name_fails_and_points_at_chronus_devices() {
    let config = AlsaConfig::null_default();
    let mut cmd = chronus_command(&["--output", "device", "--device", "kazoo"]);
    config.apply(&mut cmd);
    let end = run_to_end(cmd);
    assert!(!end.status.success(), "{end:?}");
    assert_eq!(
        end.stderr_lines(),
        vec!["chronus: no audio output device named \"kazoo\"; see `chronus devices`"],
        "{end:?}"
    );
}
