//! The log file: everything logged through the `log` crate by any thread goes to one file in
//! the XDG state dir (never to the screen), and warnings are counted for the meters pane.
//!
//! `log` calls run on the thread that logs (control, OSC, session, supervisor threads; never
//! the audio callback or the render loop, which only count in atomics).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Mutex, OnceLock};

/// A log file larger than this is moved aside to `NAME.old` at start.
pub const LOG_ROTATE_BYTES: u64 = 1 << 20;

/// Writes log records to a file and counts warnings and errors.
#[derive(Debug)]
pub struct FileLogger {
    file: Mutex<File>,
    path: PathBuf,
    warnings: AtomicU64,
    started: std::time::Instant,
}

static LOGGER: OnceLock<FileLogger> = OnceLock::new();

impl FileLogger {
    /// Opens (appending) the log file, moving an oversized old one aside.
    pub fn open(path: &Path) -> std::io::Result<FileLogger> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        if std::fs::metadata(path).is_ok_and(|m| m.len() > LOG_ROTATE_BYTES) {
            std::fs::rename(path, path.with_extension("log.old"))?;
        }
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(FileLogger {
            file: Mutex::new(file),
            path: path.to_path_buf(),
            warnings: AtomicU64::new(0),
            started: std::time::Instant::now(),
        })
    }

    /// Where the log goes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Warnings and errors logged so far.
    pub fn warnings(&self) -> u64 {
        self.warnings.load(Relaxed)
    }

    fn write_record(&self, level: log::Level, target: &str, message: &std::fmt::Arguments<'_>) {
        if level <= log::Level::Warn {
            self.warnings.fetch_add(1, Relaxed);
        }
        let thread = std::thread::current();
        let line = format!(
            "{:>10.3} {:<5} [{}] {target}: {message}\n",
            self.started.elapsed().as_secs_f64(),
            level,
            thread.name().unwrap_or("?"),
        );
        // A poisoned lock only means another thread panicked mid-write; keep logging.
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        let _ = file.write_all(line.as_bytes());
    }
}

impl log::Log for FileLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Info
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            self.write_record(record.level(), record.target(), record.args());
        }
    }

    fn flush(&self) {
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        let _ = file.flush();
    }
}

/// Installs the process-wide log file at `path`. Only the first call in a process installs;
/// later calls return the logger already installed.
pub fn install(path: &Path) -> std::io::Result<&'static FileLogger> {
    if let Some(l) = LOGGER.get() {
        return Ok(l);
    }
    let logger = FileLogger::open(path)?;
    let logger = LOGGER.get_or_init(|| logger);
    if log::set_logger(logger).is_ok() {
        log::set_max_level(log::LevelFilter::Info);
    }
    Ok(logger)
}

/// Warnings and errors logged by the installed log file (0 if none is installed).
pub fn warning_count() -> u64 {
    LOGGER.get().map_or(0, FileLogger::warnings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use log::Log;

    #[test]
    fn records_go_to_the_file_and_warnings_are_counted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/chronus.log");
        let logger = FileLogger::open(&path).unwrap();
        for (level, text) in [
            (log::Level::Info, "started"),
            (log::Level::Warn, "osc packet refused"),
            (log::Level::Error, "worker replaced"),
            (log::Level::Debug, "not written"),
        ] {
            logger.log(
                &log::Record::builder()
                    .level(level)
                    .target("chronus::test")
                    .args(format_args!("{text}"))
                    .build(),
            );
        }
        logger.flush();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("INFO"), "{text}");
        assert!(text.contains("osc packet refused"), "{text}");
        assert!(!text.contains("not written"), "{text}");
        assert_eq!(logger.warnings(), 2);
    }

    #[test]
    fn an_oversized_log_is_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("chronus.log");
        std::fs::write(&path, vec![b'x'; LOG_ROTATE_BYTES as usize + 1]).unwrap();
        let logger = FileLogger::open(&path).unwrap();
        assert_eq!(std::fs::metadata(logger.path()).unwrap().len(), 0);
        assert!(dir.path().join("chronus.log.old").exists());
    }
}
