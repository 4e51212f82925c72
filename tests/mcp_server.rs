//! `chronus mcp` end to end, speaking raw JSON-RPC over the child's stdin/stdout the way an
//! MCP client does: the embedded engine (tools, resources, bad input, render, session save),
//! attach mode against a running plain-mode chronus on a free OSC port, and attach mode with
//! nothing to attach to. Every wait is bounded; a hung server fails the test.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(20);

/// A child process with a line-reading thread on its stdout.
struct Process {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
}

impl Process {
    fn start(args: &[&str], home: &Path) -> Process {
        let mut child = Command::new(env!("CARGO_BIN_EXE_chronus"))
            .args(args)
            .env("HOME", home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_STATE_HOME", home.join("state"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chronus");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        Process {
            child,
            stdin,
            lines,
        }
    }

    fn send(&mut self, text: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{text}").expect("write to chronus");
        stdin.flush().expect("flush");
    }

    /// The next stdout line that satisfies `ok`.
    fn wait_line(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let end = Instant::now() + WAIT;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if ok(&line) => return line,
                Ok(_) => {}
                Err(_) => panic!("timed out after {WAIT:?} waiting for {what}"),
            }
        }
    }

    /// Closes stdin and waits for the exit status.
    fn finish(mut self) -> std::process::ExitStatus {
        drop(self.stdin.take());
        let end = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            if Instant::now() > end {
                let _ = self.child.kill();
                panic!("chronus did not leave after its input closed");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An MCP client over a child's stdio.
struct Mcp {
    process: Process,
    next_id: u64,
}

impl Mcp {
    fn start(args: &[&str], home: &Path) -> Mcp {
        let mut mcp = Mcp {
            process: Process::start(args, home),
            next_id: 1,
        };
        let init = mcp.request(
            "initialize",
            json!({
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": {"name": "chronus-test", "version": "0"}
            }),
        );
        assert_eq!(init["result"]["serverInfo"]["name"], "chronus", "{init}");
        mcp.process
            .send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string());
        mcp
    }

    /// Sends a request and returns the whole response object.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.process.send(
            &json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string(),
        );
        let line = self
            .process
            .wait_line(&format!("the answer to {method}"), |l| {
                serde_json::from_str::<Value>(l).is_ok_and(|v| v["id"] == id)
            });
        serde_json::from_str(&line).expect("JSON")
    }

    /// Calls a tool; returns (is_error, text, structured content).
    fn call(&mut self, tool: &str, arguments: Value) -> (bool, String, Value) {
        let r = self.request("tools/call", json!({"name": tool, "arguments": arguments}));
        let result = &r["result"];
        assert!(result.is_object(), "{tool}: no result: {r}");
        let text = result["content"][0]["text"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        (
            result["isError"] == true,
            text,
            result["structuredContent"].clone(),
        )
    }
}

fn free_udp_port() -> u16 {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    socket.local_addr().expect("addr").port()
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default()
}

#[test]
fn an_agent_plays_the_embedded_engine_and_bad_input_comes_back_as_error_results() {
    let home = tempfile::tempdir().expect("home");
    let mut mcp = Mcp::start(
        &["mcp", "--embedded", "--output", "null", "--no-osc"],
        home.path(),
    );
    let tools = mcp.request("tools/list", json!({}));
    let names: Vec<&str> = tools["result"]["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "say",
            "explain",
            "status",
            "show",
            "help",
            "session_save",
            "render"
        ]
    );

    let (error, text, _) = mcp.call("say", json!({"phrase": "osc square"}));
    assert!(!error, "{text}");
    assert_eq!(text, "osc.wave saw → square");
    let (error, _, patch) = mcp.call("show", json!({}));
    assert!(!error);
    assert_eq!(patch["params"]["osc.wave"], "square", "{patch}");
    assert_eq!(patch["gate"], false);

    let (error, text, _) = mcp.call("say", json!({"phrase": "flitter darker"}));
    assert!(error, "a phrase chronus does not know is an error result");
    assert!(text.starts_with("flitter darker\n^^^^^^^"), "{text}");
    assert!(text.contains("did you mean \"filter\""), "{text}");

    let (error, text, _) = mcp.call("say", json!({}));
    assert!(error && text.contains("missing field `phrase`"), "{text}");
    let (error, text, _) = mcp.call("say", json!({"phrase": 42}));
    assert!(error && text.contains("invalid type"), "{text}");
    let (error, text, _) = mcp.call("say", json!({"phrase": "darker ".repeat(400)}));
    assert!(error && text.contains("at most 1024"), "{text}");
    let (error, text, _) = mcp.call("dance", json!({}));
    assert!(error && text.contains("the tools are say"), "{text}");

    let (error, text, _) = mcp.call("explain", json!({"phrase": "a bit darker"}));
    assert!(!error && text.contains("set filter.cutoff"), "{text}");
    let (error, _, meters) = mcp.call("status", json!({}));
    assert!(!error);
    assert!(meters["underruns"].is_number(), "{meters}");

    let (error, _, render) = mcp.call(
        "render",
        json!({"session": "osc square\nnote A3\n@1.5 note off 57", "name": "../../escape"}),
    );
    assert!(!error, "{render}");
    let wav = PathBuf::from(render["path"].as_str().expect("a path"));
    assert!(wav.exists(), "{}", wav.display());
    assert_eq!(
        wav.parent(),
        Some(home.path().join("data/chronus/renders").as_path())
    );
    assert_eq!(render["pitch_note"], "A3", "{render}");
    assert!(render["peak_db"]
        .as_f64()
        .is_some_and(|p| p < 0.0 && p > -40.0));
    let (error, text, _) = mcp.call("render", json!({"session": "wave kazoo"}));
    assert!(error && text.contains("kazoo"), "{text}");

    let grammar = mcp.request("resources/read", json!({"uri": "chronus://grammar"}));
    let text = grammar["result"]["contents"][0]["text"]
        .as_str()
        .unwrap_or_default();
    assert!(
        text.contains("filter a bit darker") || text.contains("darker"),
        "{grammar}"
    );
    let vocab = mcp.request("resources/read", json!({"uri": "chronus://vocabulary"}));
    let text = vocab["result"]["contents"][0]["text"]
        .as_str()
        .unwrap_or_default();
    assert!(text.contains("vocab/describe.toml"), "{vocab}");

    let (error, text, _) = mcp.call("session_save", json!({"name": "agent-jam"}));
    assert!(!error, "{text}");
    let saved = files_under(&home.path().join("data/chronus/sessions"));
    let session = saved
        .iter()
        .find(|p| p.to_string_lossy().contains("agent-jam"))
        .unwrap_or_else(|| panic!("no saved session in {saved:?} ({text})"));
    let body = std::fs::read_to_string(session).unwrap_or_default();
    assert!(
        body.contains("osc square"),
        "the agent's line is recorded:\n{body}"
    );
    assert!(
        !body.contains("flitter"),
        "refused lines are not recorded:\n{body}"
    );

    assert!(
        mcp.process.finish().success(),
        "closing stdin ends the server cleanly"
    );
}

#[test]
fn attached_to_a_running_chronus_the_agent_plays_the_same_instrument() {
    let home = tempfile::tempdir().expect("home");
    let port = free_udp_port().to_string();
    let mut chronus = Process::start(
        &["--plain", "--output", "null", "--osc-port", &port],
        home.path(),
    );
    chronus.wait_line("the OSC server", |l| l.starts_with("OSC on 127.0.0.1:"));
    let mut mcp = Mcp::start(&["mcp", "--osc-port", &port], home.path());

    let (error, text, _) = mcp.call("say", json!({"phrase": "gate on, osc square"}));
    assert!(!error, "{text}");
    assert!(text.contains("gate on"), "{text}");
    chronus.wait_line("the agent's line in chronus", |l| {
        l == "agent> gate on, osc square"
    });
    let (error, _, patch) = mcp.call("show", json!({}));
    assert!(!error);
    assert_eq!(patch["gate"], true, "{patch}");
    assert_eq!(patch["params"]["osc.wave"], "square");
    // The person at the keyboard plays too, and the agent sees it.
    chronus.send("cutoff 700");
    chronus.wait_line("the typed line's reply", |l| {
        l.contains("filter.cutoff 2000 → 700")
    });
    let (_, _, patch) = mcp.call("show", json!({}));
    assert_eq!(patch["params"]["filter.cutoff"], 700.0, "{patch}");
    let (error, text, _) = mcp.call("say", json!({"phrase": "wave kazoo"}));
    assert!(error && text.contains('^'), "{text}");
    let (error, _, meters) = mcp.call("status", json!({}));
    assert!(
        !error && meters["osc_messages"].as_u64() >= Some(3),
        "{meters}"
    );
    assert!(mcp.process.finish().success());
    chronus.send("quit");
}

#[test]
fn attached_to_nothing_every_call_says_how_to_start_chronus_and_the_server_stays_up() {
    let home = tempfile::tempdir().expect("home");
    let port = free_udp_port().to_string();
    let mut mcp = Mcp::start(&["mcp", "--osc-port", &port], home.path());
    for _ in 0..2 {
        let (error, text, _) = mcp.call("say", json!({"phrase": "gate on"}));
        assert!(error, "{text}");
        assert!(
            text.contains(&format!("no chronus answers on 127.0.0.1:{port}"))
                && text.contains("--embedded"),
            "{text}"
        );
    }
    let tools = mcp.request("tools/list", json!({}));
    assert!(
        tools["result"]["tools"].is_array(),
        "still serving: {tools}"
    );
    assert!(mcp.process.finish().success());
}
