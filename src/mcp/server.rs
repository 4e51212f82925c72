//! The MCP server itself (rmcp's `ServerHandler`): lists and calls the tools of
//! [`super::tools`], lists and reads the resources (the vocabulary and the grammar), and
//! turns every outcome into a tool result. Nothing an agent sends ends the server: bad
//! arguments, unknown tools, phrases chronus does not understand and an instrument that does
//! not answer all come back as error results with a clear message.

use super::instrument::{Instrument, InstrumentError};
use super::render_tool::{render_session, renders_dir};
use super::tools::{
    check_phrase, find, read_args, HelpArgs, NoArgs, PhraseArgs, RenderArgs, SessionSaveArgs,
    ToolSpec, TOOLS,
};
use crate::control::inbox::LineReply;
use crate::control::performer::SHOW_JSON_LINE;
use crate::lang::Vocabulary;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListResourcesResult, ListToolsResult, PaginatedRequestParams, ReadResourceRequestParams,
    ReadResourceResponse, ReadResourceResult, Resource, ResourceContents, ServerCapabilities,
    ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::Value;
use std::sync::Arc;

/// The vocabulary resource's address.
pub const VOCABULARY_URI: &str = "chronus://vocabulary";
/// The grammar resource's address.
pub const GRAMMAR_URI: &str = "chronus://grammar";

const GRAMMAR: &str = include_str!("../../grammar/chronus.ebnf");
const EXAMPLES: &str = include_str!("../../grammar/examples.txt");

/// What the server tells the agent about itself when it connects.
const INSTRUCTIONS: &str = "chronus is a synthesizer played with plain-word phrases. Use `say` \
    to play (\"gate on\", \"osc square\", \"filter a bit darker\", \"chord Dm7\", \"track hats \
    pattern x.x.x.x.\", \"start\"), `show` to read the patch, `explain` to preview a phrase, \
    `help` for topics, `render` to hear a session offline as numbers. A person may be playing \
    the same instrument: listen (show) before you change things. Read the vocabulary and \
    grammar resources for every word chronus knows.";

/// The server: an instrument to play and what `render` needs.
#[derive(Clone)]
pub struct ChronusMcp {
    instrument: Arc<dyn Instrument>,
    vocab: Arc<Vocabulary>,
    /// One call at a time, in the order they arrive (a fair lock), so `say` then `show`
    /// shows what was said even when a client does not wait between them.
    turn: Arc<tokio::sync::Mutex<()>>,
}

impl ChronusMcp {
    /// A server playing `instrument`; `render` resolves sessions with `vocab`.
    pub fn new(instrument: Arc<dyn Instrument>, vocab: Vocabulary) -> ChronusMcp {
        ChronusMcp {
            instrument,
            vocab: Arc::new(vocab),
            turn: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// Performs one line on a blocking thread.
    async fn line(&self, text: String) -> Result<LineReply, String> {
        let instrument = self.instrument.clone();
        tokio::task::spawn_blocking(move || instrument.line(&text))
            .await
            .map_err(|e| format!("the call failed: {e}"))?
            .map_err(|e: InstrumentError| e.to_string())
    }

    /// A line's outcome as a tool result: the replies, or the error with its caret.
    async fn line_result(&self, text: String) -> CallToolResult {
        match self.line(text).await {
            Ok(LineReply::Applied(lines)) if lines.is_empty() => text_result("ok"),
            Ok(LineReply::Applied(lines)) => text_result(&lines.join("\n")),
            Ok(LineReply::Error(e)) => error_result(&e),
            Err(e) => error_result(&e),
        }
    }

    /// Runs tool `name` with `args`; every failure is an error result.
    pub async fn call(
        &self,
        name: &str,
        args: Option<serde_json::Map<String, Value>>,
    ) -> CallToolResult {
        let _turn = self.turn.lock().await;
        let Some(tool) = find(name) else {
            let names: Vec<&str> = TOOLS.iter().map(|t| t.name).collect();
            return error_result(&format!(
                "there is no tool \"{name}\"; the tools are {}",
                names.join(", ")
            ));
        };
        match self.call_tool_spec(tool, args).await {
            Ok(result) => result,
            Err(message) => error_result(&message),
        }
    }

    async fn call_tool_spec(
        &self,
        tool: &ToolSpec,
        args: Option<serde_json::Map<String, Value>>,
    ) -> Result<CallToolResult, String> {
        Ok(match tool.name {
            "say" => {
                let PhraseArgs { phrase } = read_args(tool, args)?;
                check_phrase(&phrase)?;
                self.line_result(phrase).await
            }
            "explain" => {
                let PhraseArgs { phrase } = read_args(tool, args)?;
                check_phrase(&phrase)?;
                self.line_result(format!("explain {phrase}")).await
            }
            "help" => {
                let HelpArgs { topic } = read_args(tool, args)?;
                match topic.as_deref().map(str::trim) {
                    Some(t) if !t.is_empty() => {
                        check_phrase(t)?;
                        self.line_result(format!("help {t}")).await
                    }
                    _ => self.line_result("help".into()).await,
                }
            }
            "session_save" => {
                let SessionSaveArgs { name } = read_args(tool, args)?;
                check_phrase(&name)?;
                self.line_result(format!("session save {}", name.trim()))
                    .await
            }
            "status" => {
                let NoArgs {} = read_args(tool, args)?;
                let instrument = self.instrument.clone();
                let meters = tokio::task::spawn_blocking(move || instrument.meters())
                    .await
                    .map_err(|e| format!("the call failed: {e}"))?
                    .map_err(|e| e.to_string())?;
                CallToolResult::structured(Value::Object(meters))
            }
            "show" => {
                let NoArgs {} = read_args(tool, args)?;
                match self.line(SHOW_JSON_LINE.to_string()).await? {
                    LineReply::Applied(lines) => {
                        let text = lines.concat();
                        let value: Value = serde_json::from_str(&text).map_err(|e| {
                            format!("chronus's patch did not read as JSON ({e}); is it a chronus with `show json`?")
                        })?;
                        CallToolResult::structured(value)
                    }
                    LineReply::Error(e) => error_result(&e),
                }
            }
            "render" => {
                let RenderArgs {
                    session,
                    seconds,
                    name,
                } = read_args(tool, args)?;
                let dir = renders_dir().ok_or("no data folder to render into (is $HOME set?)")?;
                let vocab = self.vocab.clone();
                let report = tokio::task::spawn_blocking(move || {
                    render_session(&session, seconds, name.as_deref(), &dir, &vocab)
                })
                .await
                .map_err(|e| format!("the render failed: {e}"))??;
                let value = serde_json::to_value(&report).map_err(|e| e.to_string())?;
                CallToolResult::structured(value)
            }
            other => error_result(&format!("the tool \"{other}\" is listed but not served")),
        })
    }
}

fn text_result(text: &str) -> CallToolResult {
    CallToolResult::success(vec![ContentBlock::text(text)])
}

fn error_result(text: &str) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(text)])
}

/// The vocabulary resource: chronus's built-in vocabulary files.
pub fn vocabulary_text() -> String {
    let mut out = String::from(
        "# chronus's built-in vocabulary: every word and what it means, file by file.\n",
    );
    for (name, text) in crate::lang::vocab::BUILTIN_FILES {
        out.push_str(&format!("\n# ===== vocab/{name} =====\n{text}"));
    }
    out
}

/// The grammar resource: the EBNF grammar, then example lines.
pub fn grammar_text() -> String {
    format!("{GRAMMAR}\n\n# ===== examples (every line parses) =====\n{EXAMPLES}")
}

impl ServerHandler for ChronusMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .build(),
        )
        .with_server_info(Implementation::new("chronus", env!("CARGO_PKG_VERSION")))
        .with_instructions(format!(
            "{INSTRUCTIONS} This server plays {}.",
            self.instrument.describe()
        ))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(
            TOOLS
                .iter()
                .map(|t| Tool::new(t.name, t.description, Arc::new((t.schema)())))
                .collect(),
        ))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        Ok(self.call(&request.name, request.arguments).await.into())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        Ok(ListResourcesResult::with_all_items(vec![
            Resource::new(VOCABULARY_URI, "vocabulary")
                .with_description("every word chronus knows (vocab/*.toml)")
                .with_mime_type("text/plain"),
            Resource::new(GRAMMAR_URI, "grammar")
                .with_description("the phrase grammar (EBNF) and example lines")
                .with_mime_type("text/plain"),
        ]))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let text = match request.uri.as_str() {
            VOCABULARY_URI => vocabulary_text(),
            GRAMMAR_URI => grammar_text(),
            other => {
                return Err(ErrorData::resource_not_found(
                    format!("no resource {other}; there are {VOCABULARY_URI} and {GRAMMAR_URI}"),
                    None,
                ))
            }
        };
        Ok(ReadResourceResult::new(vec![ResourceContents::text(text, request.uri)]).into())
    }
}
