//! `cargo bench --bench failover`: detection time and audible gap of each fault kind over 20
//! injections, live on the real-time-paced null device. Environment: `FAILOVER_INJECTIONS`
//! (default 20) and `FAILOVER_TARGET_FILL` (default 8 blocks).

use chronus::engine::command::Fault;
use chronus::rt::failover_bench::{bench_config, format_table, measure_failovers};
use std::time::Duration;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let injections = env_usize("FAILOVER_INJECTIONS", 20).max(1);
    let target_fill = env_usize("FAILOVER_TARGET_FILL", 8).clamp(1, 64);
    let config = bench_config(target_fill);
    let faults = [Fault::Panic, Fault::Hang, Fault::Nan];
    match measure_failovers(&config, &faults, injections, Duration::from_secs(2)) {
        Ok(report) => print!("{}", format_table(&config, injections, &report)),
        Err(e) => {
            eprintln!("failover bench: {e}");
            std::process::exit(1);
        }
    }
}
