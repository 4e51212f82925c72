//! The recorder as a UI uses it: a cloneable handle to one [`Recorder`] and its journal (every
//! accepted line on disk as it is accepted), autosaved on exit. A "chronus-autosave" thread
//! that writes the recording every [`AUTOSAVE_EVERY`] can be asked for where there is no
//! journal ([`LiveRecorder::start_autosaving`]).
//!
//! `record*` and `save_phrase` run on the control thread; the autosave thread only takes the
//! lock to write a file. Not on the audio path (a plain mutex is fine here).

use super::recorder::{Recorder, AUTOSAVE_EVERY};
use super::save::SaveError;
use crate::control::LineReport;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How often the autosave thread looks at the clock and its stop flag.
const TICK: Duration = Duration::from_millis(200);

/// A shared recorder with its autosave thread. Clones share the recording.
#[derive(Clone)]
pub struct LiveRecorder {
    recorder: Arc<Mutex<Recorder>>,
    stop: Arc<AtomicBool>,
    thread: Arc<Mutex<Option<JoinHandle<()>>>>,
    last_error: Arc<Mutex<Option<String>>>,
}

impl LiveRecorder {
    /// A shared recorder that autosaves on [`finish`](Self::finish) only: the journal
    /// ([`start_journal`](Self::start_journal)) keeps every accepted line safe in between, so
    /// no periodic autosave runs.
    pub fn start(recorder: Recorder) -> std::io::Result<LiveRecorder> {
        Ok(LiveRecorder {
            recorder: Arc::new(Mutex::new(recorder)),
            stop: Arc::new(AtomicBool::new(false)),
            thread: Arc::new(Mutex::new(None)),
            last_error: Arc::new(Mutex::new(None)),
        })
    }

    /// Like [`start`](Self::start), plus a "chronus-autosave" thread that autosaves every
    /// `every` when something new was recorded (for runs without a journal, and tests).
    pub fn start_autosaving(recorder: Recorder) -> std::io::Result<LiveRecorder> {
        Self::start_every(recorder, AUTOSAVE_EVERY)
    }

    /// Like [`start`](Self::start) with another period (for tests).
    pub fn start_every(recorder: Recorder, every: Duration) -> std::io::Result<LiveRecorder> {
        let live = LiveRecorder {
            recorder: Arc::new(Mutex::new(recorder)),
            stop: Arc::new(AtomicBool::new(false)),
            thread: Arc::new(Mutex::new(None)),
            last_error: Arc::new(Mutex::new(None)),
        };
        let (recorder, stop, last_error) = (
            live.recorder.clone(),
            live.stop.clone(),
            live.last_error.clone(),
        );
        let handle = std::thread::Builder::new()
            .name("chronus-autosave".into())
            .spawn(move || {
                let mut last = Instant::now();
                while !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(TICK.min(every));
                    if last.elapsed() < every {
                        continue;
                    }
                    last = Instant::now();
                    let result = lock(&recorder).autosave_when_unsaved();
                    if let Err(e) = result {
                        *lock(&last_error) = Some(e.to_string());
                    }
                }
            })?;
        *lock(&live.thread) = Some(handle);
        Ok(live)
    }

    /// Records `line` now (see [`Recorder::record`] for what is skipped).
    pub fn record_now(&self, line: &str) {
        lock(&self.recorder).record_now(line);
    }

    /// Records `line` now if performing it was accepted (see [`Recorder::record_performed`]).
    pub fn record_performed(&self, report: &LineReport) {
        let mut r = lock(&self.recorder);
        let at = r.started().elapsed();
        r.record_performed(at, report);
    }

    /// Performs a `session save NAME[!]` phrase; `None` when `line` is not one.
    pub fn save_phrase(&self, line: &str) -> Option<Result<PathBuf, SaveError>> {
        lock(&self.recorder).save_phrase(line)
    }

    /// The last autosave failure, if any (taken: asking again gives `None`).
    pub fn take_autosave_error(&self) -> Option<String> {
        lock(&self.last_error).take()
    }

    /// How many lines are recorded.
    pub fn len(&self) -> usize {
        lock(&self.recorder).lines().len()
    }

    /// True when nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Starts journaling every recorded line into `dir` (see [`Recorder::start_journal`]).
    pub fn start_journal(&self, dir: &std::path::Path) -> std::io::Result<PathBuf> {
        lock(&self.recorder).start_journal(dir)
    }

    /// The last journal write failure, if any (taken).
    pub fn take_journal_error(&self) -> Option<String> {
        lock(&self.recorder).take_journal_error()
    }

    /// Stops the autosave thread, autosaves one last time and ends the journal cleanly (on
    /// exit). Returns the autosave file, or `None` when nothing was recorded.
    pub fn finish(&self) -> Result<Option<PathBuf>, SaveError> {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = lock(&self.thread).take() {
            let _ = t.join();
        }
        let mut recorder = lock(&self.recorder);
        let saved = recorder.autosave()?;
        if let Err(e) = recorder.close_journal() {
            *lock(&self.last_error) = Some(format!("could not end the journal: {e}"));
        }
        Ok(saved)
    }
}

/// Locks, recovering the data if a panicking thread poisoned the lock (the recording is
/// still worth saving).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recording_is_autosaved_while_nobody_types_and_on_finish() {
        let dir = tempfile::tempdir().unwrap();
        let live = LiveRecorder::start_every(
            Recorder::with_autosave_dir(dir.path()),
            Duration::from_millis(50),
        )
        .unwrap();
        live.record_now("gate on");
        let deadline = Instant::now() + Duration::from_secs(5);
        let file = loop {
            let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
            if let Some(Ok(f)) = files.into_iter().next() {
                break f.path();
            }
            assert!(Instant::now() < deadline, "no autosave appeared");
            std::thread::sleep(Duration::from_millis(20));
        };
        assert!(std::fs::read_to_string(&file).unwrap().contains("gate on"));
        live.clone().record_now("gate off");
        assert_eq!(live.len(), 2);
        assert_eq!(live.finish().unwrap().as_deref(), Some(file.as_path()));
        assert!(std::fs::read_to_string(&file).unwrap().contains("gate off"));
        assert!(live.take_autosave_error().is_none());
    }
}
