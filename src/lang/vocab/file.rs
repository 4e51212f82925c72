//! Reading one vocabulary file: TOML parse errors that name the file, the line and the key,
//! then the checks of `check.rs`.
//!
//! Runs on the control thread, at start. May allocate.

use super::check::validate;
use super::error::VocabError;
use super::schema::{line_of, VocabDelta, VocabFile};
use std::path::Path;

/// Parses and validates `text` (read from `file`); all errors of the file are returned.
pub(crate) fn parse_vocab_file(file: &Path, text: &str) -> Result<VocabDelta, Vec<VocabError>> {
    let parsed: VocabFile = match toml::from_str(text) {
        Ok(f) => f,
        Err(e) => {
            let start = e.span().map(|s| s.start).unwrap_or(0);
            let line = line_of(text, start);
            let key = key_on_line(text, line);
            let message = e
                .message()
                .lines()
                .next()
                .unwrap_or("invalid TOML")
                .to_string();
            return Err(vec![VocabError {
                file: file.to_path_buf(),
                line,
                key,
                message,
            }]);
        }
    };
    validate(file, text, parsed)
}
/// The key written on a line (`darker` in `darker = {...}`, or a `[table]` name).
fn key_on_line(text: &str, line: usize) -> String {
    let l = text
        .lines()
        .nth(line.saturating_sub(1))
        .unwrap_or("")
        .trim();
    let k = match l.split_once('=') {
        Some((k, _)) => k.trim(),
        None => l.trim_start_matches('[').trim_end_matches(']'),
    };
    if k.is_empty() {
        "(file)".into()
    } else {
        k.trim_matches('"').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<VocabError> {
        parse_vocab_file(Path::new("user.toml"), text)
            .err()
            .unwrap_or_default()
    }

    #[test]
    fn a_toml_syntax_error_names_line_and_key() {
        let e =
            errors("[describe]\ndarker = { param = \"filter.cutoff\", op = \"mul\" step = 0.7 }\n");
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].line, 2);
        assert_eq!(e[0].key, "darker");
    }

    #[test]
    fn unknown_parameters_ops_and_fields_are_located() {
        let e = errors(
            "[describe]\n\nmurkier = { param = \"filter.cutof\", op = \"mul\", step = 0.7 }\n",
        );
        assert_eq!(
            (e[0].line, e[0].key.as_str()),
            (3, "describe.murkier.param")
        );
        let e = errors(
            "[describe]\nmurkier = { param = \"filter.cutoff\", op = \"times\", step = 0.7 }\n",
        );
        assert!(e[0].message.contains("mul, div, add, sub or set"), "{e:?}");
        let e = errors("[params.\"filter.cutoff\"]\nsetp = 3\n");
        assert_eq!(e[0].line, 2);
        assert!(e[0].message.contains("setp"), "{e:?}");
    }

    #[test]
    fn words_with_separators_are_refused() {
        let e = errors("[intensity]\n\"rock and roll\" = 2\n");
        assert!(e[0].message.contains("separate phrases"), "{e:?}");
    }

    #[test]
    fn a_valid_file_gives_its_words() {
        let d = parse_vocab_file(
            Path::new("user.toml"),
            "[describe]\nmurkier = { param = \"filter.cutoff\", op = \"mul\", step = 0.6 }\n[intensity]\n\"a smidge\" = 0.2\n",
        )
        .expect("valid");
        assert_eq!(d.words.len(), 2);
        assert!(d.words.iter().any(|(w, _)| w == "a smidge"));
    }
}
