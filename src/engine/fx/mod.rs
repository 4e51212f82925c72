//! The effects after the voices: drive → chorus → delay → reverb by default, in any order
//! the `*.order` parameters give ([`order`]), each with a wet mix and an on/off switch that
//! fades over [`TOGGLE_SECONDS`].
//!
//! Runs on the DSP worker thread. `FxChain::new` allocates every delay line (on the thread
//! that builds the engine); processing never allocates. An effect whose wet amount is zero
//! costs next to nothing (the delay and chorus keep writing their input so that turning
//! them on sounds natural; the reverb clears itself once and then sleeps).

pub mod chorus;
pub mod delay;
pub mod drive;
pub mod order;
pub mod reverb;

use super::params::{ParamId, PARAM_COUNT};
use super::smoother::{BlockSmoother, Ramp};
use super::BLOCK_FRAMES;
use order::{order_of, Effect, OrderFade};

/// How long switching an effect on or off takes.
pub const TOGGLE_SECONDS: f32 = 0.02;
/// Smoothing time of every effect parameter.
pub const SMOOTHING_SECONDS: f32 = 0.02;

/// An effect's wet amount: its mix, smoothed, times its on/off switch, ramped.
#[derive(Clone, Copy, Debug)]
pub struct WetControl {
    mix: BlockSmoother,
    on: f32,
    on_target: f32,
    on_rate: f32,
}

impl WetControl {
    /// A settled wet control.
    pub fn new(mix: f32, on: bool, sample_rate: f32) -> Self {
        let on = if on { 1.0 } else { 0.0 };
        WetControl {
            mix: BlockSmoother::new(mix, SMOOTHING_SECONDS, sample_rate),
            on,
            on_target: on,
            on_rate: 1.0 / (TOGGLE_SECONDS * sample_rate),
        }
    }

    /// Sets the mix (0..1) and the switch.
    pub fn set(&mut self, mix: f32, on: bool) {
        self.mix.set_target(mix.clamp(0.0, 1.0));
        self.on_target = if on { 1.0 } else { 0.0 };
    }

    /// Advances a block of `frames` and returns the wet amount through it.
    pub fn advance(&mut self, frames: usize) -> Ramp {
        let mix = self.mix.advance(frames);
        let on0 = self.on;
        let delta = self.on_rate * frames as f32;
        self.on = if self.on_target > self.on {
            (self.on + delta).min(self.on_target)
        } else {
            (self.on - delta).max(self.on_target)
        };
        let start = mix.start * on0;
        let end = mix.at(frames) * self.on;
        Ramp {
            start,
            step: (end - start) / frames.max(1) as f32,
        }
    }

    /// Jumps to the targets.
    pub fn settle(&mut self) {
        self.mix.snap(self.mix.target());
        self.on = self.on_target;
    }

    /// True when nothing of the effect is heard right now.
    pub fn is_silent(&self) -> bool {
        self.mix.current() * self.on == 0.0
    }
}

/// True when a wet ramp is silent through the whole block of `frames`.
#[inline]
pub fn is_dry(wet: &Ramp, frames: usize) -> bool {
    wet.start == 0.0 && wet.at(frames) == 0.0
}

/// A bound on how much louder the reverb's output can be than its state: 8 combs summed,
/// a wet gain of 3, and 4 allpasses each at most doubling (8 × 3 × 16 = 384, rounded up).
pub const REVERB_STATE_GAIN: f32 = 1_000.0;

/// The largest magnitude in `line` (0 for an empty line).
pub fn line_peak(line: &[f32]) -> f32 {
    line.iter().fold(0.0f32, |m, x| m.max(x.abs()))
}

fn on(values: &[f32; PARAM_COUNT], p: ParamId) -> bool {
    values[p.index()] >= 0.5
}

/// The four effects and their order.
pub struct FxChain {
    drive: drive::Drive,
    chorus: chorus::Chorus,
    delay: delay::Delay,
    reverb: reverb::Reverb,
    order: OrderFade,
}

impl FxChain {
    /// Builds every effect (allocating its delay lines) with `values` settled.
    pub fn new(sample_rate: f32, values: &[f32; PARAM_COUNT]) -> Self {
        let mut chain = FxChain {
            drive: drive::Drive::new(sample_rate),
            chorus: chorus::Chorus::new(sample_rate),
            delay: delay::Delay::new(sample_rate),
            reverb: reverb::Reverb::new(sample_rate),
            order: OrderFade::new(sample_rate),
        };
        chain.set(values);
        chain.settle();
        chain
    }

    /// Takes new parameter values (tempo included, for the synced delay).
    pub fn set(&mut self, v: &[f32; PARAM_COUNT]) {
        let g = |p: ParamId| v[p.index()];
        self.drive.set(
            g(ParamId::DriveAmount),
            g(ParamId::DriveMix),
            on(v, ParamId::DriveOn),
        );
        self.chorus.set(
            g(ParamId::ChorusRate),
            g(ParamId::ChorusDepth),
            g(ParamId::ChorusMix),
            on(v, ParamId::ChorusOn),
        );
        let sync = g(ParamId::DelaySync);
        let time = if sync > 0.0 {
            sync * 4.0 * 60.0 / g(ParamId::TransportTempo).max(1.0)
        } else {
            g(ParamId::DelayTime)
        };
        self.delay.set(
            time,
            g(ParamId::DelayFeedback),
            g(ParamId::DelayDamping),
            g(ParamId::DelayMix),
            on(v, ParamId::DelayOn),
        );
        self.reverb.set(
            g(ParamId::ReverbSize),
            g(ParamId::ReverbDamping),
            g(ParamId::ReverbMix),
            on(v, ParamId::ReverbOn),
        );
        self.order.set(order_of(v));
    }

    /// Processes one block: `mono` (the voices, changed in place by drive) into `left` and
    /// `right`. All three slices have the same length, at most a block.
    /// While the order changes, the output crossfades through the dry input
    /// ([`order::OrderFade`]).
    pub fn process(&mut self, mono: &mut [f32], left: &mut [f32], right: &mut [f32]) {
        let n = mono.len().min(BLOCK_FRAMES);
        let (g0, g1) = self.order.begin_block(n);
        let step = (g1 - g0) / n.max(1) as f32;
        let send = Ramp { start: g0, step };
        if g0 == 1.0 && g1 == 1.0 {
            self.run_in_order(mono, left, right, send);
            return;
        }
        let mut dry = [0.0f32; BLOCK_FRAMES];
        dry[..n].copy_from_slice(&mono[..n]);
        self.run_in_order(mono, left, right, send);
        for (i, d) in dry[..n].iter().enumerate() {
            let g = g0 + step * i as f32;
            left[i] = d + g * (left[i] - d);
            right[i] = d + g * (right[i] - d);
        }
    }

    /// The effects in the present order. The signal is mono until the chorus or a stereo
    /// effect; a drive after them drives both sides, a chorus after them reads their mix.
    /// In the default order this is exactly drive, chorus, delay, reverb. `send` scales
    /// what enters the chorus, delay and reverb lines (the reorder fade).
    fn run_in_order(&mut self, mono: &mut [f32], left: &mut [f32], right: &mut [f32], send: Ramp) {
        let mut stereo = false;
        for effect in self.order.current() {
            match effect {
                Effect::Drive if stereo => self.drive.process_stereo(left, right),
                Effect::Drive => self.drive.process(mono),
                Effect::Chorus => {
                    if stereo {
                        for ((m, l), r) in mono.iter_mut().zip(left.iter()).zip(right.iter()) {
                            *m = 0.5 * (l + r);
                        }
                    }
                    self.chorus.process_sent(mono, left, right, send);
                    stereo = true;
                }
                Effect::Delay | Effect::Reverb => {
                    if !stereo {
                        left.copy_from_slice(mono);
                        right.copy_from_slice(mono);
                        stereo = true;
                    }
                    if effect == Effect::Delay {
                        self.delay.process_sent(left, right, send);
                    } else {
                        self.reverb.process_sent(left, right, send);
                    }
                }
            }
        }
        if !stereo {
            left.copy_from_slice(mono);
            right.copy_from_slice(mono);
        }
    }

    /// The order the effects run in now.
    pub fn order(&self) -> order::EffectOrder {
        self.order.current()
    }

    /// Advances every smoothed value, switch and LFO over `frames` frames of silence
    /// without touching the delay lines: what [`FxChain::process`] would do to the control
    /// state for a silent input while every line holds (almost) nothing. Used while the
    /// engine is idle.
    pub fn skip(&mut self, frames: usize) {
        self.drive.skip(frames);
        self.chorus.skip(frames);
        self.delay.skip(frames);
        self.reverb.skip(frames);
        // Nothing is heard while skipping: a new order needs no crossfade.
        self.order.settle();
    }

    /// How loud what the effects hold (lines, feedback filters) could come back with a
    /// silent input, at most: the largest magnitude in the chorus and delay lines, and in
    /// the reverb's state times [`REVERB_STATE_GAIN`]. Reads every line (about 300 000
    /// values at 44.1 kHz), so callers ask rarely.
    pub fn state_level(&self) -> f32 {
        self.chorus
            .state_peak()
            .max(self.delay.state_peak())
            .max(self.reverb.state_peak() * REVERB_STATE_GAIN)
    }

    /// Jumps every smoothed value and switch to its target.
    pub fn settle(&mut self) {
        self.drive.settle();
        self.chorus.settle();
        self.delay.settle();
        self.reverb.settle();
        self.order.settle();
    }

    /// Clears every delay line and filter (after non-finite output).
    pub fn reset(&mut self) {
        self.chorus.clear();
        self.delay.clear();
        self.reverb.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switching_off_fades_the_wet_amount_to_exactly_zero() {
        let mut w = WetControl::new(0.5, true, 44_100.0);
        assert_eq!(w.advance(64).start, 0.5);
        w.set(0.5, false);
        let first = w.advance(64);
        assert!(
            first.at(64) < 0.5 && first.at(64) > 0.4,
            "a ramp, not a jump"
        );
        let mut blocks = 1;
        while !is_dry(&w.advance(64), 64) {
            blocks += 1;
        }
        assert!(
            (13..=15).contains(&blocks),
            "20 ms of 64-frame blocks: {blocks}"
        );
    }
}
