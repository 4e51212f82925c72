//! Following incoming MIDI clock (`clock follow midi`): a tempo estimate from the spacing of
//! clock ticks (24 per quarter note) that shrugs off jitter and lost ticks, and start, stop
//! and continue obeyed.
//!
//! The estimate is a least-squares fit over the last two beats of ticks (see
//! [`TempoEstimator`]), smoothed, and reported only when it moves by a quarter of a bpm. The thread `chronus-clock-in`
//! turns it into phrases (`tempo 126.3`, `start`, `stop transport`) for the inbox, so the
//! followed tempo is performed and recorded like a typed one. Never on the audio path.

use super::message::MidiMessage;
use crate::control::inbox::{InboxSender, IncomingLine, LineSource};
use std::collections::VecDeque;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, AtomicU32};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Ticks the tempo is fitted over (two beats of clock).
const WINDOW: usize = 48;
/// Ticks needed before the first estimate (half a beat).
const FIRST_ESTIMATE: usize = 12;
/// Weight of a new fit in the smoothed tempo.
const SMOOTHING: f64 = 0.3;
/// A change below this is not reported (bpm).
const REPORT_STEP: f64 = 0.25;
/// Tempos chronus accepts (`transport.tempo`).
const TEMPO_RANGE: std::ops::RangeInclusive<f64> = 20.0..=300.0;

/// A tempo estimate from clock tick times: a least-squares line through the last two beats
/// of ticks (tick number against arrival time), so each tick's jitter is averaged over 48;
/// a gap of about two or three tick periods counts as lost ticks, not a slower tempo.
#[derive(Clone, Debug, Default)]
pub struct TempoEstimator {
    start: Option<Instant>,
    /// (tick number, seconds since `start`).
    ticks: VecDeque<(f64, f64)>,
    smoothed: Option<f64>,
    reported: Option<f64>,
    /// Ticks counted as lost in gaps.
    pub lost: u64,
}

impl TempoEstimator {
    /// No ticks yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets the ticks (after start, or a long silence), keeping the last tempo.
    pub fn restart(&mut self) {
        self.ticks.clear();
    }

    fn period(&self) -> Option<f64> {
        self.smoothed.map(|bpm| 60.0 / (bpm * 24.0)).or_else(|| {
            let n = self.ticks.len();
            (n >= 2).then(|| {
                let (i0, t0) = self.ticks[n - 2];
                let (i1, t1) = self.ticks[n - 1];
                (t1 - t0) / (i1 - i0)
            })
        })
    }

    /// Takes a tick at `at`; the smoothed tempo in bpm once there is one.
    pub fn tick(&mut self, at: Instant) -> Option<f64> {
        let start = *self.start.get_or_insert(at);
        let t = at.saturating_duration_since(start).as_secs_f64();
        let index = match (self.ticks.back().copied(), self.period()) {
            (None, _) => 0.0,
            (Some((i, _)), None) => i + 1.0,
            (Some((i, last)), Some(p)) => {
                let steps = ((t - last) / p).round().max(1.0);
                if steps > 3.0 {
                    // A pause, not lost ticks: measure again from here.
                    self.ticks.clear();
                    0.0
                } else {
                    self.lost += steps as u64 - 1;
                    i + steps
                }
            }
        };
        self.ticks.push_back((index, t));
        if self.ticks.len() > WINDOW {
            self.ticks.pop_front();
        }
        if self.ticks.len() < FIRST_ESTIMATE {
            return self.smoothed;
        }
        let n = self.ticks.len() as f64;
        let (si, st) = self
            .ticks
            .iter()
            .fold((0.0, 0.0), |(a, b), (i, t)| (a + i, b + t));
        let (mi, mt) = (si / n, st / n);
        let (cov, var) = self.ticks.iter().fold((0.0, 0.0), |(c, v), (i, t)| {
            (c + (i - mi) * (t - mt), v + (i - mi) * (i - mi))
        });
        if var <= 0.0 || cov <= 0.0 {
            return self.smoothed;
        }
        let bpm = 60.0 / (cov / var * 24.0);
        if !TEMPO_RANGE.contains(&bpm) {
            return self.smoothed;
        }
        let next = match self.smoothed {
            // A big jump is a new tempo, not jitter: go there at once.
            Some(s) if (bpm - s).abs() < 4.0 => s + SMOOTHING * (bpm - s),
            _ => bpm,
        };
        self.smoothed = Some(next);
        Some(next)
    }

    /// The tempo to report now, rounded to a tenth of a bpm, when it moved far enough from
    /// the last one reported.
    pub fn report(&mut self) -> Option<f64> {
        let s = (self.smoothed? * 10.0).round() / 10.0;
        if self
            .reported
            .is_some_and(|r| (r - s).abs() < REPORT_STEP - 1e-9)
        {
            return None;
        }
        self.reported = Some(s);
        Some(s)
    }
}

/// What `clock follow midi` shows in `status`.
#[derive(Debug, Default)]
pub struct FollowState {
    /// Whether clock is followed.
    pub following: AtomicBool,
    /// The followed tempo × 10 (0: none yet).
    pub tempo_tenths: AtomicU32,
}

/// Starts `chronus-clock-in`: clock and transport messages from `ticks` become phrases sent to
/// `inbox` until the sending side is dropped.
pub fn spawn_clock_follower(
    ticks: Receiver<(Instant, MidiMessage)>,
    inbox: InboxSender,
    state: Arc<FollowState>,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("chronus-clock-in".into())
        .spawn(move || {
            let mut estimator = TempoEstimator::new();
            let send = |text: String| {
                inbox.send(IncomingLine {
                    text,
                    source: LineSource::Midi,
                    reply_to: None,
                })
            };
            loop {
                let (at, message) = match ticks.recv_timeout(Duration::from_millis(250)) {
                    Ok(m) => m,
                    Err(RecvTimeoutError::Timeout) => continue,
                    Err(RecvTimeoutError::Disconnected) => return,
                };
                let line = match message {
                    MidiMessage::Clock => {
                        estimator.tick(at);
                        estimator.report().map(|bpm| {
                            state.tempo_tenths.store((bpm * 10.0) as u32, Relaxed);
                            format!(
                                "tempo {}",
                                crate::engine::params::format_decimal(bpm as f32)
                            )
                        })
                    }
                    MidiMessage::Start | MidiMessage::Continue => {
                        estimator.restart();
                        Some("start".to_string())
                    }
                    MidiMessage::Stop => Some("stop transport".to_string()),
                    _ => None,
                };
                if let Some(line) = line {
                    if !send(line) {
                        return;
                    }
                }
            }
        })
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tick times at `bpm` with up to `jitter_ms` of jitter (a fixed pseudo-random sequence).
    fn ticks(start: Instant, bpm: f64, count: usize, jitter_ms: f64, seed: u64) -> Vec<Instant> {
        let period = 60.0 / (bpm * 24.0);
        let mut x = seed;
        (0..count)
            .map(|i| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let r = ((x >> 33) as f64 / (1u64 << 31) as f64) * 2.0 - 1.0;
                let t = i as f64 * period + r * jitter_ms / 1000.0 + 0.01;
                start + Duration::from_secs_f64(t)
            })
            .collect()
    }

    #[test]
    fn a_steady_clock_with_two_ms_of_jitter_reads_within_half_a_bpm() {
        let start = Instant::now();
        let mut e = TempoEstimator::new();
        let mut last = None;
        for t in ticks(start, 128.0, 24 * 8, 2.0, 7) {
            last = e.tick(t);
        }
        let bpm = last.expect("an estimate after eight beats");
        assert!((bpm - 128.0).abs() < 0.5, "{bpm}");
    }

    #[test]
    fn a_lost_tick_does_not_move_the_tempo() {
        let start = Instant::now();
        let mut e = TempoEstimator::new();
        let mut all = ticks(start, 100.0, 24 * 6, 0.5, 3);
        all.remove(80);
        all.remove(40);
        all.remove(39);
        let mut last = None;
        for t in all {
            last = e.tick(t);
        }
        let bpm = last.expect("an estimate");
        assert!((bpm - 100.0).abs() < 0.3, "{bpm}");
        assert_eq!(e.lost, 3);
    }

    #[test]
    fn a_tempo_change_is_followed_within_two_beats() {
        let start = Instant::now();
        let mut e = TempoEstimator::new();
        for t in ticks(start, 120.0, 24 * 4, 1.0, 11) {
            e.tick(t);
        }
        let later = start + Duration::from_secs(2);
        let mut last = None;
        for t in ticks(later, 140.0, 48, 1.0, 5) {
            last = e.tick(t);
        }
        let bpm = last.expect("an estimate");
        assert!((bpm - 140.0).abs() < 1.0, "{bpm}");
    }

    #[test]
    fn reports_come_only_when_the_tempo_moves_a_quarter_bpm() {
        let start = Instant::now();
        let mut e = TempoEstimator::new();
        let mut reports = Vec::new();
        for t in ticks(start, 90.0, 24 * 10, 1.0, 1) {
            e.tick(t);
            reports.extend(e.report());
        }
        assert!(!reports.is_empty());
        assert!(
            reports.len() < 6,
            "few reports for a steady clock: {reports:?}"
        );
        let last = *reports.last().expect("a report");
        assert!((last - 90.0).abs() < 0.5, "{reports:?}");
    }
}
