//! What the meters pane shows: the latest [`MeterSnapshot`] plus short histories computed on
//! the UI side (underruns in the last second, ring fill min/max over the last second, recent
//! clipping, a DSP load sparkline).
//!
//! Runs on the control (UI) thread, fed by `Meters::snapshot` at the meter refresh rate.

use crate::rt::meters::MeterSnapshot;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// How far back "in the last second" looks.
pub const RECENT: Duration = Duration::from_secs(1);

/// DSP load values kept for the sparkline.
pub const DSP_HISTORY: usize = 120;

#[derive(Clone, Copy, Debug, PartialEq)]
struct Mark {
    at: Instant,
    underruns: u64,
    clipped: u64,
    fill_min: u32,
    fill_max: u32,
}

/// The meters as the UI shows them.
#[derive(Clone, Debug, Default)]
pub struct MeterView {
    /// The latest snapshot.
    pub snapshot: MeterSnapshot,
    marks: VecDeque<Mark>,
    dsp: VecDeque<u64>,
    /// Warnings and errors in the log file so far.
    pub warnings: u64,
    /// Snapshots taken so far.
    pub updates: u64,
    gauge_blocks: u32,
}

impl MeterView {
    /// Takes in a new snapshot read at `now`.
    pub fn update(&mut self, snapshot: MeterSnapshot, now: Instant, warnings: u64) {
        self.marks.push_back(Mark {
            at: now,
            underruns: snapshot.underruns,
            clipped: snapshot.clipped_samples,
            fill_min: snapshot.ring_fill_min,
            fill_max: snapshot.ring_fill_max,
        });
        // Keep one mark at or before the window's start, so differences span a full second.
        while self.marks.len() > 2 && now.duration_since(self.marks[1].at) >= RECENT {
            self.marks.pop_front();
        }
        // Peak load since the last snapshot, in tenths of a percent.
        let load = snapshot.dsp_load_max_pct.max(snapshot.dsp_load_pct);
        self.dsp.push_back((load.max(0.0) * 10.0).round() as u64);
        while self.dsp.len() > DSP_HISTORY {
            self.dsp.pop_front();
        }
        // The gauge's full scale: twice the largest fill seen (a power of two, at least 8
        // blocks, at most the ring), so the bar is readable and only ever grows.
        let wanted = (2 * snapshot.ring_fill_max.max(snapshot.ring_fill))
            .max(8)
            .next_power_of_two();
        self.gauge_blocks = self.gauge_blocks.max(wanted);
        self.snapshot = snapshot;
        self.warnings = warnings;
        self.updates += 1;
    }

    fn oldest(&self) -> Option<&Mark> {
        self.marks.front()
    }

    /// Underruns counted during the last second.
    pub fn underruns_last_second(&self) -> u64 {
        self.oldest()
            .map_or(0, |m| self.snapshot.underruns.saturating_sub(m.underruns))
    }

    /// Whether underruns are rising (any in the last second).
    pub fn underruns_rising(&self) -> bool {
        self.underruns_last_second() > 0
    }

    /// Whether samples clipped during the last second.
    pub fn clipping(&self) -> bool {
        self.oldest()
            .is_some_and(|m| self.snapshot.clipped_samples > m.clipped)
    }

    /// Smallest and largest ring fill over the last second, in blocks.
    pub fn fill_range(&self) -> (u32, u32) {
        let min = self.marks.iter().map(|m| m.fill_min).min();
        let max = self.marks.iter().map(|m| m.fill_max).max();
        (
            min.unwrap_or(self.snapshot.ring_fill),
            max.unwrap_or(self.snapshot.ring_fill),
        )
    }

    /// The ring fill gauge's full scale in blocks (never more than the ring holds).
    pub fn gauge_blocks(&self) -> u32 {
        match self.snapshot.ring_capacity_blocks {
            0 => self.gauge_blocks.max(1),
            cap => self.gauge_blocks.clamp(1, cap),
        }
    }

    /// Recent DSP loads in tenths of a percent, oldest first.
    pub fn dsp_history(&self) -> Vec<u64> {
        self.dsp.iter().copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(underruns: u64, fill_min: u32, fill_max: u32) -> MeterSnapshot {
        MeterSnapshot {
            underruns,
            ring_fill: fill_min,
            ring_fill_min: fill_min,
            ring_fill_max: fill_max,
            ..MeterSnapshot::default()
        }
    }

    #[test]
    fn underruns_in_the_last_second_rise_and_fall_back() {
        let t0 = Instant::now();
        let mut v = MeterView::default();
        v.update(snap(0, 3, 3), t0, 0);
        assert!(!v.underruns_rising());
        v.update(snap(2, 3, 3), t0 + Duration::from_millis(50), 0);
        v.update(snap(5, 3, 3), t0 + Duration::from_millis(100), 0);
        assert_eq!(v.underruns_last_second(), 5);
        assert!(v.underruns_rising());
        for i in 0..30 {
            v.update(snap(5, 3, 3), t0 + Duration::from_millis(200 + 50 * i), 0);
        }
        assert_eq!(v.underruns_last_second(), 0);
        assert!(!v.underruns_rising());
        assert_eq!(v.snapshot.underruns, 5);
    }

    #[test]
    fn fill_range_covers_the_last_second_only() {
        let t0 = Instant::now();
        let mut v = MeterView::default();
        v.update(snap(0, 1, 9), t0, 0);
        v.update(snap(0, 3, 4), t0 + Duration::from_millis(500), 0);
        assert_eq!(v.fill_range(), (1, 9));
        v.update(snap(0, 3, 5), t0 + Duration::from_millis(1600), 0);
        assert_eq!(v.fill_range(), (3, 5));
    }

    #[test]
    fn the_gauge_scale_follows_the_largest_fill_and_the_ring() {
        let t0 = Instant::now();
        let mut v = MeterView::default();
        let mut s = snap(0, 3, 5);
        s.ring_capacity_blocks = 263;
        v.update(s.clone(), t0, 0);
        assert_eq!(v.gauge_blocks(), 16);
        s.ring_fill_max = 3;
        v.update(s.clone(), t0, 0);
        assert_eq!(v.gauge_blocks(), 16, "the scale never shrinks");
        s.ring_capacity_blocks = 12;
        v.update(s, t0, 0);
        assert_eq!(v.gauge_blocks(), 12);
    }

    #[test]
    fn the_dsp_history_is_bounded() {
        let mut v = MeterView::default();
        let t0 = Instant::now();
        for i in 0..(DSP_HISTORY + 10) {
            let s = MeterSnapshot {
                dsp_load_max_pct: 2.5,
                ..MeterSnapshot::default()
            };
            v.update(s, t0 + Duration::from_millis(50 * i as u64), 0);
        }
        let h = v.dsp_history();
        assert_eq!(h.len(), DSP_HISTORY);
        assert!(h.iter().all(|&x| x == 25));
    }
}
