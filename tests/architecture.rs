//! The architecture as written down stays the architecture as built:
//!
//! - every folder and file under `src/` is named, in its own folder, in the layout block of
//!   `docs/ARCHITECTURE.md`, and the layout names nothing that does not exist;
//! - the layers import only the layers below them (`ui/osc/session → control → lang → engine`,
//!   `control → rt → engine`): nothing below `control` names `crate::control`, `crate::ui`,
//!   `crate::osc` or `crate::session`, and `control` never names `crate::ui`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `(folder, file)` pairs, folders relative to `src/` with a trailing `/` (`""` is `src/`).
type Entries = BTreeSet<(String, String)>;

fn walk(dir: &Path, rel: &str, folders: &mut BTreeSet<String>, files: &mut Entries) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if path.is_dir() {
            let folder = format!("{rel}{name}/");
            folders.insert(folder.clone());
            walk(&path, &folder, folders, files);
        } else if name.ends_with(".rs") {
            files.insert((rel.to_string(), name));
        }
    }
}

fn source_tree() -> (BTreeSet<String>, Entries) {
    let mut folders = BTreeSet::new();
    let mut files = Entries::new();
    walk(&project_root().join("src"), "", &mut folders, &mut files);
    (folders, files)
}

/// The code block of the "Layout" section that starts with `src/`.
fn layout_block() -> String {
    let doc = fs::read_to_string(project_root().join("docs/ARCHITECTURE.md"))
        .expect("docs/ARCHITECTURE.md is readable");
    let start = doc
        .find("```\nsrc/\n")
        .expect("docs/ARCHITECTURE.md has a layout block starting with `src/`");
    let body = &doc[start + 4..];
    let end = body.find("```").expect("the layout block is closed");
    body[..end].to_string()
}

fn rust_file_names(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .filter(|w| w.len() > 3 && w.ends_with(".rs"))
}

/// Reads the layout block as a tree: a line whose first word ends in `/` opens a folder, and
/// every `name.rs` on a line belongs to the nearest folder line above it that is indented less
/// (or to the folder the line itself opens).
fn documented_tree() -> (BTreeSet<String>, Entries) {
    let mut folders = BTreeSet::new();
    let mut files = Entries::new();
    // (indent, folder path relative to src/); the root `src/` line has path "".
    let mut open: Vec<(usize, String)> = Vec::new();
    for line in layout_block().lines() {
        let indent = line.len() - line.trim_start().len();
        let first = line.split_whitespace().next().unwrap_or("");
        if line.trim().is_empty() {
            continue;
        }
        while open.last().is_some_and(|(i, _)| *i >= indent) {
            open.pop();
        }
        let folder_here = if first.ends_with('/') {
            let path = if indent == 0 {
                if first == "src/" {
                    Some(String::new())
                } else {
                    None // grammar/, vocab/, … are outside src/
                }
            } else {
                open.last().map(|(_, parent)| format!("{parent}{first}"))
            };
            if let Some(path) = &path {
                if !path.is_empty() {
                    folders.insert(path.clone());
                }
                open.push((indent, path.clone()));
            } else {
                open.clear();
            }
            path
        } else {
            open.last().map(|(_, p)| p.clone())
        };
        if let Some(folder) = folder_here {
            for name in rust_file_names(line) {
                files.insert((folder.clone(), name.to_string()));
            }
        }
    }
    (folders, files)
}

#[test]
fn the_documented_layout_names_every_source_folder_and_file_and_nothing_else() {
    let (folders, files) = source_tree();
    let (doc_folders, doc_files) = documented_tree();
    let missing_folders: Vec<_> = folders.difference(&doc_folders).collect();
    let extra_folders: Vec<_> = doc_folders.difference(&folders).collect();
    let missing: Vec<_> = files
        .difference(&doc_files)
        .map(|(d, f)| format!("src/{d}{f}"))
        .collect();
    let extra: Vec<_> = doc_files
        .difference(&files)
        .map(|(d, f)| format!("src/{d}{f}"))
        .collect();
    assert!(
        missing_folders.is_empty() && extra_folders.is_empty() && missing.is_empty() && extra.is_empty(),
        "docs/ARCHITECTURE.md's layout and `ls -R src` differ:\n  folders not documented: {missing_folders:?}\n  documented folders that do not exist: {extra_folders:?}\n  files not documented: {missing:?}\n  documented files that do not exist: {extra:?}"
    );
    assert!(
        files.len() > 100,
        "the walk found the sources ({} files)",
        files.len()
    );
}

fn offending_imports(layer: &str, forbidden: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    let (_, files) = source_tree();
    for (folder, file) in files {
        if !folder.starts_with(layer) {
            continue;
        }
        let path = project_root().join("src").join(&folder).join(&file);
        let text = fs::read_to_string(&path).expect("source is readable");
        for (n, line) in text.lines().enumerate() {
            for module in forbidden {
                if line.contains(&format!("crate::{module}")) {
                    found.push(format!("src/{folder}{file}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    found
}

#[test]
fn nothing_below_control_imports_control_or_the_faces() {
    let faces = ["control", "ui", "osc", "session", "midi", "mcp", "tutorial"];
    for layer in ["lang/", "rt/", "engine/", "patch/", "samples/"] {
        let found = offending_imports(layer, &faces);
        assert!(
            found.is_empty(),
            "{layer} imports a layer above it:\n{}",
            found.join("\n")
        );
    }
}

#[test]
fn control_never_imports_the_user_interface() {
    let found = offending_imports("control/", &["ui"]);
    assert!(
        found.is_empty(),
        "control imports ui:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_layout_reader_sees_nested_folders() {
    let (doc_folders, doc_files) = documented_tree();
    assert!(doc_folders.contains("rt/supervise/"), "{doc_folders:?}");
    assert!(doc_files.contains(&("rt/supervise/".to_string(), "worker.rs".to_string())));
    assert!(doc_files.contains(&("ui/tui/".to_string(), "app.rs".to_string())));
    assert!(!doc_files.contains(&("".to_string(), "worker.rs".to_string())));
}
