//! `cargo bench`: prints the realtime factor of the voice chain (audio seconds per wall second).

fn main() {
    let seconds = std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<f64>().ok())
        .unwrap_or(60.0);
    let r = chronus::bench::voice_chain_realtime_factor(44_100, seconds);
    println!(
        "{}: {:.0}x realtime ({:.1} s of audio in {:.3} s)",
        r.label,
        r.factor(),
        r.audio_seconds,
        r.wall_seconds
    );
}
