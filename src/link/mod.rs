//! Ableton Link (cargo feature `link`): chronus joins a Link session and shares its tempo,
//! start/stop and bar phase (quantum 4) with the other apps and machines in it.
//!
//! - `link on` / `--link`, `link off`; `status` shows `link_peers=` and `link_tempo=`.
//! - A peer's tempo arrives as the phrase `tempo 133` (performed and recorded like a typed
//!   one); a local tempo change is committed to the session.
//! - With Link on, `start` does not start at once: it asks the session to play, and every
//!   peer (this one too) starts its transport on the next bar line of the shared timeline,
//!   sent early by the output latency so the downbeat is heard on the bar. `stop` stops
//!   everyone.
//! - A peer proposing a tempo outside 20..300 bpm is ignored and counted (`link_refused=`).
//!
//! The thread `chronus-link` polls the session every 5 ms; never on the audio path. Link is
//! GPL-2.0-or-later: a chronus binary built with this feature is GPL-2.0-or-later.

use crate::control::extension::{ExtensionReply, PhraseExtension};
use crate::control::inbox::{InboxSender, IncomingLine, LineSource};
use crate::control::LineReport;
use crate::engine::command::Command;
use crate::engine::params::ParamId;
use crate::engine::PatchState;
use crate::lang::action::Action;
use crate::lang::Vocabulary;
use rusty_link::{AblLink, SessionState};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Beats in a bar: peers align bars, not only beats.
const QUANTUM: f64 = 4.0;
/// How often the session is read.
const POLL: Duration = Duration::from_millis(5);

/// What the Link thread and the phrases share.
struct Shared {
    link: AblLink,
    /// The tempo chronus last heard or said, in millibpm.
    tempo_milli: AtomicU64,
    peers: AtomicU64,
    refused: AtomicU64,
    stop: AtomicBool,
    /// The session plays (as chronus last acted on it).
    playing: AtomicBool,
    /// Serialises session-state commits from the two threads.
    commit: Mutex<()>,
}

/// The Link phrases and the session (owned by the performer).
pub struct LinkPhrases {
    inbox: InboxSender,
    lead: Duration,
    shared: Option<Arc<Shared>>,
}

impl LinkPhrases {
    /// Link phrases sending peer changes to `inbox`; `lead` is the output latency.
    pub fn new(inbox: InboxSender, lead: Duration) -> Self {
        LinkPhrases {
            inbox,
            lead,
            shared: None,
        }
    }

    /// Joins the session (`link on`), starting at `tempo`.
    pub fn enable(&mut self, tempo: f64) -> Result<String, String> {
        if self.shared.is_some() {
            return Ok("link: already on".into());
        }
        let link = AblLink::new(tempo);
        link.enable_start_stop_sync(true);
        link.enable(true);
        let shared = Arc::new(Shared {
            link,
            tempo_milli: AtomicU64::new((tempo * 1000.0).round() as u64),
            peers: AtomicU64::new(0),
            refused: AtomicU64::new(0),
            stop: AtomicBool::new(false),
            playing: AtomicBool::new(false),
            commit: Mutex::new(()),
        });
        let thread_shared = shared.clone();
        let inbox = self.inbox.clone();
        let lead = self.lead;
        std::thread::Builder::new()
            .name("chronus-link".into())
            .spawn(move || follow(&thread_shared, &inbox, lead))
            .map_err(|e| format!("link: cannot start: {e}"))?;
        self.shared = Some(shared);
        Ok(format!(
            "link: on (tempo {tempo}, bars of {QUANTUM} beats; start and stop are shared)"
        ))
    }

    fn disable(&mut self) -> String {
        match self.shared.take() {
            Some(s) => {
                s.stop.store(true, Relaxed);
                s.link.enable(false);
                "link: off".into()
            }
            None => "link: already off".into(),
        }
    }

    fn commit(shared: &Shared, change: impl FnOnce(&mut SessionState, i64)) {
        let _guard = shared.commit.lock().unwrap_or_else(|e| e.into_inner());
        let mut state = SessionState::new();
        shared.link.capture_app_session_state(&mut state);
        change(&mut state, shared.link.clock_micros());
        shared.link.commit_app_session_state(&state);
    }
}

fn say(inbox: &InboxSender, text: String) -> bool {
    inbox.send(IncomingLine {
        text,
        source: LineSource::Link,
        reply_to: None,
    })
}

/// The Link thread: peers' tempo and transport become phrases.
fn follow(shared: &Shared, inbox: &InboxSender, lead: Duration) {
    let mut state = SessionState::new();
    let mut was_playing = false;
    while !shared.stop.load(Relaxed) {
        std::thread::sleep(POLL);
        shared.peers.store(shared.link.num_peers(), Relaxed);
        shared.link.capture_app_session_state(&mut state);
        let tempo = state.tempo();
        let milli = (tempo * 1000.0).round() as u64;
        if milli.abs_diff(shared.tempo_milli.load(Relaxed)) >= 5 {
            shared.tempo_milli.store(milli, Relaxed);
            if (20.0..=300.0).contains(&tempo) {
                if !say(inbox, format!("tempo {}", (tempo * 100.0).round() / 100.0)) {
                    return;
                }
            } else {
                shared.refused.fetch_add(1, Relaxed);
            }
        }
        let playing = state.is_playing();
        if playing && !was_playing {
            // Start on the next bar line of the shared timeline, early by the output latency.
            let now = shared.link.clock_micros();
            let beat = state.beat_at_time(now, QUANTUM);
            let bar = (beat / QUANTUM).floor() * QUANTUM + QUANTUM;
            let at = state.time_at_beat(bar, QUANTUM) - lead.as_micros() as i64;
            let wait = (at - shared.link.clock_micros()).max(0) as u64;
            std::thread::sleep(Duration::from_micros(wait));
            shared.playing.store(true, Relaxed);
            if !say(inbox, "start".into()) {
                return;
            }
        }
        if !playing && was_playing {
            shared.playing.store(false, Relaxed);
            if !say(inbox, "stop transport".into()) {
                return;
            }
        }
        was_playing = playing;
    }
}

impl PhraseExtension for LinkPhrases {
    fn intercept(
        &mut self,
        line: &str,
        patch: &PatchState,
        _vocab: &Vocabulary,
    ) -> Option<ExtensionReply> {
        let lower = line.trim().to_lowercase();
        let words: Vec<&str> = lower.split_whitespace().collect();
        match words.as_slice() {
            ["link"] | ["link", "on"] => Some(
                match self.enable(f64::from(patch.get(ParamId::TransportTempo))) {
                    Ok(m) => ExtensionReply::Done(vec![m]),
                    Err(e) => ExtensionReply::Refused(e),
                },
            ),
            ["link", "off"] => Some(ExtensionReply::Done(vec![self.disable()])),
            ["link", ..] => Some(ExtensionReply::Refused(
                "link: say `link on` or `link off`".into(),
            )),
            ["start"] | ["play", "transport"] => {
                let shared = self.shared.as_ref()?;
                if shared.playing.load(Relaxed) {
                    return None;
                }
                Self::commit(shared, |s, now| s.set_is_playing(true, now));
                Some(ExtensionReply::Done(vec![
                    "link: starting on the next bar line, with every peer".into(),
                ]))
            }
            _ => None,
        }
    }

    fn status_lines(&self, _patch: &PatchState) -> Vec<String> {
        match &self.shared {
            Some(s) => vec![format!(
                "link=on link_peers={} link_tempo={} link_refused={}",
                s.peers.load(Relaxed),
                s.tempo_milli.load(Relaxed) as f64 / 1000.0,
                s.refused.load(Relaxed)
            )],
            None => vec!["link=off".into()],
        }
    }

    fn after_line(&mut self, report: &mut LineReport) {
        let Some(shared) = &self.shared else {
            return;
        };
        if !report.accepted() {
            return;
        }
        let from_link = report.source == LineSource::Link;
        for action in &report.actions {
            let Action::Engine(a) = action else { continue };
            match a.command {
                Command::Set {
                    param: ParamId::TransportTempo,
                    value,
                } if !from_link => {
                    let bpm = f64::from(value);
                    shared
                        .tempo_milli
                        .store((bpm * 1000.0).round() as u64, Relaxed);
                    Self::commit(shared, |s, now| s.set_tempo(bpm, now));
                }
                Command::TransportStop if !from_link => {
                    shared.playing.store(false, Relaxed);
                    Self::commit(shared, |s, now| s.set_is_playing(false, now));
                }
                _ => {}
            }
        }
    }
}
