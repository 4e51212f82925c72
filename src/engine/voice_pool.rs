//! The voice pool: a fixed set of voices allocated up front, note allocation and voice
//! stealing with a fast fade.
//!
//! Runs on the DSP worker thread; `VoicePool::new` allocates (on the thread that builds the
//! engine), nothing after it does. When every voice is busy the quietest released voice, or
//! else the oldest, is stolen: its state moves to one of the fade slots and fades out over
//! [`STEAL_FADE_SECONDS`] while the new note starts on time in the freed voice.

use super::envelope::AdsrSettings;
use super::filter::LANES;
pub use super::simd::Simd;
use super::smoother::Ramp;
use super::voice::{filter_lanes, FilterLane, Voice, VoiceParams, VoiceSource, NEVER};
use super::BLOCK_FRAMES;

/// How long a stolen voice takes to fade out.
pub const STEAL_FADE_SECONDS: f32 = 0.003;
/// The default number of voices.
pub const DEFAULT_VOICES: usize = 16;

/// Every voice, plus the slots where stolen voices fade out.
pub struct VoicePool {
    /// The voices, then as many fade slots.
    slots: Box<[Voice]>,
    count: usize,
    next_age: u64,
    sample_rate: f32,
    steals: u64,
    simd: Simd,
}

fn seed(i: usize) -> u32 {
    0x9E37_79B9u32.wrapping_mul(i as u32 + 1) ^ 0x85EB_CA6B
}

impl VoicePool {
    /// A pool of `count` silent voices (at least 1) and as many fade slots.
    pub fn new(count: usize, sample_rate: f32) -> Self {
        let count = count.max(1);
        VoicePool {
            slots: (0..2 * count).map(|i| Voice::new(seed(i))).collect(),
            count,
            next_age: 1,
            sample_rate,
            steals: 0,
            simd: Simd::detect(),
        }
    }

    /// Number of voices.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Always false: a pool has at least one voice.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The voices (for meters and tests).
    pub fn voices(&self) -> &[Voice] {
        &self.slots[..self.count]
    }

    fn voices_mut(&mut self) -> &mut [Voice] {
        &mut self.slots[..self.count]
    }

    fn fading(&self) -> &[Voice] {
        &self.slots[self.count..]
    }

    /// Voices sounding now (fading stolen voices not counted).
    pub fn active_count(&self) -> usize {
        self.voices().iter().filter(|v| v.is_active()).count()
    }

    /// How many voices were stolen since the pool was built.
    pub fn steals(&self) -> u64 {
        self.steals
    }

    /// Starts `note` at `freq` for `source`; a voice of the same source already playing the
    /// same note is retriggered instead. Returns the voice's index.
    pub fn start(
        &mut self,
        source: VoiceSource,
        note: u8,
        freq: f32,
        velocity: f32,
        release_at: u64,
    ) -> usize {
        let age = self.next_age;
        self.next_age += 1;
        let same = self
            .voices()
            .iter()
            .position(|v| v.is_active() && v.source() == source && v.note() == note);
        let index = if let Some(i) = same {
            self.slots[i].retrigger(freq, velocity, age);
            i
        } else {
            let i = match self.voices().iter().position(|v| !v.is_active()) {
                Some(i) => i,
                None => self.steal(),
            };
            self.slots[i].start(source, note, freq, velocity, age);
            i
        };
        self.slots[index].release_at(release_at);
        index
    }

    /// Picks a victim (the quietest released voice, else the oldest), moves it to a fade
    /// slot and returns its index, now free.
    fn steal(&mut self) -> usize {
        let mut victim = 0;
        let mut best = (true, f32::MAX, u64::MAX);
        for (i, v) in self.voices().iter().enumerate() {
            let key = (
                v.is_gated(),
                if v.is_gated() { 0.0 } else { v.level() },
                v.age(),
            );
            if (key.0, key.1, key.2) < best {
                best = key;
                victim = i;
            }
        }
        let quietness = |v: &Voice| v.fade_remaining() * v.level();
        let slot = match self.fading().iter().position(|v| !v.is_active()) {
            Some(s) => s,
            None => {
                // Every fade slot is busy: reuse the one closest to silence.
                let mut s = 0;
                for (i, v) in self.fading().iter().enumerate() {
                    if quietness(v) < quietness(&self.fading()[s]) {
                        s = i;
                    }
                }
                s
            }
        } + self.count;
        self.slots[slot] = self.slots[victim].clone();
        self.slots[slot].fade_out(STEAL_FADE_SECONDS * self.sample_rate);
        self.slots[victim].stop();
        self.steals += 1;
        victim
    }

    /// Releases the voices of `source` playing `note` (any note when `note` is `None`).
    pub fn release(&mut self, source: VoiceSource, note: Option<u8>, profiles: &[VoiceParams]) {
        let sr = self.sample_rate;
        for v in self.voices_mut() {
            if v.is_gated() && v.source() == source && note.is_none_or(|n| v.note() == n) {
                v.release(&adsr_of(profiles, v), sr);
            }
        }
    }

    /// Releases every gated voice of every source.
    pub fn release_all(&mut self, profiles: &[VoiceParams]) {
        let sr = self.sample_rate;
        for v in self.voices_mut().iter_mut().filter(|v| v.is_gated()) {
            v.release(&adsr_of(profiles, v), sr);
        }
    }

    /// The earliest frame a voice is scheduled to release at, or [`NEVER`].
    pub fn next_release(&self) -> u64 {
        self.voices()
            .iter()
            .filter(|v| v.is_active())
            .map(Voice::scheduled_release)
            .min()
            .unwrap_or(NEVER)
    }

    /// Releases every voice scheduled to release at or before `now`.
    pub fn release_due(&mut self, now: u64, profiles: &[VoiceParams]) {
        let sr = self.sample_rate;
        for v in self.voices_mut() {
            if v.is_active() && v.scheduled_release() <= now {
                v.release(&adsr_of(profiles, v), sr);
            }
        }
    }

    /// Adds every sounding voice into `out` (which starts `at` frames into the block), eight
    /// voices at a time so their filters run side by side. On a CPU with AVX the same code is
    /// compiled a second time for 8-wide vectors ([`simd`](super::simd)); without FMA both
    /// builds do the same IEEE operations in the same order, so the samples are identical.
    pub fn render(
        &mut self,
        out: &mut [f32],
        at: usize,
        profiles: &[VoiceParams],
        gate_freq: &Ramp,
    ) {
        #[cfg(target_arch = "x86_64")]
        if self.simd == Simd::Avx {
            #[allow(unsafe_code)]
            // SAFETY: `simd` is `Avx` only when `Simd::detect` found that this CPU runs AVX
            // instructions (or a test set it after checking the same); `render_avx` needs
            // nothing else. `tests::avx_and_portable_renders_are_identical` runs both.
            unsafe {
                self.render_avx(out, at, profiles, gate_freq)
            };
            return;
        }
        self.render_groups(out, at, profiles, gate_freq);
    }

    /// [`render_groups`](Self::render_groups) compiled for AVX.
    ///
    /// # Safety
    /// Only call on a CPU that supports AVX.
    #[cfg(target_arch = "x86_64")]
    #[allow(unsafe_code)]
    #[target_feature(enable = "avx")]
    unsafe fn render_avx(
        &mut self,
        out: &mut [f32],
        at: usize,
        profiles: &[VoiceParams],
        gate_freq: &Ramp,
    ) {
        self.render_groups(out, at, profiles, gate_freq);
    }

    /// Which build of the voice loop [`render`](Self::render) uses.
    pub fn simd(&self) -> Simd {
        self.simd
    }

    /// Uses the portable build of the voice loop even where AVX exists (tests compare both).
    pub fn use_portable_code(&mut self) {
        self.simd = Simd::Portable;
    }

    /// The voice loop; inlined into [`render`](Self::render) and into the AVX build.
    #[inline(always)]
    fn render_groups(
        &mut self,
        out: &mut [f32],
        at: usize,
        profiles: &[VoiceParams],
        gate_freq: &Ramp,
    ) {
        let n = out.len().min(BLOCK_FRAMES);
        let sr = self.sample_rate;
        let profile = |v: &Voice| v.source().profile().min(profiles.len() - 1);
        // Zeroed once per call, not per group: a lane a group leaves unused still holds the
        // finite samples of the group before, which an idle filter lane turns into nothing.
        let mut sig = [[0.0f32; BLOCK_FRAMES]; LANES];
        let mut env = [[0.0f32; BLOCK_FRAMES]; LANES];
        let mut next = 0;
        loop {
            let mut group = [usize::MAX; LANES];
            let mut count = 0;
            while count < LANES && next < self.slots.len() {
                if self.slots[next].is_active() {
                    group[count] = next;
                    count += 1;
                }
                next += 1;
            }
            if count == 0 {
                return;
            }
            let mut lanes = [FilterLane::IDLE; LANES];
            for l in 0..count {
                let v = &mut self.slots[group[l]];
                let p = &profiles[profile(v)];
                lanes[l] = v.prepare(at, p, gate_freq, sr, &mut sig[l][..n], &mut env[l][..n]);
            }
            // The second filter, where a profile has it on; parallel reads the oscillators.
            let filter2 = |v: &Voice| profiles[profile(v)].filter2;
            let active2 = (0..count).any(|l| filter2(&self.slots[group[l]]).is_active(at + n));
            let parallel = (0..count).any(|l| filter2(&self.slots[group[l]]).needs_dry(at + n));
            let dry = parallel.then_some(sig);
            filter_lanes(&mut lanes, &mut sig, &env, at, n, sr);
            for l in 0..count {
                let v = &mut self.slots[group[l]];
                let p = &profiles[profile(v)];
                if active2 {
                    let d = dry.as_ref().map_or(&[][..], |d| &d[l][..n]);
                    v.second_filter(p, d, &mut sig[l][..n], &env[l][..n], at, sr);
                }
                v.finish(&lanes[l], &mut out[..n], at, p, &sig[l][..n], &env[l][..n]);
            }
        }
    }

    /// True when any voice or fade slot sounds.
    pub fn any_active(&self) -> bool {
        self.slots.iter().any(Voice::is_active)
    }

    /// The loudest voice's level (envelope × fade).
    pub fn loudest_level(&self) -> f32 {
        self.voices().iter().map(Voice::level).fold(0.0, f32::max)
    }

    /// Jumps every voice to where it ends up: gated voices to sustain, the rest to silence.
    pub fn settle(&mut self, profiles: &[VoiceParams]) {
        let count = self.count;
        for v in self.voices_mut() {
            let sustain = adsr_of(profiles, v).sustain;
            v.settle(sustain);
        }
        for v in self.slots[count..].iter_mut() {
            v.stop();
        }
    }

    /// Silences every voice at once.
    pub fn stop_all(&mut self) {
        for v in self.slots.iter_mut() {
            v.stop();
        }
    }

    /// Puts NaN into every sounding voice's filter (fault injection only).
    pub fn poison(&mut self) {
        for v in self.voices_mut().iter_mut().filter(|v| v.is_active()) {
            v.poison();
        }
    }

    /// Resets every filter whose state went non-finite; returns how many did.
    pub fn repair(&mut self) -> u64 {
        let mut n = 0;
        for v in self.slots.iter_mut() {
            if v.is_active() && v.repair() {
                n += 1;
            }
        }
        n
    }
}

fn adsr_of(profiles: &[VoiceParams], v: &Voice) -> AdsrSettings {
    profiles
        .get(v.source().profile())
        .or(profiles.first())
        .map(|p| p.adsr)
        .unwrap_or(VoiceParams::default().adsr)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// FNV-1a over the rendered sample bits of the test below, from a run of the portable
    /// build on x86-64. Where AVX is absent the portable build is compared with this stored
    /// reference instead of with itself.
    const VOICE_LOOP_REFERENCE: u64 = 14_990_770_050_782_389_231;

    fn fnv1a(bits: &[u32]) -> u64 {
        bits.iter()
            .flat_map(|b| b.to_le_bytes())
            .fold(0xcbf2_9ce4_8422_2325, |h, byte| {
                (h ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
            })
    }

    #[test]
    fn avx_and_portable_renders_are_identical() {
        let render = |portable: bool| {
            let mut pool = VoicePool::new(24, 44_100.0);
            if portable {
                pool.use_portable_code();
            }
            let profiles = [VoiceParams {
                log_cutoff: Ramp {
                    start: 9.0,
                    step: 0.01,
                },
                env_octaves: 2.0,
                ..VoiceParams::default()
            }];
            for i in 0..24u8 {
                pool.start(
                    VoiceSource::Live,
                    40 + i,
                    80.0 * f32::from(i + 1),
                    0.9,
                    NEVER,
                );
            }
            let mut out = Vec::new();
            for b in 0..40 {
                let mut block = [0.0f32; BLOCK_FRAMES];
                if b == 20 {
                    pool.release_all(&profiles);
                }
                pool.render(&mut block, 0, &profiles, &Ramp::constant(220.0));
                out.extend(block.iter().map(|s| s.to_bits()));
            }
            out
        };
        let portable = render(true);
        assert_eq!(
            fnv1a(&portable),
            VOICE_LOOP_REFERENCE,
            "the portable build matches the stored reference"
        );
        if Simd::detect() == Simd::Portable {
            eprintln!("no AVX on this CPU: the portable build was checked against the reference");
        } else {
            assert_eq!(render(false), portable, "AVX and portable, bit for bit");
        }
    }

    #[test]
    fn a_full_pool_steals_the_oldest_voice_and_fades_it() {
        let mut pool = VoicePool::new(4, 44_100.0);
        let profiles = [VoiceParams::default()];
        for note in 60..64 {
            pool.start(VoiceSource::Live, note, 440.0, 1.0, NEVER);
        }
        assert_eq!(pool.active_count(), 4);
        let i = pool.start(VoiceSource::Live, 70, 440.0, 1.0, NEVER);
        assert_eq!(pool.voices()[i].note(), 70);
        assert!(
            pool.voices().iter().all(|v| v.note() != 60),
            "60 was oldest"
        );
        assert_eq!(pool.steals(), 1);
        assert!(
            pool.fading().iter().any(Voice::is_active),
            "the victim fades"
        );
        let mut out = [0.0f32; 64];
        for _ in 0..4 {
            pool.render(&mut out, 0, &profiles, &Ramp::constant(0.0));
        }
        assert!(
            !pool.fading().iter().any(Voice::is_active),
            "faded within 3 ms"
        );
    }

    #[test]
    fn a_released_voice_is_stolen_before_a_held_one() {
        let mut pool = VoicePool::new(3, 44_100.0);
        let profiles = [VoiceParams::default()];
        for note in 60..63 {
            pool.start(VoiceSource::Live, note, 440.0, 1.0, NEVER);
        }
        pool.release(VoiceSource::Live, Some(62), &profiles);
        pool.start(VoiceSource::Live, 70, 440.0, 1.0, NEVER);
        let notes: Vec<u8> = pool.voices().iter().map(Voice::note).collect();
        assert!(notes.contains(&60) && notes.contains(&61) && !notes.contains(&62));
    }

    #[test]
    fn the_same_note_retriggers_its_voice() {
        let mut pool = VoicePool::new(4, 44_100.0);
        let a = pool.start(VoiceSource::Live, 60, 440.0, 1.0, NEVER);
        let b = pool.start(VoiceSource::Live, 60, 440.0, 0.5, NEVER);
        assert_eq!(a, b);
        assert_eq!(pool.active_count(), 1);
        pool.start(VoiceSource::Track(0), 60, 440.0, 0.5, NEVER);
        assert_eq!(pool.active_count(), 2, "another source gets its own voice");
    }
}
