//! Saving session text safely: `session save NAME` names a file inside the sessions folder and
//! can never escape it (no `..`, no separators, no absolute paths); an existing file is only
//! replaced when the name ends in `!`. Writes go to a temporary file that is renamed into
//! place, so a crash never leaves half a session.
//!
//! Runs on the control thread (the REPL/TUI loop). May allocate and do file I/O.

use super::format::EXTENSION;
use directories::ProjectDirs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The longest session name accepted.
pub const MAX_NAME_CHARS: usize = 64;

/// Why a session could not be saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// The name is not a plain file name.
    #[error("\"{name}\" cannot be a session name: {reason}")]
    BadName {
        /// The name as typed.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A session of that name exists and `!` was not given.
    #[error("{} exists; type \"session save {name}!\" to replace it", path.display())]
    Exists {
        /// The name as typed.
        name: String,
        /// The existing file.
        path: PathBuf,
    },
    /// Nothing has been recorded yet.
    #[error("nothing recorded yet: play something first")]
    Empty,
    /// No home or data folder could be found for this user.
    #[error("no data folder for this user (is HOME set?)")]
    NoDataDir,
    /// The file system refused.
    #[error("could not write {}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// A `session save NAME` request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SaveRequest {
    /// The name without `!`.
    pub name: String,
    /// `!` was given: replace an existing file.
    pub overwrite: bool,
}

/// Reads `session save NAME`, `session save NAME!` or `session save! NAME`. Returns `None`
/// when the line is not a `session save` phrase at all.
pub fn parse_save_command(line: &str) -> Option<Result<SaveRequest, SaveError>> {
    let mut words = line.split_whitespace();
    if !words.next()?.eq_ignore_ascii_case("session") {
        return None;
    }
    let verb = words.next()?;
    let (verb, bang) = match verb.strip_suffix('!') {
        Some(v) => (v, true),
        None => (verb, false),
    };
    if !verb.eq_ignore_ascii_case("save") {
        return None;
    }
    let rest: Vec<&str> = words.collect();
    let joined = rest.join(" ");
    let (name, trailing_bang) = match joined.strip_suffix('!') {
        Some(n) => (n.trim_end().to_string(), true),
        None => (joined, false),
    };
    if name.is_empty() {
        return Some(Err(SaveError::BadName {
            name,
            reason: "give a name, e.g. \"session save acid-jam\"",
        }));
    }
    Some(Ok(SaveRequest {
        name,
        overwrite: bang || trailing_bang,
    }))
}

/// The file `name` stands for inside `dir` (`.chronus` is added when missing), or why the
/// name is refused.
pub fn session_path(dir: &Path, name: &str) -> Result<PathBuf, SaveError> {
    let bad = |reason| SaveError::BadName {
        name: name.to_string(),
        reason,
    };
    if name.is_empty() {
        return Err(bad("it is empty"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(bad("it is longer than 64 characters"));
    }
    if name.contains("..") {
        return Err(bad("\"..\" would leave the sessions folder"));
    }
    if name.contains(['/', '\\']) || Path::new(name).is_absolute() {
        return Err(bad("it must be a plain name, not a path"));
    }
    if name.starts_with('.') {
        return Err(bad("it must not start with a dot"));
    }
    if !name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(bad("use letters, digits, - _ and . only (e.g. acid-jam)"));
    }
    let suffix = format!(".{EXTENSION}");
    let file = if name.to_lowercase().ends_with(&suffix) {
        name.to_string()
    } else {
        format!("{name}{suffix}")
    };
    Ok(dir.join(file))
}

/// Writes `text` to `name` in `dir` (created if missing). Without `overwrite` an existing file
/// is never touched.
pub fn save_text(
    text: &str,
    name: &str,
    dir: &Path,
    overwrite: bool,
) -> Result<PathBuf, SaveError> {
    let path = session_path(dir, name)?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SaveError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    if overwrite {
        write_replacing(&path, text)?;
    } else {
        let mut file = match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(SaveError::Exists {
                    name: name.to_string(),
                    path,
                })
            }
            Err(e) => return Err(io(&path)(e)),
        };
        file.write_all(text.as_bytes()).map_err(io(&path))?;
        file.sync_all().map_err(io(&path))?;
    }
    Ok(path)
}

/// Writes `text` to a temporary file beside `path` and renames it over `path`.
pub fn write_replacing(path: &Path, text: &str) -> Result<(), SaveError> {
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |source| SaveError::Io { path: p, source }
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp).map_err(io(&tmp))?;
        file.write_all(text.as_bytes()).map_err(io(&tmp))?;
        file.sync_all().map_err(io(&tmp))?;
        std::fs::rename(&tmp, path).map_err(io(path))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// chronus's folder in the XDG data dir (`~/.local/share/chronus`).
pub fn data_dir() -> Result<PathBuf, SaveError> {
    ProjectDirs::from("", "", "chronus")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or(SaveError::NoDataDir)
}

/// Where `session save` writes: `<data dir>/sessions`.
pub fn sessions_dir() -> Result<PathBuf, SaveError> {
    Ok(data_dir()?.join("sessions"))
}

/// Where the running session is autosaved: `<data dir>/autosave`.
pub fn autosave_dir() -> Result<PathBuf, SaveError> {
    Ok(data_dir()?.join("autosave"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_escape_the_sessions_folder() {
        let dir = Path::new("/tmp/s");
        assert_eq!(
            session_path(dir, "acid-jam").unwrap(),
            dir.join("acid-jam.chronus")
        );
        assert_eq!(
            session_path(dir, "take2.chronus").unwrap(),
            dir.join("take2.chronus")
        );
        for bad in [
            "",
            "..",
            "../x",
            "a/../../b",
            "/etc/passwd",
            "sub/dir",
            "a\\b",
            ".hidden",
            "a b",
            "c:x",
            "x\0y",
        ] {
            assert!(
                matches!(session_path(dir, bad), Err(SaveError::BadName { .. })),
                "{bad:?} was accepted"
            );
        }
        assert!(session_path(dir, &"x".repeat(65)).is_err());
    }

    #[test]
    fn the_save_phrase_reads_name_and_bang() {
        let req = |l: &str| parse_save_command(l).unwrap().unwrap();
        assert_eq!(
            req("session save jam"),
            SaveRequest {
                name: "jam".into(),
                overwrite: false
            }
        );
        assert!(req("Session Save jam!").overwrite);
        assert!(req("session save! jam").overwrite);
        assert_eq!(req("session save jam !").name, "jam");
        assert!(parse_save_command("session save").unwrap().is_err());
        assert!(parse_save_command("gate on").is_none());
        assert!(parse_save_command("session load x").is_none());
    }

    #[test]
    fn saving_never_overwrites_without_a_bang() {
        let dir = tempfile::tempdir().unwrap();
        let sessions = dir.path().join("sessions");
        let p = save_text("@0 gate on\n", "jam", &sessions, false).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "@0 gate on\n");
        let e = save_text("@0 gate off\n", "jam", &sessions, false).unwrap_err();
        assert!(e.to_string().contains("session save jam!"), "{e}");
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "@0 gate on\n");
        save_text("@0 gate off\n", "jam", &sessions, true).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "@0 gate off\n");
        let leftovers: Vec<_> = std::fs::read_dir(&sessions).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary files left behind");
    }
}
