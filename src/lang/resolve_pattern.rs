//! Resolving mini-notation patterns (`pattern x(3,8)`, `seq <C3 G3> [E3, G3]`) and the rhythm
//! words that transform them: parse, check every step, expand on the control side, lay the
//! events out on the track's grid and write them as ordinary step commands, so the engine
//! plays them allocation-free. The pattern as typed is remembered for `show` and for the
//! next rhythm word.
//!
//! Runs on the control thread. May allocate.

use super::action::{Action, Meta};
use super::error::{PhraseError, PhraseErrorKind};
use super::pattern::expand::Event;
use super::pattern::frac::Frac;
use super::pattern::grid::{cycle_steps, grid, Grid, GridError};
use super::pattern::parse::{parse, Atom, Node, Sequence};
use super::pattern::rhythm::{TrackRhythm, Transform};
use super::resolve::Resolver;
use crate::engine::command::{Command, Step, StepLevel, TrackParam, MAX_STEPS};
use std::ops::Range;

/// A pattern ready to write: the steps and the grid's shape.
pub(crate) struct Laid {
    /// Every slot of the loop.
    pub steps: Vec<Step>,
    /// Top-level steps in one cycle (sets how long a cycle lasts).
    pub cycle_steps: Frac,
    /// The grid.
    pub grid: Grid,
}

impl Resolver<'_> {
    /// `pattern …` (`notes` false) or `seq …` (`notes` true) typed at `at`.
    /// `text` is the pattern when it was not typed at `at` (a phrase such as `drums` writes
    /// its own patterns); errors then point at the whole phrase.
    pub(super) fn mini_pattern(
        &mut self,
        text: Option<&str>,
        at: &Range<usize>,
        notes: bool,
        span: Range<usize>,
    ) -> Result<(), PhraseError> {
        let typed_here = self.line.get(at.clone()).unwrap_or("");
        let typed = text.unwrap_or(typed_here);
        let offset = (typed == typed_here).then_some(at.start);
        let rhythm = TrackRhythm {
            typed: typed.to_string(),
            notes,
            transforms: Vec::new(),
        };
        let track = self.patch.track_names().current();
        let laid = self.lay_out(&rhythm, offset, at.clone())?;
        self.write_pattern(track, rhythm, &laid, span);
        Ok(())
    }

    /// Adds a rhythm word to the current track's pattern and writes it again.
    pub(super) fn transform_pattern(
        &mut self,
        transform: Transform,
        span: Range<usize>,
    ) -> Result<(), PhraseError> {
        let track = self.patch.track_names().current();
        let Some(mut rhythm) = self.rhythms.tracks[usize::from(track)].clone() else {
            return Err(self
                .error(
                    PhraseErrorKind::Incomplete,
                    span,
                    format!(
                        "track {} has no pattern to change",
                        self.patch.track_names().label(track)
                    ),
                )
                .expecting("a pattern first, e.g. `pattern x(3,8)` or `four on the floor`"));
        };
        rhythm.transforms.push(transform);
        let laid = self.lay_out(&rhythm, None, span.clone())?;
        self.write_pattern(track, rhythm, &laid, span);
        Ok(())
    }

    /// Writes a new pattern as typed (rhythm words such as `four on the floor`).
    pub(super) fn named_pattern(
        &mut self,
        typed: &str,
        span: Range<usize>,
    ) -> Result<(), PhraseError> {
        let rhythm = TrackRhythm {
            typed: typed.to_string(),
            notes: false,
            transforms: Vec::new(),
        };
        let track = self.patch.track_names().current();
        let laid = self.lay_out(&rhythm, None, span.clone())?;
        self.write_pattern(track, rhythm, &laid, span);
        Ok(())
    }

    /// Parses, checks and lays out `rhythm`; errors point into the typed text when it starts
    /// at `typed_at` in the line, else at `span`.
    pub(crate) fn lay_out(
        &self,
        rhythm: &TrackRhythm,
        typed_at: Option<usize>,
        span: Range<usize>,
    ) -> Result<Laid, PhraseError> {
        let locate = |r: Range<usize>| match typed_at {
            Some(start) => start + r.start..start + r.end,
            None => span.clone(),
        };
        let root = parse(&rhythm.typed).map_err(|e| {
            self.error(PhraseErrorKind::BadValue, locate(e.span), e.message)
                .expecting(e.expected.unwrap_or_default())
        })?;
        let root = self.check_atoms(root, rhythm.notes, &locate)?;
        let too_fine = || {
            self.error(
                PhraseErrorKind::BadValue,
                span.clone(),
                "the pattern is too fine to lay out",
            )
            .expecting("fewer nested subdivisions")
        };
        let steps_in_cycle = cycle_steps(&root).map_err(|_| too_fine())?;
        let positions = top_positions(&root);
        let mut played = root.clone();
        for t in &rhythm.transforms {
            played = t.apply(played, positions);
        }
        let seed = self.rhythms.seed;
        let g = grid(&played, &root, seed, MAX_STEPS).map_err(|e| match e {
            GridError::Overflow => too_fine(),
            GridError::TooLong {
                per_cycle,
                cycles: 1,
                max,
            } => self
                .error(
                    PhraseErrorKind::BadValue,
                    span.clone(),
                    format!("a pattern has 1 to {max} steps; this one has {per_cycle}"),
                )
                .expecting(format!(
                    "at most {max} steps (split it with `steps` and a slower `rate`)"
                )),
            GridError::TooLong {
                per_cycle,
                cycles,
                max,
            } => self
                .error(
                    PhraseErrorKind::BadValue,
                    span.clone(),
                    format!(
                        "this pattern repeats after {cycles} cycles of {per_cycle} steps ({}); a track holds {max}",
                        cycles * per_cycle
                    ),
                )
                .expecting("fewer alternations or subdivisions"),
        })?;
        let steps = self.steps_of(&g, &span)?;
        Ok(Laid {
            steps,
            cycle_steps: steps_in_cycle,
            grid: g,
        })
    }

    /// Checks every step: hits and rests everywhere, note names and MIDI numbers (0–127);
    /// in a `pattern` an unknown word is reported at its first character that is not a step.
    fn check_atoms(
        &self,
        root: Node,
        notes: bool,
        locate: &dyn Fn(Range<usize>) -> Range<usize>,
    ) -> Result<Node, PhraseError> {
        let mut words = Vec::new();
        collect_words(&root, &mut words);
        for (w, r) in words {
            if self.note_of(&w).is_some() {
                continue;
            }
            if !notes {
                let (i, c) = w
                    .char_indices()
                    .find(|(_, c)| !"xX.-~_".contains(*c))
                    .unwrap_or((0, w.chars().next().unwrap_or('?')));
                let here = r.start + i..r.start + i + c.len_utf8();
                return Err(self
                    .error(
                        PhraseErrorKind::BadValue,
                        locate(here),
                        format!("\"{c}\" is not a step"),
                    )
                    .expecting("x (hit), X (accent), . (rest), a note, or mini-notation such as [x x] or x(3,8)")
                    .suggesting(matches!(c, 'o' | 'O' | '*' | '1').then(|| "x".to_string())));
            }
            let suggestion = super::chords::root(&w).map(|(pc, len)| {
                let name = crate::lang::note_name((60 + pc.rem_euclid(12)) as u8);
                let name = name.trim_end_matches('4').to_string();
                let octave: String = w[len..].chars().filter(char::is_ascii_digit).collect();
                format!(
                    "{name}{}",
                    if octave.is_empty() {
                        "3".into()
                    } else {
                        octave
                    }
                )
            });
            return Err(self
                .error(
                    PhraseErrorKind::BadValue,
                    locate(r),
                    format!("\"{w}\" is not a note"),
                )
                .expecting("a note such as C3 or A#2, a MIDI number, or . for a rest")
                .suggesting(suggestion.filter(|s| *s != w)));
        }
        Ok(root)
    }

    fn note_of(&self, word: &str) -> Option<u8> {
        if let Ok(n) = word.parse::<u8>() {
            return (n <= 127).then_some(n);
        }
        let midi = self.vocab.parse_note(&word.to_lowercase())?;
        u8::try_from(midi).ok().filter(|n| *n <= 127)
    }

    fn step_of(&self, ev: &Event, slots: usize) -> Step {
        let mut step = match &ev.atom {
            Atom::Accent => Step::hit(StepLevel::Accent),
            Atom::Word(w) => Step::note(self.note_of(w).unwrap_or(60)),
            Atom::Hit | Atom::Rest => Step::hit(StepLevel::Hit),
        };
        if let Some(v) = ev.velocity {
            step.velocity = (v * 100.0).round().clamp(1.0, 100.0) as u8;
        }
        step.length = slots.clamp(1, 255) as u8;
        step
    }

    fn steps_of(&self, g: &Grid, span: &Range<usize>) -> Result<Vec<Step>, PhraseError> {
        let mut steps = vec![Step::REST; g.per_cycle * g.cycles];
        for placed in &g.events {
            let new = self.step_of(&placed.event, placed.slots);
            let Some(slot) = steps.get_mut(placed.slot) else {
                continue;
            };
            if slot.level == StepLevel::Rest {
                *slot = new;
                continue;
            }
            // Two events at once: one step with both (a chord on note tracks).
            if new.note != slot.note && new.note != Step::TRACK_PITCH {
                if slot.note == Step::TRACK_PITCH {
                    slot.note = new.note;
                } else if !slot.chord.contains(&new.note) {
                    let Some(free) = slot.chord.iter_mut().find(|n| **n == Step::NO_NOTE) else {
                        return Err(self
                            .error(
                                PhraseErrorKind::BadValue,
                                span.clone(),
                                "more than 4 notes start at once",
                            )
                            .expecting("at most 4 notes in a stack such as [C3, E3, G3]"));
                    };
                    *free = new.note;
                }
            }
            if new.level == StepLevel::Accent {
                slot.level = StepLevel::Accent;
            }
            slot.length = slot.length.max(new.length);
            slot.velocity = slot.velocity.max(new.velocity);
        }
        Ok(steps)
    }

    /// Sends the steps and the grid to `track` and remembers the pattern.
    fn write_pattern(&mut self, track: u8, rhythm: TrackRhythm, laid: &Laid, span: Range<usize>) {
        for (index, step) in laid.steps.iter().enumerate() {
            self.engine(
                Command::SetStep {
                    track,
                    index: index as u8,
                    step: *step,
                },
                span.clone(),
                None,
            );
        }
        let setting = |param, value| Command::SetTrack {
            track,
            param,
            value,
        };
        self.engine(
            setting(TrackParam::Length, laid.steps.len() as f32),
            span.clone(),
            None,
        );
        let now = self.patch.tracks()[usize::from(track)];
        let steps = laid.cycle_steps.to_f64() as f32;
        let slots = laid.grid.per_cycle as f32;
        // Grid patterns of one cycle (steps = slots) keep whatever equal pair the track has,
        // so that they write exactly the commands they always did.
        let same_grid = if steps == slots && laid.grid.cycles == 1 {
            now.cycle_steps == now.cycle_slots
        } else {
            now.cycle_steps == steps && now.cycle_slots == slots
        };
        if !same_grid {
            self.engine(setting(TrackParam::CycleSteps, steps), span.clone(), None);
            self.engine(setting(TrackParam::CycleSlots, slots), span, None);
        }
        self.rhythms.set(track, Some(rhythm.clone()));
        self.actions.push(Action::Meta(Meta::Rhythm {
            index: track,
            rhythm: Box::new(rhythm),
        }));
    }
}

/// The top level's steps by weight (what `rotate 1` moves by).
fn top_positions(root: &Node) -> Frac {
    let Node::Group { seqs, .. } = root else {
        return Frac::ONE;
    };
    seqs.first()
        .and_then(|s: &Sequence| {
            s.steps
                .iter()
                .try_fold(Frac::ZERO, |acc, w| acc.plus(w.weight).ok())
        })
        .filter(|f| f.is_positive())
        .unwrap_or(Frac::ONE)
}

fn collect_words(node: &Node, out: &mut Vec<(String, Range<usize>)>) {
    let seqs = |seqs: &[Sequence], out: &mut Vec<(String, Range<usize>)>| {
        for s in seqs {
            for w in &s.steps {
                collect_words(&w.node, out);
            }
        }
    };
    match node {
        Node::Atom {
            atom: Atom::Word(w),
            span,
        } => out.push((w.clone(), span.clone())),
        Node::Atom { .. } => {}
        Node::Group { seqs: s, .. } | Node::Alternate(s) | Node::Polymeter { seqs: s, .. } => {
            seqs(s, out)
        }
        Node::Fast(n, _)
        | Node::Slow(n, _)
        | Node::Euclid { node: n, .. }
        | Node::Maybe { node: n, .. }
        | Node::Velocity(n, _)
        | Node::Shift(n, _)
        | Node::Reverse(n)
        | Node::Fill(n) => collect_words(n, out),
        Node::Every { then, other, .. } => {
            collect_words(then, out);
            collect_words(other, out);
        }
    }
}
