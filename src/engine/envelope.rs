//! ADSR envelope with linear segments that always start from the current level.
//!
//! Runs on the DSP worker thread. A gate-on retriggers from wherever the level is (no click);
//! a gate-off releases from wherever it is. The original project's envelope could get stuck at
//! zero when the gate reopened during release; here every stage moves from the present level.

/// Where the envelope is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Silent, gate closed.
    Idle,
    /// Rising toward 1.
    Attack,
    /// Falling from 1 toward the sustain level.
    Decay,
    /// Holding the sustain level while the gate stays open.
    Sustain,
    /// Falling toward 0 after the gate closed.
    Release,
}

/// Attack, decay, sustain, release.
#[derive(Clone, Debug)]
pub struct Adsr {
    stage: Stage,
    level: f32,
    release_step: f32,
}

/// Times and level that shape the envelope.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdsrSettings {
    /// Attack time in seconds from 0 to 1.
    pub attack: f32,
    /// Decay time in seconds from 1 to the sustain level.
    pub decay: f32,
    /// Sustain level from 0 to 1.
    pub sustain: f32,
    /// Release time in seconds from the level at gate-off to 0.
    pub release: f32,
}

impl Default for Adsr {
    fn default() -> Self {
        Self::new()
    }
}

impl Adsr {
    /// A silent envelope.
    pub fn new() -> Self {
        Adsr {
            stage: Stage::Idle,
            level: 0.0,
            release_step: 0.0,
        }
    }

    /// Opens the gate: attack from the current level.
    pub fn gate_on(&mut self) {
        self.stage = Stage::Attack;
    }

    /// Closes the gate: release from the current level.
    pub fn gate_off(&mut self, settings: &AdsrSettings, sample_rate: f32) {
        if self.stage != Stage::Idle {
            self.stage = Stage::Release;
            self.release_step = self.level / (settings.release * sample_rate).max(1.0);
        }
    }

    /// Drops to silence at once (used on reset after a fault).
    pub fn reset(&mut self) {
        self.stage = Stage::Idle;
        self.level = 0.0;
    }

    /// Jumps to where the envelope ends up without rendering: the sustain level while the
    /// gate is open, silence when it is closed. A warm standby engine calls this when it takes
    /// over, so it starts at the level the listener already hears.
    pub fn settle(&mut self, gate_open: bool, sustain: f32) {
        if gate_open {
            self.stage = Stage::Sustain;
            self.level = sustain.clamp(0.0, 1.0);
        } else {
            self.reset();
        }
    }

    /// True when the gate is open (attack, decay or sustain).
    pub fn is_gated(&self) -> bool {
        matches!(self.stage, Stage::Attack | Stage::Decay | Stage::Sustain)
    }

    /// True when the level cannot change on its own (idle, or sustaining at the sustain level).
    pub fn is_steady(&self, sustain: f32) -> bool {
        match self.stage {
            Stage::Idle => true,
            Stage::Sustain => (self.level - sustain).abs() < 1e-6,
            _ => false,
        }
    }

    /// Fills `out` with the next `out.len()` levels: the same values as calling
    /// [`Adsr::next`] for each sample, computed a segment at a time.
    #[inline(always)]
    pub fn fill(&mut self, s: &AdsrSettings, sample_rate: f32, out: &mut [f32]) {
        let n = out.len();
        let mut i = 0;
        while i < n {
            match self.stage {
                Stage::Idle => {
                    self.level = 0.0;
                    out[i..].fill(0.0);
                    return;
                }
                Stage::Attack => {
                    let step = 1.0 / (s.attack * sample_rate).max(1.0);
                    while i < n {
                        self.level += step;
                        if self.level >= 1.0 {
                            self.level = 1.0;
                            self.stage = Stage::Decay;
                            out[i] = 1.0;
                            i += 1;
                            break;
                        }
                        out[i] = self.level;
                        i += 1;
                    }
                }
                Stage::Decay => {
                    let step = (1.0 - s.sustain) / (s.decay * sample_rate).max(1.0);
                    while i < n {
                        self.level -= step;
                        if self.level <= s.sustain {
                            self.level = s.sustain;
                            self.stage = Stage::Sustain;
                            out[i] = self.level;
                            i += 1;
                            break;
                        }
                        out[i] = self.level;
                        i += 1;
                    }
                }
                Stage::Sustain => {
                    if (s.sustain - self.level).abs() < 1e-6 {
                        self.level = s.sustain;
                        out[i..].fill(self.level);
                        return;
                    }
                    for o in &mut out[i..] {
                        self.level += (s.sustain - self.level) * 0.002;
                        *o = self.level;
                    }
                    return;
                }
                Stage::Release => {
                    let step = self.release_step.max(1e-7);
                    while i < n {
                        self.level -= step;
                        if self.level <= 0.0 {
                            self.level = 0.0;
                            self.stage = Stage::Idle;
                            out[i] = 0.0;
                            i += 1;
                            break;
                        }
                        out[i] = self.level;
                        i += 1;
                    }
                }
            }
        }
    }

    /// The present stage.
    pub fn stage(&self) -> Stage {
        self.stage
    }

    /// The present level.
    pub fn level(&self) -> f32 {
        self.level
    }

    /// True when the envelope is silent and idle.
    pub fn is_idle(&self) -> bool {
        self.stage == Stage::Idle
    }

    /// Advances one sample.
    #[inline]
    pub fn next(&mut self, s: &AdsrSettings, sample_rate: f32) -> f32 {
        match self.stage {
            Stage::Idle => self.level = 0.0,
            Stage::Attack => {
                self.level += 1.0 / (s.attack * sample_rate).max(1.0);
                if self.level >= 1.0 {
                    self.level = 1.0;
                    self.stage = Stage::Decay;
                }
            }
            Stage::Decay => {
                self.level -= (1.0 - s.sustain) / (s.decay * sample_rate).max(1.0);
                if self.level <= s.sustain {
                    self.level = s.sustain;
                    self.stage = Stage::Sustain;
                }
            }
            Stage::Sustain => {
                // Follow sustain changes smoothly rather than jumping.
                self.level += (s.sustain - self.level) * 0.002;
            }
            Stage::Release => {
                self.level -= self.release_step.max(1e-7);
                if self.level <= 0.0 {
                    self.level = 0.0;
                    self.stage = Stage::Idle;
                }
            }
        }
        self.level
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SR: f32 = 44_100.0;
    const S: AdsrSettings = AdsrSettings {
        attack: 0.01,
        decay: 0.1,
        sustain: 0.5,
        release: 0.2,
    };

    #[test]
    fn regression_envelope_stuck_at_zero_after_gate_reopens_during_release() {
        let mut env = Adsr::new();
        env.gate_on();
        for _ in 0..2000 {
            env.next(&S, SR);
        }
        env.gate_off(&S, SR);
        for _ in 0..100 {
            env.next(&S, SR);
        }
        let before = env.level();
        env.gate_on();
        for _ in 0..100 {
            env.next(&S, SR);
        }
        assert!(env.level() > before, "{} !> {}", env.level(), before);
    }

    #[test]
    fn regression_gate_on_after_full_release_rises_again() {
        let mut env = Adsr::new();
        for _ in 0..3 {
            env.gate_on();
            for _ in 0..(0.05 * SR) as usize {
                env.next(&S, SR);
            }
            assert!(env.level() > 0.4, "stuck at {}", env.level());
            env.gate_off(&S, SR);
            for _ in 0..(0.3 * SR) as usize {
                env.next(&S, SR);
            }
            assert!(env.is_idle());
        }
    }

    #[test]
    fn filling_a_block_matches_sample_by_sample() {
        let mut a = Adsr::new();
        let mut b = Adsr::new();
        a.gate_on();
        b.gate_on();
        let mut block = [0.0f32; 37];
        let mut i = 0;
        for round in 0..600 {
            if round == 250 {
                a.gate_off(&S, SR);
                b.gate_off(&S, SR);
            }
            a.fill(&S, SR, &mut block);
            for v in block {
                let w = b.next(&S, SR);
                assert!((v - w).abs() < 1e-6, "sample {i}: {v} vs {w}");
                i += 1;
            }
        }
        assert!(a.is_idle() && b.is_idle());
    }

    #[test]
    fn zero_times_do_not_divide_by_zero() {
        let s = AdsrSettings {
            attack: 0.0,
            decay: 0.0,
            sustain: 1.0,
            release: 0.0,
        };
        let mut env = Adsr::new();
        env.gate_on();
        for _ in 0..4 {
            assert!(env.next(&s, SR).is_finite());
        }
        assert_eq!(env.level(), 1.0);
        env.gate_off(&s, SR);
        env.next(&s, SR);
        assert_eq!(env.level(), 0.0);
    }
}
