//! `chronus soak`: plays a demo session in a loop through the real live pipeline while random
//! phrases arrive at 50 a second and an OSC client talks to the OSC server, then reports
//! underruns, the deepest ring drain, the peak DSP load and the memory used.
//!
//! Runs on the caller's thread, which only watches the meters; the work happens on the
//! pipeline's threads, a "chronus-control" thread (the headless control loop), the session
//! player, the OSC server and the two traffic generators in [`traffic`].

pub mod traffic;

use crate::control::inbox::{inbox, LineReply};
use crate::control::Control;
use crate::engine::BLOCK_FRAMES;
use crate::lang::Vocabulary;
use crate::osc::headless::{phrase_runner, HeadlessControl};
use crate::osc::{OscConfig, OscServer, OscStartError};
use crate::rt::{AudioConfig, LiveAudio, LiveAudioError};
use crate::session::format::{parse_session, Session};
use crate::session::replay::spawn as play_session;
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The demo session played when none is given.
pub const DEFAULT_SESSION_NAME: &str = "acid.chronus";
const DEFAULT_SESSION: &[u8] = include_bytes!("../../sessions/acid.chronus");

/// The built-in demo session.
pub fn default_session() -> Session {
    // The file is part of the build and checked by tests/session_render.rs.
    parse_session(DEFAULT_SESSION).unwrap_or_else(|_| Session {
        header: Default::default(),
        events: Vec::new(),
        last_stamp: 0.0,
    })
}

/// What to play and how hard to push.
#[derive(Clone, Debug)]
pub struct SoakConfig {
    /// How long to run.
    pub duration: Duration,
    /// The session played in a loop.
    pub session: Session,
    /// Its name, for the report.
    pub session_name: String,
    /// Random phrases per second.
    pub phrases_per_second: f64,
    /// OSC messages per second.
    pub osc_per_second: f64,
    /// The live pipeline.
    pub audio: AudioConfig,
    /// Seed of the random traffic.
    pub seed: u64,
}

/// What a soak run saw.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SoakReport {
    /// The output played to.
    pub output: String,
    /// The session looped.
    pub session: String,
    /// Seconds run.
    pub seconds: f64,
    /// Times the session was started.
    pub session_loops: u64,
    /// Random phrases sent.
    pub phrases_sent: u64,
    /// Lines the control loop applied (phrases, session lines, OSC).
    pub lines_applied: u64,
    /// Lines refused with an error.
    pub line_errors: u64,
    /// OSC messages the client sent.
    pub osc_sent: u64,
    /// OSC messages the server handled.
    pub osc_handled: u64,
    /// OSC packets or messages the server refused.
    pub osc_bad: u64,
    /// Commands the worker applied.
    pub commands_applied: u64,
    /// Commands dropped because the command ring was full.
    pub command_drops: u64,
    /// Underrun events (should be 0).
    pub underruns: u64,
    /// Frames of fade/silence played for underruns.
    pub underrun_frames: u64,
    /// Blocks the worker keeps ready (one device buffer plus the target fill).
    pub ring_target_blocks: u64,
    /// Lowest audio ring fill the output saw, blocks.
    pub ring_fill_min_blocks: u64,
    /// Deepest drain below the ring target, blocks (one device buffer is normal).
    pub max_ring_drain_blocks: u64,
    /// Largest single-block render time / block period, percent.
    pub peak_dsp_load_pct: f64,
    /// Mean render time / block period, percent.
    pub mean_dsp_load_pct: f64,
    /// Largest callback jitter, ms.
    pub max_callback_jitter_ms: f64,
    /// Failovers (should be 0 apart from hang false alarms).
    pub failovers: u64,
    /// Failovers for a worker that was only late (descheduled by a busy machine), not stuck:
    /// it came back on its own after the standby took over, with no audible gap.
    pub hang_false_alarms: u64,
    /// Resident memory before anything started, kB (`VmRSS`).
    pub rss_start_kb: u64,
    /// Resident memory once the pipeline, the OSC server and the traffic had started, kB (an
    /// audio backend may map large buffers here: JACK's shared memory is about 110 MB).
    pub rss_started_kb: u64,
    /// Resident memory at the end, kB.
    pub rss_end_kb: u64,
    /// Peak resident memory, kB (`VmHWM`).
    pub rss_peak_kb: u64,
}

impl SoakReport {
    /// One `key=value` per line.
    pub fn to_key_values(&self) -> String {
        let value = serde_json::to_value(self).unwrap_or_default();
        let mut out = String::new();
        if let Some(map) = value.as_object() {
            for (k, v) in map {
                match v {
                    serde_json::Value::String(s) => out.push_str(&format!("{k}={s}\n")),
                    serde_json::Value::Number(n) => match n.as_f64() {
                        Some(f) if n.is_f64() => out.push_str(&format!("{k}={f:.3}\n")),
                        _ => out.push_str(&format!("{k}={n}\n")),
                    },
                    other => out.push_str(&format!("{k}={other}\n")),
                }
            }
        }
        out
    }
}

/// Why a soak run could not start.
#[derive(Debug, thiserror::Error)]
pub enum SoakError {
    /// The audio pipeline did not start.
    #[error(transparent)]
    Audio(#[from] LiveAudioError),
    /// The OSC server did not start.
    #[error(transparent)]
    Osc(#[from] OscStartError),
    /// A thread could not be spawned.
    #[error("could not start a soak thread: {0}")]
    Thread(#[from] std::io::Error),
}

/// A memory figure from `/proc/self/status` (`VmRSS`, `VmHWM`) in kB; 0 where unavailable.
pub fn proc_status_kb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key) && l[key.len()..].starts_with(':'))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Runs the soak and reports. `progress` is called about once a second with the seconds run.
pub fn run_soak(
    config: &SoakConfig,
    vocab: Vocabulary,
    mut progress: impl FnMut(f64),
) -> Result<SoakReport, SoakError> {
    let rss_start_kb = proc_status_kb("VmRSS");
    let audio = LiveAudio::start(&config.audio)?;
    let meters = audio.meters.clone();
    let (lines, inbox_rx) = inbox();
    let server = OscServer::start(
        &OscConfig {
            port: 0,
            ..OscConfig::default()
        },
        lines.clone(),
        meters.clone(),
    )?;
    let (applied, errors) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let (applied_count, error_count) = (applied.clone(), errors.clone());
    let control = HeadlessControl::spawn(
        Control::new(audio.commands.clone(), meters.clone()),
        inbox_rx,
        phrase_runner(vocab),
        Box::new(move |_, reply| {
            let counter = match reply {
                LineReply::Applied(_) => &applied_count,
                LineReply::Error(_) => &error_count,
            };
            counter.fetch_add(1, Ordering::Relaxed);
        }),
    )?;
    let phrases = traffic::spawn_phrases(lines.clone(), config.phrases_per_second, config.seed)?;
    let osc = traffic::spawn_osc_client(
        server.local_addr(),
        config.osc_per_second,
        config.seed.wrapping_add(1),
    )?;

    let rss_started_kb = proc_status_kb("VmRSS");
    let start = Instant::now();
    let mut session_loops = 0u64;
    let mut player = None;
    let (mut fill_min, mut peak_load, mut jitter_max) = (u32::MAX, 0.0f64, 0.0f64);
    let totals_before = meters.run_totals();
    meters.snapshot(); // restart the since-last-read values
    let mut last_progress = 0u64;
    while start.elapsed() < config.duration {
        let finished = player
            .as_ref()
            .is_none_or(crate::session::replay::PlayerHandle::is_finished);
        if finished {
            player = Some(play_session(&config.session, 1.0, 0.0, lines.clone())?);
            session_loops += 1;
        }
        std::thread::sleep(Duration::from_millis(50));
        let s = meters.snapshot();
        fill_min = fill_min.min(s.ring_fill_min);
        peak_load = peak_load.max(f64::from(s.dsp_load_max_pct));
        jitter_max = jitter_max.max(f64::from(s.callback_jitter_ms));
        let secs = start.elapsed().as_secs();
        if secs > last_progress {
            last_progress = secs;
            progress(start.elapsed().as_secs_f64());
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    drop(player);
    let phrases_sent = phrases.stop();
    let osc_sent = osc.stop();
    // Let the control loop and the worker take what is still queued.
    std::thread::sleep(Duration::from_millis(100));
    server.stop();
    drop(control.stop());
    drop(lines);
    let end = meters.snapshot();
    let totals = meters.run_totals();
    let device_blocks = (meters.device_buffer_frames() as usize).div_ceil(BLOCK_FRAMES);
    let ring_target = (config.audio.supervisor_config().target_fill + device_blocks) as u64;
    let fill_min = u64::from(fill_min.min(end.ring_fill_min));
    let block_period_ns = BLOCK_FRAMES as f64 * 1e9 / f64::from(config.audio.sample_rate);
    let rendered = totals.rendered_blocks - totals_before.rendered_blocks;
    let report = SoakReport {
        output: audio.output_name.clone(),
        session: config.session_name.clone(),
        seconds,
        session_loops,
        phrases_sent,
        lines_applied: applied.load(Ordering::Relaxed),
        line_errors: errors.load(Ordering::Relaxed),
        osc_sent,
        osc_handled: end.osc_messages,
        osc_bad: end.osc_bad_packets,
        commands_applied: end.commands_applied,
        command_drops: end.command_drops,
        underruns: end.underruns,
        underrun_frames: end.underrun_frames,
        ring_target_blocks: ring_target,
        ring_fill_min_blocks: fill_min,
        max_ring_drain_blocks: ring_target.saturating_sub(fill_min),
        peak_dsp_load_pct: peak_load.max(f64::from(end.dsp_load_max_pct)),
        mean_dsp_load_pct: if rendered == 0 {
            0.0
        } else {
            (totals.render_ns - totals_before.render_ns) as f64
                / (rendered as f64 * block_period_ns)
                * 100.0
        },
        max_callback_jitter_ms: jitter_max.max(f64::from(end.callback_jitter_ms)),
        failovers: end.failovers_total(),
        hang_false_alarms: end.hang_false_alarms,
        rss_start_kb,
        rss_started_kb,
        rss_end_kb: proc_status_kb("VmRSS"),
        rss_peak_kb: proc_status_kb("VmHWM"),
    };
    audio.stop();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_session_has_phrases() {
        assert!(default_session().events.len() > 10);
    }

    #[test]
    fn memory_is_read_from_proc_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(proc_status_kb("VmRSS") > 0);
            assert!(proc_status_kb("VmHWM") >= proc_status_kb("VmRSS") / 2);
        }
        assert_eq!(proc_status_kb("NoSuchKey"), 0);
    }

    #[test]
    fn the_report_prints_one_key_per_line() {
        let r = SoakReport {
            output: "null".into(),
            session: "acid.chronus".into(),
            seconds: 1.5,
            session_loops: 1,
            phrases_sent: 75,
            lines_applied: 80,
            line_errors: 0,
            osc_sent: 30,
            osc_handled: 30,
            osc_bad: 0,
            commands_applied: 100,
            command_drops: 0,
            underruns: 0,
            underrun_frames: 0,
            ring_target_blocks: 7,
            ring_fill_min_blocks: 3,
            max_ring_drain_blocks: 4,
            peak_dsp_load_pct: 2.5,
            mean_dsp_load_pct: 0.7,
            max_callback_jitter_ms: 0.2,
            failovers: 0,
            hang_false_alarms: 0,
            rss_start_kb: 1000,
            rss_started_kb: 1050,
            rss_end_kb: 1100,
            rss_peak_kb: 1200,
        };
        let text = r.to_key_values();
        assert!(text.contains("underruns=0\n"), "{text}");
        assert!(text.contains("peak_dsp_load_pct=2.500\n"), "{text}");
        assert!(text.contains("output=null\n"), "{text}");
        assert_eq!(text.lines().count(), 26);
    }
}
