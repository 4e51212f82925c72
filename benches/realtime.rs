//! `cargo bench --bench realtime [SECONDS]`: prints realtime factors (audio seconds per wall
//! second) of the single voice chain and of 1, 16, 64 and 128 held voices with effects off
//! and on.

fn print(r: &chronus::bench::RealtimeFactor) {
    println!(
        "{}: {:.0}x realtime (best {:.2} s of audio in {:.4} s; {:.0} voice-seconds per second)",
        r.label,
        r.factor(),
        r.audio_seconds,
        r.wall_seconds,
        r.factor()
            * r.label
                .split_whitespace()
                .next()
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(1.0),
    );
}

fn main() {
    let seconds = std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<f64>().ok())
        .unwrap_or(20.0);
    let r = chronus::bench::voice_chain_realtime_factor(44_100, seconds);
    println!(
        "{}: {:.0}x realtime ({:.1} s of audio in {:.3} s)",
        r.label,
        r.factor(),
        r.audio_seconds,
        r.wall_seconds
    );
    for r in chronus::bench::polyphony_realtime_factors(
        44_100,
        seconds,
        &chronus::bench::POLYPHONY_COUNTS,
    ) {
        print(&r);
    }
}
