//! The order of the master effects (`drive.order`, `chorus.order`, `delay.order`,
//! `reverb.order`) and the crossfade that changes it without a click.
//!
//! Runs on the DSP worker thread: the order is a fixed array of four [`Effect`]s, a change
//! allocates nothing. A new order does not jump: the chain's output crossfades to its dry
//! input over [`HALF_FADE_SECONDS`], the order switches at the block boundary where the dry
//! signal alone is heard, and the output crossfades back to the chain over as long again
//! (about 5 ms in all). The effects keep running through the fade, so their tails go on;
//! what enters the chorus, delay and reverb lines fades with the same gain, so no line
//! stores the jump between the old and the new source of its input (it would come back
//! out of the line as a click later).

use crate::engine::params::{ParamId, PARAM_COUNT};

/// How long each half of a reorder crossfade takes (chain → dry, then dry → chain).
pub const HALF_FADE_SECONDS: f32 = 0.0025;

/// One of the four master effects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Saturation.
    Drive,
    /// Chorus (mono in, stereo out).
    Chorus,
    /// Stereo delay.
    Delay,
    /// Freeverb.
    Reverb,
}

impl Effect {
    /// The effects in their default order.
    pub const ALL: [Effect; 4] = [Effect::Drive, Effect::Chorus, Effect::Delay, Effect::Reverb];

    /// The effect's `order` parameter.
    pub fn order_param(self) -> ParamId {
        match self {
            Effect::Drive => ParamId::DriveOrder,
            Effect::Chorus => ParamId::ChorusOrder,
            Effect::Delay => ParamId::DelayOrder,
            Effect::Reverb => ParamId::ReverbOrder,
        }
    }

    /// The module name (`drive`).
    pub fn name(self) -> &'static str {
        self.order_param().spec().module()
    }

    /// The effect named `word` (`drive`, `chorus`, `delay`, `reverb`).
    pub fn from_name(word: &str) -> Option<Effect> {
        Effect::ALL
            .into_iter()
            .find(|e| e.name().eq_ignore_ascii_case(word))
    }
}

/// The order the effects run in: always each of the four exactly once.
pub type EffectOrder = [Effect; 4];

/// The order the `*.order` parameters give: effects sorted by their place (1 = first); two
/// effects given the same place keep their default order, so any values make an order.
pub fn order_of(values: &[f32; PARAM_COUNT]) -> EffectOrder {
    let mut order = Effect::ALL;
    // Insertion sort: stable, four elements, no allocation.
    let place = |e: Effect| values[e.order_param().index()];
    for i in 1..order.len() {
        let mut j = i;
        while j > 0 && place(order[j - 1]) > place(order[j]) {
            order.swap(j - 1, j);
            j -= 1;
        }
    }
    order
}

/// The running order and the crossfade to a new one.
#[derive(Clone, Copy, Debug)]
pub struct OrderFade {
    current: EffectOrder,
    wanted: EffectOrder,
    /// 1 = the chain is heard, 0 = the dry input is.
    gain: f32,
    rate: f32,
}

impl OrderFade {
    /// The default order, settled.
    pub fn new(sample_rate: f32) -> Self {
        OrderFade {
            current: Effect::ALL,
            wanted: Effect::ALL,
            gain: 1.0,
            rate: 1.0 / (HALF_FADE_SECONDS * sample_rate).max(1.0),
        }
    }

    /// Asks for a new order (it arrives through the crossfade).
    pub fn set(&mut self, order: EffectOrder) {
        self.wanted = order;
    }

    /// Jumps to the wanted order with no fade.
    pub fn settle(&mut self) {
        self.current = self.wanted;
        self.gain = 1.0;
    }

    /// The order the chain runs in now.
    pub fn current(&self) -> EffectOrder {
        self.current
    }

    /// True when no crossfade is under way.
    pub fn is_settled(&self) -> bool {
        self.current == self.wanted && self.gain == 1.0
    }

    /// Starts a block of `frames`: switches the order if the fade has reached the dry
    /// signal, and returns the chain's gain at the block's start and end (1 and 1 when no
    /// fade is under way).
    pub fn begin_block(&mut self, frames: usize) -> (f32, f32) {
        if self.gain == 0.0 {
            self.current = self.wanted;
        }
        let g0 = self.gain;
        let delta = self.rate * frames as f32;
        self.gain = if self.current == self.wanted {
            (g0 + delta).min(1.0)
        } else {
            (g0 - delta).max(0.0)
        };
        (g0, self.gain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::params::default_values;

    #[test]
    fn the_default_places_give_the_default_order() {
        assert_eq!(order_of(&default_values()), Effect::ALL);
    }

    #[test]
    fn places_sort_the_effects_and_ties_keep_the_default_order() {
        let mut v = default_values();
        v[ParamId::ReverbOrder.index()] = 1.0;
        v[ParamId::DriveOrder.index()] = 4.0;
        assert_eq!(
            order_of(&v),
            [Effect::Reverb, Effect::Chorus, Effect::Delay, Effect::Drive]
        );
        v[ParamId::ChorusOrder.index()] = 1.0;
        assert_eq!(order_of(&v)[..2], [Effect::Chorus, Effect::Reverb]);
    }

    #[test]
    fn a_new_order_fades_to_dry_switches_and_fades_back_in_about_5_ms() {
        let mut f = OrderFade::new(44_100.0);
        assert_eq!(f.begin_block(64), (1.0, 1.0));
        let new = [Effect::Reverb, Effect::Drive, Effect::Chorus, Effect::Delay];
        f.set(new);
        let mut blocks = 0;
        let mut switched_at_zero = false;
        while !f.is_settled() {
            let before = f.current();
            let (g0, g1) = f.begin_block(64);
            if before != f.current() {
                switched_at_zero = g0 == 0.0;
            }
            assert!((g0 - g1).abs() <= 64.0 / 110.0 + 1e-6, "a ramp, not a jump");
            blocks += 1;
            assert!(blocks < 10);
        }
        assert!(
            switched_at_zero,
            "the order changed where only the dry signal is heard"
        );
        assert_eq!(f.current(), new);
        assert!((4..=5).contains(&blocks), "{blocks} blocks of 64 frames");
    }
}
