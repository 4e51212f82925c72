//! The sample memory budget (`--sample-memory`): a file that would take more than is free is
//! refused with a message that names the flag, and nothing is loaded. (A test binary of its
//! own, because the budget is process-wide.)

use chronus::engine::sample_library::{memory, set_memory_budget};

#[test]
fn a_sample_over_the_memory_budget_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("long.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 44_100,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&path, spec).expect("create");
    for i in 0..(44_100 * 10) {
        w.write_sample(((i % 200) as i16 - 100) * 100)
            .expect("write");
    }
    w.finalize().expect("finish");
    // Ten seconds of mono f32 is about 1.7 MB; allow 1 MB.
    set_memory_budget(1024 * 1024);
    let e = chronus::samples::load(&path.display().to_string()).expect_err("over budget");
    let message = e.to_string();
    assert!(message.contains("--sample-memory"), "{message}");
    assert!(
        message.contains("1.7 MB") || message.contains("1.6 MB"),
        "{message}"
    );
    assert_eq!(memory().1, 0, "nothing was loaded");
}
