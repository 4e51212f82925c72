//! The sample library: decoded samples the engine plays, in a fixed table of write-once slots
//! shared by every engine in the process (live workers, the warm standby, offline renders).
//!
//! The control side decodes and resamples a file (`crate::samples`), then [`insert`]s it: the
//! slot is filled once and never changed or freed while the process runs, so a real-time thread
//! reads it with one atomic load ([`get`]) and can never be the one that frees it. Commands
//! refer to a sample by its slot index, so they stay small and `Copy`. The memory a sample
//! takes is counted against a budget ([`set_memory_budget`], default 512 MB).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// Most samples a process can hold.
pub const MAX_SAMPLES: usize = 256;
/// The default memory budget for samples, in bytes.
pub const DEFAULT_MEMORY_BUDGET: usize = 512 * 1024 * 1024;

/// One decoded sample: mono frames at a sample rate.
#[derive(Debug)]
pub struct SampleData {
    /// What it was loaded from (a name or a path), for listings and replies.
    pub name: String,
    /// The frames, mono, -1..1.
    pub frames: Box<[f32]>,
    /// The rate the frames are at (Hz).
    pub rate: u32,
}

impl SampleData {
    /// Bytes the frames take.
    pub fn bytes(&self) -> usize {
        self.frames.len() * std::mem::size_of::<f32>()
    }
}

static SLOTS: [OnceLock<SampleData>; MAX_SAMPLES] = [const { OnceLock::new() }; MAX_SAMPLES];
static USED: AtomicUsize = AtomicUsize::new(0);
static BUDGET: AtomicUsize = AtomicUsize::new(DEFAULT_MEMORY_BUDGET);
static NEXT: Mutex<usize> = Mutex::new(0);

/// Why a sample could not be added.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LibraryError {
    /// The memory budget would be exceeded.
    #[error("{name} needs {needed_mb:.1} MB but only {free_mb:.1} MB of the {budget_mb:.0} MB sample memory is free (raise it with --sample-memory)")]
    OverBudget {
        /// The sample's name.
        name: String,
        /// Megabytes it needs.
        needed_mb: f64,
        /// Megabytes still free.
        free_mb: f64,
        /// The budget in megabytes.
        budget_mb: f64,
    },
    /// Every slot is used.
    #[error("the sample library is full ({MAX_SAMPLES} samples)")]
    Full,
}

/// Sets the memory budget for samples (bytes). Control side; samples already loaded stay.
pub fn set_memory_budget(bytes: usize) {
    BUDGET.store(bytes, Ordering::Relaxed);
}

/// The memory budget (bytes) and how much of it is used.
pub fn memory() -> (usize, usize) {
    (BUDGET.load(Ordering::Relaxed), USED.load(Ordering::Relaxed))
}

/// Adds a sample and returns its slot index. Control side only (it locks).
pub fn insert(data: SampleData) -> Result<u16, LibraryError> {
    let mut next = NEXT.lock().unwrap_or_else(|e| e.into_inner());
    let (budget, used) = memory();
    let bytes = data.bytes();
    if used + bytes > budget {
        let mb = |b: usize| b as f64 / (1024.0 * 1024.0);
        return Err(LibraryError::OverBudget {
            name: data.name,
            needed_mb: mb(bytes),
            free_mb: mb(budget.saturating_sub(used)),
            budget_mb: mb(budget),
        });
    }
    if *next >= MAX_SAMPLES {
        return Err(LibraryError::Full);
    }
    let index = *next;
    if SLOTS[index].set(data).is_err() {
        return Err(LibraryError::Full);
    }
    *next += 1;
    USED.fetch_add(bytes, Ordering::Relaxed);
    Ok(index as u16)
}

/// The sample in slot `index`, if it has been loaded. Real-time safe: one atomic load.
#[inline]
pub fn get(index: u16) -> Option<&'static SampleData> {
    SLOTS.get(usize::from(index))?.get()
}

/// Every loaded sample with its slot index (control side).
pub fn loaded() -> impl Iterator<Item = (u16, &'static SampleData)> {
    SLOTS
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.get().map(|d| (i as u16, d)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_inserted_sample_is_found_by_its_index() {
        let i = insert(SampleData {
            name: "click".into(),
            frames: vec![1.0, 0.5, 0.0].into_boxed_slice(),
            rate: 44_100,
        })
        .expect("room for a tiny sample");
        let s = get(i).expect("loaded");
        assert_eq!(&s.frames[..], &[1.0, 0.5, 0.0]);
        assert!(loaded().any(|(j, _)| j == i));
        assert!(get(MAX_SAMPLES as u16).is_none());
    }
}
