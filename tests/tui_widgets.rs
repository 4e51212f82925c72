//! The TUI's panes rendered into a ratatui `TestBackend` at 80×24 and 120×40, compared with
//! committed `insta` snapshots (tests/snapshots/). After a deliberate change to the screen,
//! regenerate them with `INSTA_UPDATE=always cargo test --test tui_widgets` and review the
//! diff in git before committing.

use chronus::control::inbox::LineSource;
use chronus::control::LineError;
use chronus::engine::params::ParamId;
use chronus::engine::PatchState;
use chronus::lang::{PhraseError, PhraseErrorKind};
use chronus::rt::meters::MeterSnapshot;
use chronus::ui::tui::app::App;
use chronus::ui::tui::log_view::LogKind;
use chronus::ui::tui::meters_pane::MetersPane;
use chronus::ui::tui::screen;
use chronus::ui::{LineReport, UiRequest};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::widgets::Widget;
use ratatui::Terminal;
use std::time::{Duration, Instant};

/// Meters as a healthy null device shows them a few seconds in.
fn healthy(underruns: u64, played: u64) -> MeterSnapshot {
    MeterSnapshot {
        ring_capacity_blocks: 263,
        ring_fill: 5,
        ring_fill_min: 3,
        ring_fill_max: 7,
        underruns,
        underrun_frames: underruns * 256,
        blocks_rendered: played + 5,
        blocks_played: played,
        callbacks: played / 4,
        callback_period_ms: 5.8,
        callback_jitter_ms: 0.12,
        dsp_load_pct: 1.4,
        dsp_load_max_pct: 2.5,
        commands_applied: 2,
        latency_ms: 4.25,
        latency_p95_ms: 6.5,
        peak_db: -9.9,
        rms_db: -15.4,
        heartbeat: played + 5,
        heartbeat_age_ms: 1.5,
        sample_rate: 44_100,
        buffer_frames: 256,
        worker_generation: 1,
        standby_ready: true,
        ..MeterSnapshot::default()
    }
}

fn report(text: &str, replies: &[&str], error: Option<PhraseError>) -> LineReport {
    let mut r = LineReport::new(text, LineSource::Keyboard);
    r.replies = replies.iter().map(|s| s.to_string()).collect();
    r.error = error.map(LineError::from);
    r
}

/// A session a few lines in: gate on, filter darker, a misspelt word with its caret.
fn played_app() -> App {
    let mut patch = PatchState::default();
    let mut app = App::new("null", patch);
    app.log.push(
        LogKind::Notice,
        "chronus — type a phrase and press Enter; F1 for help, Ctrl-C to leave",
    );
    patch.apply(&chronus::engine::command::Command::Gate { on: true });
    app.apply_report(&report("gate on", &["gate on"], None), &patch);
    patch.set(ParamId::FilterCutoff, 1400.0);
    let mut darker = report("filter darker", &["filter.cutoff 2000 → 1400 Hz"], None);
    darker.changed = vec![ParamId::FilterCutoff];
    app.apply_report(&darker, &patch);
    app.apply_report(
        &report(
            "fliter darker",
            &[],
            Some(
                PhraseError::new(
                    PhraseErrorKind::UnknownWord,
                    "fliter darker",
                    0..6,
                    "unknown word \"fliter\"",
                )
                .suggesting(Some("filter".into())),
            ),
        ),
        &patch,
    );
    let t0 = Instant::now();
    for i in 0..20u64 {
        app.meters.update(
            healthy(3, 4000 + 20 * i),
            t0 + Duration::from_millis(50 * i),
            0,
        );
    }
    app.editor.insert_str("reso");
    app
}

fn screen(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|f| screen::draw(f, app))
        .expect("draw into a test backend");
    terminal
}

fn row(buffer: &Buffer, y: u16) -> String {
    (0..buffer.area.width)
        .map(|x| buffer[(x, y)].symbol())
        .collect()
}

fn find(buffer: &Buffer, needle: &str) -> Option<(u16, u16)> {
    (0..buffer.area.height).find_map(|y| {
        let r = row(buffer, y);
        r.find(needle)
            .map(|byte| (r[..byte].chars().count() as u16, y))
    })
}

#[test]
fn the_whole_screen_at_80_by_24() {
    let t = screen(&played_app(), 80, 24);
    insta::assert_snapshot!("screen_80x24", t.backend());
}

#[test]
fn the_whole_screen_at_120_by_40() {
    let t = screen(&played_app(), 120, 40);
    insta::assert_snapshot!("screen_120x40", t.backend());
}

#[test]
fn a_narrow_short_screen_keeps_meters_log_and_input() {
    let t = screen(&played_app(), 60, 20);
    let b = t.backend().buffer();
    assert!(find(b, " meters ").is_some(), "{}", t.backend());
    assert!(find(b, " log ").is_some());
    assert!(find(b, "> reso").is_some());
    insta::assert_snapshot!("screen_60x20", t.backend());
}

#[test]
fn the_error_caret_sits_under_the_misspelt_word() {
    for (w, h) in [(80, 24), (120, 40)] {
        let t = screen(&played_app(), w, h);
        let b = t.backend().buffer();
        let (word_x, word_y) = find(b, "> fliter").expect("the echoed line");
        let (caret_x, caret_y) = find(b, "^^^^^^").expect("the caret line");
        assert_eq!(caret_y, word_y + 1, "{}", t.backend());
        assert_eq!(caret_x, word_x + 2, "{}", t.backend());
        assert_eq!(b[(caret_x, caret_y)].fg, Color::Red);
    }
}

#[test]
fn the_last_changed_parameter_is_highlighted_in_the_patch_pane() {
    let t = screen(&played_app(), 80, 24);
    let b = t.backend().buffer();
    let (x, y) = find(b, "1400 Hz").expect("the new cutoff in the patch pane");
    assert!(y < 11, "the patch pane is on top: {}", t.backend());
    assert_eq!(b[(x, y)].bg, Color::Yellow);
    let (x, y) = find(b, "saw").expect("the wave");
    assert_ne!(b[(x, y)].bg, Color::Yellow);
}

fn meters_pane(view: &chronus::ui::tui::meter_view::MeterView, width: u16) -> Buffer {
    let area = Rect::new(0, 0, width, screen::METERS_HEIGHT);
    let mut buf = Buffer::empty(area);
    MetersPane::new(view, "null").render(area, &mut buf);
    buf
}

#[test]
fn rising_underruns_turn_red_and_calm_ones_do_not() {
    let t0 = Instant::now();
    let mut app = played_app();
    // Calm: 3 underruns long ago, none in the last second.
    let calm = meters_pane(&app.meters, 40);
    let (x, y) = find(&calm, "underruns 3").expect("underrun line");
    assert_ne!(calm[(x + 10, y)].fg, Color::Red);
    // Rising: 3 → 9 → 17 within the last second.
    app.meters
        .update(healthy(9, 5000), t0 + Duration::from_millis(1100), 1);
    app.meters
        .update(healthy(17, 5020), t0 + Duration::from_millis(1150), 2);
    let rising = meters_pane(&app.meters, 40);
    let (x, y) = find(&rising, "underruns 17").expect("underrun line");
    assert_eq!(rising[(x + 10, y)].fg, Color::Red);
    assert!(
        row(&rising, y).contains("last 1 s 14"),
        "{}",
        row(&rising, y)
    );
    insta::assert_snapshot!("meters_rising_underruns", format!("{rising:?}"));
}

#[test]
fn the_meters_pane_shows_every_promised_meter() {
    let app = played_app();
    let buf = meters_pane(&app.meters, 40);
    let text: String = (0..buf.area.height).map(|y| row(&buf, y) + "\n").collect();
    for needle in [
        "out null",
        "44100 Hz",
        "buf 256",
        "ring ",
        "min 3 max 7",
        "underruns 3",
        "latency 4.25 ms",
        "p95 6.50 ms",
        "jitter 0.12 ms",
        "played 4380",
        "dsp",
        "2.5%",
        "pk -9.9",
        "rms -15.4",
        "worker gen 1",
        "age 2 ms",
        "warnings 0",
        "steals 0",
        "beat 0.0",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
}

#[test]
fn failovers_and_a_standby_being_rebuilt_are_shown() {
    let mut app = played_app();
    let mut s = healthy(3, 6000);
    s.worker_generation = 3;
    s.failovers_panic = 1;
    s.failovers_hang = 1;
    s.standby_ready = false;
    s.leaked_threads = 1;
    app.meters
        .update(s, Instant::now() + Duration::from_secs(2), 0);
    let buf = meters_pane(&app.meters, 46);
    let text: String = (0..buf.area.height).map(|y| row(&buf, y) + "\n").collect();
    for needle in [
        "worker gen 3",
        "failovers 2 (p1 h1 n0)",
        "standby wait",
        "leaked 1",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
}

#[test]
fn help_covers_the_screen_with_keys_and_phrases() {
    let mut app = played_app();
    let mut help = report("help", &[], None);
    help.requests = vec![UiRequest::Help];
    app.apply_report(&help, &app.patch.clone());
    let t = screen(&app, 80, 24);
    let b = t.backend().buffer();
    for needle in ["Ctrl-R", "Tab", "PgUp/PgDn", "filter darker", "quit"] {
        assert!(
            find(b, needle).is_some(),
            "help lacks {needle}:\n{}",
            t.backend()
        );
    }
    insta::assert_snapshot!("help_80x24", t.backend());
}

#[test]
fn the_patch_pane_shows_the_voice_chain_with_filter2_and_the_effect_order() {
    let mut patch = PatchState::default();
    patch.set(ParamId::Filter2On, 1.0);
    patch.set(ParamId::ReverbOrder, 3.0);
    patch.set(ParamId::DelayOrder, 4.0);
    let app = App::new("null", patch);
    let t = screen(&app, 160, 40);
    let b = t.backend().buffer();
    assert!(
        find(
            b,
            "filter lowpass 2000 Hz → filter2 highpass 200 Hz → amp -6 dB"
        )
        .is_some(),
        "{}",
        t.backend()
    );
    assert!(find(b, "reverb → delay").is_some(), "{}", t.backend());
    assert!(find(b, "filter2.on").is_none(), "not in an `other` row");
}

#[test]
fn seams_and_spared_hangs_show_on_the_worker_line_only_once_they_happen() {
    let mut view = chronus::ui::tui::meter_view::MeterView::default();
    view.update(healthy(0, 5000), Instant::now(), 0);
    let quiet = meters_pane(&view, 80);
    let (_, y) = find(&quiet, "worker gen").expect("worker line");
    assert!(!row(&quiet, y).contains("seams"), "{}", row(&quiet, y));
    assert!(!row(&quiet, y).contains("spared"), "{}", row(&quiet, y));

    let mut after = healthy(0, 6000);
    after.seams = 3;
    after.seams_off_beat = 1;
    after.hangs_spared = 2;
    view.update(after, Instant::now(), 0);
    let shown = meters_pane(&view, 80);
    let (_, y) = find(&shown, "worker gen").expect("worker line");
    let line = row(&shown, y);
    assert!(line.contains("seams 3 off 1"), "{line}");
    assert!(line.contains("spared 2"), "{line}");
    let (x, y) = find(&shown, "off 1").expect("off-beat count");
    assert_eq!(shown[(x, y)].fg, Color::Red);
}
