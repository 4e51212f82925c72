//! Expanding a pattern tree into events: which steps start in a cycle, with exact begin and
//! end (as fractions of cycles from the start of the transport), velocity and what they play.
//!
//! Each node answers "which events start between `b` and `e`?" (the TidalCycles model,
//! counted by onsets), so events fall where TidalCycles and Strudel put them.
//!
//! Runs on the control thread. May allocate.

use super::euclid::euclid;
use super::frac::{Frac, Overflow};
use super::parse::{Atom, Join, Node, Sequence};
use std::ops::Range;

/// One step that starts in the queried time.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// Onset, in cycles.
    pub begin: Frac,
    /// End of the step, in cycles (ties and `@` make it longer).
    pub end: Frac,
    /// What it plays (never a rest).
    pub atom: Atom,
    /// Velocity set with `:v`, if any.
    pub velocity: Option<f32>,
    /// Where it was typed in the pattern text.
    pub span: Range<usize>,
    /// The `?` it went through: (which, probability of playing); decided on its final onset.
    pub maybe: Vec<(u32, f64)>,
}

type Out = Result<Vec<Event>, Overflow>;

/// The events of `node` that start in `[b, e)`, random choices drawn from `seed`.
pub fn query(node: &Node, b: Frac, e: Frac, seed: u64) -> Out {
    if b >= e {
        return Ok(Vec::new());
    }
    match node {
        Node::Atom { atom, span } => {
            if *atom == Atom::Rest {
                return Ok(Vec::new());
            }
            let mut out = Vec::new();
            let first = ceil(b);
            let mut k = first;
            while Frac::int(k) < e {
                out.push(Event {
                    begin: Frac::int(k),
                    end: Frac::int(k + 1),
                    atom: atom.clone(),
                    velocity: None,
                    span: span.clone(),
                    maybe: Vec::new(),
                });
                k += 1;
            }
            Ok(out)
        }
        Node::Group { seqs, join, id } => match join {
            Join::Stack => {
                let mut out = Vec::new();
                for s in seqs {
                    out.extend(sequence(s, b, e, seed)?);
                }
                Ok(out)
            }
            Join::Choice => per_cycle(b, e, |c, cb, ce| {
                let pick = (random(seed, *id, Frac::int(c)) * seqs.len() as f64) as usize;
                sequence(&seqs[pick.min(seqs.len() - 1)], cb, ce, seed)
            }),
        },
        Node::Alternate(seqs) => {
            let mut out = Vec::new();
            for s in seqs {
                let w = total_weight(s)?;
                out.extend(scaled(b, e, w.over(Frac::ONE)?, |qb, qe| {
                    sequence(s, qb, qe, seed)
                })?);
            }
            Ok(out)
        }
        Node::Polymeter { seqs, steps } => {
            let mut out = Vec::new();
            let base = match (steps, seqs.first()) {
                (Some(s), _) => *s,
                (None, Some(first)) => total_weight(first)?,
                (None, None) => return Ok(out),
            };
            for s in seqs {
                let w = total_weight(s)?;
                if !w.is_positive() {
                    continue;
                }
                // `base` steps per cycle: the sequence runs base/w times as fast.
                out.extend(scaled(b, e, w.over(base)?, |qb, qe| {
                    sequence(s, qb, qe, seed)
                })?);
            }
            Ok(out)
        }
        Node::Fast(inner, f) => scaled(b, e, Frac::ONE.over(*f)?, |qb, qe| {
            query(inner, qb, qe, seed)
        }),
        Node::Slow(inner, f) => scaled(b, e, *f, |qb, qe| query(inner, qb, qe, seed)),
        Node::Euclid {
            node,
            hits,
            steps,
            rotation,
        } => {
            let rest = Node::Atom {
                atom: Atom::Rest,
                span: 0..0,
            };
            let seq = Sequence {
                steps: euclid(*hits, *steps, *rotation)
                    .into_iter()
                    .map(|on| super::parse::Weighted {
                        node: if on { (**node).clone() } else { rest.clone() },
                        weight: Frac::ONE,
                    })
                    .collect(),
            };
            sequence(&seq, b, e, seed)
        }
        Node::Maybe { node, keep, id } => {
            // Decided in `cycle_events`, on the onset in cycles, so that steps squeezed into
            // one step (`x?(3,8)`) still choose each on their own.
            let mut out = query(node, b, e, seed)?;
            for ev in &mut out {
                ev.maybe.push((*id, *keep));
            }
            Ok(out)
        }
        Node::Velocity(node, v) => {
            let mut out = query(node, b, e, seed)?;
            for ev in &mut out {
                ev.velocity.get_or_insert(*v);
            }
            Ok(out)
        }
        Node::Shift(node, by) => {
            let mut out = query(node, b.plus(*by)?, e.plus(*by)?, seed)?;
            for ev in &mut out {
                ev.begin = ev.begin.minus(*by)?;
                ev.end = ev.end.minus(*by)?;
            }
            Ok(out)
        }
        Node::Reverse(node) => per_cycle(b, e, |c, cb, ce| {
            let mirror = Frac::int(2 * c + 1);
            let mut out = Vec::new();
            for mut ev in query(node, Frac::int(c), Frac::int(c + 1), seed)? {
                let dur = ev.end.minus(ev.begin)?;
                let end_in_cycle = ev.begin.plus(dur.min(Frac::int(c + 1).minus(ev.begin)?))?;
                ev.begin = mirror.minus(end_in_cycle)?;
                ev.end = ev.begin.plus(dur)?;
                if ev.begin >= cb && ev.begin < ce {
                    out.push(ev);
                }
            }
            Ok(out)
        }),
        Node::Every {
            every,
            at,
            then,
            other,
        } => per_cycle(b, e, |c, cb, ce| {
            let node = if c.rem_euclid(*every) == *at {
                then
            } else {
                other
            };
            query(node, cb, ce, seed)
        }),
        Node::Fill(node) => per_cycle(b, e, |c, cb, ce| {
            let start = Frac::int(c);
            let three_quarters = start.plus(Frac { n: 3, d: 4 })?;
            let eighth = Frac { n: 1, d: 8 };
            let mut out = Vec::new();
            for ev in query(node, start, Frac::int(c + 1), seed)? {
                if ev.begin < three_quarters {
                    out.push(ev);
                    continue;
                }
                let half =
                    |t: Frac| three_quarters.plus(t.minus(three_quarters)?.over(Frac::int(2))?);
                for copy in [Frac::ZERO, eighth] {
                    let mut ev = ev.clone();
                    ev.begin = half(ev.begin)?.plus(copy)?;
                    ev.end = half(ev.end)?.plus(copy)?;
                    out.push(ev);
                }
            }
            out.retain(|ev| ev.begin >= cb && ev.begin < ce);
            Ok(out)
        }),
    }
}

/// The events of `node` starting in cycle `cycle`, sorted by onset.
pub fn cycle_events(node: &Node, cycle: i64, seed: u64) -> Out {
    let mut out = query(node, Frac::int(cycle), Frac::int(cycle + 1), seed)?;
    out.retain(|ev| {
        ev.maybe
            .iter()
            .all(|(id, keep)| random(seed, *id, ev.begin) < *keep)
    });
    out.sort_by(|a, b| a.begin.cmp(&b.begin).then(a.span.start.cmp(&b.span.start)));
    Ok(out)
}

fn ceil(f: Frac) -> i64 {
    -((-f.n).div_euclid(f.d))
}

/// Splits `[b, e)` at cycle boundaries and calls `f(cycle, begin, end)` for each piece.
fn per_cycle(b: Frac, e: Frac, mut f: impl FnMut(i64, Frac, Frac) -> Out) -> Out {
    let mut out = Vec::new();
    let mut c = b.floor();
    while Frac::int(c) < e {
        let cb = b.max(Frac::int(c));
        let ce = e.min(Frac::int(c + 1));
        if cb < ce {
            out.extend(f(c, cb, ce)?);
        }
        c += 1;
    }
    Ok(out)
}

/// Queries `f` on time stretched by `factor` (inner time = outer / factor) and maps back.
fn scaled(b: Frac, e: Frac, factor: Frac, f: impl FnOnce(Frac, Frac) -> Out) -> Out {
    let mut out = f(b.over(factor)?, e.over(factor)?)?;
    for ev in &mut out {
        ev.begin = ev.begin.times(factor)?;
        ev.end = ev.end.times(factor)?;
    }
    Ok(out)
}

fn total_weight(s: &Sequence) -> Result<Frac, Overflow> {
    s.steps
        .iter()
        .try_fold(Frac::ZERO, |acc, w| acc.plus(w.weight))
}

/// A sequence: each step gets its weight's share of every cycle.
fn sequence(s: &Sequence, b: Frac, e: Frac, seed: u64) -> Out {
    let total = total_weight(s)?;
    if !total.is_positive() {
        return Ok(Vec::new());
    }
    per_cycle(b, e, |c, cb, ce| {
        let mut out = Vec::new();
        let mut offset = Frac::ZERO;
        for step in &s.steps {
            let start = Frac::int(c).plus(offset.over(total)?)?;
            let width = step.weight.over(total)?;
            offset = offset.plus(step.weight)?;
            let stop = start.plus(width)?;
            let (qb, qe) = (cb.max(start), ce.min(stop));
            if qb >= qe {
                continue;
            }
            // Inner cycle `c` is squeezed into [start, stop).
            let to_inner = |t: Frac| Frac::int(c).plus(t.minus(start)?.over(width)?);
            let to_outer = |t: Frac| start.plus(t.minus(Frac::int(c))?.times(width)?);
            for mut ev in query(&step.node, to_inner(qb)?, to_inner(qe)?, seed)? {
                ev.begin = to_outer(ev.begin)?;
                ev.end = to_outer(ev.end)?;
                out.push(ev);
            }
        }
        Ok(out)
    })
}

/// A number from 0 to 1 for `(seed, which, time)`: the same inputs always give the same
/// number (splitmix64), so renders with one seed are identical.
pub fn random(seed: u64, which: u32, at: Frac) -> f64 {
    let mut z = seed
        ^ u64::from(which).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (at.n as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9)
        ^ (at.d as u64).wrapping_mul(0x94D0_49BB_1331_11EB);
    for _ in 0..2 {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
    }
    (z >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::super::parse::parse;
    use super::*;

    fn onsets(text: &str, cycle: i64) -> Vec<String> {
        let node = parse(text).expect("parses");
        cycle_events(&node, cycle, 1)
            .expect("expands")
            .iter()
            .map(|e| {
                let name = match &e.atom {
                    Atom::Word(w) => w.clone(),
                    Atom::Hit => "x".into(),
                    Atom::Accent => "X".into(),
                    Atom::Rest => "~".into(),
                };
                format!("{name} {}-{}", e.begin, e.end)
            })
            .collect()
    }

    /// Pattern → the first cycle's events (name begin-end), from the mini-notation tests of
    /// TidalCycles (Sound.Tidal.ParseTest) and Strudel (packages/mini/test/mini.test.mjs).
    #[test]
    fn published_vectors() {
        let table: &[(&str, i64, &[&str])] = &[
            ("a", 0, &["a 0-1"]),
            ("a b", 0, &["a 0-1/2", "b 1/2-1"]),
            ("a [b c]", 0, &["a 0-1/2", "b 1/2-3/4", "c 3/4-1"]),
            ("a@3 b", 0, &["a 0-3/4", "b 3/4-1"]),
            ("a _ _ b", 0, &["a 0-3/4", "b 3/4-1"]),
            (
                "a!3 b",
                0,
                &["a 0-1/4", "a 1/4-1/2", "a 1/2-3/4", "b 3/4-1"],
            ),
            ("a ! b", 0, &["a 0-1/3", "a 1/3-2/3", "b 2/3-1"]),
            ("a*2 b", 0, &["a 0-1/4", "a 1/4-1/2", "b 1/2-1"]),
            ("a(3,8)", 0, &["a 0-1/8", "a 3/8-1/2", "a 3/4-7/8"]),
            ("a(3,8,2)", 0, &["a 1/8-1/4", "a 1/2-5/8", "a 3/4-7/8"]),
            ("<a b c>", 0, &["a 0-1"]),
            ("<a b c>", 1, &["b 1-2"]),
            ("<a b c>", 5, &["c 5-6"]),
            ("<a <b c>>", 3, &["c 3-4"]),
            ("a <b c>", 1, &["a 1-3/2", "c 3/2-2"]),
            ("[a, b c]", 0, &["a 0-1", "b 0-1/2", "c 1/2-1"]),
            ("a/2", 0, &["a 0-2"]),
            ("a/2", 1, &[]),
            ("[a b]/2", 1, &["b 1-2"]),
            (
                "{a b c}%4",
                0,
                &["a 0-1/4", "b 1/4-1/2", "c 1/2-3/4", "a 3/4-1"],
            ),
            (
                "{a b c}%4",
                1,
                &["b 1-5/4", "c 5/4-3/2", "a 3/2-7/4", "b 7/4-2"],
            ),
            (
                "{a b, c d e}",
                0,
                &["a 0-1/2", "c 0-1/2", "b 1/2-1", "d 1/2-1"],
            ),
            ("a . b", 0, &["a 0-1/3", "b 2/3-1"]),
            (
                "[a [b c]]*2",
                0,
                &[
                    "a 0-1/4",
                    "b 1/4-3/8",
                    "c 3/8-1/2",
                    "a 1/2-3/4",
                    "b 3/4-7/8",
                    "c 7/8-1",
                ],
            ),
            ("a ~ ~ b", 0, &["a 0-1/4", "b 3/4-1"]),
            ("a _ b _ _", 0, &["a 0-2/5", "b 2/5-1"]),
            ("a - b [- c]", 0, &["a 0-1/4", "b 1/2-3/4", "c 7/8-1"]),
        ];
        for (text, cycle, want) in table {
            assert_eq!(onsets(text, *cycle), *want, "{text} in cycle {cycle}");
        }
    }

    #[test]
    fn randomness_follows_the_seed() {
        let node = parse("x?*16").expect("parses");
        let count = |seed| cycle_events(&node, 0, seed).expect("expands").len();
        assert_eq!(count(7), count(7));
        let counts: Vec<usize> = (0..8).map(count).collect();
        assert!(counts.iter().any(|c| *c != counts[0]), "{counts:?}");
        assert!(counts.iter().all(|c| (2..=14).contains(c)), "{counts:?}");
        let choice = parse("[a | b | c]").expect("parses");
        let picks: Vec<String> = (0..12)
            .map(|c| {
                format!(
                    "{:?}",
                    cycle_events(&choice, c, 3).expect("expands")[0].atom
                )
            })
            .collect();
        assert!(picks.iter().any(|p| p != &picks[0]), "{picks:?}");
    }
}
