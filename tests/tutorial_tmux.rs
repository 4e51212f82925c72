//! End to end: the tutorial in the real TUI at 80×24 (null output, in tmux). Opens it with
//! `tutorial`, types each suggested phrase of lessons 1 and 2 as a learner would, and checks
//! that the lesson pane advances while the meters stay on screen; then `back` and
//! `tutorial off`. Fails, saying what to install, when tmux is missing.

mod support;

use chronus::tutorial::builtin_lessons;
use support::tmux_session::TmuxSession;

/// The meters pane's border title, visible whenever the meters are.
const METERS: &str = " meters ";

#[test]
fn a_learner_walks_lessons_one_and_two_by_typing_the_suggestions() {
    let lessons = builtin_lessons().expect("the lessons read");
    let count = lessons.len();
    let tmux = TmuxSession::start(80, 24);
    let bin = env!("CARGO_BIN_EXE_chronus");
    tmux.line(&format!("{bin} --output null --osc-port 0"));
    tmux.wait_for("the instrument's screen", |s| {
        s.contains(METERS) && s.contains("type `tutorial`")
    });
    tmux.line("tutorial");
    for lesson in &lessons[..2] {
        let pane_title = format!("Lesson {}/{count}: {}", lesson.number, lesson.title);
        let screen = tmux.wait_for(&pane_title, |s| s.contains(&pane_title));
        assert!(
            screen.contains(METERS),
            "the lesson hid the meters:\n{screen}"
        );
        assert!(
            screen.contains(&format!("› {}", lesson.tries[0])),
            "the pane shows what to type:\n{screen}"
        );
        for phrase in &lesson.tries {
            tmux.line(phrase);
        }
    }
    let third = format!("Lesson 3/{count}: {}", lessons[2].title);
    let screen = tmux.wait_for(&third, |s| s.contains(&third));
    assert!(screen.contains(METERS), "{screen}");
    assert!(
        screen.contains(&format!("Lesson 3: {}", lessons[2].title)),
        "the log starts the lesson with its heading:\n{screen}"
    );
    tmux.line("back");
    let second = format!("Lesson 2/{count}: {}", lessons[1].title);
    tmux.wait_for("back to lesson 2", |s| s.contains(&second));
    tmux.line("tutorial off");
    let screen = tmux.wait_for("the patch pane again", |s| {
        s.contains("tutorial closed at lesson 2") && !s.contains(&second)
    });
    assert!(screen.contains(METERS), "{screen}");
    tmux.press("C-c");
    tmux.wait_for("chronus to leave", |s| !s.contains(METERS));
}

#[test]
fn plain_mode_starts_every_lesson_with_its_heading_and_notices_when_it_is_done() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let home = tempfile::tempdir().expect("temp home");
    let mut child = Command::new(env!("CARGO_BIN_EXE_chronus"))
        .args(["--output", "null", "--no-osc", "--plain"])
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chronus");
    let input = "tutorial\ngate on\nnext\ntutorial 4\ntutorial off\n";
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write the lines");
    let out = child
        .wait_with_output()
        .expect("chronus ends at the end of input");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lessons = builtin_lessons().expect("the lessons read");
    let headings: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("Lesson "))
        .collect();
    assert_eq!(
        headings,
        vec![
            lessons[0].heading(),
            lessons[1].heading(),
            lessons[2].heading(),
            lessons[3].heading()
        ],
        "{stdout}"
    );
    let done = stdout.find("✓ Lesson 1 done.").expect("lesson 1 noticed");
    let second = stdout.find(&lessons[1].heading()).expect("lesson 2 shown");
    assert!(done < second, "{stdout}");
    assert!(stdout.contains("tutorial closed at lesson 4"), "{stdout}");
}
