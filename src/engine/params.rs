//! The parameter table: every canonical parameter name with its unit, range and default.
//!
//! Pure data, used on every thread. The engine indexes its parameter array by [`ParamId`];
//! the language, OSC server, TUI and `explain` all read names, units and ranges from here.

use std::fmt;

/// The unit a parameter's value is expressed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Frequency in hertz.
    Hz,
    /// Pitch offset in cents (1/100 of a semitone).
    Cents,
    /// Time in seconds.
    Seconds,
    /// A plain fraction from 0 to 1.
    Fraction,
    /// Level in decibels.
    Db,
    /// Tempo in beats per minute.
    Bpm,
    /// One of a fixed list of words; the value is the index into [`ParamSpec::choices`].
    Choice,
    /// A whole number (octaves of an arpeggio); values are rounded.
    Count,
    /// A plain positive number: a frequency ratio or a modulation index.
    Ratio,
}

impl Unit {
    /// The short suffix shown after a value ("Hz", "s", "dB"), empty for fractions and choices.
    pub fn suffix(self) -> &'static str {
        match self {
            Unit::Hz => "Hz",
            Unit::Cents => "cents",
            Unit::Seconds => "s",
            Unit::Fraction => "",
            Unit::Db => "dB",
            Unit::Bpm => "bpm",
            Unit::Choice => "",
            Unit::Count => "",
            Unit::Ratio => "",
        }
    }
}

/// How a value moves between two settings: smoothed in the engine or switched at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// Musically linear (fractions, dB, seconds).
    Linear,
    /// Musically logarithmic (frequencies): relative steps multiply.
    Log,
    /// A discrete choice.
    Discrete,
}

macro_rules! params {
    ($( $id:ident => $name:literal, $unit:ident, $scale:ident, $min:expr, $max:expr, $default:expr, [$($choice:literal),*], $help:literal; )*) => {
        /// Identifies one engine parameter; `as usize` indexes [`PARAMS`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum ParamId { $(
            #[doc = $help]
            $id,
        )* }

        /// Every parameter, in [`ParamId`] order.
        pub const PARAMS: &[ParamSpec] = &[ $(
            ParamSpec {
                id: ParamId::$id,
                name: $name,
                unit: Unit::$unit,
                scale: Scale::$scale,
                min: $min,
                max: $max,
                default: $default,
                choices: &[$($choice),*],
                help: $help,
            },
        )* ];

        impl ParamId {
            /// All parameter ids in table order.
            pub const ALL: &'static [ParamId] = &[$(ParamId::$id),*];
        }
    };
}

params! {
    OscWave => "osc.wave", Choice, Discrete, 0.0, 4.0, 1.0, ["sine", "saw", "square", "triangle", "noise"], "oscillator waveform";
    OscFreq => "osc.freq", Hz, Log, 20.0, 20000.0, 220.0, [], "oscillator frequency of the gated voice (the last note played)";
    OscDetune => "osc.detune", Cents, Linear, -1200.0, 1200.0, 0.0, [], "oscillator detune";
    Osc2On => "osc2.on", Choice, Discrete, 0.0, 1.0, 0.0, ["off", "on"], "second oscillator on or off (its level fades over 10 ms)";
    Osc2Wave => "osc2.wave", Choice, Discrete, 0.0, 4.0, 1.0, ["sine", "saw", "square", "triangle", "noise"], "second oscillator waveform";
    Osc2Octave => "osc2.octave", Count, Discrete, -4.0, 4.0, 0.0, [], "second oscillator pitch in octaves from the note";
    Osc2Semitones => "osc2.semitones", Count, Discrete, -24.0, 24.0, 0.0, [], "second oscillator pitch in semitones from the note";
    Osc2Detune => "osc2.detune", Cents, Linear, -1200.0, 1200.0, 0.0, [], "second oscillator detune";
    Osc2Level => "osc2.level", Db, Linear, -60.0, 12.0, 0.0, [], "second oscillator level (also the ring modulator's level)";
    Osc2Freq => "osc2.freq", Hz, Linear, 0.0, 20000.0, 0.0, [], "second oscillator fixed frequency that ignores the note (0 = follow the note)";
    Osc3On => "osc3.on", Choice, Discrete, 0.0, 1.0, 0.0, ["off", "on"], "third oscillator on or off (its level fades over 10 ms)";
    Osc3Wave => "osc3.wave", Choice, Discrete, 0.0, 4.0, 1.0, ["sine", "saw", "square", "triangle", "noise"], "third oscillator waveform";
    Osc3Octave => "osc3.octave", Count, Discrete, -4.0, 4.0, 0.0, [], "third oscillator pitch in octaves from the note";
    Osc3Semitones => "osc3.semitones", Count, Discrete, -24.0, 24.0, 0.0, [], "third oscillator pitch in semitones from the note";
    Osc3Detune => "osc3.detune", Cents, Linear, -1200.0, 1200.0, 0.0, [], "third oscillator detune";
    Osc3Level => "osc3.level", Db, Linear, -60.0, 12.0, 0.0, [], "third oscillator level";
    Osc3Freq => "osc3.freq", Hz, Linear, 0.0, 20000.0, 0.0, [], "third oscillator fixed frequency that ignores the note (0 = follow the note)";
    SubOn => "sub.on", Choice, Discrete, 0.0, 1.0, 0.0, ["off", "on"], "sub-oscillator (one octave below osc) on or off";
    SubWave => "sub.wave", Choice, Discrete, 0.0, 1.0, 0.0, ["square", "sine"], "sub-oscillator waveform";
    SubLevel => "sub.level", Db, Linear, -60.0, 12.0, -6.0, [], "sub-oscillator level";
    NoiseOn => "noise.on", Choice, Discrete, 0.0, 1.0, 0.0, ["off", "on"], "noise source mixed into the voice on or off";
    NoiseLevel => "noise.level", Db, Linear, -60.0, 12.0, -18.0, [], "noise source level";
    FmRatio => "fm.ratio", Ratio, Log, 0.125, 16.0, 1.0, [], "FM modulator frequency as a ratio of osc's";
    FmIndex => "fm.index", Ratio, Linear, 0.0, 10.0, 0.0, [], "FM index: how far the sine modulator moves osc's phase (0 = off)";
    RingOn => "ring.on", Choice, Discrete, 0.0, 1.0, 0.0, ["off", "on"], "ring modulation: osc x osc2 replaces the two oscillators (fades over 10 ms)";
    SyncOn => "sync.on", Choice, Discrete, 0.0, 1.0, 0.0, ["off", "on"], "hard sync: osc2 restarts its cycle whenever osc's does";
    EnvAttack => "env.attack", Seconds, Log, 0.0, 20.0, 0.01, [], "envelope attack time";
    EnvDecay => "env.decay", Seconds, Log, 0.0, 20.0, 0.2, [], "envelope decay time";
    EnvSustain => "env.sustain", Fraction, Linear, 0.0, 1.0, 0.7, [], "envelope sustain level";
    EnvRelease => "env.release", Seconds, Log, 0.0, 30.0, 0.3, [], "envelope release time";
    FilterMode => "filter.mode", Choice, Discrete, 0.0, 3.0, 0.0, ["lowpass", "highpass", "bandpass", "notch"], "filter type";
    FilterCutoff => "filter.cutoff", Hz, Log, 20.0, 20000.0, 2000.0, [], "filter cutoff frequency";
    FilterRes => "filter.res", Fraction, Linear, 0.0, 1.0, 0.2, [], "filter resonance";
    FilterEnv => "filter.env", Fraction, Linear, 0.0, 1.0, 0.0, [], "how far each note's envelope opens the filter (1 = six octaves, scaled by velocity)";
    Filter2On => "filter2.on", Choice, Discrete, 0.0, 1.0, 0.0, ["off", "on"], "second filter on or off (fades over 10 ms)";
    Filter2Mode => "filter2.mode", Choice, Discrete, 0.0, 3.0, 1.0, ["lowpass", "highpass", "bandpass", "notch"], "second filter type";
    Filter2Cutoff => "filter2.cutoff", Hz, Log, 20.0, 20000.0, 200.0, [], "second filter cutoff frequency";
    Filter2Res => "filter2.res", Fraction, Linear, 0.0, 1.0, 0.2, [], "second filter resonance";
    Filter2Env => "filter2.env", Fraction, Linear, 0.0, 1.0, 0.0, [], "how far each note's envelope opens the second filter (1 = six octaves)";
    Filter2Routing => "filter2.routing", Choice, Discrete, 0.0, 1.0, 0.0, ["series", "parallel"], "series: filter then filter2; parallel: both filter the oscillators and are summed";
    AmpGain => "amp.gain", Db, Linear, -60.0, 12.0, -6.0, [], "voice amplifier gain";
    DriveOn => "drive.on", Choice, Discrete, 0.0, 1.0, 1.0, ["off", "on"], "drive on or off (fades over 20 ms)";
    DriveAmount => "drive.amount", Fraction, Linear, 0.0, 1.0, 0.0, [], "drive (saturation) amount";
    DriveMix => "drive.mix", Fraction, Linear, 0.0, 1.0, 1.0, [], "drive wet mix";
    ChorusOn => "chorus.on", Choice, Discrete, 0.0, 1.0, 1.0, ["off", "on"], "chorus on or off (fades over 20 ms)";
    ChorusRate => "chorus.rate", Hz, Log, 0.05, 5.0, 0.8, [], "chorus modulation rate";
    ChorusDepth => "chorus.depth", Fraction, Linear, 0.0, 1.0, 0.5, [], "chorus modulation depth (1 = +/-6 ms)";
    ChorusMix => "chorus.mix", Fraction, Linear, 0.0, 1.0, 0.0, [], "chorus wet mix";
    DelayOn => "delay.on", Choice, Discrete, 0.0, 1.0, 1.0, ["off", "on"], "delay on or off (fades over 20 ms)";
    DelayTime => "delay.time", Seconds, Log, 0.001, 2.0, 0.375, [], "delay time (used while delay.sync is 0)";
    DelaySync => "delay.sync", Fraction, Linear, 0.0, 1.0, 0.0, [], "tempo-synced delay time as a fraction of a 4/4 bar (0.375 = 3/8); 0 uses delay.time";
    DelayFeedback => "delay.feedback", Fraction, Linear, 0.0, 0.95, 0.35, [], "delay feedback";
    DelayDamping => "delay.damping", Fraction, Linear, 0.0, 1.0, 0.3, [], "delay damping (darker repeats)";
    DelayMix => "delay.mix", Fraction, Linear, 0.0, 1.0, 0.0, [], "delay wet mix";
    ReverbOn => "reverb.on", Choice, Discrete, 0.0, 1.0, 1.0, ["off", "on"], "reverb on or off (fades over 20 ms)";
    ReverbSize => "reverb.size", Fraction, Linear, 0.0, 1.0, 0.5, [], "reverb room size";
    ReverbDamping => "reverb.damping", Fraction, Linear, 0.0, 1.0, 0.5, [], "reverb damping (darker tail)";
    ReverbMix => "reverb.mix", Fraction, Linear, 0.0, 1.0, 0.0, [], "reverb wet mix";
    DriveOrder => "drive.order", Count, Discrete, 1.0, 4.0, 1.0, [], "drive's place in the effect chain (1 = first)";
    ChorusOrder => "chorus.order", Count, Discrete, 1.0, 4.0, 2.0, [], "chorus's place in the effect chain (1 = first)";
    DelayOrder => "delay.order", Count, Discrete, 1.0, 4.0, 3.0, [], "delay's place in the effect chain (1 = first)";
    ReverbOrder => "reverb.order", Count, Discrete, 1.0, 4.0, 4.0, [], "reverb's place in the effect chain (1 = first)";
    MasterGain => "master.gain", Db, Linear, -60.0, 6.0, 0.0, [], "master output gain";
    ArpMode => "arp.mode", Choice, Discrete, 0.0, 4.0, 0.0, ["off", "up", "down", "updown", "random"], "arpeggiator over held notes";
    ArpRate => "arp.rate", Fraction, Log, 0.015625, 1.0, 0.0625, [], "arpeggiator step as a fraction of a 4/4 bar (0.0625 = 1/16)";
    ArpOctaves => "arp.octaves", Count, Discrete, 1.0, 4.0, 1.0, [], "octaves the arpeggio spans";
    ArpGate => "arp.gate", Fraction, Linear, 0.05, 1.0, 0.5, [], "arpeggio note length as a fraction of its step";
    TransportTempo => "transport.tempo", Bpm, Linear, 20.0, 300.0, 120.0, [], "tempo";
    TransportSwing => "transport.swing", Fraction, Linear, 0.0, 1.0, 0.0, [], "where the off-beat step of each pair lands (0.5 or less = straight, 0.58 = light swing, 0.67 = triplet feel, at most 0.75)";
}

/// Number of parameters in the table.
pub const PARAM_COUNT: usize = PARAMS.len();

/// One row of the parameter table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParamSpec {
    /// The id of this parameter.
    pub id: ParamId,
    /// Canonical `module.param` name.
    pub name: &'static str,
    /// Unit of the stored value.
    pub unit: Unit,
    /// How relative changes should move the value.
    pub scale: Scale,
    /// Smallest allowed value.
    pub min: f32,
    /// Largest allowed value.
    pub max: f32,
    /// Value in the default patch.
    pub default: f32,
    /// The words of a [`Unit::Choice`] parameter, in index order.
    pub choices: &'static [&'static str],
    /// A short description for help text.
    pub help: &'static str,
}

impl ParamSpec {
    /// The module part of the name (`filter` in `filter.cutoff`).
    pub fn module(&self) -> &'static str {
        self.name.split('.').next().unwrap_or(self.name)
    }

    /// The parameter part of the name (`cutoff` in `filter.cutoff`).
    pub fn param(&self) -> &'static str {
        self.name.split('.').nth(1).unwrap_or(self.name)
    }

    /// Clamps a value into this parameter's range (choices are rounded to an index).
    /// Non-finite values become the default.
    pub fn clamp(&self, value: f32) -> f32 {
        if !value.is_finite() {
            return self.default;
        }
        let v = value.clamp(self.min, self.max);
        if matches!(self.unit, Unit::Choice | Unit::Count) {
            v.round()
        } else {
            v
        }
    }

    /// The index of a choice word (case-insensitive), for [`Unit::Choice`] parameters.
    pub fn choice_index(&self, word: &str) -> Option<usize> {
        self.choices
            .iter()
            .position(|c| c.eq_ignore_ascii_case(word))
    }

    /// Formats a value the way `explain` prints it: plain decimal in the unit, or the choice word.
    pub fn format_plain(&self, value: f32) -> String {
        if self.unit == Unit::Choice {
            let i = self.clamp(value) as usize;
            return self.choices.get(i).copied().unwrap_or("?").to_string();
        }
        format_decimal(value)
    }

    /// Formats a value with its unit for people ("1400 Hz", "-6 dB", "0.7").
    pub fn format_with_unit(&self, value: f32) -> String {
        let plain = self.format_plain(value);
        match self.unit.suffix() {
            "" => plain,
            s => format!("{plain} {s}"),
        }
    }
}

/// Formats a number as a short plain decimal: at most 4 significant decimals, no trailing zeros.
pub fn format_decimal(value: f32) -> String {
    let v = value as f64;
    let digits = if v.abs() >= 100.0 {
        1
    } else if v.abs() >= 1.0 {
        3
    } else {
        4
    };
    let s = format!("{v:.digits$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" {
        "0".to_string()
    } else {
        s
    }
}

impl ParamId {
    /// The table row for this id.
    pub fn spec(self) -> &'static ParamSpec {
        &PARAMS[self as usize]
    }

    /// Canonical name (`filter.cutoff`).
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// Looks up a canonical name such as `filter.cutoff` (case-insensitive).
    pub fn from_name(name: &str) -> Option<ParamId> {
        PARAMS
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .map(|p| p.id)
    }

    /// Index into [`PARAMS`] and into per-parameter arrays.
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for ParamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The oscillator waveforms, in the order of `osc.wave`'s choices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Waveform {
    /// Pure sine.
    Sine,
    /// Band-limited sawtooth.
    Saw,
    /// Band-limited square.
    Square,
    /// Band-limited triangle.
    Triangle,
    /// White noise.
    Noise,
}

impl Waveform {
    /// The waveform for a stored `osc.wave` value.
    pub fn from_value(value: f32) -> Waveform {
        match value.round() as i32 {
            0 => Waveform::Sine,
            2 => Waveform::Square,
            3 => Waveform::Triangle,
            4 => Waveform::Noise,
            _ => Waveform::Saw,
        }
    }
}

impl Waveform {
    /// The sub-oscillator's waveform for a stored `sub.wave` value (square or sine).
    pub fn from_sub_value(value: f32) -> Waveform {
        if value.round() as i32 == 1 {
            Waveform::Sine
        } else {
            Waveform::Square
        }
    }
}

/// The filter modes, in the order of `filter.mode`'s choices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterMode {
    /// Low-pass.
    Lowpass,
    /// High-pass.
    Highpass,
    /// Band-pass.
    Bandpass,
    /// Band-reject (notch): low-pass plus high-pass.
    Notch,
}

impl FilterMode {
    /// The mode for a stored `filter.mode` value.
    pub fn from_value(value: f32) -> FilterMode {
        match value.round() as i32 {
            1 => FilterMode::Highpass,
            2 => FilterMode::Bandpass,
            3 => FilterMode::Notch,
            _ => FilterMode::Lowpass,
        }
    }
}

/// The default value of every parameter, indexed by [`ParamId`].
pub fn default_values() -> [f32; PARAM_COUNT] {
    let mut v = [0.0; PARAM_COUNT];
    for p in PARAMS {
        v[p.id.index()] = p.default;
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_id_order_and_defaults_are_in_range() {
        for (i, p) in PARAMS.iter().enumerate() {
            assert_eq!(p.id as usize, i, "{} out of order", p.name);
            assert!(p.min <= p.default && p.default <= p.max, "{}", p.name);
            assert_eq!(ParamId::from_name(p.name), Some(p.id));
        }
    }

    #[test]
    fn every_architecture_name_is_present() {
        for name in [
            "osc.wave",
            "osc.freq",
            "osc.detune",
            "env.attack",
            "env.decay",
            "env.release",
            "env.sustain",
            "filter.mode",
            "filter.cutoff",
            "filter.res",
            "amp.gain",
            "delay.time",
            "delay.feedback",
            "delay.mix",
            "reverb.size",
            "reverb.mix",
            "chorus.mix",
            "drive.amount",
            "master.gain",
            "transport.tempo",
            "transport.swing",
        ] {
            assert!(ParamId::from_name(name).is_some(), "missing {name}");
        }
    }

    #[test]
    fn clamping_and_formatting() {
        let cutoff = ParamId::FilterCutoff.spec();
        assert_eq!(cutoff.clamp(50_000.0), 20_000.0);
        assert_eq!(cutoff.clamp(f32::NAN), 2000.0);
        assert_eq!(cutoff.format_plain(1400.0), "1400");
        assert_eq!(cutoff.format_with_unit(1400.0), "1400 Hz");
        assert_eq!(ParamId::EnvAttack.spec().format_plain(0.005), "0.005");
        assert_eq!(ParamId::OscWave.spec().format_plain(2.0), "square");
        assert_eq!(ParamId::OscWave.spec().choice_index("SAW"), Some(1));
        assert_eq!(format_decimal(-6.0), "-6");
        assert_eq!(format_decimal(0.7), "0.7");
    }
}
