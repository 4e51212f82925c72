//! Reading a session file from disk with limits: the size is checked from the file's metadata
//! before a byte is read, and the read itself stops just past the limit (for pipes and devices
//! whose size is unknown), so a huge or endless file never hangs or exhausts memory.
//!
//! Runs on whichever thread opens a session (the main thread for the CLI). May allocate.

use super::diagnostic::{Diagnostic, SessionErrors};
use super::format::{parse_session, Session, MAX_FILE_BYTES};
use std::io::Read;
use std::path::Path;

/// Reads and parses the session at `path`; every problem is listed with its place.
pub fn read_session(path: &Path) -> Result<Session, SessionErrors> {
    let name = path.display().to_string();
    let bytes = read_limited(path).map_err(|d| SessionErrors::single(&name, d))?;
    parse_session(&bytes).map_err(|problems| SessionErrors::new(&name, problems))
}

/// The bytes of `path`, refusing directories and anything over [`MAX_FILE_BYTES`].
pub fn read_limited(path: &Path) -> Result<Vec<u8>, Diagnostic> {
    let whole = |message: String| Diagnostic::new(0, 1, message);
    let meta = std::fs::metadata(path).map_err(|e| whole(format!("cannot open: {e}")))?;
    if meta.is_dir() {
        return Err(whole(
            "is a folder, not a session file (session files end in .chronus)".into(),
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_big(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(|e| whole(format!("cannot open: {e}")))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| whole(format!("cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}

fn too_big(bytes: u64) -> Diagnostic {
    Diagnostic::new(
        1,
        1,
        format!(
            "the file is {} (more than {}); session files are limited to {} — is this a session?",
            human_size(bytes),
            human_size(MAX_FILE_BYTES),
            human_size(MAX_FILE_BYTES)
        ),
    )
}

/// `4 MiB`, `100.0 MiB`, `812 bytes`.
fn human_size(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB as f64)
    } else if bytes >= 1024 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(human_size(4 * 1024 * 1024), "4 MiB");
        assert_eq!(human_size(100 * 1000 * 1000), "95.4 MiB");
        assert_eq!(human_size(812), "812 bytes");
    }

    #[test]
    fn a_missing_file_and_a_folder_are_whole_file_problems() {
        let dir = tempfile::tempdir().unwrap();
        let e = read_session(&dir.path().join("nope.chronus")).unwrap_err();
        assert!(e.to_string().contains("nope.chronus: cannot open"), "{e}");
        let e = read_session(dir.path()).unwrap_err();
        assert!(e.to_string().contains("is a folder"), "{e}");
    }
}
