//! The wrapper every real-time body runs inside: flush-to-zero and, in debug and test builds,
//! an allocation detector.
//!
//! Used on the audio callback and DSP worker threads. In debug builds with
//! `assert_no_alloc::AllocDisabler` as the global allocator (the binary and the real-time test
//! binaries install it), any allocation inside [`rt_guard`] is counted in
//! [`alloc_violations`]; release builds compile the detector away.
#![allow(unsafe_code)]

use std::sync::atomic::{AtomicU64, Ordering};

static VIOLATIONS: AtomicU64 = AtomicU64::new(0);

/// Runs a real-time body with denormals flushed to zero and allocations forbidden.
#[inline]
pub fn rt_guard<T>(body: impl FnOnce() -> T) -> T {
    #[cfg(debug_assertions)]
    let before = assert_no_alloc::violation_count();
    // SAFETY: the body is our own DSP code, which never depends on denormal arithmetic or on
    // the floating-point control flags; the guard restores the previous flags when it drops.
    let out = unsafe { no_denormals::no_denormals(|| assert_no_alloc::assert_no_alloc(body)) };
    #[cfg(debug_assertions)]
    {
        let after = assert_no_alloc::violation_count();
        if after > before {
            VIOLATIONS.fetch_add(u64::from(after - before), Ordering::Relaxed);
        }
    }
    out
}

/// Allocations (or frees) detected inside [`rt_guard`] on any thread since start.
/// Always 0 in release builds or when the global allocator is not `AllocDisabler`.
pub fn alloc_violations() -> u64 {
    VIOLATIONS.load(Ordering::Relaxed)
}
