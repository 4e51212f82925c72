//! Samples for the sampler: finding a file by name in the samples folders (XDG data
//! `chronus/samples/`, then every `--samples DIR`), decoding and resampling it on the control
//! side (`decode.rs`), and handing it to the engine's write-once
//! [sample library](crate::engine::sample_library) under its memory budget.
//!
//! Runs on the control thread. Loading the same file twice reuses the loaded copy.

mod decode;

use crate::engine::sample_library::{self, SampleData};
use crate::engine::DEFAULT_SAMPLE_RATE;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub use decode::{decode, resample, Decoded};

/// Sound file extensions looked for in the samples folders.
pub const EXTENSIONS: &[&str] = &["wav", "flac", "ogg", "mp3"];
/// The longest sample accepted, in seconds.
pub const MAX_SECONDS: f64 = 600.0;

/// Why a sample could not be loaded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SampleError {
    /// No file by that name or path.
    #[error("no sample called \"{name}\"")]
    NotFound {
        /// The name as typed.
        name: String,
        /// The closest name found, if any.
        suggestion: Option<String>,
    },
    /// The file could not be opened.
    #[error("cannot read {path}: {why}")]
    Unreadable {
        /// The file.
        path: String,
        /// Why.
        why: String,
    },
    /// The file is not a sound chronus can decode.
    #[error("{path} is not usable: {why}")]
    Corrupt {
        /// The file.
        path: String,
        /// Why.
        why: String,
    },
    /// The file is longer than [`MAX_SECONDS`].
    #[error("{path} is longer than {max_seconds:.0} s")]
    TooLong {
        /// The file.
        path: String,
        /// The limit.
        max_seconds: f64,
    },
    /// The library refused it (memory budget, full).
    #[error(transparent)]
    Library(#[from] sample_library::LibraryError),
}

static EXTRA_DIRS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static LOADED: Mutex<Option<HashMap<PathBuf, u16>>> = Mutex::new(None);

/// Adds `--samples DIR` folders (searched after the data folder's `samples/`).
pub fn add_folders(dirs: impl IntoIterator<Item = PathBuf>) {
    EXTRA_DIRS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .extend(dirs);
}

/// The samples folders, in search order.
pub fn folders() -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(dirs) = directories::ProjectDirs::from("", "", "chronus") {
        out.push(dirs.data_dir().join("samples"));
    }
    out.extend(
        EXTRA_DIRS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned(),
    );
    out
}

/// Every sound file in the samples folders: (name, path), names without extension.
pub fn available() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for dir in folders() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut found: Vec<(String, PathBuf)> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| EXTENSIONS.contains(&e.to_lowercase().as_str()))
            })
            .filter_map(|p| {
                let stem = p.file_stem()?.to_str()?.to_lowercase();
                Some((stem, p))
            })
            .collect();
        found.sort();
        out.extend(found);
    }
    out
}

/// The file `name` means: a path to an existing file, else a name in the samples folders.
pub fn find(name: &str) -> Result<PathBuf, SampleError> {
    let as_path = Path::new(name);
    if as_path.is_file() {
        return Ok(as_path.to_path_buf());
    }
    let lower = name.to_lowercase();
    let all = available();
    if let Some((_, p)) = all
        .iter()
        .find(|(n, p)| *n == lower || p.file_name().and_then(|f| f.to_str()) == Some(name))
    {
        return Ok(p.clone());
    }
    Err(SampleError::NotFound {
        name: name.to_string(),
        suggestion: all
            .iter()
            .map(|(n, _)| (strsim::damerau_levenshtein(&lower, n), n))
            .filter(|(d, _)| *d <= 2)
            .min()
            .map(|(_, n)| n.clone()),
    })
}

/// Loads `name` (a path or a name in the samples folders) into the library at the engine's
/// default rate and returns its slot; a file loaded before is not loaded again.
pub fn load(name: &str) -> Result<u16, SampleError> {
    let path = find(name)?;
    let key = path.canonicalize().unwrap_or_else(|_| path.clone());
    let mut loaded = LOADED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(i) = loaded.as_ref().and_then(|m| m.get(&key)) {
        return Ok(*i);
    }
    let max_frames = (MAX_SECONDS * 192_000.0) as usize;
    let Decoded { frames, rate } = decode(&path, max_frames)?;
    let frames =
        resample(frames, rate, DEFAULT_SAMPLE_RATE).map_err(|why| SampleError::Corrupt {
            path: path.display().to_string(),
            why: format!("resampling failed ({why})"),
        })?;
    let index = sample_library::insert(SampleData {
        // The path it was found at: `track N sample PATH` resolves back to the same file.
        name: path.display().to_string(),
        frames: frames.into_boxed_slice(),
        rate: DEFAULT_SAMPLE_RATE,
    })?;
    loaded.get_or_insert_with(HashMap::new).insert(key, index);
    Ok(index)
}

/// What `samples` prints: the folders, the files found and the memory used.
pub fn list_lines() -> Vec<String> {
    let mut out = Vec::new();
    let found = available();
    if found.is_empty() {
        out.push("no samples found".to_string());
    }
    for (name, path) in &found {
        out.push(format!("{name}  ({})", path.display()));
    }
    let dirs: Vec<String> = folders().iter().map(|d| d.display().to_string()).collect();
    out.push(format!("folders: {}", dirs.join(", ")));
    let (budget, used) = sample_library::memory();
    out.push(format!(
        "loaded: {} samples, {:.1} of {:.0} MB",
        sample_library::loaded().count(),
        used as f64 / 1048576.0,
        budget as f64 / 1048576.0
    ));
    out
}
