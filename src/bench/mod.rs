//! `chronus bench`: measurements that print numbers, as a table or as JSON.
//!
//! One idea per file: [`realtime`] (offline realtime factor of the voice chain), [`latency`]
//! (command-to-sound latency through the live pipeline), [`callbacks`] (callback jitter and
//! DSP load per buffer size), [`failover`] (detection time and gap per fault kind), [`stats`]
//! (min/median/p99/max). [`run_bench`] runs them all and [`format_table`] prints them.
//!
//! Runs on the caller's thread (plus the pipeline's threads while a live part runs). Timing
//! claims live here and in `benches/`, never in tests.

pub mod callbacks;
pub mod failover;
pub mod fault_injection;
pub mod latency;
pub mod realtime;
pub mod stats;

pub use callbacks::{measure_callbacks, CallbackReport, CALLBACK_BUFFERS};
pub use failover::{measure_failover_rows, FailoverRow};
pub use latency::{measure_latency, LatencyReport};
pub use realtime::{
    held_chord_commands, polyphony_realtime_factor, polyphony_realtime_factors,
    voice_chain_realtime_factor, RealtimeFactor, POLYPHONY_COUNTS,
};
pub use stats::Summary;

use crate::rt::{AudioConfig, LiveAudioError};
use serde::Serialize;

/// How long and how much each part measures.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchSettings {
    /// Seconds of audio per realtime-factor measurement (the fastest quarter second counts).
    pub realtime_seconds: f64,
    /// Voice counts for the realtime factor.
    pub voice_counts: Vec<usize>,
    /// Commands timed for the latency.
    pub latency_commands: usize,
    /// Seconds per buffer size for jitter and load.
    pub callback_seconds: f64,
    /// Buffer sizes for jitter and load.
    pub callback_buffers: Vec<u32>,
    /// Injections per fault kind (0 skips the failover part).
    pub failover_injections: usize,
    /// The live pipeline for latency, jitter and load (output, buffer, target fill, rate).
    pub audio: AudioConfig,
}

impl BenchSettings {
    /// The full run (about a minute): 2 s per realtime factor, 500 commands, 5 s per buffer,
    /// 20 injections per fault.
    pub fn full(audio: AudioConfig) -> Self {
        BenchSettings {
            realtime_seconds: 2.0,
            voice_counts: POLYPHONY_COUNTS.to_vec(),
            latency_commands: 500,
            callback_seconds: 5.0,
            callback_buffers: CALLBACK_BUFFERS.to_vec(),
            failover_injections: 20,
            audio,
        }
    }

    /// A run of a few seconds for CI: the same parts, shorter.
    pub fn quick(audio: AudioConfig) -> Self {
        BenchSettings {
            realtime_seconds: 0.25,
            latency_commands: 200,
            callback_seconds: 0.5,
            failover_injections: 2,
            ..Self::full(audio)
        }
    }
}

/// The machine the numbers came from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Machine {
    /// CPU model (`/proc/cpuinfo`), or `unknown`.
    pub cpu: String,
    /// Logical CPUs available to this process.
    pub cpus: usize,
    /// Operating system and architecture.
    pub os: String,
}

impl Machine {
    /// Reads the machine description.
    pub fn detect() -> Machine {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|text| {
                text.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, v)| v.trim().to_string())
            })
            .unwrap_or_else(|| "unknown".into());
        Machine {
            cpu,
            cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
            os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
        }
    }
}

/// One realtime-factor row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RealtimeRow {
    /// Held voices.
    pub voices: usize,
    /// Drive, chorus, delay and reverb on.
    pub effects: bool,
    /// Audio seconds rendered per wall second, one thread.
    pub realtime_factor: f64,
    /// `realtime_factor × voices`.
    pub voice_seconds_per_second: f64,
}

/// Everything `chronus bench` measured.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BenchReport {
    /// Where it ran.
    pub machine: Machine,
    /// Sample rate of every part.
    pub sample_rate: u32,
    /// Whether this was the short run.
    pub quick: bool,
    /// Offline realtime factor of the voice chain.
    pub realtime: Vec<RealtimeRow>,
    /// Command-to-sound latency.
    pub latency: LatencyReport,
    /// Jitter and DSP load per buffer size.
    pub callbacks: Vec<CallbackReport>,
    /// Failover detection time and gap per fault kind (empty when skipped).
    pub failover: Vec<FailoverRow>,
}

/// Runs every part, telling `progress` which one starts.
pub fn run_bench(
    settings: &BenchSettings,
    quick: bool,
    mut progress: impl FnMut(&str),
) -> Result<BenchReport, LiveAudioError> {
    let rate = settings.audio.sample_rate;
    progress("realtime factor of the voice chain");
    let realtime =
        polyphony_realtime_factors(rate, settings.realtime_seconds, &settings.voice_counts)
            .into_iter()
            .zip(
                [false, true]
                    .iter()
                    .flat_map(|&fx| settings.voice_counts.iter().map(move |&v| (v, fx))),
            )
            .map(|(r, (voices, effects))| RealtimeRow {
                voices,
                effects,
                realtime_factor: r.factor(),
                voice_seconds_per_second: r.factor() * voices as f64,
            })
            .collect();
    progress("command-to-sound latency");
    let latency = measure_latency(&settings.audio, settings.latency_commands)?;
    progress("callback jitter and DSP load");
    let callbacks = measure_callbacks(
        &settings.audio,
        &settings.callback_buffers,
        settings.callback_seconds,
    )?;
    let failover = if settings.failover_injections > 0 {
        progress("failover detection and gap");
        measure_failover_rows(rate, settings.failover_injections)?
    } else {
        Vec::new()
    };
    Ok(BenchReport {
        machine: Machine::detect(),
        sample_rate: rate,
        quick,
        realtime,
        latency,
        callbacks,
        failover,
    })
}

/// The report as readable tables.
pub fn format_table(r: &BenchReport) -> String {
    let mut out = format!(
        "chronus bench{} — {} ({} CPUs, {}), {} Hz\n\n",
        if r.quick { " --quick" } else { "" },
        r.machine.cpu,
        r.machine.cpus,
        r.machine.os,
        r.sample_rate
    );
    out.push_str(
        "realtime factor (offline Engine::render, one thread; saw → ADSR → resonant lowpass)\n",
    );
    out.push_str(&format!(
        "{:>7} {:>8} {:>12} {:>18}\n",
        "voices", "effects", "realtime x", "voice-seconds/s"
    ));
    for row in &r.realtime {
        out.push_str(&format!(
            "{:>7} {:>8} {:>12.1} {:>18.0}\n",
            row.voices,
            if row.effects { "on" } else { "off" },
            row.realtime_factor,
            row.voice_seconds_per_second
        ));
    }
    let l = &r.latency;
    out.push_str(&format!(
        "\ncommand-to-sound latency on {} ({} commands, {}-frame buffer, ring target {} blocks; \
         goal: median ≤ {:.2} ms)\n",
        l.output, l.commands, l.buffer_frames, l.ring_target_blocks, l.bound_ms
    ));
    out.push_str(&format!(
        "{:<22} {:>34}\n",
        "ms", "min / median / p99 / max"
    ));
    for (name, s) in [
        ("total", &l.total_ms),
        ("  queue wait", &l.queue_ms),
        ("  render", &l.render_ms),
        ("  ring + device buffer", &l.buffer_ms),
    ] {
        out.push_str(&format!("{name:<22} {:>34}\n", s.min_median_p99_max(3)));
    }
    if l.lost > 0 {
        out.push_str(&format!("  ({} commands never heard within 1 s)\n", l.lost));
    }
    out.push_str(&format!(
        "median {} the goal\n",
        if l.median_within_bound {
            "within"
        } else {
            "OVER"
        }
    ));
    out.push_str(&format!(
        "\ncallback jitter and DSP load on {} (16 held voices, every effect on)\n",
        r.callbacks.first().map_or("-", |c| c.output.as_str())
    ));
    out.push_str(&format!(
        "{:>7} {:>10} {:>13} {:>12} {:>14} {:>14} {:>10}\n",
        "buffer",
        "period ms",
        "jitter mean",
        "jitter max",
        "DSP load mean",
        "DSP load peak",
        "underruns"
    ));
    for c in &r.callbacks {
        out.push_str(&format!(
            "{:>7} {:>10.3} {:>10.3} ms {:>9.3} ms {:>12.2} % {:>12.2} % {:>10}\n",
            c.buffer_frames,
            c.period_ms,
            c.jitter_mean_ms,
            c.jitter_max_ms,
            c.dsp_load_mean_pct,
            c.dsp_load_peak_pct,
            c.underruns
        ));
    }
    if !r.failover.is_empty() {
        out.push_str(&format!(
            "\nfailover (null device, {}-frame buffer, {} blocks of target fill)\n",
            failover::FAILOVER_BUFFER,
            failover::FAILOVER_TARGET_FILL
        ));
        out.push_str(&format!(
            "{:<6} {:>5} {:>36} {:>30}\n",
            "fault", "runs", "detect ms min/median/p99/max", "gap frames min/median/p99/max"
        ));
        for f in &r.failover {
            out.push_str(&format!(
                "{:<6} {:>5} {:>36} {:>30}{}\n",
                f.fault,
                f.measured,
                f.detection_ms.min_median_p99_max(3),
                f.gap_frames.min_median_p99_max(0),
                if f.discarded > 0 {
                    format!("  ({} discarded)", f.discarded)
                } else {
                    String::new()
                }
            ));
        }
    }
    out
}
