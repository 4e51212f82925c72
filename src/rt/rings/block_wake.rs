//! The output's "a block was consumed" signal to the DSP worker, so the worker renders just
//! in time instead of polling the ring on a timer.
//!
//! `notify` runs on the output thread (audio callback or null device): an atomic increment
//! and, only when a worker is waiting, one futex wake — wait-free, no allocation, no lock.
//! `wait` runs on the worker thread between blocks. Whichever worker is active waits on the
//! same signal, so a failover needs no handover. Off Linux, `wait` sleeps a short while.
//!
//! The futex calls are the only unsafe code here (Linux has no safe wrapper in std).
#![allow(unsafe_code)]

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// A counter of consumed blocks that a worker can sleep on.
#[derive(Debug, Default)]
pub struct BlockWake {
    consumed: AtomicU32,
    waiters: AtomicU32,
}

impl BlockWake {
    /// A signal no block has passed yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The count to pass to [`BlockWake::wait`]: read it before looking at the ring, so a
    /// block consumed after the look ends the wait at once.
    pub fn seen(&self) -> u32 {
        self.consumed.load(Ordering::SeqCst)
    }

    /// Says that the output consumed a block; wakes a waiting worker. Real-time safe.
    pub fn notify(&self) {
        self.consumed.fetch_add(1, Ordering::SeqCst);
        if self.waiters.load(Ordering::SeqCst) > 0 {
            futex_wake(&self.consumed);
        }
    }

    /// Sleeps until a block is consumed after `seen` was read, or `timeout` passes.
    pub fn wait(&self, seen: u32, timeout: Duration) {
        self.waiters.fetch_add(1, Ordering::SeqCst);
        if self.consumed.load(Ordering::SeqCst) == seen {
            futex_wait(&self.consumed, seen, timeout);
        }
        self.waiters.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(target_os = "linux")]
fn futex_wait(word: &AtomicU32, expected: u32, timeout: Duration) {
    let ts = libc::timespec {
        tv_sec: timeout.as_secs() as libc::time_t,
        tv_nsec: libc::c_long::from(timeout.subsec_nanos() as i32),
    };
    // SAFETY: `word` is a live, aligned u32 for the whole call; the kernel only reads it.
    unsafe {
        libc::syscall(
            libc::SYS_futex,
            word.as_ptr(),
            libc::FUTEX_WAIT | libc::FUTEX_PRIVATE_FLAG,
            expected,
            &ts as *const libc::timespec,
        );
    }
}

#[cfg(target_os = "linux")]
fn futex_wake(word: &AtomicU32) {
    // SAFETY: `word` is a live, aligned u32; FUTEX_WAKE does not touch memory.
    unsafe {
        libc::syscall(
            libc::SYS_futex,
            word.as_ptr(),
            libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG,
            i32::MAX,
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn futex_wait(_word: &AtomicU32, _expected: u32, timeout: Duration) {
    std::thread::sleep(timeout.min(Duration::from_micros(300)));
}

#[cfg(not(target_os = "linux"))]
fn futex_wake(_word: &AtomicU32) {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Instant;

    #[test]
    fn a_notify_ends_the_wait_long_before_its_timeout() {
        let wake = Arc::new(BlockWake::new());
        let seen = wake.seen();
        let notifier = wake.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            notifier.notify();
        });
        let start = Instant::now();
        wake.wait(seen, Duration::from_secs(5));
        t.join().expect("notifier thread");
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(wake.seen(), seen + 1);
    }

    #[test]
    fn a_block_consumed_before_the_wait_does_not_sleep_at_all() {
        let wake = BlockWake::new();
        let seen = wake.seen();
        wake.notify();
        let start = Instant::now();
        wake.wait(seen, Duration::from_secs(5));
        assert!(start.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn without_a_notify_the_wait_ends_at_its_timeout() {
        let wake = BlockWake::new();
        let start = Instant::now();
        wake.wait(wake.seen(), Duration::from_millis(30));
        assert!(
            start.elapsed() >= Duration::from_millis(25),
            "{:?}",
            start.elapsed()
        );
    }
}
