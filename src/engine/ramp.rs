//! Ramps: a parameter moving to a target over a length (`filter up to 4k over 4 bars`)
//! instead of jumping.
//!
//! Runs on the DSP worker thread. A ramp is fixed data in a fixed table (one slot per
//! parameter), started by `Command::Ramp` at its exact frame and read at every block start;
//! starting, reading and cancelling never allocate. Frequencies move geometrically (equal
//! musical steps), everything else linearly. A `Set` of the same parameter cancels the ramp.

use super::lfo::INSTRUMENTS;
use super::params::{ParamId, Scale, PARAM_COUNT};

/// The `track` of a `Command::Ramp` that moves the main patch's value.
pub const PATCH_RAMP: u8 = u8::MAX;

/// What a ramp's length counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RampUnit {
    /// Beats at the tempo when the ramp starts.
    Beats,
    /// Seconds.
    Seconds,
}

/// One ramp in progress.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ActiveRamp {
    /// The value it started from.
    pub from: f32,
    /// The value it ends on.
    pub to: f32,
    /// The frame it started on.
    pub start: u64,
    /// The frame it reaches `to`.
    pub end: u64,
    geometric: bool,
}

impl ActiveRamp {
    /// The value at frame `now` (the target from `end` on).
    pub fn value_at(&self, now: u64) -> f32 {
        if now >= self.end {
            return self.to;
        }
        let t = now.saturating_sub(self.start) as f64 / (self.end - self.start).max(1) as f64;
        let t = t as f32;
        if self.geometric {
            self.from * (self.to / self.from).powf(t)
        } else {
            self.from + (self.to - self.from) * t
        }
    }

    /// How far along it is (0..1) at frame `now`.
    pub fn progress(&self, now: u64) -> f32 {
        if now >= self.end {
            1.0
        } else {
            (now.saturating_sub(self.start) as f64 / (self.end - self.start).max(1) as f64) as f32
        }
    }
}

/// Every instrument's parameters' ramps (instrument 0 the patch, 1 + N track N's own
/// values), if they have one.
#[derive(Clone, Copy, Debug)]
pub struct Ramps {
    active: [[Option<ActiveRamp>; PARAM_COUNT]; INSTRUMENTS],
    count: usize,
}

impl Default for Ramps {
    fn default() -> Self {
        Ramps {
            active: [[None; PARAM_COUNT]; INSTRUMENTS],
            count: 0,
        }
    }
}

/// The instrument a `Command::Ramp`'s `track` means: 0 for [`PATCH_RAMP`], else 1 + track.
pub fn ramp_instrument(track: u8) -> usize {
    if track == PATCH_RAMP {
        0
    } else {
        1 + usize::from(track)
    }
}

impl Ramps {
    /// Starts moving `param` from `from` to `to` over `frames` frames from frame `now`
    /// (replacing a ramp it already had).
    pub fn start(
        &mut self,
        instrument: usize,
        param: ParamId,
        (from, to): (f32, f32),
        now: u64,
        frames: u64,
    ) {
        let geometric = param.spec().scale == Scale::Log && from > 0.0 && to > 0.0;
        let Some(slot) = self
            .active
            .get_mut(instrument)
            .map(|a| &mut a[param.index()])
        else {
            return;
        };
        if slot.is_none() {
            self.count += 1;
        }
        *slot = Some(ActiveRamp {
            from,
            to,
            start: now,
            end: now + frames.max(1),
            geometric,
        });
    }

    /// Stops `param`'s ramp where it is (a new value was set).
    pub fn cancel(&mut self, instrument: usize, param: ParamId) {
        let slot = self
            .active
            .get_mut(instrument)
            .map(|a| &mut a[param.index()]);
        if slot.and_then(Option::take).is_some() {
            self.count -= 1;
        }
    }

    /// True when no parameter is moving.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// `param`'s ramp, if it moves.
    pub fn get(&self, instrument: usize, param: ParamId) -> Option<&ActiveRamp> {
        self.active.get(instrument)?[param.index()].as_ref()
    }

    /// Calls `f(param, value)` with every moving parameter's value at frame `now`; ramps
    /// that have reached their target give it one last time and end.
    pub fn advance(&mut self, now: u64, mut f: impl FnMut(usize, ParamId, f32)) {
        if self.count == 0 {
            return;
        }
        for (instrument, params) in self.active.iter_mut().enumerate() {
            for (i, slot) in params.iter_mut().enumerate() {
                if let Some(r) = slot {
                    f(instrument, ParamId::ALL[i], r.value_at(now));
                    if now >= r.end {
                        *slot = None;
                        self.count -= 1;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ramp_rises_monotonically_and_stops_on_its_target() {
        let mut ramps = Ramps::default();
        ramps.start(0, ParamId::FilterCutoff, (500.0, 4000.0), 1000, 44_100);
        let mut last = 0.0;
        let mut frame = 1000;
        while !ramps.is_empty() {
            ramps.advance(frame, |i, p, v| {
                assert_eq!((i, p), (0, ParamId::FilterCutoff));
                assert!(v >= last, "{v} after {last}");
                last = v;
            });
            frame += 64;
        }
        assert_eq!(last, 4000.0);
        // Half-way in time is half-way in octaves for a frequency: sqrt(500 * 4000).
        ramps.start(3, ParamId::FilterCutoff, (500.0, 4000.0), 0, 1000);
        let mid = ramps.get(3, ParamId::FilterCutoff).map(|r| r.value_at(500));
        assert!((mid.unwrap_or(0.0) - 1414.2).abs() < 1.0);
    }

    #[test]
    fn a_cancelled_ramp_is_gone() {
        let mut ramps = Ramps::default();
        ramps.start(0, ParamId::MasterGain, (0.0, -60.0), 0, 100);
        ramps.cancel(0, ParamId::MasterGain);
        assert!(ramps.is_empty());
        ramps.advance(10, |_, _, _| panic!("nothing moves"));
    }
}
