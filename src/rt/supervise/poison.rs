//! Decides whether a worker's output is poisoned: the engine's NaN guard keeps firing, or the
//! signal is pinned against one rail (a runaway filter or feedback loop).
//!
//! `PoisonDetector::check` runs on the DSP worker thread once per rendered block: fixed-size
//! state, no allocation, no locks.

use crate::engine::BLOCK_FRAMES;

/// Guard hits that make a worker poisoned when they fall within [`STRIKE_WINDOW`] blocks.
pub const STRIKE_LIMIT: usize = 3;
/// Rendered blocks over which [`STRIKE_LIMIT`] guard hits count as "keeps catching".
pub const STRIKE_WINDOW: u64 = 64;
/// A sample at or beyond this level counts as touching the rail.
pub const RAIL_LEVEL: f32 = 0.98;
/// How long the output may stay pinned against one rail before it counts as runaway, in
/// seconds. The lowest oscillator frequency (20 Hz) changes sign every 25 ms, so any real
/// tone crosses zero well within this time.
pub const RAIL_SECONDS: f32 = 0.05;

/// What to do with a block that was just rendered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The block is fine: push it.
    Clean,
    /// The NaN guard fired on this block: drop it (its samples were silenced), keep going.
    Reject,
    /// The output keeps coming out poisoned: this worker must be replaced.
    Poisoned,
}

/// Remembers recent guard hits and how long the output has been pinned to a rail.
#[derive(Clone, Debug)]
pub struct PoisonDetector {
    blocks: u64,
    /// (block number, meters time) of recent guard hits, oldest first.
    strikes: [(u64, u64); STRIKE_LIMIT],
    strike_count: usize,
    rail_blocks: u32,
    rail_sign: f32,
    rail_limit: u32,
    rail_start_ns: u64,
    onset_ns: u64,
}

impl PoisonDetector {
    /// A detector for blocks rendered at `sample_rate`.
    pub fn new(sample_rate: u32) -> Self {
        let block_s = BLOCK_FRAMES as f32 / sample_rate.max(1) as f32;
        PoisonDetector {
            blocks: 0,
            strikes: [(0, 0); STRIKE_LIMIT],
            strike_count: 0,
            rail_blocks: 0,
            rail_sign: 0.0,
            rail_limit: (RAIL_SECONDS / block_s).ceil().max(1.0) as u32,
            rail_start_ns: 0,
            onset_ns: 0,
        }
    }

    /// Judges one rendered block. `guard_hit` is true when the engine's NaN guard fired while
    /// rendering it; `now_ns` is the meters clock. Real-time safe.
    pub fn check(&mut self, samples: &[f32], guard_hit: bool, now_ns: u64) -> Verdict {
        self.blocks += 1;
        if guard_hit {
            return self.strike(now_ns);
        }
        match pinned_sign(samples) {
            Some(sign) if self.rail_blocks > 0 && sign == self.rail_sign => self.rail_blocks += 1,
            Some(sign) => {
                self.rail_blocks = 1;
                self.rail_sign = sign;
                self.rail_start_ns = now_ns;
            }
            None => self.rail_blocks = 0,
        }
        if self.rail_blocks >= self.rail_limit {
            self.onset_ns = self.rail_start_ns;
            return Verdict::Poisoned;
        }
        Verdict::Clean
    }

    fn strike(&mut self, now_ns: u64) -> Verdict {
        // Forget hits that fell out of the window, oldest first.
        while self.strike_count > 0 && self.blocks - self.strikes[0].0 >= STRIKE_WINDOW {
            self.strikes.rotate_left(1);
            self.strike_count -= 1;
        }
        if self.strike_count == STRIKE_LIMIT {
            self.strikes.rotate_left(1);
            self.strike_count -= 1;
        }
        self.strikes[self.strike_count] = (self.blocks, now_ns);
        self.strike_count += 1;
        if self.strike_count >= STRIKE_LIMIT {
            self.onset_ns = self.strikes[0].1;
            Verdict::Poisoned
        } else {
            Verdict::Reject
        }
    }

    /// When the poisoning that led to [`Verdict::Poisoned`] began (meters clock, ns).
    pub fn onset_ns(&self) -> u64 {
        self.onset_ns
    }

    /// Blocks pinned to one rail in a row so far.
    pub fn rail_blocks(&self) -> u32 {
        self.rail_blocks
    }

    /// Pinned blocks in a row that count as runaway at this sample rate.
    pub fn rail_limit(&self) -> u32 {
        self.rail_limit
    }
}

/// `Some(sign)` when every sample of the block sits at or beyond [`RAIL_LEVEL`] on one side.
fn pinned_sign(samples: &[f32]) -> Option<f32> {
    let first = *samples.first()?;
    if first.abs() < RAIL_LEVEL {
        return None;
    }
    let sign = first.signum();
    samples
        .iter()
        .all(|s| s.abs() >= RAIL_LEVEL && s.signum() == sign)
        .then_some(sign)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::BLOCK_SAMPLES;

    const TONE: [f32; BLOCK_SAMPLES] = [0.3; BLOCK_SAMPLES];

    #[test]
    fn a_single_guard_hit_rejects_the_block_but_is_not_poison() {
        let mut d = PoisonDetector::new(44_100);
        assert_eq!(d.check(&TONE, true, 10), Verdict::Reject);
        for _ in 0..200 {
            assert_eq!(d.check(&TONE, false, 20), Verdict::Clean);
        }
        assert_eq!(d.check(&TONE, true, 30), Verdict::Reject);
    }

    #[test]
    fn three_guard_hits_close_together_are_poison_with_the_first_as_onset() {
        let mut d = PoisonDetector::new(44_100);
        assert_eq!(d.check(&TONE, true, 100), Verdict::Reject);
        assert_eq!(d.check(&TONE, false, 200), Verdict::Clean);
        assert_eq!(d.check(&TONE, true, 300), Verdict::Reject);
        assert_eq!(d.check(&TONE, true, 400), Verdict::Poisoned);
        assert_eq!(d.onset_ns(), 100);
    }

    #[test]
    fn guard_hits_spread_wider_than_the_window_never_add_up() {
        let mut d = PoisonDetector::new(44_100);
        for round in 0..10 {
            assert_eq!(d.check(&TONE, true, round), Verdict::Reject, "{round}");
            for _ in 0..STRIKE_WINDOW / 2 {
                d.check(&TONE, false, round);
            }
        }
    }

    #[test]
    fn output_pinned_to_one_rail_for_fifty_ms_is_runaway() {
        let mut d = PoisonDetector::new(44_100);
        let pinned = [0.99f32; BLOCK_SAMPLES];
        let limit = d.rail_limit();
        assert_eq!(limit, 35, "50 ms of 64-frame blocks at 44.1 kHz");
        for i in 1..limit {
            assert_eq!(d.check(&pinned, false, u64::from(i)), Verdict::Clean);
        }
        assert_eq!(d.check(&pinned, false, 99), Verdict::Poisoned);
        assert_eq!(d.onset_ns(), 1);
    }

    #[test]
    fn a_loud_square_wave_that_changes_sign_is_not_runaway() {
        let mut d = PoisonDetector::new(44_100);
        let high = [0.995f32; BLOCK_SAMPLES];
        let low = [-0.995f32; BLOCK_SAMPLES];
        for i in 0..1000 {
            // A 20 Hz square: 17 blocks up, 17 blocks down.
            let block = if (i / 17) % 2 == 0 { &high } else { &low };
            assert_eq!(d.check(block, false, i), Verdict::Clean, "block {i}");
        }
    }
}
