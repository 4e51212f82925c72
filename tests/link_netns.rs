//! Ableton Link between two chronus processes (cargo feature `link`). Link discovers peers
//! by multicast, so this test only ever runs inside a private network namespace: run
//! normally, it starts itself again under `unshare -n` with loopback up and a multicast
//! route, and the two chronus processes meet there and nowhere else. Without the right to
//! make a namespace (not root) it is skipped with a printed reason.
#![cfg(feature = "link")]

mod support;

use std::process::Command;
use std::time::{Duration, Instant};
use support::chronus_process::{chronus_command, ChronusProcess};

const INSIDE: &str = "CHRONUS_LINK_NETNS";

/// Runs `test` in a private network namespace; true when this process is already inside one.
fn inside_private_network(test: &str) -> bool {
    if std::env::var_os(INSIDE).is_some() {
        return true;
    }
    let exe = std::env::current_exe().expect("the test binary");
    let out = Command::new("unshare")
        .args([
            "-n",
            "sh",
            "-c",
            "ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo \
             && exec \"$0\" --exact \"$1\" --nocapture",
        ])
        .arg(exe)
        .arg(test)
        .env(INSIDE, "1")
        .output();
    match out {
        Ok(out) if out.status.success() => {
            eprintln!("{}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(out) => {
            let err = String::from_utf8_lossy(&out.stderr);
            if err.contains("Operation not permitted") || err.contains("unshare failed") {
                eprintln!(
                    "skipped: cannot make a private network namespace here ({})",
                    err.trim()
                );
            } else {
                panic!(
                    "the test failed inside its network namespace:\n{}\n{}",
                    String::from_utf8_lossy(&out.stdout),
                    err
                );
            }
        }
        Err(e) => eprintln!("skipped: no `unshare` to make a private network namespace ({e})"),
    }
    false
}

fn start(home: &std::path::Path, name: &str) -> ChronusProcess {
    let dir = home.join(name);
    let mut cmd = chronus_command(&["--plain", "--stay", "--output", "null", "--link"]);
    cmd.env("HOME", &dir)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("XDG_CONFIG_HOME", dir.join("config"));
    ChronusProcess::spawn(&mut cmd)
}

fn link_line(p: &mut ChronusProcess) -> String {
    p.send("status");
    p.expect_line("the link status", |l| l.starts_with("link="))
}

#[test]
fn two_chronus_share_a_tempo_and_start_on_the_same_bar() {
    if !inside_private_network("two_chronus_share_a_tempo_and_start_on_the_same_bar") {
        return;
    }
    let home = tempfile::tempdir().expect("temp home");
    let mut a = start(home.path(), "a");
    let mut b = start(home.path(), "b");
    a.expect_line("link on", |l| l.starts_with("link: on"));
    b.expect_line("link on", |l| l.starts_with("link: on"));
    let until = Instant::now() + Duration::from_secs(10);
    while !link_line(&mut a).contains("link_peers=1") {
        assert!(Instant::now() < until, "the peers never found each other");
        std::thread::sleep(Duration::from_millis(100));
    }
    a.send("tempo 133");
    let sent = Instant::now();
    b.expect_line("the tempo from the peer", |l| l == "link> tempo 133");
    let took = sent.elapsed();
    eprintln!("link: tempo 133 reached the other chronus in {took:?}");
    assert!(took < Duration::from_secs(1), "{took:?}");
    assert!(link_line(&mut b).contains("link_tempo=133"));
    a.send("start");
    a.expect_line("the start request", |l| {
        l.starts_with("link: starting on the next bar")
    });
    let a_start = {
        a.expect_line("a starts", |l| l == "link> start");
        Instant::now()
    };
    b.expect_line("b starts", |l| l == "link> start");
    let b_start = Instant::now();
    let apart = if b_start > a_start {
        b_start - a_start
    } else {
        a_start - b_start
    };
    eprintln!("link: the two transports started {apart:?} apart (as seen by this test)");
    assert!(apart < Duration::from_millis(200), "{apart:?}");
    a.send("stop");
    b.expect_line("b stops", |l| l == "link> stop transport");
    a.send("quit");
    b.send("quit");
}
