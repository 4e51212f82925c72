//! The session recorder as the UI's [`AcceptedLineHook`]: every accepted line that reached the
//! engine is recorded with its time, and `session save NAME[!]` is performed by the recorder
//! instead of the language.
//!
//! Runs on the control thread (the recorder's own autosave thread is in
//! [`crate::session::LiveRecorder`]).

use crate::control::inbox::LineSource;
use crate::control::performer::AcceptedLineHook;
use crate::session::LiveRecorder;

impl AcceptedLineHook for LiveRecorder {
    fn on_accepted(&mut self, line: &str, _source: &LineSource) {
        self.record_now(line);
    }

    fn intercept(&mut self, line: &str) -> Option<Result<String, String>> {
        self.save_phrase(line).map(|saved| {
            saved
                .map(|path| format!("saved {}", path.display()))
                .map_err(|e| e.to_string())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Recorder;

    #[test]
    fn accepted_lines_are_recorded_and_other_lines_pass_through() {
        let dir = tempfile::tempdir().unwrap();
        let mut live = LiveRecorder::start(Recorder::with_autosave_dir(dir.path())).unwrap();
        assert_eq!(live.intercept("gate on"), None);
        live.on_accepted("gate on", &LineSource::Keyboard);
        live.on_accepted("darker", &LineSource::Session { line: 3 });
        assert_eq!(live.len(), 2);
        let saved = live.finish().unwrap().expect("an autosave file");
        let text = std::fs::read_to_string(saved).unwrap();
        assert!(
            text.contains("gate on") && text.contains("darker"),
            "{text}"
        );
    }

    #[test]
    fn a_bad_session_name_is_refused_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let mut live = LiveRecorder::start(Recorder::with_autosave_dir(dir.path())).unwrap();
        live.on_accepted("gate on", &LineSource::Keyboard);
        match live.intercept("session save ../escape") {
            Some(Err(message)) => assert!(!message.is_empty()),
            other => panic!("expected a refusal, got {other:?}"),
        }
        let _ = live.finish();
    }
}
