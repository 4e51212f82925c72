//! Showing a track's pattern: the loop cut into its cycles (for `show` and the TUI's step
//! rows), and the pattern as typed.
//!
//! Runs on the control thread / UI thread. May allocate.

use super::rhythm::Rhythms;
use crate::engine::command::{Step, StepLevel};
use crate::engine::state::TrackState;
use crate::engine::PatchState;
use std::ops::Range;

/// Steps (slots) in one cycle of `track`'s loop: its grid's slots when the loop holds several
/// cycles of them, else the whole loop.
pub fn steps_per_cycle(track: &TrackState) -> usize {
    let length = usize::from(track.length).max(1);
    let slots = track.cycle_slots.round() as usize;
    if slots > 1 && slots < length && length % slots == 0 {
        slots
    } else {
        length
    }
}

/// The steps of the cycle holding step `playing` (the first cycle when nothing plays), and
/// the playing step's place in it.
pub fn current_cycle(track: &TrackState, playing: Option<usize>) -> (Range<usize>, Option<usize>) {
    let per = steps_per_cycle(track);
    let cycle = playing.map_or(0, |p| p / per);
    (cycle * per..(cycle + 1) * per, playing.map(|p| p % per))
}

/// One step as a character: `X` accent, `x` hit, `.` rest, a note's letter (lower case).
pub fn step_char(step: Step) -> char {
    match (step.level, step.note) {
        (StepLevel::Rest, _) => '.',
        (level, Step::TRACK_PITCH) => level.to_char(),
        (_, note) => crate::lang::note_name(note)
            .chars()
            .next()
            .map_or('x', |c| c.to_ascii_lowercase()),
    }
}

/// Lines for `show` about track `index`: the pattern as typed and each cycle as expanded.
pub fn rhythm_lines(patch: &PatchState, rhythms: &Rhythms, index: usize) -> Vec<String> {
    let Some(rhythm) = rhythms.tracks.get(index).and_then(Option::as_ref) else {
        return Vec::new();
    };
    let track = &patch.tracks()[index];
    let per = steps_per_cycle(track);
    let steps = &track.steps[..usize::from(track.length)];
    let cycles: Vec<String> = steps
        .chunks(per)
        .map(|c| c.iter().map(|s| step_char(*s)).collect())
        .collect();
    let mut out = vec![format!("  typed: {}", rhythm.phrase())];
    if cycles.len() == 1 {
        out.push(format!("  cycle: {}", cycles[0]));
    } else {
        for (i, c) in cycles.iter().enumerate().take(8) {
            out.push(format!("  cycle {} of {}: {c}", i + 1, cycles.len()));
        }
        if cycles.len() > 8 {
            out.push(format!("  … {} more cycles", cycles.len() - 8));
        }
    }
    out
}
