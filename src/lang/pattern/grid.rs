//! From events to the engine's grid: a pattern is played as a loop of `cycles` cycles, each
//! cut into `per_cycle` equal slots, so that every onset and every end falls on a slot. The
//! loop repeats the pattern's own period (`<a b c>` needs 3 cycles); patterns with random
//! choices repeat after as many cycles as the track has room for.
//!
//! Runs on the control thread. May allocate.

use super::expand::{cycle_events, Event};
use super::frac::{gcd, Frac, Overflow};
use super::parse::{Node, Sequence};

/// Cycles looked at when searching a pattern's period.
pub const SEARCH_CYCLES: i64 = 32;

/// One event on the grid.
#[derive(Clone, Debug, PartialEq)]
pub struct Placed {
    /// Slot of its onset, counted from the start of the loop.
    pub slot: usize,
    /// Slots it lasts (at least 1).
    pub slots: usize,
    /// The event.
    pub event: Event,
}

/// A pattern laid out on slots.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    /// Slots in one cycle.
    pub per_cycle: usize,
    /// Cycles in the loop.
    pub cycles: usize,
    /// Whether the pattern repeats exactly after `cycles` (false: random, cut to fit).
    pub periodic: bool,
    /// The events, in slot order.
    pub events: Vec<Placed>,
}

/// Why a pattern does not fit on a track.
#[derive(Clone, Debug, PartialEq)]
pub enum GridError {
    /// Needs more slots than a track has.
    TooLong {
        /// Slots per cycle.
        per_cycle: usize,
        /// Cycles in its period.
        cycles: usize,
        /// Slots a track holds.
        max: usize,
    },
    /// Too fine to count.
    Overflow,
}

impl From<Overflow> for GridError {
    fn from(_: Overflow) -> Self {
        GridError::Overflow
    }
}

fn lcm(a: i128, b: i128) -> i128 {
    if a == 0 || b == 0 {
        return a.max(b);
    }
    a / gcd(a, b) * b
}

fn relative(events: &[Event], cycle: i64) -> Result<Vec<Event>, Overflow> {
    events
        .iter()
        .map(|e| {
            let mut e = e.clone();
            e.begin = e.begin.minus(Frac::int(cycle))?;
            e.end = e.end.minus(Frac::int(cycle))?;
            Ok(e)
        })
        .collect()
}

/// The steps of the top level that the cycle counts for its length: weights, with a
/// euclid counting its steps and a polymeter its steps per cycle (`x(3,8)` is 8).
pub fn cycle_steps(root: &Node) -> Result<Frac, Overflow> {
    let Node::Group { seqs, .. } = root else {
        return Ok(Frac::ONE);
    };
    let mut most = Frac::ZERO;
    for s in seqs {
        most = most.max(sequence_steps(s)?);
    }
    Ok(most.max(Frac::ONE))
}

fn sequence_steps(s: &Sequence) -> Result<Frac, Overflow> {
    s.steps.iter().try_fold(Frac::ZERO, |acc, w| {
        let inner = match &w.node {
            Node::Euclid { steps, .. } => Frac::int(*steps),
            Node::Polymeter {
                steps: Some(steps), ..
            } => *steps,
            _ => Frac::ONE,
        };
        acc.plus(w.weight.times(inner)?)
    })
}

/// Positional steps of the top level (weights only): the grid keeps at least these slots.
fn positions(root: &Node) -> Result<Frac, Overflow> {
    let Node::Group { seqs, .. } = root else {
        return Ok(Frac::ONE);
    };
    let mut all = Frac::ONE;
    for s in seqs {
        let w = s
            .steps
            .iter()
            .try_fold(Frac::ZERO, |acc, w| acc.plus(w.weight))?;
        if w.d == 1 && w.n > all.n {
            all = w;
        }
    }
    Ok(all)
}

/// Lays `root` out on at most `max` slots, random choices drawn from `seed`; `shape` is the
/// untransformed pattern whose top-level steps the grid keeps.
pub fn grid(root: &Node, shape: &Node, seed: u64, max: usize) -> Result<Grid, GridError> {
    let mut cycles = Vec::new();
    for c in 0..SEARCH_CYCLES {
        cycles.push(relative(&cycle_events(root, c, seed)?, c)?);
    }
    // A period counts once it has been seen to repeat: at most half the cycles looked at.
    let period = (1..=SEARCH_CYCLES as usize / 2)
        .find(|&p| (0..cycles.len()).all(|k| cycles[k] == cycles[k % p]));
    let mut per_cycle = i128::from(positions(shape)?.n.max(1));
    for ev in cycles.iter().flatten() {
        per_cycle = lcm(per_cycle, i128::from(ev.begin.d));
        per_cycle = lcm(per_cycle, i128::from(ev.end.minus(ev.begin)?.d));
        if per_cycle > max as i128 {
            break;
        }
    }
    let per_cycle = per_cycle as usize;
    let (count, periodic) = match period {
        Some(p) => (p, true),
        None => (
            (max / per_cycle.max(1)).clamp(1, SEARCH_CYCLES as usize),
            false,
        ),
    };
    if per_cycle * count > max {
        return Err(GridError::TooLong {
            per_cycle,
            cycles: count,
            max,
        });
    }
    let mut events = Vec::new();
    for (c, list) in cycles.iter().take(count).enumerate() {
        for ev in list {
            let at = |f: Frac| -> Result<usize, Overflow> {
                let slots = f.times(Frac::int(per_cycle as i64))?;
                Ok(slots.floor().max(0) as usize)
            };
            let slot = c * per_cycle + at(ev.begin)?;
            let slots = at(ev.end.minus(ev.begin)?)?.max(1);
            events.push(Placed {
                slot,
                slots,
                event: ev.clone(),
            });
        }
    }
    events.sort_by_key(|p| p.slot);
    Ok(Grid {
        per_cycle,
        cycles: count,
        periodic,
        events,
    })
}

#[cfg(test)]
mod tests {
    use super::super::parse::parse;
    use super::*;

    fn laid_out(text: &str) -> Grid {
        let node = parse(text).expect("parses");
        grid(&node, &node, 1, 192).expect("fits")
    }

    fn slots(g: &Grid) -> Vec<(usize, usize)> {
        g.events.iter().map(|p| (p.slot, p.slots)).collect()
    }

    #[test]
    fn grid_patterns_keep_one_slot_per_step() {
        let g = laid_out("x...x...x...x...");
        assert_eq!((g.per_cycle, g.cycles), (16, 1));
        assert_eq!(slots(&g), [(0, 1), (4, 1), (8, 1), (12, 1)]);
        let empty = laid_out("........");
        assert_eq!(
            (empty.per_cycle, empty.cycles, empty.events.len()),
            (8, 1, 0)
        );
    }

    #[test]
    fn subdivisions_ties_and_alternation_set_the_grid() {
        let g = laid_out("[x x x] x");
        assert_eq!(g.per_cycle, 6);
        assert_eq!(slots(&g), [(0, 1), (1, 1), (2, 1), (3, 3)]);
        assert_eq!(slots(&laid_out("x _ _ x")), [(0, 3), (3, 1)]);
        let alt = laid_out("<x [x x]>");
        assert_eq!((alt.per_cycle, alt.cycles), (2, 2));
        assert_eq!(slots(&alt), [(0, 2), (2, 1), (3, 1)]);
        let poly = laid_out("{x . .}%4");
        assert_eq!((poly.per_cycle, poly.cycles), (4, 3));
        assert_eq!(slots(&poly), [(0, 1), (3, 1), (6, 1), (9, 1)]);
    }

    #[test]
    fn euclid_counts_its_steps_for_the_cycle() {
        let node = parse("x(3,8)").expect("parses");
        assert_eq!(cycle_steps(&node), Ok(Frac::int(8)));
        assert_eq!(
            cycle_steps(&parse("x@3 x").expect("parses")),
            Ok(Frac::int(4))
        );
        assert_eq!(slots(&laid_out("x(3,8)")), [(0, 1), (3, 1), (6, 1)]);
    }

    #[test]
    fn random_patterns_fill_the_track_and_long_ones_are_refused() {
        let g = laid_out("x?*16");
        assert!(!g.periodic);
        assert_eq!((g.per_cycle, g.cycles), (16, 12));
        let node = parse("<x*64 x x x x>").expect("parses");
        assert!(matches!(
            grid(&node, &node, 1, 192),
            Err(GridError::TooLong { .. })
        ));
    }
}
