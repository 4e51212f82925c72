//! End to end: the real binary in a detached tmux session (fixed size, null output), driven
//! with `tmux send-keys` and read back with `tmux capture-pane -p`. Every wait polls the
//! screen until the expected text appears (20 s at most), so a busy machine only makes the
//! test slower, never wrong. Without tmux the tests fail (`make test` installs it): a missing
//! tool must not look like a pass.

mod support;

use std::path::Path;
use support::tmux_session::TmuxSession;

const PROMPT: &str = "chronus-test$ ";

/// A tmux session (the shared harness) with the steps these tests repeat.
struct Tmux {
    session: TmuxSession,
}

impl std::ops::Deref for Tmux {
    type Target = TmuxSession;
    fn deref(&self) -> &TmuxSession {
        &self.session
    }
}

impl Tmux {
    fn start(width: u16, height: u16) -> Option<Tmux> {
        Some(Tmux {
            session: TmuxSession::start(width, height),
        })
    }

    fn chronus(&self, env: &str) {
        let bin = env!("CARGO_BIN_EXE_chronus");
        self.line(&format!("{env}{bin} --output null --osc-port 0"));
        self.wait_for("the instrument's screen", |s| {
            s.contains(" meters ") && s.contains(" phrase ") && s.contains("played")
        });
    }

    /// Checks the shell is back with the terminal in cooked mode (echo and line editing).
    fn assert_terminal_restored(&self) {
        self.wait_for("the shell prompt after leaving", |s| {
            !s.contains(" meters ") && last_line(s).starts_with(PROMPT.trim_end())
        });
        self.line("echo STTY=$(stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo)' | paste -sd, -)");
        let screen = self.wait_for("the stty report", |s| {
            s.lines().any(|l| l.starts_with("STTY="))
        });
        let report = screen
            .lines()
            .find(|l| l.starts_with("STTY="))
            .unwrap_or_default();
        assert_eq!(
            report.trim(),
            "STTY=icanon,echo",
            "raw mode left on:\n{screen}"
        );
    }
}

fn last_line(screen: &str) -> &str {
    screen
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
}

/// The number after `played` in the meters pane.
fn blocks_played(screen: &str) -> Option<u64> {
    let at = screen.find("played ")?;
    screen[at + 7..]
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// The patch pane's `filter` row.
fn filter_row(screen: &str) -> String {
    screen
        .lines()
        .find(|l| l.starts_with("│filter "))
        .unwrap_or_default()
        .to_string()
}

/// The text of the input line (after the prompt).
fn input_line(screen: &str) -> String {
    let lines: Vec<&str> = screen.lines().collect();
    let Some(i) = lines.iter().rposition(|l| l.contains(" phrase ")) else {
        return String::new();
    };
    lines
        .get(i + 1)
        .map(|l| {
            l.trim_matches(|c: char| c == '│' || c.is_whitespace())
                .to_string()
        })
        .unwrap_or_default()
}

fn caret_under(screen: &str, word_line: &str, carets: &str) -> bool {
    let lines: Vec<&str> = screen.lines().collect();
    lines
        .windows(2)
        .any(|w| match (w[0].find(word_line), w[1].find(carets)) {
            (Some(a), Some(b)) => {
                let col_a = w[0][..a].chars().count() + 2;
                let col_b = w[1][..b].chars().count();
                col_a == col_b
            }
            _ => false,
        })
}

#[test]
fn the_instrument_plays_edits_recalls_resizes_and_restores_the_terminal() {
    let Some(tmux) = Tmux::start(120, 40) else {
        return;
    };
    tmux.chronus("");

    // The meters update: blocks played keep increasing.
    let first = tmux.wait_for("a blocks-played count", |s| blocks_played(s).is_some());
    let before = blocks_played(&first).unwrap_or(0);
    tmux.wait_for("blocks played to increase", |s| {
        blocks_played(s).is_some_and(|n| n > before)
    });

    // A relative phrase changes the patch pane.
    assert!(filter_row(&first).contains("2000 Hz"), "{first}");
    tmux.line("gate on");
    tmux.line("filter darker");
    tmux.wait_for("the cutoff at 1400 Hz in the patch pane", |s| {
        filter_row(s).contains("1400 Hz")
    });

    // A misspelt word gets a caret under it.
    tmux.line("flitter darker");
    tmux.wait_for("a caret under the misspelt word", |s| {
        caret_under(s, "> flitter darker", "^^^^^^^") && s.contains("did you mean")
    });

    // History: Up recalls the last lines; the recalled line performs again.
    tmux.press("Up");
    tmux.wait_for("the last line recalled", |s| {
        input_line(s) == "> flitter darker"
    });
    tmux.press("Up");
    tmux.wait_for("the line before recalled", |s| {
        input_line(s) == "> filter darker"
    });
    tmux.press("Enter");
    tmux.wait_for("the recalled darker applied (980 Hz)", |s| {
        filter_row(s).contains("980 Hz")
    });

    // A worker failure is survived and shown in the meters, without a word on the screen.
    tmux.line("fault panic");
    let after_fault = tmux.wait_for("the failover in the meters", |s| {
        s.contains("failovers 1") && s.contains("worker gen 2")
    });
    assert!(!after_fault.contains("panicked"), "{after_fault}");
    assert!(
        filter_row(&after_fault).contains("980 Hz"),
        "the patch survives: {after_fault}"
    );

    // Resize to 80×24: input and meters still there, nothing wider than the window.
    let out = tmux.run(&["resize-window", "-t", "main", "-x", "80", "-y", "24"]);
    assert!(out.status.success(), "resize-window: {out:?}");
    let small = tmux.wait_for("the screen redrawn at 80×24", |s| {
        s.lines().count() <= 24
            && s.lines().all(|l| l.chars().count() <= 80)
            && s.contains(" meters ")
            && s.contains(" phrase ")
            && s.lines()
                .any(|l| l.starts_with("└") && l.chars().count() == 80)
    });
    assert!(small.contains("played"), "{small}");

    // quit: the shell is back and the terminal is in cooked mode.
    tmux.line("quit");
    tmux.assert_terminal_restored();
    let history =
        std::fs::read_to_string(tmux.home().join("data/chronus/history")).unwrap_or_default();
    assert!(
        history.contains("filter darker"),
        "history file: {history:?}"
    );
    assert!(Path::new(&tmux.home().join("state/chronus/chronus.log")).exists());

    // The history survives the restart; Ctrl-C leaves cleanly too.
    tmux.line("clear");
    tmux.chronus("");
    tmux.press("Up");
    tmux.wait_for("history from the previous run", |s| {
        input_line(s) == "> quit"
    });
    tmux.press("C-c");
    tmux.assert_terminal_restored();
}

#[test]
fn a_panic_on_the_ui_thread_restores_the_terminal_before_it_is_printed() {
    let Some(tmux) = Tmux::start(80, 24) else {
        return;
    };
    tmux.chronus("CHRONUS_TEST_PANIC_LINE=boom ");
    tmux.line("boom");
    let screen = tmux.wait_for("the panic message on the normal screen", |s| {
        s.contains("deliberate panic") && !s.contains(" meters ")
    });
    assert!(
        screen
            .lines()
            .filter(|l| l.contains("deliberate panic"))
            .count()
            == 1,
        "the panic is printed once, on the normal screen:\n{screen}"
    );
    tmux.assert_terminal_restored();
}

#[test]
fn plain_mode_on_a_terminal_is_a_prompt_with_history_and_completion() {
    let Some(tmux) = Tmux::start(100, 30) else {
        return;
    };
    let bin = env!("CARGO_BIN_EXE_chronus");
    tmux.line(&format!("{bin} --plain --output null --osc-port 0"));
    tmux.wait_for("the plain prompt", |s| last_line(s).starts_with("chronus>"));
    tmux.line("filter darker");
    tmux.wait_for("one reply line", |s| {
        s.contains("filter.cutoff 2000 → 1400 Hz")
    });
    // Tab completes a unique word.
    tmux.type_text("triang");
    tmux.press("Tab");
    tmux.wait_for("the word completed", |s| {
        last_line(s) == "chronus> triangle"
    });
    tmux.press("C-u");
    // Up recalls the last line; Enter performs it again.
    tmux.press("Up");
    tmux.wait_for("the last line recalled", |s| {
        last_line(s) == "chronus> filter darker"
    });
    tmux.press("Enter");
    tmux.wait_for("the recalled line performed", |s| {
        s.contains("filter.cutoff 1400 → 980 Hz")
    });
    tmux.line("status");
    tmux.wait_for("the meters line", |s| {
        s.contains("underruns=") && s.contains("blocks_played=")
    });
    tmux.line("quit");
    tmux.assert_terminal_restored();
}
