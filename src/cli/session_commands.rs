//! The session subcommands of the binary: `chronus check FILE...`, `chronus render FILE` and
//! the preparation of `chronus play FILE` (the playback itself runs in the line REPL).
//!
//! Runs on the main thread.

use anyhow::{bail, Context, Result};
use chronus::lang::Vocabulary;
use chronus::session::format::{seconds_text, Session};
use chronus::session::journal::{mark_recovered, read_journal, unclean_journals};
use chronus::session::render::{default_seconds, stop_point, tail_seconds};
use chronus::session::replay::Playback;
use chronus::session::save::autosave_dir;
use chronus::session::save::sessions_dir;
use chronus::session::stamp::parse_offset;
use chronus::session::{
    check_file, render_to_wav, ControlResolver, RenderOptions, ResolvedSession,
};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A session named on the command line: the path as given, or, when that does not exist and
/// is a bare name, the file of that name in the sessions folder (`chronus play jam`).
pub fn find_session(arg: &Path) -> PathBuf {
    if arg.exists() || arg.components().count() != 1 {
        return arg.to_path_buf();
    }
    let Ok(dir) = sessions_dir() else {
        return arg.to_path_buf();
    };
    let name = arg.to_string_lossy();
    let candidate = chronus::session::save::session_path(&dir, &name);
    match candidate {
        Ok(p) if p.exists() => p,
        _ => arg.to_path_buf(),
    }
}

/// Checks and resolves a session; on problems prints their listing to stderr and fails.
pub fn load_checked(file: &Path, vocab: &Vocabulary, verb: &str) -> Result<ResolvedSession> {
    let path = find_session(file);
    match check_file(&path, &mut ControlResolver::new(vocab)) {
        Ok(r) => Ok(r),
        Err(e) => {
            eprintln!("{e}");
            bail!(
                "{} has {} problem{}; nothing was {verb} (see `chronus check`)",
                path.display(),
                e.count(),
                if e.count() == 1 { "" } else { "s" }
            )
        }
    }
}

/// `chronus check FILE...`: lists every problem as `FILE:LINE:COL: message`, or one `ok` line
/// per good file. Fails when any file has problems.
pub fn check(files: &[PathBuf], vocab: &Vocabulary) -> Result<()> {
    let mut bad = 0usize;
    let mut problems = 0usize;
    for file in files {
        let path = find_session(file);
        match check_file(&path, &mut ControlResolver::new(vocab)) {
            Ok(r) => println!(
                "{}: ok, {} phrases, {} commands, {} long (+ {} tail), tempo {}; renders {} ({})",
                path.display(),
                r.session.events.len(),
                r.command_count(),
                seconds_text(r.session.end()),
                seconds_text(tail_seconds(&r.final_patch)),
                r.session.tempo(),
                seconds_text(default_seconds(&r)),
                stop_point(&r, None).describe()
            ),
            Err(e) => {
                println!("{e}");
                bad += 1;
                problems += e.count();
            }
        }
    }
    if bad > 0 {
        bail!(
            "{problems} problem{} in {bad} of {} file{}",
            if problems == 1 { "" } else { "s" },
            files.len(),
            if files.len() == 1 { "" } else { "s" }
        );
    }
    Ok(())
}

/// `chronus render FILE -o out.wav [--seconds N] [--rate R]`. `rate` is the `--rate` given on
/// the command line, if any; otherwise the session's `rate` header, else `default_rate`.
pub fn render(
    file: &Path,
    out: &Path,
    seconds: Option<f64>,
    rate: Option<u32>,
    default_rate: u32,
    vocab: &Vocabulary,
) -> Result<()> {
    let resolved = load_checked(file, vocab, "rendered")?;
    let rate = rate
        .or(resolved.session.header.rate)
        .unwrap_or(default_rate);
    let options = RenderOptions { rate, seconds };
    let length = seconds.unwrap_or_else(|| default_seconds(&resolved));
    let mut bar = ProgressBar::new(std::io::stderr().is_terminal());
    let started = Instant::now();
    let summary = render_to_wav(&resolved, options, out, |done, total| bar.show(done, total))
        .context("render failed")?;
    bar.finish();
    let took = started.elapsed().as_secs_f64();
    println!(
        "wrote {} ({}, {rate} Hz, stereo f32; {} phrases, {} commands) in {took:.2} s, {:.0}x real time\n  the session {}",
        out.display(),
        seconds_text(summary.seconds),
        resolved.session.events.len(),
        summary.commands,
        length / took.max(1e-6),
        stop_point(&resolved, seconds).describe()
    );
    Ok(())
}

/// `chronus play`: checks the file (refusing it with its problem listing) and the options.
pub fn prepare_play(file: &Path, speed: f64, from: &str, vocab: &Vocabulary) -> Result<Playback> {
    if !(speed.is_finite() && (0.1..=16.0).contains(&speed)) {
        bail!("--speed must be between 0.1 and 16, got {speed}");
    }
    let resolved = load_checked(file, vocab, "played")?;
    let from = parse_from(from, &resolved.session)?;
    Ok(Playback {
        session: resolved.session,
        path: find_session(file),
        speed,
        from,
    })
}

/// Whether `--rate` was given on the command line (before or after the subcommand), rather
/// than left at its default.
pub fn rate_given(matches: &clap::ArgMatches) -> bool {
    let given = |m: &clap::ArgMatches| {
        m.try_contains_id("rate").unwrap_or(false)
            && m.value_source("rate") == Some(clap::parser::ValueSource::CommandLine)
    };
    given(matches) || matches.subcommand().is_some_and(|(_, sub)| given(sub))
}

/// A `--from` value: `30`, `30s`, `1:30`, `bar 9` or `beat 17`, as seconds into `session`.
pub fn parse_from(from: &str, session: &Session) -> Result<f64> {
    let s =
        parse_offset(from, session.tempo()).map_err(|e| anyhow::anyhow!("--from {from}: {e}"))?;
    if s > session.end() {
        bail!(
            "--from {from} is past the end of the session ({})",
            seconds_text(session.end())
        );
    }
    Ok(s)
}

/// A one-line progress bar on stderr, drawn only on a terminal.
struct ProgressBar {
    on: bool,
    last: usize,
}

impl ProgressBar {
    fn new(on: bool) -> Self {
        ProgressBar {
            on,
            last: usize::MAX,
        }
    }

    fn show(&mut self, done: u64, total: u64) {
        if !self.on || total == 0 {
            return;
        }
        let pct = (done * 100 / total) as usize;
        if pct == self.last {
            return;
        }
        self.last = pct;
        let filled = pct * 30 / 100;
        eprint!(
            "\rrendering [{}{}] {pct:>3}%",
            "#".repeat(filled),
            " ".repeat(30 - filled)
        );
        let _ = std::io::stderr().flush();
    }

    fn finish(&self) {
        if self.on && self.last != usize::MAX {
            eprint!("\r{}\r", " ".repeat(50));
        }
    }
}

/// `chronus recover [JOURNAL]`: reads the journal (the newest unclean one beside the
/// autosaves by default), lists its problems as FILE:LINE, marks it recovered and returns
/// its lines for the instrument to replay. Writes no session file: the performer keeps the
/// result with `session save NAME`, which never overwrites without `!`.
pub fn recover(journal: Option<&Path>) -> Result<Vec<(PathBuf, usize, String)>> {
    let path = match journal {
        Some(p) => p.to_path_buf(),
        None => {
            let dir = autosave_dir()?;
            match unclean_journals(&dir).into_iter().next() {
                Some(p) => p,
                None => bail!(
                    "nothing to recover: every journal in {} ended cleanly or was recovered",
                    dir.display()
                ),
            }
        }
    };
    let recovered =
        read_journal(&path).with_context(|| format!("could not read {}", path.display()))?;
    for line in recovered.problem_lines() {
        eprintln!("{line}");
    }
    eprintln!("chronus: {}", recovered.summary());
    if recovered.lines.is_empty() {
        bail!("{} holds no line to recover", path.display());
    }
    let file = match mark_recovered(&path) {
        Ok(moved) => moved,
        Err(e) => {
            eprintln!(
                "chronus: could not mark {} as recovered ({e}); it will be offered again",
                path.display()
            );
            path.clone()
        }
    };
    Ok(recovered
        .lines
        .into_iter()
        .map(|(n, text)| (file.clone(), n, text))
        .collect())
}
