//! The failover benchmark: injects each fault kind many times into a live pipeline that plays
//! a held tone into the real-time-paced null device, and reads from the meters how long each
//! failure took to detect and how much underrun the handover cost.
//!
//! Runs on the caller's thread (plus the pipeline's own threads). Timing claims live here and
//! in `benches/failover.rs`, never in tests.

use crate::engine::command::{Command, Fault, StampedCommand};
use crate::engine::params::ParamId;
use crate::engine::BLOCK_FRAMES;
use crate::rt::meters::MeterSnapshot;
use crate::rt::supervise::supervisor::SupervisorConfig;
use crate::rt::{AudioConfig, LiveAudio, LiveAudioError, OutputChoice};
use std::time::{Duration, Instant};

/// One injected fault and what it cost.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FailoverSample {
    /// Failure onset to the supervisor's decision, in ms.
    pub detection_ms: f32,
    /// Underrun frames between the old worker's last block and the new worker's first.
    pub gap_frames: u64,
    /// Underrun frames counted from the injection until the new worker was playing.
    pub underrun_frames: u64,
}

/// Every sample for one fault kind.
#[derive(Clone, Debug, PartialEq)]
pub struct FailoverStats {
    /// The fault's name (`panic`, `hang`, `nan`).
    pub fault: &'static str,
    /// One entry per injection that caused exactly one failover of the expected kind.
    pub samples: Vec<FailoverSample>,
    /// Injections discarded because a hang false alarm overlapped them, or that timed out.
    pub discarded: usize,
}

/// Minimum, median and maximum of a list of values.
pub fn min_median_max<T: Copy + PartialOrd>(values: &[T]) -> Option<(T, T, T)> {
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    Some((*v.first()?, v[v.len() / 2], *v.last()?))
}

/// The null-device pipeline the benchmark uses: `target_fill` blocks, `buffer_frames`-frame
/// device buffers.
pub fn bench_config(target_fill: usize, buffer_frames: u32) -> AudioConfig {
    AudioConfig {
        buffer_frames: Some(buffer_frames),
        output: OutputChoice::Null,
        target_fill,
        ring_capacity: (target_fill * 2).max(8),
        ..AudioConfig::default()
    }
}

fn fault_name(fault: Fault) -> &'static str {
    match fault {
        Fault::Panic => "panic",
        Fault::Hang => "hang",
        Fault::Nan => "nan",
        Fault::Slow { .. } => "slow",
    }
}

fn kind_count(fault: Fault, m: &MeterSnapshot) -> u64 {
    match fault {
        Fault::Panic => m.failovers_panic,
        Fault::Hang | Fault::Slow { .. } => m.failovers_hang,
        Fault::Nan => m.failovers_poisoned,
    }
}

fn send(audio: &LiveAudio, command: Command) {
    let _ = audio.commands.push(StampedCommand {
        command,
        sent_ns: audio.meters.now_ns(),
    });
}

/// Waits until `done` holds or `timeout` passes; true if it held.
fn wait_until(audio: &LiveAudio, timeout: Duration, done: impl Fn(&MeterSnapshot) -> bool) -> bool {
    let end = Instant::now() + timeout;
    while Instant::now() < end {
        if done(&audio.meters.snapshot()) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    false
}

/// CPU time each chronus thread of this process has used, in ns, by thread name (Linux
/// `/proc/self/task/*/schedstat`; empty elsewhere).
pub fn thread_cpu_ns() -> Vec<(String, u64)> {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for task in tasks.flatten() {
        let path = task.path();
        let name = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        let name = name.trim();
        if !name.starts_with("chronus-") {
            continue;
        }
        let ns = std::fs::read_to_string(path.join("schedstat"))
            .ok()
            .and_then(|s| s.split_whitespace().next()?.parse().ok());
        if let Some(ns) = ns {
            out.push((name.to_string(), ns));
        }
    }
    out.sort();
    out
}

/// Share of one core each chronus thread used over `window` while a tone plays.
pub fn thread_cpu_shares(window: Duration) -> Vec<(String, f64)> {
    let before = thread_cpu_ns();
    std::thread::sleep(window);
    let after = thread_cpu_ns();
    after
        .into_iter()
        .filter_map(|(name, ns)| {
            let (_, was) = before.iter().find(|(n, _)| *n == name)?;
            Some((
                name,
                ns.saturating_sub(*was) as f64 / window.as_nanos() as f64,
            ))
        })
        .collect()
}

/// Everything the benchmark measured.
#[derive(Clone, Debug, PartialEq)]
pub struct FailoverReport {
    /// Per fault kind.
    pub stats: Vec<FailoverStats>,
    /// Share of one core per thread while a tone played, before any fault.
    pub cpu_shares: Vec<(String, f64)>,
    /// The meters at the end of the run.
    pub end: MeterSnapshot,
}

/// Measures each thread's CPU share for `cpu_window`, then injects each of `faults`
/// `injections` times into one live pipeline built from `config` while a tone plays, and
/// returns what each cost.
pub fn measure_failovers(
    config: &AudioConfig,
    faults: &[Fault],
    injections: usize,
    cpu_window: Duration,
) -> Result<FailoverReport, LiveAudioError> {
    let audio = LiveAudio::start(config)?;
    for (param, value) in [(ParamId::OscWave, 0.0), (ParamId::OscFreq, 440.0)] {
        send(&audio, Command::Set { param, value });
    }
    send(&audio, Command::Gate { on: true });
    std::thread::sleep(Duration::from_millis(300));
    let cpu_shares = thread_cpu_shares(cpu_window);
    let mut all = Vec::new();
    for &fault in faults {
        let mut stats = FailoverStats {
            fault: fault_name(fault),
            samples: Vec::new(),
            discarded: 0,
        };
        for _ in 0..injections {
            wait_until(&audio, Duration::from_secs(2), |m| m.standby_ready);
            // Let the new worker's ring reach its target fill again.
            std::thread::sleep(Duration::from_millis(40));
            let before = audio.meters.snapshot();
            if audio.inject_fault(fault).is_err() {
                stats.discarded += 1;
                continue;
            }
            let switched = wait_until(&audio, Duration::from_secs(2), |m| {
                kind_count(fault, m) > kind_count(fault, &before)
                    && m.ring_switches == m.failovers_total()
            });
            // Give a late worker time to be told apart from a hung one.
            std::thread::sleep(Duration::from_millis(20));
            let after = audio.meters.snapshot();
            let clean = switched
                && after.failovers_total() == before.failovers_total() + 1
                && after.hang_false_alarms == before.hang_false_alarms;
            if !clean {
                stats.discarded += 1;
                continue;
            }
            stats.samples.push(FailoverSample {
                detection_ms: after.last_detection_ms,
                gap_frames: after.last_gap_frames,
                underrun_frames: after.underrun_frames - before.underrun_frames,
            });
        }
        all.push(stats);
    }
    let end = audio.meters.snapshot();
    audio.stop();
    Ok(FailoverReport {
        stats: all,
        cpu_shares,
        end,
    })
}

/// The results as a table, one line per fault kind, then the CPU share of each thread.
pub fn format_table(config: &AudioConfig, injections: usize, report: &FailoverReport) -> String {
    let stats = &report.stats;
    let supervision = config.supervisor_config();
    let block_ms = BLOCK_FRAMES as f64 * 1000.0 / f64::from(config.sample_rate);
    let buffer = config.buffer_frames.unwrap_or(0);
    let ready = supervision.target_fill + (buffer as usize).div_ceil(BLOCK_FRAMES);
    let timeout = supervision.hang_timeout_for(buffer);
    let mut out = format!(
        "failover: buffer {} frames, {} blocks ready ({:.1} ms), hang timeout {:.1} ms, \
         poll {:.2} ms, {} injections per fault\n",
        buffer,
        ready,
        ready as f64 * block_ms,
        timeout.as_secs_f64() * 1000.0,
        SupervisorConfig::poll_interval(timeout).as_secs_f64() * 1000.0,
        injections,
    );
    out.push_str(&format!(
        "{:<7} {:>5} {:>26} {:>22} {:>16}\n",
        "fault", "runs", "detect ms min/med/max", "gap frames min/med/max", "underrun frames"
    ));
    for s in stats {
        let detect: Vec<f32> = s.samples.iter().map(|x| x.detection_ms).collect();
        let gaps: Vec<u64> = s.samples.iter().map(|x| x.gap_frames).collect();
        let underruns: u64 = s.samples.iter().map(|x| x.underrun_frames).sum();
        let detect = min_median_max(&detect)
            .map(|(a, b, c)| format!("{a:.3} / {b:.3} / {c:.3}"))
            .unwrap_or_else(|| "-".into());
        let gaps = min_median_max(&gaps)
            .map(|(a, b, c)| format!("{a} / {b} / {c}"))
            .unwrap_or_else(|| "-".into());
        out.push_str(&format!(
            "{:<7} {:>5} {:>26} {:>22} {:>16}{}\n",
            s.fault,
            s.samples.len(),
            detect,
            gaps,
            underruns,
            if s.discarded > 0 {
                format!("  ({} discarded)", s.discarded)
            } else {
                String::new()
            }
        ));
    }
    out.push_str(&format!(
        "whole run: {} failovers, {} hang false alarms, {} underruns ({} frames)\n",
        report.end.failovers_total(),
        report.end.hang_false_alarms,
        report.end.underruns,
        report.end.underrun_frames
    ));
    if !report.cpu_shares.is_empty() {
        out.push_str("cpu while a tone plays (share of one core):");
        for (name, share) in &report.cpu_shares {
            out.push_str(&format!(" {name} {:.2}%", share * 100.0));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_median_max_of_a_list() {
        assert_eq!(min_median_max(&[3, 1, 2]), Some((1, 2, 3)));
        assert_eq!(min_median_max::<u64>(&[]), None);
    }
}
