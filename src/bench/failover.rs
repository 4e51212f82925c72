//! Failover detection time and audible gap per fault kind, as rows for `chronus bench`: the
//! measurement itself is [`crate::bench::fault_injection::measure_failovers`] (also behind
//! `cargo bench --bench failover`).
//!
//! Runs on the caller's thread (plus the pipeline's own threads).

use super::stats::Summary;
use crate::bench::fault_injection::{bench_config, measure_failovers};
use crate::engine::command::Fault;
use crate::rt::LiveAudioError;
use serde::Serialize;
use std::time::Duration;

/// One fault kind's results.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FailoverRow {
    /// `panic`, `hang` or `nan`.
    pub fault: String,
    /// Injections that caused exactly one clean failover.
    pub measured: usize,
    /// Injections left out (a hang false alarm overlapped, or it timed out).
    pub discarded: usize,
    /// Failure onset to the supervisor's decision, ms.
    pub detection_ms: Summary,
    /// Underrun frames between the failed worker's last block and its successor's first.
    pub gap_frames: Summary,
}

/// The pipeline the failover rows come from: the null device with `FAILOVER_TARGET_FILL`
/// blocks ready and `FAILOVER_BUFFER`-frame buffers, as `cargo bench --bench failover`.
pub const FAILOVER_TARGET_FILL: usize = 8;
/// See [`FAILOVER_TARGET_FILL`].
pub const FAILOVER_BUFFER: u32 = 64;

/// Injects each fault kind `injections` times into a null-device pipeline and summarises.
pub fn measure_failover_rows(
    sample_rate: u32,
    injections: usize,
) -> Result<Vec<FailoverRow>, LiveAudioError> {
    let mut config = bench_config(FAILOVER_TARGET_FILL, FAILOVER_BUFFER);
    config.sample_rate = sample_rate;
    let faults = [Fault::Panic, Fault::Hang, Fault::Nan];
    let report = measure_failovers(
        &config,
        &faults,
        injections.max(1),
        Duration::from_millis(100),
    )?;
    Ok(report
        .stats
        .iter()
        .map(|s| {
            let detect: Vec<f64> = s
                .samples
                .iter()
                .map(|x| f64::from(x.detection_ms))
                .collect();
            let gaps: Vec<f64> = s.samples.iter().map(|x| x.gap_frames as f64).collect();
            FailoverRow {
                fault: s.fault.to_string(),
                measured: s.samples.len(),
                discarded: s.discarded,
                detection_ms: Summary::of(&detect),
                gap_frames: Summary::of(&gaps),
            }
        })
        .collect())
}
