//! Offline rendering of a resolved session: the same `Engine::render` as live playback, driven
//! block by block on the caller's thread through [`render_frames`], streamed to a WAV file in
//! chunks so an hour-long session needs little memory. Deterministic: the same session and
//! options give the same bytes.
//!
//! Runs on the caller's thread (the main thread for `chronus render`). No other threads.

use super::resolve_session::ResolvedSession;
use crate::engine::command::Command;
use crate::engine::params::ParamId;
use crate::engine::transport::BEATS_PER_BAR;
use crate::engine::PatchState;
use crate::engine::{Engine, BLOCK_FRAMES, CHANNELS};
use crate::session::format::seconds_text;
use crate::session::offline::{render_frames, TimedCommand};
use std::path::Path;

/// Frames rendered per chunk before they are written out.
const CHUNK_FRAMES: u64 = BLOCK_FRAMES as u64 * 1024;
/// Silence-to-be left after the release, so the last sound fades fully.
const TAIL_MARGIN_SECONDS: f64 = 0.25;
/// The longest tail a render adds after the session's end.
const MAX_TAIL_SECONDS: f64 = 30.0;

/// How long a session whose every phrase is stamped 0 s holds before its stop, in bars.
pub const HOLD_BARS: f64 = 4.0;

/// When a render stops the session (the sequencer stops and held notes are released), and why.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StopPoint {
    /// Seconds from the start.
    pub seconds: f64,
    /// What decided it.
    pub reason: StopReason,
}

/// What decides where a render stops the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The session's last time stamp.
    LastStamp,
    /// Every stamp is 0 s: the session holds [`HOLD_BARS`] bars at its tempo.
    HeldBars,
    /// `--seconds N`: the sound holds until its tail just fits in the N seconds.
    RequestedLength,
}

/// Where a render of `resolved` stops the session, given `--seconds` if any: at the last
/// stamp; a session ending at 0 s holds [`HOLD_BARS`] bars first; with `--seconds N` the
/// session stops at `max(last stamp, N - tail, N / 2)`, so the N seconds sound.
pub fn stop_point(resolved: &ResolvedSession, seconds: Option<f64>) -> StopPoint {
    let end = resolved.session.end();
    match seconds {
        Some(n) => {
            // The tail fits in N if it can; never less than half of N sounds.
            let hold = (n - tail_seconds(&resolved.final_patch)).max(n * 0.5);
            if hold > end {
                StopPoint {
                    seconds: hold,
                    reason: StopReason::RequestedLength,
                }
            } else {
                StopPoint {
                    seconds: end,
                    reason: StopReason::LastStamp,
                }
            }
        }
        None if end <= 0.0 => {
            let tempo = f64::from(resolved.final_patch.get(ParamId::TransportTempo)).max(1.0);
            StopPoint {
                seconds: HOLD_BARS * BEATS_PER_BAR * 60.0 / tempo,
                reason: StopReason::HeldBars,
            }
        }
        None => StopPoint {
            seconds: end,
            reason: StopReason::LastStamp,
        },
    }
}

impl StopPoint {
    /// The stop in words, for `chronus check` and `chronus render`.
    pub fn describe(&self) -> String {
        let at = seconds_text(self.seconds);
        match self.reason {
            StopReason::LastStamp => format!("stops at its last stamp, {at}"),
            StopReason::HeldBars => {
                format!("holds {HOLD_BARS} bars ({at}) before its stop, as its last stamp is 0 s")
            }
            StopReason::RequestedLength => format!("holds until {at} to fill --seconds"),
        }
    }
}

/// The engine commands of a session at their frames (`round(seconds × rate)`), in order. If
/// anything still sounds when the session stops (see [`stop_point`] without `--seconds`),
/// every note is released there.
pub fn timed_commands(resolved: &ResolvedSession, rate: u32) -> Vec<TimedCommand> {
    timed_commands_until(resolved, rate, stop_point(resolved, None).seconds)
}

/// [`timed_commands`] with the session stopped at `stop` seconds.
pub fn timed_commands_until(resolved: &ResolvedSession, rate: u32, stop: f64) -> Vec<TimedCommand> {
    let stop = stop.max(resolved.session.end());
    let frame = |at: f64| (at * f64::from(rate)).round() as u64;
    let mut out: Vec<TimedCommand> = resolved
        .lines
        .iter()
        .flat_map(|l| {
            l.commands.iter().map(move |&command| TimedCommand {
                frame: frame(l.at),
                command,
            })
        })
        .collect();
    if resolved.final_patch.running() {
        // The sequencer stops where the session ends; its last notes ring out.
        out.push(TimedCommand {
            frame: frame(stop),
            command: Command::TransportStop,
        });
    }
    if resolved.final_patch.sounding() {
        out.push(TimedCommand {
            frame: frame(stop),
            command: Command::AllNotesOff,
        });
    }
    out
}

/// Seconds after the last sound starts releasing until it is silent: the envelope's release,
/// plus the delay's echoes and the reverb's decay when they are mixed in, plus a margin.
pub fn tail_seconds(patch: &PatchState) -> f64 {
    let get = |p: ParamId| f64::from(patch.get(p));
    let mut tail = get(ParamId::EnvRelease) + TAIL_MARGIN_SECONDS;
    if get(ParamId::DelayMix) > 0.0 {
        let feedback = get(ParamId::DelayFeedback).clamp(0.0, 0.95);
        // Echoes until they are 60 dB down.
        let repeats = if feedback > 0.0 {
            (0.001f64.ln() / feedback.ln()).ceil()
        } else {
            1.0
        };
        let sync = get(ParamId::DelaySync);
        let time = if sync > 0.0 {
            // A tempo-synced time: a fraction of a 4/4 bar.
            sync * 4.0 * 60.0 / get(ParamId::TransportTempo).max(1.0)
        } else {
            get(ParamId::DelayTime)
        };
        tail += time * repeats;
    }
    if get(ParamId::ReverbMix) > 0.0 {
        tail += 1.0 + 5.0 * get(ParamId::ReverbSize);
    }
    tail.min(MAX_TAIL_SECONDS)
}

/// The default render length: where the session stops (see [`stop_point`]) plus the tail of
/// its final patch.
pub fn default_seconds(resolved: &ResolvedSession) -> f64 {
    stop_point(resolved, None).seconds + tail_seconds(&resolved.final_patch)
}

/// How to render.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RenderOptions {
    /// Sample rate in Hz.
    pub rate: u32,
    /// Length in seconds; `None` renders the session's end plus its tail.
    pub seconds: Option<f64>,
}

/// What a render produced.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RenderSummary {
    /// Frames written.
    pub frames: u64,
    /// Sample rate.
    pub rate: u32,
    /// Length in seconds.
    pub seconds: f64,
    /// Engine commands applied.
    pub commands: usize,
}

/// Errors writing a session render.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The WAV file could not be created or written.
    #[error("could not write {path}: {source}")]
    Wav {
        /// The output file.
        path: String,
        /// The cause.
        source: hound::Error,
    },
}

/// Renders the session into memory (interleaved stereo f32), calling `progress(done, total)`.
pub fn render_samples(
    resolved: &ResolvedSession,
    options: RenderOptions,
    progress: impl FnMut(u64, u64),
) -> Vec<f32> {
    let mut out = Vec::new();
    render_chunks(resolved, options, progress, |chunk| {
        out.extend_from_slice(chunk);
        Ok::<(), std::convert::Infallible>(())
    })
    .unwrap_or_else(|never| match never {});
    out
}

/// Renders the session to a 32-bit float stereo WAV file at `path`.
pub fn render_to_wav(
    resolved: &ResolvedSession,
    options: RenderOptions,
    path: &Path,
    progress: impl FnMut(u64, u64),
) -> Result<RenderSummary, RenderError> {
    let err = |source| RenderError::Wav {
        path: path.display().to_string(),
        source,
    };
    let spec = hound::WavSpec {
        channels: CHANNELS as u16,
        sample_rate: options.rate,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut writer = hound::WavWriter::create(path, spec).map_err(err)?;
    let summary = render_chunks(resolved, options, progress, |chunk| {
        chunk.iter().try_for_each(|&s| writer.write_sample(s))
    })
    .map_err(err)?;
    writer.finalize().map_err(err)?;
    Ok(summary)
}

/// The render loop: one engine, the session's commands at their frames, chunk by chunk.
fn render_chunks<E>(
    resolved: &ResolvedSession,
    options: RenderOptions,
    mut progress: impl FnMut(u64, u64),
    mut sink: impl FnMut(&[f32]) -> Result<(), E>,
) -> Result<RenderSummary, E> {
    let rate = options.rate;
    let seconds = options.seconds.unwrap_or_else(|| default_seconds(resolved));
    let total = (seconds * f64::from(rate)).round() as u64;
    let commands = timed_commands_until(
        resolved,
        rate,
        stop_point(resolved, options.seconds).seconds,
    );
    let mut engine = Engine::new(rate);
    let mut done = 0u64;
    let mut next = 0usize;
    let mut chunk_commands = Vec::new();
    while done < total {
        let frames = (total - done).min(CHUNK_FRAMES);
        chunk_commands.clear();
        while next < commands.len() && commands[next].frame < done + frames {
            let c = commands[next];
            chunk_commands.push(TimedCommand {
                frame: c.frame.saturating_sub(done),
                command: c.command,
            });
            next += 1;
        }
        let samples = render_frames(&mut engine, &chunk_commands, frames, |_, _| {});
        sink(&samples)?;
        done += frames;
        progress(done, total);
    }
    Ok(RenderSummary {
        frames: total,
        rate,
        seconds: total as f64 / f64::from(rate),
        commands: commands.len(),
    })
}
