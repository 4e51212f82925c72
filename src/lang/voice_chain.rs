//! The voice as one line, for `show` and the patch pane:
//! `osc1 saw + osc2 square -1 oct -6 dB → filter lowpass 800 Hz → filter2 highpass 200 Hz →
//! amp -6 dB → drive → chorus → delay → reverb` (the effects in the order they run).
//!
//! Runs on the control thread (allocates).

use crate::engine::fx::order::{order_of, Effect};
use crate::engine::params::{format_decimal, ParamId};
use crate::engine::PatchState;

/// The modules of the modular voice beside osc1 (their parameters are shown in the chain).
pub const MODULAR_MODULES: &[&str] = &[
    "osc2", "osc3", "sub", "noise", "fm", "ring", "sync", "filter2",
];

fn word(patch: &PatchState, p: ParamId) -> String {
    p.spec().format_plain(patch.get(p))
}

fn on(patch: &PatchState, p: ParamId) -> bool {
    patch.get(p) >= 0.5
}

fn signed(v: f32, unit: &str) -> String {
    let sign = if v > 0.0 { "+" } else { "" };
    format!(" {sign}{} {unit}", format_decimal(v))
}

/// True when the effects run in another order than drive, chorus, delay, reverb.
pub fn effects_reordered(patch: &PatchState) -> bool {
    order_of(patch.values()) != Effect::ALL
}

/// True when the voice uses more than osc1 and one filter (osc2, sub, noise, FM, ring
/// modulation, filter2) or the effects are reordered.
pub fn modular_in_use(patch: &PatchState) -> bool {
    on(patch, ParamId::Filter2On)
        || effects_reordered(patch)
        || on(patch, ParamId::Osc2On)
        || on(patch, ParamId::Osc3On)
        || on(patch, ParamId::SubOn)
        || on(patch, ParamId::NoiseOn)
        || on(patch, ParamId::RingOn)
        || patch.get(ParamId::FmIndex) > 0.0
}

/// The sources of the voice: `osc1 saw + osc2 square -1 oct -6 dB + sub square -6 dB`.
pub fn sources_line(patch: &PatchState) -> String {
    let mut osc1 = format!("osc1 {}", word(patch, ParamId::OscWave));
    let detune = patch.get(ParamId::OscDetune);
    if detune != 0.0 {
        osc1 += &signed(detune, "cents");
    }
    let fm = patch.get(ParamId::FmIndex);
    if fm > 0.0 {
        osc1 += &format!(
            " (fm ratio {} index {})",
            format_decimal(patch.get(ParamId::FmRatio)),
            format_decimal(fm)
        );
    }
    let ring = on(patch, ParamId::RingOn);
    let mut parts = vec![osc1];
    if on(patch, ParamId::Osc2On) || ring {
        let mut osc2 = format!("osc2 {}", word(patch, ParamId::Osc2Wave));
        let fixed = patch.get(ParamId::Osc2Freq);
        if fixed > 0.0 {
            osc2 += &format!(" {} Hz", format_decimal(fixed));
        } else {
            for (p, unit) in [
                (ParamId::Osc2Octave, "oct"),
                (ParamId::Osc2Semitones, "st"),
                (ParamId::Osc2Detune, "cents"),
            ] {
                let v = patch.get(p);
                if v != 0.0 {
                    osc2 += &signed(v, unit);
                }
            }
        }
        if on(patch, ParamId::SyncOn) {
            osc2 += " synced";
        }
        let level = patch.get(ParamId::Osc2Level);
        if level != 0.0 {
            osc2 += &format!(" {} dB", format_decimal(level));
        }
        let join = if ring { " × " } else { " + " };
        let first = parts.pop().unwrap_or_default();
        parts.push(format!("{first}{join}{osc2}"));
    }
    if on(patch, ParamId::Osc3On) {
        parts.push(osc3_part(patch));
    }
    if on(patch, ParamId::SubOn) {
        parts.push(format!(
            "sub {} {} dB",
            word(patch, ParamId::SubWave),
            format_decimal(patch.get(ParamId::SubLevel))
        ));
    }
    if on(patch, ParamId::NoiseOn) {
        parts.push(format!(
            "noise {} dB",
            format_decimal(patch.get(ParamId::NoiseLevel))
        ));
    }
    parts.join(" + ")
}

/// osc3 as a part of the sources line: `osc3 saw +7 st -9 dB`, `osc3 sine 1320 Hz`.
fn osc3_part(patch: &PatchState) -> String {
    let mut osc3 = format!("osc3 {}", word(patch, ParamId::Osc3Wave));
    let fixed = patch.get(ParamId::Osc3Freq);
    if fixed > 0.0 {
        osc3 += &format!(" {} Hz", format_decimal(fixed));
    } else {
        for (p, unit) in [
            (ParamId::Osc3Octave, "oct"),
            (ParamId::Osc3Semitones, "st"),
            (ParamId::Osc3Detune, "cents"),
        ] {
            let v = patch.get(p);
            if v != 0.0 {
                osc3 += &signed(v, unit);
            }
        }
    }
    let level = patch.get(ParamId::Osc3Level);
    if level != 0.0 {
        osc3 += &format!(" {} dB", format_decimal(level));
    }
    osc3
}

/// The filters: `filter lowpass 800 Hz → filter2 highpass 200 Hz` in series,
/// `(filter lowpass 800 Hz + filter2 highpass 200 Hz)` in parallel.
pub fn filters_line(patch: &PatchState) -> String {
    let one = |mode, cutoff, res: ParamId, name: &str| {
        let mut s = format!(
            "{name} {} {} Hz",
            word(patch, mode),
            format_decimal(patch.get(cutoff))
        );
        if res == ParamId::Filter2Res && patch.get(res) != res.spec().default {
            s += &format!(" res {}", format_decimal(patch.get(res)));
        }
        s
    };
    let first = one(
        ParamId::FilterMode,
        ParamId::FilterCutoff,
        ParamId::FilterRes,
        "filter",
    );
    if !on(patch, ParamId::Filter2On) {
        return first;
    }
    let second = one(
        ParamId::Filter2Mode,
        ParamId::Filter2Cutoff,
        ParamId::Filter2Res,
        "filter2",
    );
    if patch.get(ParamId::Filter2Routing) >= 0.5 {
        format!("({first} + {second})")
    } else {
        format!("{first} → {second}")
    }
}

/// The master effects in the order they run: `drive → chorus → delay → reverb`.
pub fn effects_line(patch: &PatchState) -> String {
    order_of(patch.values())
        .iter()
        .map(|e| e.name())
        .collect::<Vec<_>>()
        .join(" → ")
}

/// The whole voice: sources → filters → amp → the effects in order.
pub fn voice_chain(patch: &PatchState) -> String {
    format!(
        "{} → {} → amp {} dB → {}",
        sources_line(patch),
        filters_line(patch),
        format_decimal(patch.get(ParamId::AmpGain)),
        effects_line(patch)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::command::Command;

    fn with(sets: &[(ParamId, f32)]) -> PatchState {
        let mut p = PatchState::default();
        for &(param, value) in sets {
            p.apply(&Command::Set { param, value });
        }
        p
    }

    #[test]
    fn the_default_voice_is_one_saw_through_the_filter() {
        let p = PatchState::default();
        assert!(!modular_in_use(&p));
        assert_eq!(
            voice_chain(&p),
            "osc1 saw → filter lowpass 2000 Hz → amp -6 dB → drive → chorus → delay → reverb"
        );
    }

    #[test]
    fn osc2_sub_noise_fm_and_ring_are_named_in_order() {
        let p = with(&[
            (ParamId::Osc2On, 1.0),
            (ParamId::Osc2Wave, 2.0),
            (ParamId::Osc2Octave, -1.0),
            (ParamId::Osc2Level, -6.0),
            (ParamId::FilterCutoff, 800.0),
        ]);
        assert!(modular_in_use(&p));
        assert_eq!(
            voice_chain(&p),
            "osc1 saw + osc2 square -1 oct -6 dB → filter lowpass 800 Hz → amp -6 dB \
             → drive → chorus → delay → reverb"
        );
        let p = with(&[
            (ParamId::OscWave, 0.0),
            (ParamId::RingOn, 1.0),
            (ParamId::Osc2Wave, 0.0),
            (ParamId::Osc2Freq, 660.0),
            (ParamId::SubOn, 1.0),
            (ParamId::NoiseOn, 1.0),
            (ParamId::FmIndex, 1.0),
            (ParamId::FmRatio, 2.0),
        ]);
        assert_eq!(
            sources_line(&p),
            "osc1 sine (fm ratio 2 index 1) × osc2 sine 660 Hz + sub square -6 dB + noise -18 dB"
        );
    }

    #[test]
    fn osc3_is_named_after_osc2_only_while_it_is_on() {
        let shaped = [
            (ParamId::Osc3Wave, 0.0),
            (ParamId::Osc3Semitones, 7.0),
            (ParamId::Osc3Detune, -7.0),
            (ParamId::Osc3Level, -9.0),
        ];
        let p = with(&shaped);
        assert!(!modular_in_use(&p));
        assert_eq!(sources_line(&p), "osc1 saw");
        let mut on = shaped.to_vec();
        on.extend([(ParamId::Osc3On, 1.0), (ParamId::Osc2On, 1.0)]);
        let p = with(&on);
        assert!(modular_in_use(&p));
        assert_eq!(
            sources_line(&p),
            "osc1 saw + osc2 saw + osc3 sine +7 st -7 cents -9 dB"
        );
        on.push((ParamId::Osc3Freq, 1500.0));
        assert_eq!(
            sources_line(&with(&on)),
            "osc1 saw + osc2 saw + osc3 sine 1500 Hz -9 dB"
        );
    }

    #[test]
    fn filter2_and_the_effect_order_are_in_the_line() {
        let p = with(&[
            (ParamId::Osc2On, 1.0),
            (ParamId::Osc2Wave, 2.0),
            (ParamId::Osc2Octave, -1.0),
            (ParamId::Osc2Level, -6.0),
            (ParamId::FilterCutoff, 800.0),
            (ParamId::Filter2On, 1.0),
            (ParamId::ReverbOrder, 1.0),
            (ParamId::DriveOrder, 4.0),
        ]);
        assert!(effects_reordered(&p));
        assert_eq!(
            voice_chain(&p),
            "osc1 saw + osc2 square -1 oct -6 dB → filter lowpass 800 Hz → filter2 highpass \
             200 Hz → amp -6 dB → reverb → chorus → delay → drive"
        );
        let p = with(&[
            (ParamId::Filter2On, 1.0),
            (ParamId::Filter2Routing, 1.0),
            (ParamId::Filter2Mode, 3.0),
            (ParamId::Filter2Res, 0.5),
        ]);
        assert_eq!(
            filters_line(&p),
            "(filter lowpass 2000 Hz + filter2 notch 200 Hz res 0.5)"
        );
        assert!(modular_in_use(&p));
    }
}
