//! Idle: when no voice sounds and every effect's state has decayed far below hearing, a
//! block of the full chain would come out as silence (within -120 dB), so the engine emits
//! silence without running the voices and effects. The transport, the sequencer and the
//! arpeggiator still advance, so the next note starts in the block it is due.
//!
//! Runs on whichever thread renders; never allocates. Off by default (offline renders run
//! the full chain, so golden checksums do not depend on it); live workers switch it on.

use super::fx::FxChain;

/// The largest level the effects' state may hold for the chain to count as silent
/// (-140 dB; see [`FxChain::state_level`], which weighs the reverb's state by its gain), so
/// that whatever a silent input could still bring back stays under -120 dB.
pub const QUIET_STATE: f32 = 1e-7;
/// How many silent blocks pass between two reads of the effects' state (each read scans
/// every delay line, about 300 000 values).
pub const CHECK_EVERY_BLOCKS: u32 = 32;

/// Tracks whether the engine may skip the voice and effects chain.
#[derive(Clone, Copy, Debug, Default)]
pub struct IdleWatch {
    enabled: bool,
    fx_quiet: bool,
    silent_blocks: u32,
    idle: bool,
}

impl IdleWatch {
    /// A watch over effects whose lines are all zero (a freshly built chain).
    pub fn new() -> Self {
        IdleWatch {
            enabled: false,
            fx_quiet: true,
            silent_blocks: 0,
            idle: false,
        }
    }

    /// Lets the engine skip the chain while idle (`false`: always run it).
    pub fn enable(&mut self, on: bool) {
        self.enabled = on;
        self.idle = self.idle && on;
    }

    /// True when the engine may skip the chain for a block in which no voice sounds and no
    /// event falls.
    pub fn may_skip(&self) -> bool {
        self.enabled && self.fx_quiet
    }

    /// True while the last block was skipped.
    pub fn is_idle(&self) -> bool {
        self.idle
    }

    /// Notes a skipped block.
    pub fn skipped(&mut self) {
        self.idle = true;
    }

    /// Notes a block that ran the chain; `input_silent` when the voices fed the effects only
    /// zeros. Every [`CHECK_EVERY_BLOCKS`] silent blocks the effects' state is read.
    pub fn rendered(&mut self, input_silent: bool, fx: &FxChain) {
        self.idle = false;
        if !input_silent {
            self.fx_quiet = false;
            self.silent_blocks = 0;
            return;
        }
        self.silent_blocks = self.silent_blocks.wrapping_add(1);
        if self.enabled && !self.fx_quiet && self.silent_blocks.is_multiple_of(CHECK_EVERY_BLOCKS) {
            self.fx_quiet = fx.state_level() <= QUIET_STATE;
        }
    }

    /// Notes that the effects were cleared (their lines hold zeros).
    pub fn fx_cleared(&mut self) {
        self.fx_quiet = true;
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::command::Command;
    use crate::engine::params::ParamId;
    use crate::engine::{Engine, BLOCK_SAMPLES};

    /// A note into delay and reverb, a long silence, a second note, chorus sweeping
    /// throughout: `(output, blocks skipped)`.
    fn play(idle_skip: bool) -> (Vec<f32>, usize) {
        let mut e = Engine::new(44_100);
        e.set_idle_skip(idle_skip);
        for (param, value) in [
            (ParamId::ChorusMix, 0.5),
            (ParamId::DelayMix, 0.3),
            (ParamId::DelayFeedback, 0.5),
            (ParamId::ReverbMix, 0.3),
        ] {
            e.apply(Command::Set { param, value });
        }
        let mut out = Vec::new();
        let mut skipped = 0;
        let mut block = [0.0f32; BLOCK_SAMPLES];
        for b in 0..24_000 {
            match b {
                10 | 20_000 => e.apply(Command::NoteOn {
                    note: 60,
                    velocity: 1.0,
                }),
                40 | 20_030 => e.apply(Command::NoteOff { note: 60 }),
                _ => {}
            }
            e.render(&mut block);
            skipped += usize::from(e.is_idle());
            out.extend_from_slice(&block);
        }
        (out, skipped)
    }

    #[test]
    fn an_idle_engine_sounds_like_the_full_chain_within_minus_120_db() {
        let (full, none) = play(false);
        let (skipping, skipped) = play(true);
        assert_eq!(none, 0, "without idle skip nothing is skipped");
        assert!(
            skipped > 5_000,
            "the long silence went idle: {skipped} blocks"
        );
        let worst = full
            .iter()
            .zip(&skipping)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(worst < 1e-6, "largest difference {worst}");
        let second_note = &skipping[20_000 * BLOCK_SAMPLES..20_001 * BLOCK_SAMPLES];
        assert!(
            second_note.iter().any(|s| s.abs() > 1e-3),
            "the note after idle sounds in its first block"
        );
    }

    #[test]
    fn a_sequenced_step_after_idle_lands_on_the_same_frame() {
        let render = |idle_skip: bool| {
            let mut e = Engine::new(44_100);
            e.set_idle_skip(idle_skip);
            let mut out = vec![0.0f32; BLOCK_SAMPLES * 3_000];
            e.render(&mut out[..BLOCK_SAMPLES * 1_000]);
            let idle = e.is_idle();
            e.apply(Command::TransportStart);
            e.apply(Command::SetStep {
                track: 0,
                index: 3,
                step: crate::engine::command::Step::note(72),
            });
            e.apply(Command::ApplyPending);
            e.render(&mut out[BLOCK_SAMPLES * 1_000..]);
            (out, idle)
        };
        let (full, _) = render(false);
        let (skipping, was_idle) = render(true);
        assert!(was_idle, "silence from the start is idle");
        let first = |o: &[f32]| o.iter().position(|s| s.abs() > 1e-4);
        assert!(first(&full).is_some(), "the step sounds");
        assert_eq!(first(&full), first(&skipping));
    }
}
