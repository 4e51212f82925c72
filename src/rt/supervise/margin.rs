//! The adaptive margin: how many blocks beyond one device buffer the worker keeps ready.
//! It starts at one block, grows by one after an underrun or a near miss (the ring ran
//! empty), and shrinks by one after 30 s without either, within [`MIN_MARGIN`, `MAX_MARGIN`].
//! `--target-fill N` fixes it instead.
//!
//! Runs on the supervisor thread (never on a real-time thread); takes the time as an
//! argument, so it is tested with a fake clock.

/// The smallest margin, in blocks.
pub const MIN_MARGIN: u32 = 1;
/// The largest margin, in blocks.
pub const MAX_MARGIN: u32 = 8;
/// How long the output must go without an underrun or near miss before the margin shrinks.
pub const CLEAN_NS: u64 = 30_000_000_000;

/// Why the margin last changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum MarginReason {
    /// Fixed by `--target-fill`.
    Fixed = 0,
    /// The starting value.
    Start = 1,
    /// Grown after an underrun.
    Underrun = 2,
    /// Grown after the ring ran empty without an underrun.
    NearMiss = 3,
    /// Shrunk after 30 s clean.
    Clean = 4,
}

impl MarginReason {
    /// The reason stored as `code` (see [`MarginReason::code`]).
    pub fn from_code(code: u8) -> MarginReason {
        match code {
            1 => MarginReason::Start,
            2 => MarginReason::Underrun,
            3 => MarginReason::NearMiss,
            4 => MarginReason::Clean,
            _ => MarginReason::Fixed,
        }
    }

    /// The number stored in the meters.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The word `status` shows (`margin_why=`).
    pub fn word(self) -> &'static str {
        match self {
            MarginReason::Fixed => "fixed",
            MarginReason::Start => "start",
            MarginReason::Underrun => "underrun",
            MarginReason::NearMiss => "near_miss",
            MarginReason::Clean => "clean",
        }
    }
}

/// The policy's state.
#[derive(Clone, Copy, Debug)]
pub struct MarginPolicy {
    margin: u32,
    reason: MarginReason,
    clean_since_ns: u64,
    underruns_seen: u64,
    near_misses_seen: u64,
}

impl MarginPolicy {
    /// A margin of [`MIN_MARGIN`] starting at `now_ns`, with the counters as they stand.
    pub fn start(now_ns: u64, underruns: u64, near_misses: u64) -> Self {
        MarginPolicy {
            margin: MIN_MARGIN,
            reason: MarginReason::Start,
            clean_since_ns: now_ns,
            underruns_seen: underruns,
            near_misses_seen: near_misses,
        }
    }

    /// The margin in force, in blocks.
    pub fn margin(&self) -> u32 {
        self.margin
    }

    /// Why it last changed.
    pub fn reason(&self) -> MarginReason {
        self.reason
    }

    /// Looks at the output's counters at `now_ns`; returns the margin to keep.
    pub fn observe(&mut self, now_ns: u64, underruns: u64, near_misses: u64) -> u32 {
        let grow = if underruns > self.underruns_seen {
            Some(MarginReason::Underrun)
        } else if near_misses > self.near_misses_seen {
            Some(MarginReason::NearMiss)
        } else {
            None
        };
        self.underruns_seen = underruns;
        self.near_misses_seen = near_misses;
        if let Some(reason) = grow {
            if self.margin < MAX_MARGIN {
                self.margin += 1;
                self.reason = reason;
            }
            self.clean_since_ns = now_ns;
        } else if now_ns.saturating_sub(self.clean_since_ns) >= CLEAN_NS {
            if self.margin > MIN_MARGIN {
                self.margin -= 1;
                self.reason = MarginReason::Clean;
            }
            self.clean_since_ns = now_ns;
        }
        self.margin
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = 1_000_000_000;

    #[test]
    fn the_margin_starts_at_one_block() {
        let p = MarginPolicy::start(0, 5, 7);
        assert_eq!((p.margin(), p.reason()), (1, MarginReason::Start));
    }

    #[test]
    fn an_underrun_or_a_near_miss_grows_it_by_one_each() {
        let mut p = MarginPolicy::start(0, 0, 0);
        assert_eq!(p.observe(S, 1, 0), 2);
        assert_eq!(p.reason(), MarginReason::Underrun);
        assert_eq!(p.observe(2 * S, 1, 3), 3);
        assert_eq!(p.reason(), MarginReason::NearMiss);
        assert_eq!(p.observe(3 * S, 1, 3), 3, "no news, no change");
    }

    #[test]
    fn it_never_grows_past_eight_blocks() {
        let mut p = MarginPolicy::start(0, 0, 0);
        for i in 1..=20 {
            p.observe(i * S, i, 0);
        }
        assert_eq!(p.margin(), MAX_MARGIN);
    }

    #[test]
    fn thirty_clean_seconds_shrink_it_by_one_and_the_clock_restarts() {
        let mut p = MarginPolicy::start(0, 0, 0);
        p.observe(S, 1, 0);
        p.observe(2 * S, 2, 0);
        assert_eq!(p.margin(), 3);
        assert_eq!(p.observe(31 * S, 2, 0), 3, "29 s clean is not enough");
        assert_eq!(p.observe(32 * S, 2, 0), 2);
        assert_eq!(p.reason(), MarginReason::Clean);
        assert_eq!(p.observe(33 * S, 2, 0), 2, "one step per 30 s");
        assert_eq!(p.observe(62 * S, 2, 0), 1);
        assert_eq!(p.observe(200 * S, 2, 0), 1, "never below one block");
    }

    #[test]
    fn a_near_miss_restarts_the_clean_clock() {
        let mut p = MarginPolicy::start(0, 0, 0);
        p.observe(S, 1, 0);
        p.observe(25 * S, 1, 0);
        p.observe(29 * S, 1, 0);
        p.observe(30 * S, 1, 1);
        assert_eq!(p.margin(), 3);
        assert_eq!(p.observe(59 * S, 1, 1), 3, "29 s since the near miss");
        assert_eq!(p.observe(60 * S, 1, 1), 2);
    }
}
