//! Which build of the hot voice loop runs: the portable one (SSE2 on x86-64) or one compiled
//! for AVX, chosen once per engine when it is built (off the audio thread).
//!
//! Both builds do the same IEEE single-precision operations in the same order (Rust never
//! fuses a multiply and an add on its own, and no FMA is enabled), so they render the same
//! samples bit for bit; AVX only does eight lanes per instruction instead of four.

/// A build of the voice loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Simd {
    /// Compiled for the baseline target (SSE2 on x86-64).
    Portable,
    /// Compiled with AVX enabled (x86-64 CPUs since 2011).
    Avx,
}

impl Simd {
    /// The best build this CPU runs.
    pub fn detect() -> Simd {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx") {
            return Simd::Avx;
        }
        Simd::Portable
    }

    /// `avx` or `portable`.
    pub fn name(self) -> &'static str {
        match self {
            Simd::Portable => "portable",
            Simd::Avx => "avx",
        }
    }
}
