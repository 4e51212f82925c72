//! Resolving `track brk sample NAME|PATH`: the file is found, decoded and resampled here on
//! the control side (once per file), and the track gets its library slot; a drum the track had
//! is switched off. A missing, unreadable, corrupt or too large file is a located error.
//!
//! Runs on the control thread. May allocate and read files.

use super::ast::Word;
use super::error::{PhraseError, PhraseErrorKind};
use super::resolve::Resolver;
use crate::engine::command::TrackParam;
use crate::engine::sample_library;
use crate::samples::SampleError;
use std::ops::Range;

/// The canonical form of a track's sample: `sample NAME` (the library's name for it).
pub fn canonical_sample(value: f32) -> String {
    if value < 1.0 {
        return "sample off".into();
    }
    match sample_library::get(value.round() as u16 - 1) {
        Some(s) => format!("sample {}", s.name),
        None => "sample off".into(),
    }
}

impl Resolver<'_> {
    /// `sample NAME|PATH` or `sample off` for `track`.
    pub(super) fn sample(
        &mut self,
        track: u8,
        (word, at): &Word,
        span: Range<usize>,
    ) -> Result<(), PhraseError> {
        if word.eq_ignore_ascii_case("off") || word.eq_ignore_ascii_case("none") {
            self.track_param(track, TrackParam::Sample, 0.0, span);
            return Ok(());
        }
        let index = crate::samples::load(word).map_err(|e| {
            let expected = match &e {
                SampleError::NotFound { .. } => {
                    "a file path, or a name in the samples folders (`samples` lists them)"
                }
                SampleError::Library(_) => "fewer or shorter samples",
                _ => "a WAV, FLAC, Ogg/Vorbis or MP3 file",
            };
            let suggestion = match &e {
                SampleError::NotFound { suggestion, .. } => suggestion.clone(),
                _ => None,
            };
            self.error(PhraseErrorKind::BadValue, at.clone(), e.to_string())
                .expecting(expected)
                .suggesting(suggestion)
        })?;
        if self
            .patch
            .tracks()
            .get(usize::from(track))
            .is_some_and(|t| t.drum != 0)
        {
            self.track_param(track, TrackParam::Drum, 0.0, span.clone());
        }
        self.track_param(track, TrackParam::Sample, f32::from(index) + 1.0, span);
        Ok(())
    }
}
