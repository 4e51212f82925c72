//! The `chronus` binary with its OSC server: `--osc-port` (0 for a free port), `--no-osc`, a
//! taken port (one line, chronus keeps running), and an OSC message answered and shown in the
//! REPL's output. Loopback only, never the default port 5005.

#[path = "support/osc_client.rs"]
mod osc_client;

use osc_client::{text, Client};
use rosc::OscType;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

fn chronus(args: &[&str]) -> Child {
    let empty = std::env::temp_dir().join("chronus-test-no-alsa");
    let _ = std::fs::create_dir_all(&empty);
    Command::new(env!("CARGO_BIN_EXE_chronus"))
        .args(["--output", "null"])
        .args(args)
        .env("XDG_CONFIG_HOME", &empty)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn chronus")
}

/// Stdout lines as they come, on a channel.
fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let out = child.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn wait_for(lines: &mpsc::Receiver<String>, needle: &str) -> String {
    loop {
        match lines.recv_timeout(Duration::from_secs(10)) {
            Ok(l) if l.contains(needle) => return l,
            Ok(_) => {}
            Err(_) => panic!("no line with {needle:?}"),
        }
    }
}

fn finish(mut child: Child) -> (String, i32) {
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(b"quit\n");
    }
    let status = child.wait().expect("wait");
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    (err, status.code().unwrap_or(-1))
}

#[test]
fn osc_messages_reach_the_repl_and_are_answered() {
    let mut child = chronus(&["--osc-port", "0"]);
    let lines = lines_of(&mut child);
    let banner = wait_for(&lines, "OSC on ");
    let addr: SocketAddr = banner
        .trim_start_matches("OSC on ")
        .trim()
        .parse()
        .expect("an address");
    assert!(addr.ip().is_loopback(), "{addr}");
    let c = Client::new(addr);
    let answer = c.ask("/mod/filter/cutoff", vec![OscType::Int(800)]);
    assert_eq!(text(&answer), "filter.cutoff 2000 → 800 Hz");
    // Plain mode shows a remote line with its sender, then the reply indented under it.
    let shown = wait_for(&lines, "osc ");
    assert_eq!(
        shown,
        format!("osc {}> set filter.cutoff 800", c.local_addr()),
        "{shown}"
    );
    let reply = wait_for(&lines, "→");
    assert_eq!(reply, "  filter.cutoff 2000 → 800 Hz");
    let (err, code) = finish(child);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_taken_port_is_one_line_and_chronus_runs_without_osc() {
    let holder = UdpSocket::bind("127.0.0.1:0").expect("socket");
    let port = holder.local_addr().expect("address").port().to_string();
    let mut child = chronus(&["--osc-port", &port]);
    let lines = lines_of(&mut child);
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(b"gate on\n");
        child.stdin = Some(stdin);
    }
    wait_for(&lines, "gate on");
    let (err, code) = finish(child);
    assert_eq!(code, 0, "{err}");
    let osc_lines: Vec<&str> = err.lines().filter(|l| l.contains("OSC")).collect();
    assert_eq!(osc_lines.len(), 1, "{err}");
    assert!(osc_lines[0].contains(&port), "{err}");
    assert!(osc_lines[0].contains("taken"), "{err}");
    assert!(osc_lines[0].contains("running without OSC"), "{err}");
}

#[test]
fn no_osc_starts_no_server_and_a_bad_bind_address_is_refused() {
    let mut child = chronus(&["--no-osc"]);
    let lines = lines_of(&mut child);
    wait_for(&lines, "output: null");
    let (err, code) = finish(child);
    assert_eq!(code, 0, "{err}");
    let seen: Vec<String> = lines.try_iter().collect();
    assert!(seen.iter().all(|l| !l.contains("OSC on")), "{seen:?}");

    let out = Command::new(env!("CARGO_BIN_EXE_chronus"))
        .args(["--osc-bind", "not-an-address"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--osc-bind"), "{err}");
}
