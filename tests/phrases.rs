//! Table-driven phrase tests: every line of `tests/data/phrases.txt` is resolved from the
//! default patch and compared with its expected canonical actions (or error column).
//!
//! Format of the table (one case per line, `#` starts a comment line):
//!   `PHRASE => ACTION | ACTION ...`   canonical actions in order; an action's note in
//!                                      parentheses: `set filter.cutoff 20000 (clamped to 20000 Hz (max))`
//!   `PHRASE => (none)`                 resolves to no action
//!   `PHRASE => error COLUMN: TEXT`     fails at that 1-based column; TEXT is part of the message
//! To see what the resolver answers today (e.g. after adding cases), run
//! `CHRONUS_PRINT_PHRASES=1 cargo test --test phrases -- --nocapture table` and review it.

use chronus::engine::params::ParamId;
use chronus::engine::PatchState;
use chronus::lang::{resolve_line, Action, Vocabulary};

const TABLE: &str = include_str!("data/phrases.txt");
const EXAMPLES: &str = include_str!("../grammar/examples.txt");

enum Expect {
    Actions(Vec<String>),
    Error { column: usize, text: String },
}

struct Case {
    line: usize,
    phrase: String,
    expect: Expect,
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for (i, raw) in TABLE.lines().enumerate() {
        if raw.trim().is_empty() || raw.trim_start().starts_with('#') {
            continue;
        }
        let (phrase, rhs) = raw
            .split_once(" => ")
            .unwrap_or_else(|| panic!("phrases.txt:{}: no ` => `", i + 1));
        let rhs = rhs.trim();
        let expect = if let Some(err) = rhs.strip_prefix("error ") {
            let (col, text) = err.split_once(':').unwrap_or((err, ""));
            Expect::Error {
                column: col
                    .trim()
                    .parse()
                    .unwrap_or_else(|_| panic!("phrases.txt:{}: bad column", i + 1)),
                text: text.trim().to_string(),
            }
        } else if rhs == "(none)" {
            Expect::Actions(Vec::new())
        } else {
            Expect::Actions(rhs.split(" | ").map(|s| s.trim().to_string()).collect())
        };
        out.push(Case {
            line: i + 1,
            phrase: phrase.to_string(),
            expect,
        });
    }
    out
}

/// `canonical` or `canonical (note)`, as written in the table.
fn shown(a: &Action) -> String {
    match a {
        Action::Engine(e) => match &e.note {
            Some(n) => format!("{} ({n})", a.canonical()),
            None => a.canonical(),
        },
        Action::Meta(_) => a.canonical(),
    }
}

fn actual(phrase: &str, vocab: &Vocabulary) -> String {
    match resolve_line(phrase, &PatchState::default(), vocab) {
        Ok(actions) if actions.is_empty() => "(none)".into(),
        Ok(actions) => actions.iter().map(shown).collect::<Vec<_>>().join(" | "),
        Err(e) => format!("error {}: {}", e.column, e.summary()),
    }
}

#[test]
fn table_of_phrases_resolves_to_the_expected_actions() {
    let vocab = Vocabulary::builtin();
    let cases = cases();
    assert!(cases.len() >= 200, "only {} cases", cases.len());
    let print = std::env::var_os("CHRONUS_PRINT_PHRASES").is_some();
    let mut failures = Vec::new();
    for c in &cases {
        if print {
            println!("{} => {}", c.phrase, actual(&c.phrase, &vocab));
        }
        let result = resolve_line(&c.phrase, &PatchState::default(), &vocab);
        match (&c.expect, result) {
            (Expect::Actions(want), Ok(actions)) => {
                let got: Vec<String> = actions.iter().map(shown).collect();
                if &got != want {
                    failures.push(format!(
                        "line {}: `{}`\n   want {want:?}\n   got  {got:?}",
                        c.line, c.phrase
                    ));
                }
            }
            (Expect::Error { column, text }, Err(e)) => {
                if e.column != *column || !e.summary().contains(text.as_str()) {
                    failures.push(format!(
                        "line {}: `{}`\n   want error at {column} containing {text:?}\n   got  {}",
                        c.line,
                        c.phrase,
                        e.summary()
                    ));
                }
                // Every error renders with a caret under its column.
                let r = e.render(&c.phrase);
                let caret = r.lines().nth(1).and_then(|l| l.find('^'));
                if caret.map(|b| r.lines().nth(1).map_or(0, |l| l[..b].chars().count()) + 1)
                    != Some(e.column)
                {
                    failures.push(format!(
                        "line {}: caret not under column {}:\n{r}",
                        c.line, e.column
                    ));
                }
            }
            (_, got) => failures.push(format!(
                "line {}: `{}`: unexpected {}",
                c.line,
                c.phrase,
                match got {
                    Ok(a) => format!("success {:?}", a.iter().map(shown).collect::<Vec<_>>()),
                    Err(e) => format!("error {}", e.summary()),
                }
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn canonical_lines_resolve_back_to_the_same_actions() {
    let vocab = Vocabulary::builtin();
    let mut checked = 0;
    for c in cases() {
        let mut patch = PatchState::default();
        let Ok(actions) = resolve_line(&c.phrase, &patch, &vocab) else {
            continue;
        };
        for a in actions {
            let Action::Engine(e) = &a else { continue };
            let again = resolve_line(&a.canonical(), &patch, &vocab)
                .unwrap_or_else(|err| panic!("`{}` (from `{}`): {}", a.canonical(), c.phrase, err));
            let canon: Vec<String> = again.iter().map(Action::canonical).collect();
            assert_eq!(canon, vec![a.canonical()], "from `{}`", c.phrase);
            patch.apply(&e.command);
            checked += 1;
        }
    }
    assert!(checked >= 200, "only {checked} actions checked");
}

fn cutoff_after(phrase: &str) -> f32 {
    let vocab = Vocabulary::builtin();
    let mut patch = PatchState::default();
    for a in
        resolve_line(phrase, &patch.clone(), &vocab).unwrap_or_else(|e| panic!("{phrase}: {e}"))
    {
        if let Some(c) = a.command() {
            patch.apply(&c);
        }
    }
    patch.get(ParamId::FilterCutoff)
}

#[test]
fn intensity_words_order_the_size_of_the_step() {
    let darker = [
        "slightly darker",
        "a bit darker",
        "darker",
        "much darker",
        "a lot darker",
        "way darker",
    ];
    let values: Vec<f32> = darker.iter().map(|p| cutoff_after(p)).collect();
    assert!(
        values.windows(2).all(|w| w[0] > w[1]),
        "{darker:?} → {values:?}"
    );
    assert!(
        values[0] < 2000.0,
        "even `slightly darker` lowers the cutoff"
    );
    let brighter = ["a bit brighter", "brighter", "much brighter"];
    let values: Vec<f32> = brighter.iter().map(|p| cutoff_after(p)).collect();
    assert!(
        values.windows(2).all(|w| w[0] < w[1]) && values[0] > 2000.0,
        "{values:?}"
    );
}

#[test]
fn darker_then_brighter_returns_to_the_start() {
    for intensity in ["", "slightly ", "a bit ", "much ", "a lot ", "way "] {
        let end = cutoff_after(&format!("{intensity}darker then {intensity}brighter"));
        assert!((end - 2000.0).abs() / 2000.0 < 0.001, "{intensity}: {end}");
    }
}

#[test]
fn every_example_line_of_the_grammar_resolves() {
    let vocab = Vocabulary::builtin();
    let mut n = 0;
    for (i, line) in EXAMPLES.lines().enumerate() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        n += 1;
        if let Err(e) = resolve_line(line, &PatchState::default(), &vocab) {
            panic!(
                "grammar/examples.txt:{}: {}\n{}",
                i + 1,
                line,
                e.render(line)
            );
        }
    }
    assert!(n >= 50, "only {n} examples");
}
