//! `save patch NAME`, `load patch NAME` and `patches` performed by the control side: a saved
//! sound comes back exactly after the patch was changed, `patches` lists it beside the
//! built-ins, and loading sends only the parameters that differ (so it glides).
//! A session's `save patch` writes nothing. One test in its own binary: it points `CHRONUS_PATCH_DIR` at a temporary folder.

use chronus::control::Control;
use chronus::engine::command::Command;
use chronus::engine::params::ParamId;
use chronus::lang::Vocabulary;
use chronus::rt::meters::Meters;
use std::sync::Arc;

#[test]
fn a_saved_patch_loads_back_exactly_and_is_listed() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::env::set_var("CHRONUS_PATCH_DIR", dir.path());
    let (tx, mut rx) = rtrb::RingBuffer::new(4096);
    let mut c = Control::new(tx, Arc::new(Meters::new()));
    let v = Vocabulary::builtin();

    let out = c.run_line(
        "osc square, cutoff 900, reverb mix 30%, delay off, arp up",
        &v,
    );
    assert!(out.error.is_none());
    let saved = *c.patch();
    let out = c.run_line("save patch my-lead", &v);
    assert!(
        out.replies[0].starts_with("saved patch my-lead"),
        "{:?}",
        out.replies
    );
    assert!(dir.path().join("my-lead.toml").is_file());

    c.run_line("load patch acid", &v);
    assert_ne!(c.patch().get(ParamId::FilterCutoff), 900.0);
    while rx.pop().is_ok() {}
    let out = c.run_line("load patch my-lead", &v);
    assert!(out.error.is_none(), "{:?}", out.error);
    for &p in ParamId::ALL {
        if p.spec().module() != "transport" {
            assert_eq!(c.patch().get(p), saved.get(p), "{}", p.name());
        }
    }
    let mut sent = Vec::new();
    while let Ok(s) = rx.pop() {
        sent.push(s.command);
    }
    assert!(!sent.is_empty() && sent.iter().all(|c| matches!(c, Command::Set { .. })));

    let listed = c.run_line("patches", &v).replies;
    assert!(listed.contains(&"my-lead".to_string()), "{listed:?}");
    assert!(
        listed.contains(&"acid (built-in)".to_string()),
        "{listed:?}"
    );

    let out = c.run_line("save patch ../outside", &v);
    assert!(out.error.is_some());
    assert!(!dir.path().join("../outside.toml").exists());

    // Checking or rendering a session has no side effects: its `save patch` writes nothing,
    // while its `load patch` still loads.
    let session = "@0 load patch my-lead\nsave patch from-session\n@1\n";
    let resolved = chronus::session::check_bytes(
        "test",
        session.as_bytes(),
        &mut chronus::session::ControlResolver::new(&v),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(resolved.final_patch.get(ParamId::FilterCutoff), 900.0);
    assert!(!dir.path().join("from-session.toml").exists());
}
