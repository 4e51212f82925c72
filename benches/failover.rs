//! `cargo bench --bench failover`: detection time and audible gap of each fault kind over 20
//! injections, live on the real-time-paced null device. Environment: `FAILOVER_INJECTIONS`
//! (default 20), `FAILOVER_TARGET_FILL` (default 8 blocks) and `FAILOVER_BUFFER` (device
//! buffer in frames, default 64).

use chronus::bench::fault_injection::{bench_config, format_table, measure_failovers};
use chronus::engine::command::Fault;
use std::time::Duration;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` does not, and then one
    // injection per fault is enough to prove the benchmark still runs.
    let benching = std::env::args().any(|a| a == "--bench");
    let default_injections = if benching { 20 } else { 1 };
    let injections = env_usize("FAILOVER_INJECTIONS", default_injections).max(1);
    let target_fill = env_usize("FAILOVER_TARGET_FILL", 8).clamp(1, 64);
    let buffer = env_usize("FAILOVER_BUFFER", 64).clamp(16, 8192) as u32;
    let config = bench_config(target_fill, buffer);
    let faults = [Fault::Panic, Fault::Hang, Fault::Nan];
    let cpu_window = Duration::from_millis(if benching { 2000 } else { 200 });
    match measure_failovers(&config, &faults, injections, cpu_window) {
        Ok(report) => print!("{}", format_table(&config, injections, &report)),
        Err(e) => {
            eprintln!("failover bench: {e}");
            std::process::exit(1);
        }
    }
}
