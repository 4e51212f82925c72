//! One-pole parameter smoothing, so continuous parameter changes never click or zipper.
//!
//! Runs on the DSP worker thread: no allocation, no branches beyond the arithmetic.

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
    fn db_conversions_round_trip() {
        assert!((db_to_gain(-6.0) - 0.501).abs() < 1e-3);
        assert!((gain_to_db(db_to_gain(-17.5)) + 17.5).abs() < 1e-3);
        assert_eq!(db_to_gain(-200.0), 0.0);
    }
}
