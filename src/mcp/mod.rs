//! `chronus mcp`: a Model Context Protocol server over stdio (rmcp, the official Rust SDK),
//! so an AI agent can play chronus with tools (`say`, `explain`, `status`, `show`, `help`,
//! `session_save`, `render`) and read its vocabulary and grammar as resources.
//!
//! - Attach mode (the default, [`attached`]): plays a running chronus over OSC, so a person in
//!   the TUI and an agent play the same instrument; the agent's lines show as `agent>`.
//! - Embedded mode ([`embedded`]): its own engine, with the same output and OSC flags as
//!   `chronus`.
//!
//! Threads: tokio on the calling thread serves stdin/stdout; instrument calls and renders run
//! on tokio's blocking threads; embedded mode adds a "chronus-control" thread. stdout carries
//! only the protocol; everything else goes to stderr or the log file.

pub mod attached;
pub mod embedded;
pub mod instrument;
pub mod render_tool;
pub mod server;
pub mod tools;

pub use attached::AttachedInstrument;
pub use embedded::EmbeddedInstrument;
pub use instrument::{Instrument, InstrumentError};
pub use server::ChronusMcp;

use rmcp::ServiceExt;

/// Why the server stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum McpError {
    /// The async runtime could not start.
    #[error("could not start the async runtime: {0}")]
    Runtime(std::io::Error),
    /// The client never completed the handshake, or the transport failed.
    #[error("MCP: {0}")]
    Protocol(String),
}

/// Serves `server` on stdin/stdout until the client closes stdin.
pub fn serve_stdio(server: ChronusMcp) -> Result<(), McpError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(McpError::Runtime)?;
    runtime.block_on(async move {
        let running = server
            .serve(rmcp::transport::stdio())
            .await
            .map_err(|e| McpError::Protocol(e.to_string()))?;
        running
            .waiting()
            .await
            .map_err(|e| McpError::Protocol(e.to_string()))?;
        Ok(())
    })
}
