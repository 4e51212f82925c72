//! Proof that the modular voice (osc2, osc3, sub, noise, FM, ring modulation, hard sync, the second
//! filter in series and parallel) and the effect order, switched and moved under held notes,
//! never allocates on the rendering thread: this binary installs
//! assert_no_alloc's `AllocDisabler` and runs every `apply` and `render` inside `rt_guard`.

use chronus::engine::command::Command;
use chronus::engine::params::ParamId;
use chronus::engine::{Engine, BLOCK_SAMPLES};
use chronus::rt::guard::{alloc_violations, rt_guard};

#[global_allocator]
static ALLOC: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

fn set(param: ParamId, value: f32) -> Command {
    Command::Set { param, value }
}

#[test]
fn the_modular_voice_never_allocates() {
    let changes = [
        set(ParamId::Osc2On, 1.0),
        set(ParamId::Osc2Wave, 2.0),
        set(ParamId::Osc2Octave, -1.0),
        set(ParamId::Osc2Detune, 7.0),
        set(ParamId::SubOn, 1.0),
        set(ParamId::NoiseOn, 1.0),
        set(ParamId::FmRatio, 2.0),
        set(ParamId::FmIndex, 3.0),
        set(ParamId::RingOn, 1.0),
        set(ParamId::SyncOn, 1.0),
        set(ParamId::Osc2Freq, 660.0),
        set(ParamId::Osc3On, 1.0),
        set(ParamId::Osc3Wave, 3.0),
        set(ParamId::Osc3Octave, 1.0),
        set(ParamId::Osc3Semitones, 7.0),
        set(ParamId::Osc3Detune, -7.0),
        set(ParamId::Osc3Level, -9.0),
        set(ParamId::Osc3Freq, 330.0),
        set(ParamId::Osc3Freq, 0.0),
        set(ParamId::RingOn, 0.0),
        set(ParamId::FmIndex, 0.0),
        set(ParamId::SubWave, 1.0),
        set(ParamId::Osc2On, 0.0),
        set(ParamId::Osc3On, 0.0),
        set(ParamId::Filter2On, 1.0),
        set(ParamId::Filter2Mode, 3.0),
        set(ParamId::Filter2Cutoff, 900.0),
        set(ParamId::Filter2Routing, 1.0),
        set(ParamId::Filter2Env, 0.5),
        set(ParamId::ReverbOrder, 1.0),
        set(ParamId::DriveOrder, 4.0),
        set(ParamId::DelayMix, 0.3),
        set(ParamId::ChorusMix, 0.4),
        set(ParamId::ChorusOrder, 1.0),
        set(ParamId::Filter2Routing, 0.0),
        set(ParamId::DriveOrder, 1.0),
        set(ParamId::Filter2On, 0.0),
    ];
    let mut engine = Engine::new(44_100);
    let mut out = [0.0f32; BLOCK_SAMPLES];
    let mut loud = 0;
    rt_guard(|| {
        for note in [48u8, 55, 60, 64] {
            engine.apply(Command::NoteOn {
                note,
                velocity: 0.8,
            });
        }
        engine.apply(Command::Gate { on: true });
    });
    for (b, change) in changes.iter().cycle().take(600).enumerate() {
        rt_guard(|| {
            if b % 8 == 0 {
                engine.apply(*change);
            }
            engine.render(&mut out);
        });
        loud += usize::from(out.iter().any(|s| s.abs() > 1e-3));
    }
    assert!(loud > 500, "the voices sounded in {loud} blocks");
    assert_eq!(
        alloc_violations(),
        0,
        "allocations while applying or rendering"
    );
}
