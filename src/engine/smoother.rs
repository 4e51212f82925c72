//! One-pole parameter smoothing, so continuous parameter changes never click or zipper.
//!
//! Runs on the DSP worker thread: no allocation, no branches beyond the arithmetic.

/// `[0.0, 1.0, 2.0, ...]`: the index of each frame of a block as a float. Loops that need
/// `i as f32` zip with this table instead, because converting a `usize` to `f32` keeps a loop
/// from vectorising.
pub const FRAME_INDEX: [f32; super::BLOCK_FRAMES] = {
    let mut t = [0.0f32; super::BLOCK_FRAMES];
    let mut i = 0;
    while i < super::BLOCK_FRAMES {
        t[i] = i as f32;
        i += 1;
    }
    t
};

/// A one-pole low-pass that glides the current value toward a target.
#[derive(Clone, Copy, Debug)]
pub struct Smoother {
    current: f32,
    target: f32,
    coeff: f32,
}

impl Smoother {
    /// A smoother that starts settled at `value` and reaches ~63% of a step in `time_s`.
    pub fn new(value: f32, time_s: f32, sample_rate: f32) -> Self {
        let coeff = if time_s <= 0.0 {
            1.0
        } else {
            1.0 - (-1.0 / (time_s * sample_rate)).exp()
        };
        Smoother {
            current: value,
            target: value,
            coeff,
        }
    }

    /// Sets the value to glide toward.
    pub fn set_target(&mut self, target: f32) {
        self.target = target;
    }

    /// Jumps to a value at once (used on reset).
    pub fn snap(&mut self, value: f32) {
        self.current = value;
        self.target = value;
    }

    /// The value the smoother is gliding toward.
    pub fn target(&self) -> f32 {
        self.target
    }

    /// The present value.
    pub fn current(&self) -> f32 {
        self.current
    }

    /// Advances one sample and returns the new value.
    #[inline]
    pub fn tick(&mut self) -> f32 {
        self.current += (self.target - self.current) * self.coeff;
        self.current
    }

    /// True when the value is within `eps` of the target.
    pub fn is_settled(&self, eps: f32) -> bool {
        (self.target - self.current).abs() <= eps
    }
}

/// A value that moves linearly through a block: `start + step * frame`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Ramp {
    /// The value at the block's first frame.
    pub start: f32,
    /// The change per frame.
    pub step: f32,
}

impl Ramp {
    /// A value that does not move.
    pub fn constant(value: f32) -> Ramp {
        Ramp {
            start: value,
            step: 0.0,
        }
    }

    /// The value at `frame` frames into the block.
    #[inline]
    pub fn at(&self, frame: usize) -> f32 {
        self.start + self.step * frame as f32
    }

    /// True when the value does not move.
    pub fn is_constant(&self) -> bool {
        self.step == 0.0
    }
}

/// A one-pole smoother that advances once per block and hands out a linear [`Ramp`] across
/// it: the cost of smoothing is per block, not per sample. Settles exactly on its target.
#[derive(Clone, Copy, Debug)]
pub struct BlockSmoother {
    current: f32,
    target: f32,
    coeff: f32,
}

impl BlockSmoother {
    /// A smoother settled at `value` that reaches ~63% of a step in `time_s`.
    pub fn new(value: f32, time_s: f32, sample_rate: f32) -> Self {
        let frames = time_s * sample_rate;
        let coeff = if frames <= 1.0 {
            1.0
        } else {
            1.0 - (-(super::BLOCK_FRAMES as f32) / frames).exp()
        };
        BlockSmoother {
            current: value,
            target: value,
            coeff,
        }
    }

    /// Sets the value to glide toward.
    pub fn set_target(&mut self, target: f32) {
        self.target = target;
    }

    /// Jumps to a value at once.
    pub fn snap(&mut self, value: f32) {
        self.current = value;
        self.target = value;
    }

    /// The value the smoother is gliding toward.
    pub fn target(&self) -> f32 {
        self.target
    }

    /// The present value.
    pub fn current(&self) -> f32 {
        self.current
    }

    /// True when the value sits on its target.
    pub fn is_settled(&self) -> bool {
        self.current == self.target
    }

    /// Advances over a block of `frames` frames and returns the ramp through it.
    #[inline]
    pub fn advance(&mut self, frames: usize) -> Ramp {
        let start = self.current;
        if start == self.target {
            return Ramp::constant(start);
        }
        let share = (frames as f32 / super::BLOCK_FRAMES as f32).min(1.0);
        let mut next = start + (self.target - start) * (self.coeff * share).min(1.0);
        if (self.target - next).abs() <= 1e-6 * (1.0 + self.target.abs()) {
            next = self.target;
        }
        self.current = next;
        Ramp {
            start,
            step: (next - start) / frames.max(1) as f32,
        }
    }
}

/// Converts decibels to a linear gain.
#[inline]
pub fn db_to_gain(db: f32) -> f32 {
    if db <= -120.0 {
        0.0
    } else {
        10f32.powf(db / 20.0)
    }
}

/// Converts a linear gain to decibels (-inf dB is reported as -120).
pub fn gain_to_db(gain: f32) -> f32 {
    if gain <= 1e-6 {
        -120.0
    } else {
        20.0 * gain.log10()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reaches_the_target_smoothly_without_overshoot() {
        let mut s = Smoother::new(0.0, 0.01, 44_100.0);
        s.set_target(1.0);
        let mut last = 0.0;
        for _ in 0..4410 {
            let v = s.tick();
            assert!(v >= last && v <= 1.0);
            last = v;
        }
        assert!(s.is_settled(1e-3), "after 10 time constants: {last}");
    }

    #[test]
    fn a_block_smoother_glides_and_then_settles_exactly() {
        let mut s = BlockSmoother::new(0.0, 0.01, 44_100.0);
        s.set_target(1.0);
        let r = s.advance(64);
        assert_eq!(r.start, 0.0);
        assert!(r.at(64) > 0.0 && r.at(64) < 1.0);
        for _ in 0..1000 {
            s.advance(64);
        }
        assert!(s.is_settled());
        assert!(s.advance(64).is_constant());
    }

    #[test]
    fn db_conversions_round_trip() {
        assert!((db_to_gain(-6.0) - 0.501).abs() < 1e-3);
        assert!((gain_to_db(db_to_gain(-17.5)) + 17.5).abs() < 1e-3);
        assert_eq!(db_to_gain(-200.0), 0.0);
    }
}
