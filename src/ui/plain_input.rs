//! Plain mode's input: a rustyline prompt (history, Tab completion) when stdin is a terminal,
//! or lines read from a pipe. Either way a thread of its own reads and hands lines to the
//! control thread, so the control thread can drain the inbox while the user thinks.
//!
//! Runs on the "chronus-input" thread; the control thread holds the receiving end.

use super::completion::WordCompleter;
use std::io::BufRead;
use std::sync::mpsc::{self, Receiver, Sender};

/// What the input thread delivers.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TypedLine {
    /// One line, without its newline.
    Line(String),
    /// End of input (Ctrl-D or the end of a pipe).
    End,
    /// Ctrl-C at the prompt.
    Interrupted,
    /// Not typed: a line arrived in the inbox (sent by the inbox's waker).
    InboxArrival,
}

/// Prints above the prompt while rustyline is reading.
pub(crate) type Printer = Box<dyn rustyline::ExternalPrinter + Send>;

/// The control thread's end of the input thread.
pub(crate) struct PlainInput {
    /// Lines as they are typed.
    pub lines: Receiver<TypedLine>,
    /// Another way into `lines`, for the inbox's waker.
    pub wake: Sender<TypedLine>,
    /// Tells the prompt the last line's replies are printed (interactive only).
    pub done: Option<Sender<()>>,
    /// Prints above the prompt (interactive only, where the terminal allows).
    pub printer: Option<Printer>,
}

/// rustyline's helper: completion from [`WordCompleter`], nothing else.
struct PromptHelper(WordCompleter);

impl rustyline::completion::Completer for PromptHelper {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let c = self.0.complete(line, pos);
        Ok((c.start, c.candidates))
    }
}

impl rustyline::hint::Hinter for PromptHelper {
    type Hint = String;
}
impl rustyline::highlight::Highlighter for PromptHelper {}
impl rustyline::validate::Validator for PromptHelper {}
impl rustyline::Helper for PromptHelper {}

/// The prompt plain mode shows on a terminal.
pub(crate) const PROMPT: &str = "chronus> ";

/// Starts a rustyline prompt on its own thread, seeded with `history`.
pub(crate) fn spawn_prompt(
    history: &[String],
    completer: WordCompleter,
) -> std::io::Result<PlainInput> {
    let config = rustyline::Config::builder()
        .auto_add_history(true)
        .completion_type(rustyline::CompletionType::List)
        .build();
    let mut editor: rustyline::Editor<PromptHelper, rustyline::history::DefaultHistory> =
        rustyline::Editor::with_config(config).map_err(std::io::Error::other)?;
    editor.set_helper(Some(PromptHelper(completer)));
    for line in history {
        let _ = editor.add_history_entry(line.as_str());
    }
    let printer = editor
        .create_external_printer()
        .ok()
        .map(|p| Box::new(p) as Printer);
    let (tx, rx) = mpsc::channel();
    let tx_wake = tx.clone();
    let (done_tx, done_rx) = mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("chronus-input".into())
        .spawn(move || loop {
            let typed = match editor.readline(PROMPT) {
                Ok(line) => TypedLine::Line(line),
                Err(rustyline::error::ReadlineError::Interrupted) => TypedLine::Interrupted,
                Err(rustyline::error::ReadlineError::Eof) => TypedLine::End,
                Err(e) => {
                    log::warn!("input: {e}");
                    TypedLine::End
                }
            };
            let last = typed != TypedLine::End && typed != TypedLine::Interrupted;
            if tx.send(typed).is_err() || !last || done_rx.recv().is_err() {
                return;
            }
        })?;
    Ok(PlainInput {
        lines: rx,
        wake: tx_wake,
        done: Some(done_tx),
        printer,
    })
}

/// Reads lines from a pipe (invalid UTF-8 is replaced, not fatal) on its own thread.
pub(crate) fn spawn_pipe() -> std::io::Result<PlainInput> {
    let (tx, rx) = mpsc::channel();
    let tx_wake = tx.clone();
    std::thread::Builder::new()
        .name("chronus-input".into())
        .spawn(move || {
            let stdin = std::io::stdin();
            let mut reader = stdin.lock();
            let mut bytes = Vec::new();
            loop {
                bytes.clear();
                match reader.read_until(b'\n', &mut bytes) {
                    Ok(0) => break,
                    Ok(_) => {
                        while bytes.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                            bytes.pop();
                        }
                        let line = String::from_utf8_lossy(&bytes).into_owned();
                        if tx.send(TypedLine::Line(line)).is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        log::warn!("input: {e}");
                        break;
                    }
                }
            }
            let _ = tx.send(TypedLine::End);
        })?;
    Ok(PlainInput {
        lines: rx,
        wake: tx_wake,
        done: None,
        printer: None,
    })
}
