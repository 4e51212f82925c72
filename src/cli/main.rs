//! The `chronus` binary: parses the command line into a validated config, then runs the REPL,
//! a render, or a listing. Errors from the library are printed here with their whole chain.

use anyhow::{bail, Context, Result};
use chronus::engine::command::Command;
use chronus::engine::{Engine, DEFAULT_SAMPLE_RATE};
use chronus::lang::Vocabulary;
use chronus::rt::supervise::margin::MAX_MARGIN;
use chronus::rt::{AudioConfig, LiveAudio, OutputChoice};
use chronus::session::journal::{recovery_hint, unclean_journals};
use chronus::session::offline::{render_frames, write_wav, TimedCommand};
use chronus::session::replay::Playback;
use chronus::session::save::autosave_dir;
use chronus::session::{LiveRecorder, Recorder};
use chronus::ui;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

mod mcp_command;
mod midi_args;
mod panic_exit;
mod session_commands;

#[cfg(debug_assertions)]
#[global_allocator]
static ALLOC: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

/// chronus — a terminal instrument for live-coding music in plain words.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
struct Cli {
    #[command(flatten)]
    audio: AudioArgs,
    #[command(flatten)]
    lang: LangArgs,
    #[command(flatten)]
    osc: OscArgs,
    #[command(flatten)]
    ui: UiArgs,
    #[command(flatten)]
    midi: midi_args::MidiArgs,
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(clap::Args, Debug, Clone)]
struct AudioArgs {
    /// Sample rate in Hz.
    #[arg(long, global = true, default_value_t = DEFAULT_SAMPLE_RATE, value_parser = parse_rate)]
    rate: u32,
    /// Device buffer size in frames (fixed where the device allows it).
    #[arg(long, global = true, value_parser = parse_buffer)]
    buffer: Option<u32>,
    /// Output device name (see `chronus devices`).
    #[arg(long, global = true)]
    device: Option<String>,
    /// Where the sound goes: the sound card (falling back to null), only the card, or null.
    #[arg(long, global = true, value_enum, default_value_t = OutputArg::Auto)]
    output: OutputArg,
    /// Blocks of 64 frames the DSP worker keeps ready beyond one device buffer (latency vs.
    /// safety). Without it the margin adapts: 1 block, +1 after an underrun or near miss,
    /// -1 after 30 s clean, within 1..=8 (`status` shows margin= and margin_why=)
    #[arg(long, global = true, value_parser = clap::value_parser!(u32).range(1..=16))]
    target_fill: Option<u32>,
}

#[derive(clap::Args, Debug, Clone)]
struct UiArgs {
    /// Plain line mode (automatic when stdin or stdout is not a terminal): one reply line per
    /// action, for pipes, scripts and agents.
    #[arg(long, global = true)]
    plain: bool,
    /// In plain mode, keep playing after the end of input instead of leaving.
    #[arg(long, global = true)]
    stay: bool,
}

#[derive(clap::Args, Debug, Clone)]
struct OscArgs {
    /// UDP port of the OSC server (0 picks a free one).
    #[arg(long, global = true, default_value_t = chronus::osc::DEFAULT_PORT)]
    osc_port: u16,
    /// Address the OSC server listens on; anything but loopback lets other machines play.
    #[arg(long, global = true, default_value = "127.0.0.1")]
    osc_bind: std::net::IpAddr,
    /// Run without the OSC server.
    #[arg(long, global = true)]
    no_osc: bool,
    /// With --osc-bind beyond loopback: a sender address or network (ADDR or ADDR/BITS) that
    /// may play chronus besides this machine; may be repeated. Everyone else is refused.
    #[arg(long, global = true, value_name = "ADDR[/BITS]")]
    osc_allow: Vec<chronus::osc::allow::AllowedNet>,
}

impl OscArgs {
    /// The server's settings, or `None` with `--no-osc`.
    fn to_config(&self) -> Option<chronus::osc::OscConfig> {
        (!self.no_osc).then(|| chronus::osc::OscConfig {
            bind: self.osc_bind,
            port: self.osc_port,
            allow: self.osc_allow.clone(),
            ..chronus::osc::OscConfig::default()
        })
    }
}

/// Phrase-language options (see `src/lang`).
#[derive(clap::Args, Debug, Clone)]
struct LangArgs {
    /// A folder of vocabulary files (*.toml) that add or override words; may be repeated.
    /// The XDG config folder (~/.config/chronus/vocab) is read first when it exists.
    #[arg(long = "vocab", global = true, value_name = "DIR")]
    vocab_dirs: Vec<PathBuf>,
    /// List the fault-injection phrases (`fault panic|hang|nan|slow 3ms`) in `help`.
    #[arg(long, global = true)]
    faults: bool,
    /// A folder of samples (WAV, FLAC, Ogg, MP3) for `track NAME sample FILE`; may be repeated.
    /// The data folder's samples/ (~/.local/share/chronus/samples) is searched first.
    #[arg(long = "samples", global = true, value_name = "DIR")]
    sample_dirs: Vec<PathBuf>,
    /// Memory for loaded samples, in MB.
    #[arg(long, global = true, default_value_t = 512, value_name = "MB")]
    sample_memory: usize,
}

impl LangArgs {
    /// The vocabulary with user overrides; problems in user files are printed and skipped.
    fn vocabulary(&self) -> Vocabulary {
        let dirs = chronus::lang::vocab::user_vocab_dirs(&self.vocab_dirs);
        let (vocab, errors) = Vocabulary::load_with_overrides(&dirs);
        for e in errors {
            eprintln!("chronus: vocabulary: {e} (file skipped; built-in words still work)");
        }
        vocab
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum OutputArg {
    /// Sound card if one opens, else the null device.
    Auto,
    /// Sound card only; fail if it cannot be opened.
    Device,
    /// Real-time-paced null device (silent).
    Null,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Start the instrument (the default).
    Repl,
    /// Render to a WAV file offline, as fast as the CPU allows: a session file, or (without
    /// FILE) the default patch with its gate open.
    Render {
        /// Session file to render (see sessions/README.md); without it, the default patch.
        file: Option<PathBuf>,
        /// Output WAV file.
        #[arg(
            short = 'o',
            long = "out",
            id = "wav_out",
            default_value = "chronus.wav"
        )]
        out: PathBuf,
        /// Length in seconds (default: a session's last event plus its release tail; 4 s for
        /// the default patch).
        #[arg(long, allow_negative_numbers = true)]
        seconds: Option<f64>,
        /// Without FILE: hold this many distinct notes (saw → ADSR → resonant lowpass at
        /// 1200 Hz, -30 dB) on a pool of as many voices instead of the gate: the voices
        /// `chronus bench` and benches/compare_scsynth.sh measure.
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..=128), conflicts_with = "file")]
        voices: Option<u16>,
    },
    /// Replay a session file in real time through the live engine; type over it meanwhile.
    Play {
        /// Session file (or the name of one saved with `session save NAME`).
        file: PathBuf,
        /// Playback speed (2 = twice as fast).
        #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
        speed: f64,
        /// Start this far in: 30s, 1:30, "bar 9", "beat 17".
        #[arg(long, default_value = "0")]
        from: String,
    },
    /// Get back the lines of a run that ended without a clean exit (a crash, kill -9): replays
    /// its journal at once and starts the instrument in that state; keep it with
    /// `session save NAME`. Never writes over a saved session.
    Recover {
        /// A journal file (default: the newest unclean one beside the autosaves).
        journal: Option<PathBuf>,
    },
    /// Parse and resolve session files without sound; list every problem as FILE:LINE:COL.
    Check {
        /// Session files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print what phrases would do, one canonical action per line, starting from the
    /// default patch (e.g. `chronus explain "filter a bit darker" "osc saw"`).
    Explain {
        /// Phrases, resolved in order; each sees the result of the ones before.
        #[arg(required = true)]
        phrases: Vec<String>,
    },
    /// List audio output devices.
    Devices,
    /// Serve the Model Context Protocol on stdin/stdout so an AI agent can play chronus
    /// (tools: say, explain, status, show, help, session_save, render). By default it plays
    /// the chronus already running on --osc-port; --embedded starts an engine of its own.
    Mcp {
        /// Start an engine of its own (taking --output, --device, --osc-port, --no-osc …)
        /// instead of attaching to a running chronus over OSC.
        #[arg(long)]
        embedded: bool,
    },
    /// List MIDI input and output ports (the ALSA sequencer on Linux).
    Midi,
    /// Measure the engine and the live pipeline and print the numbers (docs/PERFORMANCE.md):
    /// realtime factor at 1/16/64/128 voices, command-to-sound latency, callback jitter and
    /// DSP load at 64/128/256-frame buffers, failover detection and gap. The live parts use
    /// the null device unless `--output` is given.
    Bench {
        /// A run of a few seconds (for CI) instead of about a minute.
        #[arg(long)]
        quick: bool,
        /// Print the results as JSON instead of tables.
        #[arg(long)]
        json: bool,
        /// Seconds of audio per realtime-factor measurement (overrides --quick's 0.25 and
        /// the default 2).
        #[arg(long)]
        seconds: Option<f64>,
        /// Leave out the failover part.
        #[arg(long)]
        no_failover: bool,
    },
    /// Play a demo session in a loop through the live pipeline with random phrases (50/s) and
    /// OSC traffic, then print underruns, ring drain, DSP load and memory. Exits non-zero on
    /// any underrun.
    Soak {
        /// Minutes to run.
        #[arg(long, default_value_t = 1.0, conflicts_with = "soak_seconds")]
        minutes: f64,
        /// Seconds to run (instead of --minutes).
        #[arg(long = "seconds", id = "soak_seconds", value_name = "SECONDS")]
        seconds: Option<f64>,
        /// Session file to loop (default: the built-in acid.chronus demo).
        #[arg(long)]
        session: Option<PathBuf>,
        /// Random phrases per second.
        #[arg(long, default_value_t = 50.0)]
        phrases_per_second: f64,
        /// OSC messages per second.
        #[arg(long, default_value_t = 20.0)]
        osc_per_second: f64,
        /// Print the results as JSON instead of key=value lines.
        #[arg(long)]
        json: bool,
    },
}

fn parse_rate(s: &str) -> Result<u32, String> {
    let v: u32 = s
        .parse()
        .map_err(|_| format!("\"{s}\" is not a sample rate; try 44100 or 48000"))?;
    if !(8_000..=192_000).contains(&v) {
        return Err(format!("{v} Hz is outside 8000..192000"));
    }
    Ok(v)
}

fn parse_buffer(s: &str) -> Result<u32, String> {
    let v: u32 = s
        .parse()
        .map_err(|_| format!("\"{s}\" is not a buffer size in frames; try 64, 128 or 256"))?;
    if !(16..=8192).contains(&v) {
        return Err(format!("{v} frames is outside 16..8192"));
    }
    Ok(v)
}

impl AudioArgs {
    fn to_config(&self) -> AudioConfig {
        AudioConfig {
            sample_rate: self.rate,
            buffer_frames: self.buffer,
            device: self.device.clone(),
            output: match self.output {
                OutputArg::Auto => OutputChoice::Auto,
                OutputArg::Device => OutputChoice::Device,
                OutputArg::Null => OutputChoice::Null,
            },
            target_fill: self.target_fill.map_or(MAX_MARGIN as usize, |n| n as usize),
            adaptive_margin: self.target_fill.is_none(),
            ..AudioConfig::default()
        }
    }
}

fn main() {
    panic_exit::install();
    let matches = Cli::command().get_matches();
    let rate_given = session_commands::rate_given(&matches);
    let output_given = arg_given(&matches, "output");
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    if let Err(e) = run(cli, rate_given, output_given) {
        eprintln!("chronus: {e:#}");
        std::process::exit(1);
    }
}

/// Whether the global option `id` was given on the command line (before or after the
/// subcommand), rather than left at its default.
fn arg_given(matches: &clap::ArgMatches, id: &str) -> bool {
    let given = |m: &clap::ArgMatches| {
        m.try_contains_id(id).unwrap_or(false)
            && m.value_source(id) == Some(clap::parser::ValueSource::CommandLine)
    };
    given(matches) || matches.subcommand().is_some_and(|(_, sub)| given(sub))
}

fn run(mut cli: Cli, rate_given: bool, output_given: bool) -> Result<()> {
    chronus::samples::add_folders(cli.lang.sample_dirs.iter().cloned());
    chronus::engine::sample_library::set_memory_budget(
        cli.lang.sample_memory.saturating_mul(1024 * 1024),
    );
    match cli.command.take().unwrap_or(Cmd::Repl) {
        Cmd::Repl => run_instrument(&cli, None, Vec::new()),
        Cmd::Recover { journal } => {
            let replay = session_commands::recover(journal.as_deref())?;
            run_instrument(&cli, None, replay)
        }
        Cmd::Explain { phrases } => explain(&phrases, &cli.lang.vocabulary()),
        Cmd::Render {
            file: Some(file),
            out,
            seconds,
            ..
        } => {
            check_seconds(seconds)?;
            let rate = rate_given.then_some(cli.audio.rate);
            let vocab = cli.lang.vocabulary();
            session_commands::render(&file, &out, seconds, rate, DEFAULT_SAMPLE_RATE, &vocab)
        }
        Cmd::Render {
            file: None,
            out,
            seconds,
            voices,
        } => render(&out, seconds.unwrap_or(4.0), cli.audio.rate, voices),
        Cmd::Play { file, speed, from } => {
            let playback =
                session_commands::prepare_play(&file, speed, &from, &cli.lang.vocabulary())?;
            run_instrument(&cli, Some(playback), Vec::new())
        }
        Cmd::Check { files } => session_commands::check(&files, &cli.lang.vocabulary()),
        Cmd::Devices => devices(),
        Cmd::Mcp { embedded } => mcp_command::run(&cli.audio, &cli.lang, &cli.osc, embedded),
        Cmd::Midi => midi_args::list_ports(),
        Cmd::Bench {
            quick,
            json,
            seconds,
            no_failover,
        } => bench(&cli, output_given, quick, json, seconds, no_failover),
        Cmd::Soak {
            minutes,
            seconds,
            session,
            phrases_per_second,
            osc_per_second,
            json,
        } => soak(
            &cli,
            seconds.unwrap_or(minutes * 60.0),
            session.as_deref(),
            (phrases_per_second, osc_per_second),
            json,
        ),
    }
}

/// The live instrument: audio, the OSC server, the session recorder (and player, for
/// `chronus play`), then the TUI or plain mode until the user leaves.
fn run_instrument(
    cli: &Cli,
    playback: Option<Playback>,
    replay: Vec<(PathBuf, usize, String)>,
) -> Result<()> {
    let paths = ui::UiPaths::from_xdg();
    if let Some(log) = &paths.log {
        // From here on `log::warn!` from any thread goes to the log file, never the screen;
        // without a writable state dir the records are dropped.
        let _ = ui::logfile::install(log);
    }
    let vocab = cli.lang.vocabulary();
    let (audio_config, note_tap) = cli.midi.with_note_tap(cli.audio.to_config());
    let audio = LiveAudio::start(&audio_config)?;
    panic_exit::mute_on_panic(audio.mute_switch());
    let (lines, inbox) = chronus::control::inbox::inbox();
    let osc = chronus::osc::launch(
        cli.osc.to_config().as_ref(),
        lines.clone(),
        audio.meters.clone(),
    );
    let mut info = Vec::new();
    if let Some(server) = &osc.server {
        info.push(format!("OSC on {}", server.local_addr()));
    }
    let recorder = LiveRecorder::start(Recorder::new())?;
    let mut notices = osc.notices.clone();
    match autosave_dir() {
        Ok(dir) => {
            if replay.is_empty() {
                if let Some(unclean) = unclean_journals(&dir).first() {
                    notices.push(recovery_hint(unclean));
                }
            }
            if let Err(e) = recorder.start_journal(&dir) {
                notices.push(format!(
                    "no journal in {} ({e}): a crash would lose the lines since the last autosave",
                    dir.display()
                ));
            }
        }
        Err(e) => notices.push(format!("no journal: {e}")),
    }
    let player = match &playback {
        Some(p) => {
            info.push(format!(
                "playing {} ({} phrases) at {}x from {:.1} s; type to play along",
                p.path.display(),
                p.session.events.len(),
                p.speed,
                p.from
            ));
            Some(Arc::new(p.spawn(lines.clone())?))
        }
        None => None,
    };
    let midi = cli.midi.start(&lines, &mut info, note_tap, &audio_config);
    drop(lines);
    let mode = ui::choose_mode(
        cli.ui.plain,
        std::io::stdin().is_terminal(),
        std::io::stdout().is_terminal(),
    );
    let playing = player.clone();
    let options = ui::UiOptions {
        stay: cli.ui.stay,
        faults_enabled: cli.lang.faults,
        paths,
        on_accepted: Box::new(recorder.clone()),
        info,
        notices: notices.iter().chain(&midi.notices).cloned().collect(),
        extensions: midi.extensions,
        keep_open: Box::new(move || playing.as_ref().is_some_and(|p| !p.is_finished())),
        replay,
        journal_dir: autosave_dir().ok(),
        ..ui::UiOptions::new(mode, vocab)
    };
    let result = ui::run(audio, inbox, options);
    if let Some(p) = player {
        p.stop();
    }
    if let Some(server) = osc.server {
        server.stop();
    }
    match recorder.finish() {
        Ok(Some(path)) => println!(
            "session autosaved to {} (keep it with `session save NAME`)",
            path.display()
        ),
        Ok(None) => {}
        Err(e) => eprintln!("chronus: autosave failed: {e}"),
    }
    result?;
    Ok(())
}

fn check_seconds(seconds: Option<f64>) -> Result<()> {
    match seconds {
        Some(s) if !(s.is_finite() && s > 0.0 && s <= 3600.0) => {
            bail!("--seconds must be between 0 and 3600, got {s}")
        }
        _ => Ok(()),
    }
}

fn render(output: &std::path::Path, seconds: f64, rate: u32, voices: Option<u16>) -> Result<()> {
    check_seconds(Some(seconds))?;
    let started = std::time::Instant::now();
    let (mut engine, commands) = match voices {
        None => (Engine::new(rate), vec![Command::Gate { on: true }]),
        Some(n) => (
            Engine::with_voices(rate, usize::from(n)),
            chronus::bench::held_chord_commands(usize::from(n), false),
        ),
    };
    let commands: Vec<TimedCommand> = commands
        .into_iter()
        .map(|command| TimedCommand { frame: 0, command })
        .collect();
    let frames = (seconds * f64::from(rate)).round() as u64;
    let samples = render_frames(&mut engine, &commands, frames, |_, _| {});
    write_wav(output, &samples, rate).context("render failed")?;
    let took = started.elapsed().as_secs_f64();
    println!(
        "wrote {} ({seconds} s, {rate} Hz, stereo f32{}) in {took:.2} s, {:.0}x real time",
        output.display(),
        voices.map_or(String::new(), |n| format!("; {n} voices")),
        seconds / took.max(1e-9)
    );
    Ok(())
}

/// `chronus bench`: every measurement, as tables or JSON. The live parts play to the null
/// device unless `--output` was given.
fn bench(
    cli: &Cli,
    output_given: bool,
    quick: bool,
    json: bool,
    seconds: Option<f64>,
    no_failover: bool,
) -> Result<()> {
    let mut audio = cli.audio.to_config();
    if !output_given {
        audio.output = OutputChoice::Null;
    }
    let mut settings = if quick {
        chronus::bench::BenchSettings::quick(audio)
    } else {
        chronus::bench::BenchSettings::full(audio)
    };
    if let Some(s) = seconds {
        if !(s.is_finite() && s > 0.0 && s <= 600.0) {
            bail!("--seconds must be between 0 and 600, got {s}");
        }
        settings.realtime_seconds = s;
    }
    if no_failover {
        settings.failover_injections = 0;
    }
    let report = chronus::bench::run_bench(&settings, quick, |part| {
        eprintln!("chronus bench: {part}…");
    })?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", chronus::bench::format_table(&report));
    }
    Ok(())
}

/// `chronus soak`: loops a session with random phrases and OSC traffic; fails on underruns.
fn soak(
    cli: &Cli,
    seconds: f64,
    session: Option<&std::path::Path>,
    (phrases_per_second, osc_per_second): (f64, f64),
    json: bool,
) -> Result<()> {
    if !(seconds.is_finite() && seconds > 0.0 && seconds <= 24.0 * 3600.0) {
        bail!("the soak must last between 0 seconds and 24 hours, got {seconds} s");
    }
    for (name, rate) in [
        ("--phrases-per-second", phrases_per_second),
        ("--osc-per-second", osc_per_second),
    ] {
        if !(rate.is_finite() && (0.1..=10_000.0).contains(&rate)) {
            bail!("{name} must be between 0.1 and 10000, got {rate}");
        }
    }
    let vocab = cli.lang.vocabulary();
    let (session, session_name) = match session {
        Some(path) => {
            let resolved = session_commands::load_checked(path, &vocab, "soaked")?;
            (resolved.session, path.display().to_string())
        }
        None => (
            chronus::soak::default_session(),
            chronus::soak::DEFAULT_SESSION_NAME.to_string(),
        ),
    };
    let config = chronus::soak::SoakConfig {
        duration: std::time::Duration::from_secs_f64(seconds),
        session,
        session_name,
        phrases_per_second,
        osc_per_second,
        audio: cli.audio.to_config(),
        seed: 0x5EED,
    };
    let quiet = json || !std::io::stderr().is_terminal();
    let report = chronus::soak::run_soak(&config, vocab, |done| {
        if !quiet {
            eprint!("\rchronus soak: {done:.0} / {seconds:.0} s");
        }
    })?;
    if !quiet {
        eprintln!();
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.to_key_values());
    }
    if report.underruns > 0 {
        bail!(
            "{} underruns ({} frames) during the soak",
            report.underruns,
            report.underrun_frames
        );
    }
    Ok(())
}

/// `chronus explain`: canonical lines on stdout; the first bad phrase's error on stderr.
fn explain(phrases: &[String], vocab: &Vocabulary) -> Result<()> {
    match chronus::lang::explain_phrases(phrases, vocab) {
        Ok(lines) => {
            for l in lines {
                println!("{l}");
            }
            Ok(())
        }
        Err((i, e)) => {
            eprintln!("{}", e.render(&phrases[i]));
            bail!("phrase {} of {} did not resolve", i + 1, phrases.len())
        }
    }
}

fn devices() -> Result<()> {
    let list = chronus::rt::output::cpal_output::list_devices()?;
    if list.is_empty() {
        println!("no audio output devices (chronus will use the null device)");
    }
    for d in list {
        println!("{d}");
    }
    Ok(())
}
