//! Low-frequency oscillators: [`LFOS_PER_INSTRUMENT`] per instrument (the main voice and
//! each track), each with a shape, a rate in Hz or tempo-synced, a target and a depth in the
//! target's own unit (octaves of cutoff, cents of pitch, dB of level, resonance).
//!
//! The settings ([`LfoBank`]) are `Copy` and live in the patch state; the phases
//! ([`LfoPhases`]) live in the engine and run on the DSP worker thread, advanced once per
//! block (never allocating). A tempo-synced LFO reads its phase from the transport while it
//! runs, so it stays locked to the beat; otherwise phases advance with the frames rendered.

use super::command::TRACKS;
use super::smoother::{db_to_gain, Ramp};
use super::voice::VoiceParams;

/// LFOs per instrument.
pub const LFOS_PER_INSTRUMENT: usize = 2;
/// Instruments: the main voice (0) and each track (1 + track).
pub const INSTRUMENTS: usize = 1 + TRACKS;

/// What an LFO moves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum LfoTarget {
    /// Nothing: the LFO is off.
    #[default]
    Off,
    /// The filter cutoff, depth in octaves.
    Cutoff,
    /// The pitch, depth in cents.
    Pitch,
    /// The level, depth in dB (the level dips by up to the depth).
    Level,
    /// The filter resonance, depth as a fraction (0..1).
    Resonance,
}

impl LfoTarget {
    /// Every target, in value order.
    pub const ALL: [LfoTarget; 5] = [
        LfoTarget::Off,
        LfoTarget::Cutoff,
        LfoTarget::Pitch,
        LfoTarget::Level,
        LfoTarget::Resonance,
    ];

    /// The canonical name (`filter.cutoff`, `pitch`, `amp.gain`, `filter.res`).
    pub fn name(self) -> &'static str {
        match self {
            LfoTarget::Off => "off",
            LfoTarget::Cutoff => "filter.cutoff",
            LfoTarget::Pitch => "pitch",
            LfoTarget::Level => "amp.gain",
            LfoTarget::Resonance => "filter.res",
        }
    }

    /// The unit its depth is in.
    pub fn depth_unit(self) -> &'static str {
        match self {
            LfoTarget::Off => "",
            LfoTarget::Cutoff => "octaves",
            LfoTarget::Pitch => "cents",
            LfoTarget::Level => "db",
            LfoTarget::Resonance => "",
        }
    }

    /// The depth a phrase without one gets.
    pub fn default_depth(self) -> f32 {
        match self {
            LfoTarget::Off => 0.0,
            LfoTarget::Cutoff => 1.5,
            LfoTarget::Pitch => 20.0,
            LfoTarget::Level => 6.0,
            LfoTarget::Resonance => 0.3,
        }
    }

    /// The largest depth allowed.
    pub fn max_depth(self) -> f32 {
        match self {
            LfoTarget::Off => 0.0,
            LfoTarget::Cutoff => 6.0,
            LfoTarget::Pitch => 1200.0,
            LfoTarget::Level => 60.0,
            LfoTarget::Resonance => 1.0,
        }
    }

    /// The target for a `LfoField::Target` value.
    pub fn from_value(v: f32) -> LfoTarget {
        let i = if v.is_finite() { v.round() } else { 0.0 };
        LfoTarget::ALL
            .get(i.clamp(0.0, 4.0) as usize)
            .copied()
            .unwrap_or_default()
    }

    /// The value for `LfoField::Target`.
    pub fn value(self) -> f32 {
        LfoTarget::ALL.iter().position(|t| *t == self).unwrap_or(0) as f32
    }
}

/// The shape of one LFO cycle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum LfoShape {
    /// A sine.
    #[default]
    Sine,
    /// A triangle.
    Triangle,
    /// A square (up half the cycle, down the other half).
    Square,
    /// A rising saw.
    Saw,
    /// A new random value each cycle, held (sample and hold).
    Random,
}

impl LfoShape {
    /// Every shape, in value order.
    pub const ALL: [LfoShape; 5] = [
        LfoShape::Sine,
        LfoShape::Triangle,
        LfoShape::Square,
        LfoShape::Saw,
        LfoShape::Random,
    ];

    /// The canonical name.
    pub fn name(self) -> &'static str {
        match self {
            LfoShape::Sine => "sine",
            LfoShape::Triangle => "triangle",
            LfoShape::Square => "square",
            LfoShape::Saw => "saw",
            LfoShape::Random => "random",
        }
    }

    /// The shape a word names (`s&h` and `sh` are random).
    pub fn from_word(w: &str) -> Option<LfoShape> {
        Some(match w {
            "sine" | "sin" => LfoShape::Sine,
            "triangle" | "tri" => LfoShape::Triangle,
            "square" | "pulse" => LfoShape::Square,
            "saw" | "sawtooth" | "ramp" => LfoShape::Saw,
            "random" | "sh" | "s&h" => LfoShape::Random,
            _ => return None,
        })
    }

    /// The shape for a `LfoField::Shape` value.
    pub fn from_value(v: f32) -> LfoShape {
        let i = if v.is_finite() { v.round() } else { 0.0 };
        LfoShape::ALL[i.clamp(0.0, 4.0) as usize]
    }

    /// The value for `LfoField::Shape`.
    pub fn value(self) -> f32 {
        LfoShape::ALL.iter().position(|s| *s == self).unwrap_or(0) as f32
    }
}

/// One setting of an LFO, for `Command::SetLfo`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LfoField {
    /// What it moves ([`LfoTarget::value`]); 0 turns it off.
    Target,
    /// Its shape ([`LfoShape::value`]).
    Shape,
    /// Free rate in Hz (0.01..50); the LFO stops following the tempo.
    RateHz,
    /// Tempo-synced cycle length as a fraction of a 4/4 bar (1/8 = 0.125).
    Sync,
    /// Depth in the target's unit ([`LfoTarget::depth_unit`]).
    Depth,
}

/// One LFO's settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LfoSettings {
    /// What it moves.
    pub target: LfoTarget,
    /// Its shape.
    pub shape: LfoShape,
    /// Rate in Hz when `sync` is 0.
    pub rate_hz: f32,
    /// Cycle length as a fraction of a bar; 0 uses `rate_hz`.
    pub sync: f32,
    /// Depth in the target's unit.
    pub depth: f32,
}

impl Default for LfoSettings {
    fn default() -> Self {
        LfoSettings {
            target: LfoTarget::Off,
            shape: LfoShape::Sine,
            rate_hz: 1.0,
            sync: 0.0,
            depth: 0.0,
        }
    }
}

impl LfoSettings {
    /// Applies one field (clamped).
    pub fn set(&mut self, field: LfoField, value: f32) {
        if !value.is_finite() {
            return;
        }
        match field {
            LfoField::Target => {
                let t = LfoTarget::from_value(value);
                if t != self.target {
                    self.depth = self.depth.min(t.max_depth());
                }
                self.target = t;
            }
            LfoField::Shape => self.shape = LfoShape::from_value(value),
            LfoField::RateHz => {
                self.rate_hz = value.clamp(0.01, 50.0);
                self.sync = 0.0;
            }
            LfoField::Sync => self.sync = value.clamp(1.0 / 64.0, 16.0),
            LfoField::Depth => self.depth = value.clamp(0.0, self.target.max_depth().max(1200.0)),
        }
    }

    /// True when it moves something.
    pub fn is_on(&self) -> bool {
        self.target != LfoTarget::Off && self.depth > 0.0
    }

    /// Cycles per beat when synced, else `None`.
    pub fn cycles_per_beat(&self) -> Option<f64> {
        (self.sync > 0.0).then(|| 1.0 / (f64::from(self.sync) * 4.0))
    }
}

/// Every instrument's LFO settings: part of the `Copy` patch state.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LfoBank {
    /// `[instrument][slot]`.
    pub lfos: [[LfoSettings; LFOS_PER_INSTRUMENT]; INSTRUMENTS],
}

impl LfoBank {
    /// Applies one `SetLfo` command; out-of-range instruments and slots are ignored.
    pub fn set(&mut self, instrument: u8, slot: u8, field: LfoField, value: f32) {
        if let Some(l) = self
            .lfos
            .get_mut(usize::from(instrument))
            .and_then(|i| i.get_mut(usize::from(slot)))
        {
            l.set(field, value);
        }
    }

    /// True when some LFO moves something.
    pub fn any_on(&self) -> bool {
        self.lfos.iter().flatten().any(LfoSettings::is_on)
    }
}

/// What the LFOs add to one instrument at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LfoOffsets {
    /// Octaves added to the cutoff.
    pub cutoff_octaves: f32,
    /// Cents added to the pitch.
    pub pitch_cents: f32,
    /// dB added to the level (at most 0).
    pub level_db: f32,
    /// Added to the resonance.
    pub res: f32,
}

/// Adds the LFO offsets (at the block's start and end) to one instrument's voice parameters
/// for a block of `n` frames.
pub fn modulate(p: &mut VoiceParams, start: &LfoOffsets, end: &LfoOffsets, n: usize) {
    let n = n.max(1) as f32;
    let ramp = |r: Ramp, a: f32, b: f32, mul: bool| {
        let (s, e) = (r.start, r.at(n as usize));
        let (s, e) = if mul { (s * a, e * b) } else { (s + a, e + b) };
        Ramp {
            start: s,
            step: (e - s) / n,
        }
    };
    p.log_cutoff = ramp(
        p.log_cutoff,
        start.cutoff_octaves,
        end.cutoff_octaves,
        false,
    );
    let res = ramp(p.res, start.res, end.res, false);
    p.res = Ramp {
        start: res.start.clamp(0.0, 1.0),
        step: (res.at(n as usize).clamp(0.0, 1.0) - res.start.clamp(0.0, 1.0)) / n,
    };
    p.gain = ramp(
        p.gain,
        db_to_gain(start.level_db),
        db_to_gain(end.level_db),
        true,
    );
    p.pitch_mod = 2f32.powf(start.pitch_cents / 1200.0);
}

/// The value (-1..1) of `shape` at `phase` cycles (the whole part counts cycles, for S&H).
pub fn shape_at(shape: LfoShape, phase: f64, seed: u32) -> f32 {
    let f = phase.fract() as f32;
    match shape {
        LfoShape::Sine => (f * std::f32::consts::TAU).sin(),
        LfoShape::Triangle => 1.0 - 4.0 * (f - 0.5).abs(),
        LfoShape::Square => {
            if f < 0.5 {
                1.0
            } else {
                -1.0
            }
        }
        LfoShape::Saw => 2.0 * f - 1.0,
        LfoShape::Random => {
            let mut x = (phase.floor() as i64 as u64 as u32) ^ seed;
            x = x.wrapping_mul(0x9E37_79B1) ^ (x >> 15);
            x = x.wrapping_mul(0x85EB_CA6B) ^ (x >> 13);
            (x as f32 / u32::MAX as f32) * 2.0 - 1.0
        }
    }
}

/// The phase of every LFO, advanced per block on the DSP worker.
#[derive(Clone, Copy, Debug, Default)]
pub struct LfoPhases {
    phase: [[f64; LFOS_PER_INSTRUMENT]; INSTRUMENTS],
}

impl LfoPhases {
    /// Moves every LFO's phase over `frames`; `beat` gives the transport's position at the
    /// block's end while it runs (synced LFOs read their phase from it).
    pub fn advance(
        &mut self,
        bank: &LfoBank,
        frames: usize,
        sample_rate: f32,
        tempo: f32,
        beat_at_end: Option<f64>,
    ) {
        for (phases, settings) in self.phase.iter_mut().zip(bank.lfos.iter()) {
            for (p, s) in phases.iter_mut().zip(settings.iter()) {
                if !s.is_on() {
                    continue;
                }
                match (s.cycles_per_beat(), beat_at_end) {
                    (Some(cpb), Some(beat)) => *p = beat * cpb,
                    (Some(cpb), None) => {
                        *p += frames as f64 * cpb * f64::from(tempo) / 60.0 / f64::from(sample_rate)
                    }
                    (None, _) => {
                        *p += frames as f64 * f64::from(s.rate_hz) / f64::from(sample_rate)
                    }
                }
            }
        }
    }

    /// What `instrument`'s LFOs add now.
    pub fn offsets(&self, bank: &LfoBank, instrument: usize) -> LfoOffsets {
        let mut o = LfoOffsets::default();
        let (Some(phases), Some(settings)) =
            (self.phase.get(instrument), bank.lfos.get(instrument))
        else {
            return o;
        };
        for (slot, (p, s)) in phases.iter().zip(settings.iter()).enumerate() {
            if !s.is_on() {
                continue;
            }
            let seed = ((instrument * LFOS_PER_INSTRUMENT + slot) as u32).wrapping_mul(0x2F6B_9E1D);
            let v = shape_at(s.shape, *p, seed);
            match s.target {
                LfoTarget::Off => {}
                LfoTarget::Cutoff => o.cutoff_octaves += v * s.depth,
                LfoTarget::Pitch => o.pitch_cents += v * s.depth,
                LfoTarget::Level => o.level_db += (v - 1.0) * 0.5 * s.depth,
                LfoTarget::Resonance => o.res += v * s.depth,
            }
        }
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_stay_between_minus_one_and_one_and_random_holds_per_cycle() {
        for shape in LfoShape::ALL {
            for i in 0..400 {
                let v = shape_at(shape, f64::from(i) * 0.01, 7);
                assert!((-1.0..=1.0).contains(&v), "{shape:?} {v}");
            }
        }
        assert_eq!(
            shape_at(LfoShape::Random, 3.1, 7),
            shape_at(LfoShape::Random, 3.9, 7)
        );
        assert_ne!(
            shape_at(LfoShape::Random, 3.1, 7),
            shape_at(LfoShape::Random, 4.1, 7)
        );
    }

    #[test]
    fn a_synced_lfo_reads_its_phase_from_the_beat() {
        let mut bank = LfoBank::default();
        bank.set(0, 0, LfoField::Target, LfoTarget::Cutoff.value());
        bank.set(0, 0, LfoField::Depth, 1.0);
        bank.set(0, 0, LfoField::Sync, 0.125);
        let mut phases = LfoPhases::default();
        // An eighth note is half a beat: at beat 2.25 the LFO is half-way through a cycle.
        phases.advance(&bank, 64, 44_100.0, 120.0, Some(2.25));
        let o = phases.offsets(&bank, 0);
        assert!(o.cutoff_octaves.abs() < 1e-3, "{o:?}");
        phases.advance(&bank, 64, 44_100.0, 120.0, Some(2.125));
        assert!((phases.offsets(&bank, 0).cutoff_octaves - 1.0).abs() < 1e-3);
    }

    #[test]
    fn tremolo_only_dips_the_level() {
        let mut bank = LfoBank::default();
        bank.set(1, 1, LfoField::Target, LfoTarget::Level.value());
        bank.set(1, 1, LfoField::Depth, 6.0);
        bank.set(1, 1, LfoField::RateHz, 5.0);
        let mut phases = LfoPhases::default();
        for _ in 0..100 {
            phases.advance(&bank, 64, 44_100.0, 120.0, None);
            let o = phases.offsets(&bank, 1);
            assert!((-6.0..=0.0).contains(&o.level_db));
            assert_eq!(phases.offsets(&bank, 0), LfoOffsets::default());
        }
    }
}
