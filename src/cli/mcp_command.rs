//! `chronus mcp`: wires the MCP server (`chronus::mcp`) to a running chronus over OSC (the
//! default) or to an engine of its own (`--embedded`, with the usual output and OSC flags).
//! stdout belongs to the protocol: every message for people goes to stderr.

use super::{AudioArgs, LangArgs, OscArgs};
use crate::panic_exit;
use anyhow::{bail, Context, Result};
use chronus::control::Control;
use chronus::mcp::{serve_stdio, AttachedInstrument, ChronusMcp, EmbeddedInstrument};
use chronus::rt::LiveAudio;
use chronus::session::{LiveRecorder, Recorder};
use chronus::ui;
use std::net::SocketAddr;
use std::sync::Arc;

/// Runs the MCP server until the client closes stdin.
pub fn run(audio: &AudioArgs, lang: &LangArgs, osc: &OscArgs, embedded: bool) -> Result<()> {
    let vocab = lang.vocabulary();
    if !embedded {
        if osc.no_osc {
            bail!("attach mode plays a running chronus over OSC; drop --no-osc, or use --embedded");
        }
        if osc.osc_port == 0 {
            bail!("give the OSC port of the running chronus (--osc-port, 5005 by default)");
        }
        let target = SocketAddr::new(osc.osc_bind, osc.osc_port);
        let instrument = AttachedInstrument::new(target).context("could not open a UDP socket")?;
        eprintln!("chronus mcp: playing the chronus at {target} over OSC; MCP on stdin/stdout");
        serve_stdio(ChronusMcp::new(Arc::new(instrument), vocab))?;
        return Ok(());
    }
    let paths = ui::UiPaths::from_xdg();
    if let Some(log) = &paths.log {
        // Without a writable state dir the records are dropped.
        let _ = ui::logfile::install(log);
    }
    let live = LiveAudio::start(&audio.to_config())?;
    panic_exit::mute_on_panic(live.mute_switch());
    if let Some(n) = &live.notice {
        eprintln!("chronus mcp: {n}");
    }
    let (lines, inbox) = chronus::control::inbox::inbox();
    let osc_server =
        chronus::osc::launch(osc.to_config().as_ref(), lines.clone(), live.meters.clone());
    for n in &osc_server.notices {
        eprintln!("chronus mcp: {n}");
    }
    if let Some(server) = &osc_server.server {
        eprintln!("chronus mcp: OSC on {}", server.local_addr());
    }
    let recorder = LiveRecorder::start(Recorder::new())?;
    let control = Control::new(live.commands.clone(), live.meters.clone());
    let instrument = Arc::new(EmbeddedInstrument::start(
        control,
        vocab.clone(),
        recorder.clone(),
        (lines, inbox),
        &live.output_name,
    )?);
    eprintln!(
        "chronus mcp: playing an embedded engine (output {}); MCP on stdin/stdout",
        live.output_name
    );
    let result = serve_stdio(ChronusMcp::new(instrument.clone(), vocab));
    instrument.stop();
    if let Some(server) = osc_server.server {
        server.stop();
    }
    match recorder.finish() {
        Ok(Some(path)) => eprintln!("chronus mcp: session autosaved to {}", path.display()),
        Ok(None) => {}
        Err(e) => eprintln!("chronus mcp: autosave failed: {e}"),
    }
    live.stop();
    result?;
    Ok(())
}
