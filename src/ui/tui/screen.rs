//! The screen layout: patch (or the tutorial's lesson) and meters side by side on top (stacked or dropped when narrow or
//! short), the log filling the middle, the input line at the bottom, help over everything.
//!
//! Runs on the control (UI) thread.

use super::app::App;
use super::help_pane::HelpPane;
use super::input_pane::InputPane;
use super::lesson_pane::LessonPane;
use super::log_pane::LogPane;
use super::meters_pane::{MetersPane, METER_LINES};
use super::patch_pane::{LiveFacts, PatchPane};
use ratatui::layout::Rect;
use ratatui::Frame;

/// Rows of the input pane.
pub const INPUT_HEIGHT: u16 = 3;
/// Rows the meters pane takes.
pub const METERS_HEIGHT: u16 = METER_LINES + 2;
/// Fewest rows the log keeps when the screen is short.
pub const MIN_LOG_HEIGHT: u16 = 3;
/// Narrower than this, the patch and meters panes stack instead of sitting side by side.
pub const SIDE_BY_SIDE_WIDTH: u16 = 72;

/// Where each pane goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScreenAreas {
    /// The patch pane, if there is room.
    pub patch: Option<Rect>,
    /// The meters pane, if there is room.
    pub meters: Option<Rect>,
    /// The log.
    pub log: Rect,
    /// The input line.
    pub input: Rect,
}

fn rows(area: Rect, y: u16, height: u16) -> Rect {
    Rect {
        x: area.x,
        y,
        width: area.width,
        height,
    }
}

/// Lays the panes out in `area`, given the height the patch pane would like at a width.
pub fn layout(area: Rect, patch_height: impl Fn(u16) -> u16) -> ScreenAreas {
    let input_h = INPUT_HEIGHT.min(area.height);
    let input = rows(area, area.bottom() - input_h, input_h);
    let above = area.height - input_h;
    let mut patch = None;
    let mut meters = None;
    let mut top = 0;
    if area.width >= SIDE_BY_SIDE_WIDTH {
        let meters_w = if area.width >= 100 {
            46
        } else {
            area.width / 2
        };
        let patch_w = area.width - meters_w;
        let want = patch_height(patch_w).max(METERS_HEIGHT);
        top = want.min(above.saturating_sub(MIN_LOG_HEIGHT));
        if top >= 4 {
            patch = Some(Rect::new(area.x, area.y, patch_w, top));
            meters = Some(Rect::new(area.x + patch_w, area.y, meters_w, top));
        } else {
            top = 0;
        }
    } else {
        let meters_h = METERS_HEIGHT.min(above.saturating_sub(MIN_LOG_HEIGHT));
        if meters_h >= 4 {
            meters = Some(rows(area, area.y, meters_h));
            top = meters_h;
            let patch_h = patch_height(area.width);
            if above >= top + patch_h + MIN_LOG_HEIGHT + 4 {
                patch = Some(rows(area, area.y + top, patch_h));
                top += patch_h;
            }
        }
    }
    let log = rows(area, area.y + top, above - top);
    ScreenAreas {
        patch,
        meters,
        log,
        input,
    }
}

/// Draws the whole screen.
pub fn draw(frame: &mut Frame<'_>, app: &App) {
    let area = frame.area();
    let snapshot = &app.meters.snapshot;
    let patch_pane = PatchPane::new(&app.patch, app.last_changed).with_live(LiveFacts {
        voices: snapshot.active_voices,
        running: snapshot.transport_running,
        steps: snapshot.track_steps,
    });
    let areas = layout(area, |w| patch_pane.height(w));
    if let Some(a) = areas.patch {
        match &app.lesson {
            Some((lesson, count)) => frame.render_widget(LessonPane::new(lesson, *count), a),
            None => frame.render_widget(patch_pane, a),
        }
    }
    if let Some(a) = areas.meters {
        frame.render_widget(MetersPane::new(&app.meters, &app.device), a);
    }
    app.log_page.set(areas.log.height.saturating_sub(2));
    frame.render_widget(LogPane::new(&app.log), areas.log);
    let input = InputPane::new(app);
    frame.render_widget(input, areas.input);
    if app.show_help {
        frame.render_widget(HelpPane, HelpPane::area(area));
    } else if areas.input.height >= 3 {
        frame.set_cursor_position(input.cursor_position(areas.input));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_80_by_24_every_pane_fits_without_overlap() {
        let a = layout(Rect::new(0, 0, 80, 24), |_| 11);
        let (patch, meters) = (a.patch.unwrap(), a.meters.unwrap());
        assert_eq!(
            patch.height, METERS_HEIGHT,
            "the taller pane sets the height"
        );
        assert_eq!(patch.right(), meters.x);
        assert_eq!(meters.right(), 80);
        assert_eq!(a.log.y, METERS_HEIGHT);
        assert_eq!(a.log.bottom(), a.input.y);
        assert_eq!(a.input.bottom(), 24);
        assert!(a.log.height >= MIN_LOG_HEIGHT);
    }

    #[test]
    fn a_narrow_screen_stacks_and_a_tiny_one_keeps_log_and_input() {
        let a = layout(Rect::new(0, 0, 60, 40), |_| 14);
        let (patch, meters) = (a.patch.unwrap(), a.meters.unwrap());
        assert_eq!(meters.y, 0);
        assert_eq!(patch.y, meters.bottom());
        assert_eq!(a.log.y, patch.bottom());
        let a = layout(Rect::new(0, 0, 30, 8), |_| 14);
        assert!(a.patch.is_none() && a.meters.is_none());
        assert_eq!(a.log.height + a.input.height, 8);
    }
}
