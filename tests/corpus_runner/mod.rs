//! The shared runner for the natural-phrasing corpora (`tests/data/*phrases*.txt`, issue 15):
//! each line is `PHRASE => EXPECTATION`, resolved on its own from the default patch as
//! `chronus explain` does, and checked against its expectation (exact canonical actions, a
//! direction, a question, an explanation or an error). `run_corpus` prints the share understood
//! per class and overall, with every miss, and fails below the floor.

use chronus::engine::command::Command;
use chronus::engine::params::ParamId;
use chronus::engine::PatchState;
use chronus::lang::{resolve_line, Action, Meta, Vocabulary};

#[derive(Debug)]
enum Expect {
    /// Exact canonical engine actions, in order.
    Exact(Vec<String>),
    /// Each parameter moves that way from its default (`up`, `down`, or `set` = any set).
    Moves(Vec<(ParamId, String)>),
    Track,
    Ask(ParamId),
    Explain,
    Define,
    Words,
    Error,
}

struct Case {
    class: String,
    line: usize,
    phrase: String,
    expect: Expect,
}

fn param(name: &str, line: usize) -> ParamId {
    ParamId::from_name(name).unwrap_or_else(|| panic!("corpus:{line}: no parameter {name}"))
}

fn parse_expect(rhs: &str, line: usize) -> Expect {
    let rhs = rhs.trim();
    if rhs == "error" {
        return Expect::Error;
    }
    if rhs == "explain" {
        return Expect::Explain;
    }
    if let Some(p) = rhs.strip_prefix("ask ") {
        return Expect::Ask(param(p.trim(), line));
    }
    match rhs {
        "~ track" => return Expect::Track,
        "~ define" => return Expect::Define,
        "~ words" => return Expect::Words,
        _ => {}
    }
    if rhs.starts_with("~ ") {
        let moves = rhs
            .split(" & ")
            .map(|m| {
                let mut w = m.trim().trim_start_matches("~ ").split_whitespace();
                let p = param(w.next().unwrap_or(""), line);
                (p, w.next().unwrap_or("").to_string())
            })
            .collect();
        return Expect::Moves(moves);
    }
    Expect::Exact(rhs.split(" | ").map(|s| s.trim().to_string()).collect())
}

fn cases(corpus: &str) -> Vec<Case> {
    let mut out = Vec::new();
    let mut class = String::from("?");
    for (i, raw) in corpus.lines().enumerate() {
        let t = raw.trim();
        if let Some(c) = t.strip_prefix("# class ") {
            class = c.split(':').next().unwrap_or("?").trim().to_string();
            continue;
        }
        if t == "# refused" {
            class = "refused".into();
            continue;
        }
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let Some((phrase, rhs)) = raw.rsplit_once(" => ") else {
            panic!("corpus:{}: no ` => `", i + 1);
        };
        out.push(Case {
            class: class.clone(),
            line: i + 1,
            phrase: phrase.to_string(),
            expect: parse_expect(rhs, i + 1),
        });
    }
    out
}

/// Two canonical lines are the same action; numbers may differ in the last shown digit.
fn same_action(got: &str, want: &str) -> bool {
    if got == want {
        return true;
    }
    let (g, w): (Vec<&str>, Vec<&str>) = (
        got.split_whitespace().collect(),
        want.split_whitespace().collect(),
    );
    g.len() == w.len()
        && g.iter().zip(&w).all(|(a, b)| {
            a == b
                || match (a.parse::<f64>(), b.parse::<f64>()) {
                    (Ok(x), Ok(y)) => (x - y).abs() <= 0.051 + 1e-3 * y.abs(),
                    _ => false,
                }
        })
}

fn engine_lines(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .filter(|a| matches!(a, Action::Engine(_)))
        .map(Action::canonical)
        .collect()
}

/// Whether `actions` meet `expect`; on a miss, what happened instead.
fn check(expect: &Expect, result: Result<Vec<Action>, String>) -> Result<(), String> {
    let actions = match (expect, result) {
        (Expect::Error, Err(_)) => return Ok(()),
        (Expect::Error, Ok(a)) => return Err(format!("not refused: {:?}", engine_lines(&a))),
        (_, Err(e)) => return Err(e),
        (_, Ok(a)) => a,
    };
    let lines = engine_lines(&actions);
    let metas: Vec<&Meta> = actions
        .iter()
        .filter_map(|a| match a {
            Action::Meta(m) => Some(m),
            Action::Engine(_) => None,
        })
        .collect();
    let ok = match expect {
        Expect::Exact(want) => {
            lines.len() == want.len() && lines.iter().zip(want).all(|(g, w)| same_action(g, w))
        }
        Expect::Moves(moves) => moves.iter().all(|(p, dir)| {
            let default = PatchState::default().get(*p);
            let last = actions.iter().rev().find_map(|a| match a.command() {
                Some(Command::Set { param, value }) if param == *p => Some(value),
                _ => None,
            });
            match (dir.as_str(), last) {
                ("up", Some(v)) => v > default,
                ("down", Some(v)) => v < default,
                ("set", Some(_)) => true,
                _ => false,
            }
        }),
        Expect::Track => actions.iter().any(|a| {
            matches!(
                a.command(),
                Some(Command::SetTrack { .. } | Command::SetStep { .. })
            ) || matches!(a, Action::Meta(Meta::Track { .. }))
        }),
        Expect::Ask(p) => {
            lines.is_empty()
                && metas
                    .iter()
                    .any(|m| matches!(m, Meta::Answer { param, .. } if param == p))
        }
        Expect::Explain => {
            lines.is_empty() && metas.iter().any(|m| matches!(m, Meta::Explain { .. }))
        }
        Expect::Define => {
            lines.is_empty() && metas.iter().any(|m| m.canonical().starts_with("define "))
        }
        Expect::Words => lines.is_empty() && metas.iter().any(|m| m.canonical() == "words"),
        Expect::Error => unreachable!("handled above"),
    };
    if ok {
        Ok(())
    } else {
        let shown: Vec<String> = actions.iter().map(Action::canonical).collect();
        Err(format!("got {}", shown.join(" | ")))
    }
}

/// Runs `corpus`, prints the table and the misses, and asserts at least `min_cases` phrases
/// and a share understood of at least `floor`; returns the share.
pub fn run_corpus(corpus: &str, min_cases: usize, floor: f64) -> f64 {
    let vocab = Vocabulary::builtin();
    let patch = PatchState::default();
    let cases = cases(corpus);
    assert!(
        cases.len() >= min_cases,
        "the corpus has {} phrases",
        cases.len()
    );
    let mut classes: Vec<(String, usize, usize)> = Vec::new();
    let mut misses = Vec::new();
    for c in &cases {
        let result = resolve_line(&c.phrase, &patch, &vocab).map_err(|e| {
            format!(
                "refused: {}",
                e.render(&c.phrase).lines().last().unwrap_or("")
            )
        });
        let outcome = check(&c.expect, result);
        if !classes.iter().any(|(k, _, _)| *k == c.class) {
            classes.push((c.class.clone(), 0, 0));
        }
        if let Some(entry) = classes.iter_mut().find(|(k, _, _)| *k == c.class) {
            entry.2 += 1;
            if outcome.is_ok() {
                entry.1 += 1;
            }
        }
        if let Err(why) = outcome {
            misses.push(format!(
                "  corpus:{} [{}] {:?} expected {:?}: {why}",
                c.line, c.class, c.phrase, c.expect
            ));
        }
    }
    let understood: usize = classes.iter().map(|(_, ok, _)| ok).sum();
    let share = understood as f64 / cases.len() as f64;
    println!("class       understood");
    for (class, ok, n) in &classes {
        println!(
            "{class:<11} {ok:>3}/{n:<3} {:5.1}%",
            100.0 * *ok as f64 / *n as f64
        );
    }
    println!(
        "overall     {understood}/{} {:5.1}%",
        cases.len(),
        100.0 * share
    );
    println!("misses ({}):", misses.len());
    for m in &misses {
        println!("{m}");
    }
    assert!(
        share >= floor,
        "only {:.1}% of the corpus is understood (floor {:.1}%)",
        100.0 * share,
        100.0 * floor
    );
    share
}
