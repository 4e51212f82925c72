//! OSC beyond one machine: with the server bound beyond loopback, a sender that no
//! `--osc-allow` network holds is refused (counted as `osc_refused`, not answered, nothing
//! performed), and an allowed one is answered. Needs a non-loopback address on this machine
//! (skipped with a printed reason where there is none).

#[path = "support/osc_client.rs"]
mod osc_client;

use chronus::control::inbox::inbox;
use chronus::osc::allow::AllowedNet;
use chronus::osc::{OscConfig, OscServer};
use chronus::rt::meters::Meters;
use osc_client::{message, Client};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::Duration;

/// This machine's address on its outgoing interface, if it has one besides loopback.
fn own_address() -> Option<IpAddr> {
    let probe = UdpSocket::bind("0.0.0.0:0").ok()?;
    // Connecting a UDP socket sends nothing; it only picks the route.
    probe.connect("192.0.2.1:9").ok()?;
    let ip = probe.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

fn server(
    allow: Vec<AllowedNet>,
) -> (
    OscServer,
    Arc<Meters>,
    chronus::control::inbox::InboxReceiver,
) {
    let meters = Arc::new(Meters::new());
    let (tx, rx) = inbox();
    let config = OscConfig {
        bind: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        port: 0,
        allow,
        ..OscConfig::default()
    };
    let server = OscServer::start(&config, tx, meters.clone()).expect("server");
    (server, meters, rx)
}

fn client_from(ip: IpAddr, server_port: u16) -> Client {
    let socket = UdpSocket::bind(SocketAddr::new(ip, 0)).expect("client socket");
    Client {
        socket,
        server: SocketAddr::new(ip, server_port),
    }
}

#[test]
fn a_sender_outside_the_allowed_networks_is_refused_and_an_allowed_one_plays() {
    let Some(ip) = own_address() else {
        eprintln!("skipped: no non-loopback address on this machine to send from");
        return;
    };
    let (refusing, meters, lines) = server(Vec::new());
    let warning = refusing.warning().expect("a line saying who may play");
    assert!(warning.contains("only this machine may play"), "{warning}");
    let stranger = client_from(ip, refusing.local_addr().port());
    stranger.send(&message("/engine/status", vec![]));
    stranger.send(&message("/gate", vec![rosc::OscType::Int(1)]));
    assert!(
        stranger.recv(Duration::from_millis(300)).is_none(),
        "no answer"
    );
    assert_eq!(meters.osc_refused.load(Relaxed), 2);
    assert!(lines.drain().is_empty(), "nothing performed");
    // This machine's loopback may always play.
    let local = Client::new(SocketAddr::new(
        IpAddr::V4(Ipv4Addr::LOCALHOST),
        refusing.local_addr().port(),
    ));
    local.send(&message("/engine/status", vec![]));
    assert!(
        local.recv(Duration::from_secs(5)).is_some(),
        "loopback answered"
    );
    refusing.stop();

    let net: AllowedNet = format!("{ip}/24").parse().expect("a network");
    let (allowing, meters, _lines) = server(vec![net]);
    let warning = allowing.warning().expect("a line saying who may play");
    assert!(warning.contains(&net.to_string()), "{warning}");
    let friend = client_from(ip, allowing.local_addr().port());
    friend.send(&message("/engine/status", vec![]));
    assert!(
        friend.recv(Duration::from_secs(5)).is_some(),
        "allowed sender answered"
    );
    assert_eq!(meters.osc_refused.load(Relaxed), 0);
    allowing.stop();
}
