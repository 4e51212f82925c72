//! MIDI out and MIDI clock out: the thread `chronus-midi-out` reads the engine's timeline
//! from the [`NoteTap`] (sequencer notes of routed tracks, and where the transport is) and
//! writes MIDI bytes to a raw stream (a FIFO, a device node, a file) or a midir port at the
//! moment the matching audio is heard: the time a frame is rendered plus the output latency.
//!
//! Clock out sends 24 clocks per quarter note while the transport runs, song position and
//! start (or continue) when it starts, stop when it stops.
//!
//! Control-side thread (allocates, may block on the sink); never on the audio path.

use super::message::MidiMessage;
use crate::engine::note_tap::NoteTap;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::Write;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::Arc;
use std::time::Duration;

/// Where MIDI bytes go.
pub enum MidiSink {
    /// A raw byte stream.
    Stream(std::fs::File),
    /// A midir output port.
    Port(midir::MidiOutputConnection),
    /// Bytes kept in memory with their frame's time in ns (tests).
    Memory(Vec<(u64, Vec<u8>)>),
}

impl MidiSink {
    /// Opens `spec`: a path (opened for writing; a FIFO waits for its reader) or part of an
    /// output port's name.
    pub fn open(spec: &str) -> Result<MidiSink, String> {
        if super::input::is_path(spec) {
            return std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(spec)
                .map(MidiSink::Stream)
                .map_err(|e| format!("midi out {spec}: {e}"));
        }
        if cfg!(target_os = "linux") && !std::path::Path::new("/dev/snd/seq").exists() {
            return Err(format!(
                "midi out {spec}: no MIDI ports on this machine (no ALSA sequencer at /dev/snd/seq); a path works: --midi-out /path/to/fifo"
            ));
        }
        let out = midir::MidiOutput::new("chronus").map_err(|e| format!("midi out: {e}"))?;
        let want = spec.to_lowercase();
        let ports = out.ports();
        let port = ports
            .iter()
            .find(|p| {
                out.port_name(p)
                    .is_ok_and(|n| n.to_lowercase().contains(&want))
            })
            .ok_or_else(|| {
                format!("midi out: no output port matches \"{spec}\" (see `chronus midi`)")
            })?
            .clone();
        out.connect(&port, "chronus-out")
            .map(MidiSink::Port)
            .map_err(|e| format!("midi out {spec}: {e}"))
    }

    fn send(&mut self, at_ns: u64, bytes: &[u8]) -> Result<(), String> {
        match self {
            MidiSink::Stream(f) => f.write_all(bytes).map_err(|e| e.to_string()),
            MidiSink::Port(p) => p.send(bytes).map_err(|e| e.to_string()),
            MidiSink::Memory(v) => {
                v.push((at_ns, bytes.to_vec()));
                Ok(())
            }
        }
    }
}

/// What MIDI out has done, for `midi` and `status`.
#[derive(Debug, Default)]
pub struct MidiOutCounts {
    /// Note-ons sent.
    pub notes: AtomicU64,
    /// Clock ticks sent.
    pub clocks: AtomicU64,
    /// Writes that failed.
    pub errors: AtomicU64,
    /// Largest lateness of a send in microseconds (how far after its due time it went).
    pub max_late_us: AtomicU64,
}

/// The settings the control side changes while MIDI out runs.
#[derive(Debug)]
pub struct MidiOutSwitches {
    /// `clock out`: send MIDI clock.
    pub clock: AtomicBool,
    /// Leave the thread.
    pub stop: AtomicBool,
    /// What has been sent.
    pub counts: MidiOutCounts,
}

/// Starts `chronus-midi-out`, opening `spec` on that thread (a FIFO waits there for its
/// reader, not here). `lead` is the output latency: how long after rendering a frame is heard.
pub fn spawn_midi_out(
    tap: Arc<NoteTap>,
    spec: String,
    lead: Duration,
) -> std::io::Result<Arc<MidiOutSwitches>> {
    let switches = Arc::new(MidiOutSwitches {
        clock: AtomicBool::new(false),
        stop: AtomicBool::new(false),
        counts: MidiOutCounts::default(),
    });
    let shared = switches.clone();
    std::thread::Builder::new()
        .name("chronus-midi-out".into())
        .spawn(move || {
            let sink = match MidiSink::open(&spec) {
                Ok(s) => s,
                Err(e) => {
                    log::warn!("{e}");
                    shared.counts.errors.fetch_add(1, Relaxed);
                    return;
                }
            };
            let mut sender = TimelineSender::new(tap, sink, lead);
            while !shared.stop.load(Relaxed) {
                sender.step(&shared);
                std::thread::sleep(sender.sleep_hint());
            }
        })?;
    Ok(switches)
}

/// A message waiting for its time: (its frame's time in ns, order of scheduling, bytes,
/// length). The due time is worked out when sending, with the anchor of that moment.
type Scheduled = (u64, u64, [u8; 3], usize);

/// Schedules and sends (see the module docs).
pub struct TimelineSender {
    tap: Arc<NoteTap>,
    sink: MidiSink,
    lead_ns: i64,
    /// Render time minus frame time, the smallest seen (let go of slowly, so that a drift
    /// between the sound card's clock and the system clock is followed).
    anchor: Option<i64>,
    /// The engine frame of the last transport view (a smaller one means a new engine).
    last_frame: u64,
    queue: BinaryHeap<Reverse<Scheduled>>,
    order: u64,
    was_running: bool,
    /// The next clock tick to schedule, in 24ths of a beat.
    next_tick: i64,
}

/// How fast the anchor follows offsets that grow (ns per step of about 1 ms: 0.2 ms/s).
const ANCHOR_DRIFT_NS: i64 = 200;
/// How far past the last rendered frame clock ticks are scheduled.
const CLOCK_HORIZON_NS: u64 = 2_000_000;

impl TimelineSender {
    /// A sender from `tap` to `sink` with output latency `lead`.
    pub fn new(tap: Arc<NoteTap>, sink: MidiSink, lead: Duration) -> Self {
        TimelineSender {
            tap,
            sink,
            lead_ns: lead.as_nanos() as i64,
            anchor: None,
            last_frame: 0,
            queue: BinaryHeap::new(),
            order: 0,
            was_running: false,
            next_tick: 0,
        }
    }

    /// The sink (tests read `MidiSink::Memory`).
    pub fn sink(&self) -> &MidiSink {
        &self.sink
    }

    /// When engine `frame` is heard, on the tap clock.
    fn due_ns(&self, frame_ns: u64) -> u64 {
        (frame_ns as i64 + self.anchor.unwrap_or(0) + self.lead_ns).max(0) as u64
    }

    fn schedule(&mut self, at: u64, message: MidiMessage) {
        let (bytes, len) = message.to_bytes();
        self.order += 1;
        self.queue.push(Reverse((at, self.order, bytes, len)));
    }

    /// Reads the tap, schedules what it says, and sends what is due.
    pub fn step(&mut self, switches: &MidiOutSwitches) {
        let view = self.tap.transport();
        let offset = view.rendered_ns as i64 - self.tap.frames_to_ns(view.frame) as i64;
        // The earliest a frame is ever rendered is bounded by the room in the audio ring,
        // so the smallest offset is steady; late renders (a busy machine) only raise it.
        if view.frame < self.last_frame {
            // A new engine took over (failover) and counts frames from 0 again: keep what is
            // already scheduled at its wall-clock time, and anchor the new timeline afresh.
            let shift = self.anchor.unwrap_or(offset) - offset;
            self.queue = std::mem::take(&mut self.queue)
                .into_iter()
                .map(|Reverse((frame_ns, order, bytes, len))| {
                    Reverse(((frame_ns as i64 + shift).max(0) as u64, order, bytes, len))
                })
                .collect();
            self.anchor = None;
            self.was_running = false;
        }
        self.last_frame = view.frame;
        self.anchor = Some(match self.anchor {
            Some(a) if a + ANCHOR_DRIFT_NS < offset => a + ANCHOR_DRIFT_NS,
            _ => offset,
        });
        while let Some(n) = self.tap.pop_note() {
            let Some(channel) = self.tap.channel(usize::from(n.track)) else {
                continue;
            };
            let on = self.tap.frames_to_ns(n.frame);
            let off = self.tap.frames_to_ns(n.frame + u64::from(n.length));
            let channel = channel - 1;
            self.schedule(
                on,
                MidiMessage::NoteOn {
                    channel,
                    note: n.note,
                    velocity: n.velocity,
                },
            );
            self.schedule(
                off.max(on + 1),
                MidiMessage::NoteOff {
                    channel,
                    note: n.note,
                },
            );
        }
        if switches.clock.load(Relaxed) {
            self.clock(view);
        } else {
            self.was_running = false;
        }
        self.send_due(switches);
    }

    fn clock(&mut self, view: crate::engine::note_tap::TransportView) {
        let frames_per_beat =
            f64::from(self.tap.sample_rate()) * 60.0 / f64::from(view.tempo.max(1.0));
        let view_at = self.tap.frames_to_ns(view.frame);
        if view.running && !self.was_running {
            let sixteenths = (view.beat * 4.0).floor().max(0.0);
            self.schedule(
                view_at,
                MidiMessage::SongPosition {
                    sixteenths: sixteenths.min(16383.0) as u16,
                },
            );
            self.schedule(
                view_at,
                if sixteenths == 0.0 {
                    MidiMessage::Start
                } else {
                    MidiMessage::Continue
                },
            );
            self.next_tick = (view.beat * 24.0).ceil() as i64;
        }
        if !view.running && self.was_running {
            self.schedule(view_at, MidiMessage::Stop);
        }
        self.was_running = view.running;
        if !view.running {
            return;
        }
        // Ticks up to the last rendered frame (and a little past it at the current tempo).
        let horizon = view_at + CLOCK_HORIZON_NS;
        loop {
            let beat = self.next_tick as f64 / 24.0;
            let frame = view.frame as f64 + (beat - view.beat) * frames_per_beat;
            let at = self.tap.frames_to_ns(frame.max(0.0) as u64);
            if at > horizon {
                break;
            }
            self.schedule(at, MidiMessage::Clock);
            self.next_tick += 1;
        }
    }

    /// Sends everything scheduled, due or not (when stopping; tests).
    pub fn flush(&mut self, switches: &MidiOutSwitches) {
        self.send_until(u64::MAX, switches);
    }

    fn send_due(&mut self, switches: &MidiOutSwitches) {
        self.send_until(self.tap.now_ns(), switches);
    }

    fn send_until(&mut self, now: u64, switches: &MidiOutSwitches) {
        while let Some(Reverse((frame_ns, _, bytes, len))) = self.queue.peek().copied() {
            let at = self.due_ns(frame_ns);
            if at > now {
                break;
            }
            self.queue.pop();
            if now != u64::MAX {
                let late_us = (now - at) / 1000;
                switches.counts.max_late_us.fetch_max(late_us, Relaxed);
            }
            match bytes[0] {
                0xF8 => switches.counts.clocks.fetch_add(1, Relaxed),
                b if b & 0xF0 == 0x90 => switches.counts.notes.fetch_add(1, Relaxed),
                _ => 0,
            };
            if let Err(e) = self.sink.send(frame_ns, &bytes[..len]) {
                if switches.counts.errors.fetch_add(1, Relaxed) == 0 {
                    log::warn!("midi out: {e}");
                }
            }
        }
    }

    /// How long to sleep before the next step: until the next send, at most 1 ms.
    pub fn sleep_hint(&self) -> Duration {
        let now = self.tap.now_ns();
        let next = self
            .queue
            .peek()
            .map_or(1_000_000, |Reverse((frame_ns, ..))| {
                self.due_ns(*frame_ns).saturating_sub(now)
            });
        Duration::from_nanos(next.clamp(50_000, 1_000_000))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::command::{Command, Step, StepLevel, TrackParam};
    use crate::engine::Engine;

    fn switches(clock: bool) -> MidiOutSwitches {
        MidiOutSwitches {
            clock: AtomicBool::new(clock),
            stop: AtomicBool::new(false),
            counts: MidiOutCounts::default(),
        }
    }

    /// Renders `blocks` 64-frame blocks, stepping the sender after each, with no wall-clock
    /// waiting: everything sent is stamped with its due time.
    fn run(engine: &mut Engine, sender: &mut TimelineSender, sw: &MidiOutSwitches, blocks: usize) {
        let mut buf = [0.0f32; 128];
        for _ in 0..blocks {
            engine.render(&mut buf);
            sender.step(sw);
        }
        // Rendering ran faster than real time: send what is left, stamped with its due time.
        sender.flush(sw);
    }

    fn memory(sender: &TimelineSender) -> Vec<(u64, Vec<u8>)> {
        match sender.sink() {
            MidiSink::Memory(v) => v.clone(),
            _ => unreachable!("the tests use memory sinks"),
        }
    }

    fn four_hits(engine: &mut Engine) {
        for i in 0..16u8 {
            let step = if i % 4 == 0 {
                Step::note(36 + i)
            } else {
                Step::hit(StepLevel::Rest)
            };
            engine.apply(Command::SetStep {
                track: 1,
                index: i,
                step,
            });
        }
        engine.apply(Command::SetTrack {
            track: 1,
            param: TrackParam::Gate,
            value: 0.5,
        });
        engine.apply(Command::TransportStart);
    }

    #[test]
    fn a_routed_track_sends_note_on_and_off_a_quarter_note_apart_on_its_channel() {
        let tap = Arc::new(NoteTap::new(48_000));
        tap.route(1, Some(2), false);
        let mut engine = Engine::new(48_000);
        engine.attach_note_tap(tap.clone());
        four_hits(&mut engine);
        let mut sender = TimelineSender::new(tap, MidiSink::Memory(Vec::new()), Duration::ZERO);
        let sw = switches(false);
        // 120 bpm: a beat is 24000 frames; 1.1 beats of blocks.
        run(&mut engine, &mut sender, &sw, 24_000 * 11 / 10 / 64);
        let sent = memory(&sender);
        let bytes: Vec<&[u8]> = sent.iter().map(|(_, b)| b.as_slice()).collect();
        assert_eq!(
            bytes,
            [
                &[0x91, 36, 89][..],
                &[0x81, 36, 0],
                &[0x91, 40, 89],
                &[0x81, 40, 0]
            ],
            "note on, off, on, off, channel 2"
        );
        let beat_ns = (sent[2].0 - sent[0].0) as f64;
        // Within 2 ms: rendering here runs far ahead of the clock, so the anchor (render time
        // minus frame time) keeps falling, as it never does live.
        assert!(
            (beat_ns / 1e6 - 500.0).abs() < 2.0,
            "a beat apart: {beat_ns} ns"
        );
        let gate_ns = (sent[1].0 - sent[0].0) as f64;
        assert!(
            (gate_ns / 1e6 - 62.5).abs() < 2.0,
            "half a 1/16 step: {gate_ns} ns"
        );
        assert_eq!(sw.counts.notes.load(Relaxed), 2);
    }

    #[test]
    fn clock_out_sends_start_then_24_clocks_per_beat() {
        let tap = Arc::new(NoteTap::new(48_000));
        let mut engine = Engine::new(48_000);
        engine.attach_note_tap(tap.clone());
        let mut sender = TimelineSender::new(tap, MidiSink::Memory(Vec::new()), Duration::ZERO);
        let sw = switches(true);
        engine.apply(Command::TransportStart);
        run(&mut engine, &mut sender, &sw, 24_000 * 2 / 64);
        let sent = memory(&sender);
        assert_eq!(sent[0].1, [0xF2, 0, 0], "song position 0 first");
        assert_eq!(sent[1].1, [0xFA], "then start");
        let clocks: Vec<u64> = sent
            .iter()
            .filter(|(_, b)| b[..] == [0xF8])
            .map(|(t, _)| *t)
            .collect();
        assert!(clocks.len() >= 48, "two beats of clock: {}", clocks.len());
        let tick_ms = (clocks[24] - clocks[0]) as f64 / 1e6;
        assert!(
            (tick_ms - 500.0).abs() < 2.0,
            "24 clocks a beat at 120 bpm: {tick_ms}"
        );
    }
}
