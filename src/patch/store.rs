//! The patch directory and the built-in patches: safe names, atomic saves, listing.
//!
//! Runs on the control thread (file I/O); never on a real-time thread.

use super::{closest, Patch, PatchError};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A patch name that is safe to use as a file name inside the patch directory: 1 to 64
/// ASCII letters, digits, `-` or `_` (so no `..`, separators, drive letters or absolute
/// paths).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PatchName(String);

impl PatchName {
    /// Checks `name`.
    pub fn new(name: &str) -> Result<PatchName, PatchError> {
        let bad = |reason| {
            Err(PatchError::BadName {
                name: name.to_string(),
                reason,
            })
        };
        if name.is_empty() {
            return bad("is empty");
        }
        if name.contains("..") {
            return bad("may not contain \"..\"");
        }
        if name.contains(['/', '\\']) {
            return bad("may not contain path separators");
        }
        if name.len() > 64 {
            return bad("is longer than 64 characters");
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return bad("may only use letters, digits, '-' and '_'");
        }
        Ok(PatchName(name.to_string()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The built-in patches, by name.
pub const BUILTIN: [(&str, &str); 4] = [
    ("acid", include_str!("../../patches/acid.toml")),
    ("bass", include_str!("../../patches/bass.toml")),
    ("pad", include_str!("../../patches/pad.toml")),
    ("pluck", include_str!("../../patches/pluck.toml")),
];

/// A built-in patch.
pub fn builtin(name: &str) -> Option<Result<Patch, PatchError>> {
    BUILTIN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(n, text)| Patch::from_toml(&format!("built-in {n}"), text))
}

/// One entry of [`PatchStore::list`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatchListing {
    /// The name to load it by.
    pub name: String,
    /// True for a built-in patch (no user file of that name).
    pub builtin: bool,
}

/// The patch directory: `NAME.toml` files, with the built-ins behind them.
#[derive(Clone, Debug)]
pub struct PatchStore {
    dir: PathBuf,
}

impl PatchStore {
    /// A store in `dir` (created on the first save).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        PatchStore { dir: dir.into() }
    }

    /// The user's patch directory (`<data dir>/chronus/patches`), if the platform has one.
    pub fn default_dir() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "chronus").map(|d| d.data_dir().join("patches"))
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file a patch name maps to (always directly inside the directory).
    pub fn path_for(&self, name: &PatchName) -> PathBuf {
        self.dir.join(format!("{}.toml", name.as_str()))
    }

    /// Saves `patch` as `name`, replacing any earlier file atomically.
    pub fn save(&self, name: &str, patch: &Patch) -> Result<PathBuf, PatchError> {
        let name = PatchName::new(name)?;
        let path = self.path_for(&name);
        let write = |source| PatchError::Write {
            path: path.clone(),
            source,
        };
        let mut named = patch.clone();
        named.name = name.as_str().to_string();
        let text = named.to_toml()?;
        std::fs::create_dir_all(&self.dir).map_err(write)?;
        let tmp = self.dir.join(format!(".{}.toml.tmp", name.as_str()));
        std::fs::write(&tmp, text).map_err(write)?;
        std::fs::rename(&tmp, &path).map_err(write)?;
        Ok(path)
    }

    /// Loads the user's patch `name`, or else the built-in one.
    pub fn load(&self, name: &str) -> Result<Patch, PatchError> {
        let checked = PatchName::new(name)?;
        let path = self.path_for(&checked);
        match std::fs::read_to_string(&path) {
            Ok(text) => Patch::from_toml(&path.display().to_string(), &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => match builtin(name) {
                Some(patch) => patch,
                None => Err(PatchError::NotFound {
                    name: name.to_string(),
                    suggestion: self
                        .list()
                        .ok()
                        .and_then(|l| closest(name, l.iter().map(|p| p.name.as_str()))),
                }),
            },
            Err(source) => Err(PatchError::Read { path, source }),
        }
    }

    /// Every patch that can be loaded, sorted by name.
    pub fn list(&self) -> Result<Vec<PatchListing>, PatchError> {
        let mut out: BTreeMap<String, bool> =
            BUILTIN.iter().map(|(n, _)| (n.to_string(), true)).collect();
        match std::fs::read_dir(&self.dir) {
            Ok(entries) => {
                for entry in entries.flatten() {
                    let path = entry.path();
                    if path.extension().and_then(|e| e.to_str()) != Some("toml") {
                        continue;
                    }
                    if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
                        if PatchName::new(stem).is_ok() {
                            out.insert(stem.to_string(), false);
                        }
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(PatchError::Read {
                    path: self.dir.clone(),
                    source,
                })
            }
        }
        Ok(out
            .into_iter()
            .map(|(name, builtin)| PatchListing { name, builtin })
            .collect())
    }
}

/// The patch directory phrases use: `$CHRONUS_PATCH_DIR` if set, else the user data dir's
/// `patches/` (else `./patches-user`).
pub fn patch_store() -> PatchStore {
    let dir = std::env::var_os("CHRONUS_PATCH_DIR")
        .map(std::path::PathBuf::from)
        .or_else(PatchStore::default_dir)
        .unwrap_or_else(|| "patches-user".into());
    PatchStore::new(dir)
}
