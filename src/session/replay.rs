//! Live replay of a session: a "chronus-session" thread sleeps until each phrase is due and
//! hands it to the control thread through the inbox, exactly as if it had been typed. The
//! control thread resolves and performs it (and the user can type over it meanwhile).
//!
//! [`schedule`] is pure; [`spawn`] runs the schedule on its own thread against the wall clock
//! (deadlines from one start instant, so lateness never accumulates). Not on the audio path.

use super::format::Session;
use super::resolve_session::tempo_phrase;
use crate::control::inbox::{InboxSender, IncomingLine, LineSource};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The longest the player sleeps before looking at its stop flag again.
const STOP_POLL: Duration = Duration::from_millis(20);

/// A checked session ready to be played live, with how to play it (what `chronus play` hands
/// to the UI loop, which calls [`spawn`] with it).
#[derive(Clone, Debug)]
pub struct Playback {
    /// The session.
    pub session: Session,
    /// The file it came from.
    pub path: std::path::PathBuf,
    /// Playback speed (2 = twice as fast).
    pub speed: f64,
    /// Seconds into the session to start at.
    pub from: f64,
}

impl Playback {
    /// Starts playing into `inbox`.
    pub fn spawn(&self, inbox: InboxSender) -> std::io::Result<PlayerHandle> {
        spawn(&self.session, self.speed, self.from, inbox)
    }
}

/// One line to send at a moment after playback starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Cue {
    /// Wall-clock time after the start of playback.
    pub at: Duration,
    /// 1-based line in the session file.
    pub line: usize,
    /// The phrase.
    pub text: String,
}

/// The cues of `session` played at `speed` (2 = twice as fast) starting `from` seconds into
/// it. Phrases before `from` are all sent at once at the start, in order, so the patch is
/// what it would have been at that point. The header tempo is sent first (as `set transport.tempo N`).
pub fn schedule(session: &Session, speed: f64, from: f64) -> Vec<Cue> {
    let speed = if speed.is_finite() && speed > 0.0 {
        speed
    } else {
        1.0
    };
    let mut cues = Vec::with_capacity(session.events.len() + 1);
    if let Some(t) = session.header.tempo {
        cues.push(Cue {
            at: Duration::ZERO,
            line: session.header.tempo_line,
            text: tempo_phrase(t),
        });
    }
    for e in &session.events {
        let wall = ((e.at - from) / speed).max(0.0);
        cues.push(Cue {
            at: Duration::from_secs_f64(wall),
            line: e.line,
            text: e.text.clone(),
        });
    }
    cues
}

/// How a playback ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlayerEnd {
    /// Every line was sent.
    Finished,
    /// [`PlayerHandle::stop`] was called.
    Stopped,
    /// The control thread went away.
    ControlGone,
}

/// The running player.
#[derive(Debug)]
pub struct PlayerHandle {
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicUsize>,
    total: usize,
    length: Duration,
    thread: Option<JoinHandle<PlayerEnd>>,
}

impl PlayerHandle {
    /// Asks the player to stop; it does within [`STOP_POLL`].
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// Lines sent so far and lines in all.
    pub fn progress(&self) -> (usize, usize) {
        (self.sent.load(Ordering::Relaxed), self.total)
    }

    /// Wall-clock time from the start of playback to the last line.
    pub fn length(&self) -> Duration {
        self.length
    }

    /// True once the thread has sent everything (or stopped).
    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Waits for the thread to end.
    pub fn join(mut self) -> PlayerEnd {
        self.join_inner()
    }

    fn join_inner(&mut self) -> PlayerEnd {
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(end)) => end,
            Some(Err(_)) | None => PlayerEnd::Stopped,
        }
    }
}

impl Drop for PlayerHandle {
    fn drop(&mut self) {
        self.stop();
        self.join_inner();
    }
}

/// Starts replaying `session` into `inbox` at `speed` from `from` seconds.
pub fn spawn(
    session: &Session,
    speed: f64,
    from: f64,
    inbox: InboxSender,
) -> std::io::Result<PlayerHandle> {
    spawn_cues(schedule(session, speed, from), inbox)
}

/// Starts sending `cues` into `inbox` at their times.
pub fn spawn_cues(cues: Vec<Cue>, inbox: InboxSender) -> std::io::Result<PlayerHandle> {
    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicUsize::new(0));
    let total = cues.len();
    let length = cues.last().map_or(Duration::ZERO, |c| c.at);
    let (stop2, sent2) = (stop.clone(), sent.clone());
    let thread = std::thread::Builder::new()
        .name("chronus-session".into())
        .spawn(move || run(cues, &inbox, &stop2, &sent2))?;
    Ok(PlayerHandle {
        stop,
        sent,
        total,
        length,
        thread: Some(thread),
    })
}

fn run(cues: Vec<Cue>, inbox: &InboxSender, stop: &AtomicBool, sent: &AtomicUsize) -> PlayerEnd {
    let start = Instant::now();
    for cue in cues {
        loop {
            if stop.load(Ordering::Relaxed) {
                return PlayerEnd::Stopped;
            }
            let now = start.elapsed();
            if now >= cue.at {
                break;
            }
            std::thread::sleep((cue.at - now).min(STOP_POLL));
        }
        let line = IncomingLine {
            text: cue.text,
            source: LineSource::Session { line: cue.line },
            reply_to: None,
        };
        if !inbox.send(line) {
            return PlayerEnd::ControlGone;
        }
        sent.fetch_add(1, Ordering::Relaxed);
    }
    PlayerEnd::Finished
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::inbox::inbox;
    use crate::session::format::parse_session;

    fn session(text: &str) -> Session {
        parse_session(text.as_bytes()).unwrap()
    }

    #[test]
    fn the_schedule_follows_speed_and_start_point() {
        let s = session("tempo 60\n@1 a\n@2 b\n@4 c\n");
        let at = |cues: Vec<Cue>| -> Vec<(f64, String)> {
            cues.into_iter()
                .map(|c| (c.at.as_secs_f64(), c.text))
                .collect()
        };
        assert_eq!(
            at(schedule(&s, 1.0, 0.0)),
            vec![
                (0.0, "set transport.tempo 60".into()),
                (1.0, "a".into()),
                (2.0, "b".into()),
                (4.0, "c".into())
            ]
        );
        assert_eq!(
            at(schedule(&s, 2.0, 0.0))[1..],
            [(0.5, "a".into()), (1.0, "b".into()), (2.0, "c".into())]
        );
        assert_eq!(
            at(schedule(&s, 1.0, 2.5))[1..],
            [(0.0, "a".into()), (0.0, "b".into()), (1.5, "c".into())],
            "lines before --from are sent at once to set the patch up"
        );
    }

    #[test]
    fn lines_arrive_in_order_at_their_times_with_their_line_numbers() {
        let s = session("@0 a\n@0.05 b\n@0.1 c\n");
        let (tx, rx) = inbox();
        let start = Instant::now();
        let player = spawn(&s, 1.0, 0.0, tx).unwrap();
        let mut got = Vec::new();
        while got.len() < 3 {
            let Some(line) = rx.recv_timeout(Duration::from_secs(2)) else {
                panic!("player stalled after {got:?}");
            };
            got.push((start.elapsed(), line.text, line.source));
        }
        assert_eq!(player.join(), PlayerEnd::Finished);
        let texts: Vec<&str> = got.iter().map(|g| g.1.as_str()).collect();
        assert_eq!(texts, ["a", "b", "c"]);
        assert_eq!(got[2].2, LineSource::Session { line: 3 });
        // Generous bounds: never early, not wildly late on a loaded machine.
        assert!(got[2].0 >= Duration::from_millis(100), "{:?}", got[2].0);
        assert!(got[2].0 < Duration::from_millis(600), "{:?}", got[2].0);
    }

    #[test]
    fn stopping_ends_a_long_playback_promptly() {
        let s = session("@0 a\n@3000 b\n");
        let (tx, rx) = inbox();
        let player = spawn(&s, 1.0, 0.0, tx).unwrap();
        assert!(rx.recv_timeout(Duration::from_secs(2)).is_some());
        let t = Instant::now();
        player.stop();
        assert_eq!(player.join(), PlayerEnd::Stopped);
        assert!(t.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn a_vanished_control_thread_ends_playback() {
        let s = session("@0 a\n@0.01 b\n");
        let (tx, rx) = inbox();
        drop(rx);
        let player = spawn(&s, 1.0, 0.0, tx).unwrap();
        assert_eq!(player.join(), PlayerEnd::ControlGone);
    }
}
