//! Words the performer teaches: `define NAME as PHRASES`, `forget NAME`, `words`.
//!
//! A definition is kept as typed (its body is text, resolved at each use against the patch
//! of that moment, so relative words stay relative). Before a line is resolved, whole-word
//! uses of a NAME are replaced by its body ([`Definitions::expand`]); an error in the
//! expanded text is then moved back onto the line as typed ([`Expansion::locate`]).
//!
//! This module recognises the three lines ([`command`], which also refuses bad names) and
//! keeps the table; the control side checks bodies, performs and stores them.
//!
//! Pure functions and data, used on the control thread. May allocate.

use super::action::{Action, Meta};
use super::error::{PhraseError, PhraseErrorKind};
use super::pattern::rhythm::Rhythms;
use super::vocab::{closest, Vocabulary};
use crate::engine::PatchState;
use std::collections::BTreeMap;
use std::ops::Range;

/// The most words a taught name may have.
pub const MAX_NAME_WORDS: usize = 4;

/// How deep definitions may use other definitions.
pub const MAX_DEPTH: usize = 8;

/// The words that start the lines this module reads; they can never be names.
const COMMAND_WORDS: &[&str] = &["define", "forget", "words", "as"];

/// Separators inside a line: a name containing one could never be matched whole.
const SEPARATOR_WORDS: &[&str] = &["and", "then"];

/// The taught words: name (lower case, single-spaced) → body as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Definitions {
    table: BTreeMap<String, String>,
}

/// A line with every taught name replaced by its body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expansion {
    /// The text to resolve.
    pub text: String,
    /// Each replaced use, in line order.
    pub uses: Vec<Use>,
}

/// One use of a taught name in a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Use {
    /// The name.
    pub name: String,
    /// Where the name stands in the line as typed.
    pub typed: Range<usize>,
    /// Where its (fully expanded) body stands in the expanded text.
    pub expanded: Range<usize>,
}

impl Definitions {
    /// No taught words.
    pub fn new() -> Self {
        Definitions::default()
    }

    /// The body of `name`, if it is taught.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.table.get(&normal_name(name)).map(String::as_str)
    }

    /// Whether no word is taught.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Every (name, body), sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.table.iter().map(|(n, b)| (n.as_str(), b.as_str()))
    }

    /// Every name, sorted.
    pub fn names(&self) -> Vec<String> {
        self.table.keys().cloned().collect()
    }

    /// Teaches `name` (replacing an earlier body). Callers check it first with
    /// [`Definitions::recursion`].
    pub fn insert(&mut self, name: &str, body: &str) {
        self.table
            .insert(normal_name(name), body.trim().to_string());
    }

    /// Forgets `name`; its body, if it was taught.
    pub fn remove(&mut self, name: &str) -> Option<String> {
        self.table.remove(&normal_name(name))
    }

    /// The taught name nearest to a mistyped one.
    pub fn nearest(&self, name: &str) -> Option<String> {
        closest(&normal_name(name), self.table.keys().map(String::as_str))
    }

    /// The `define` lines that teach every word, one per line (the file format).
    pub fn to_lines(&self) -> String {
        self.iter()
            .map(|(n, b)| format!("define {n} as {b}\n"))
            .collect()
    }

    /// If teaching `name` as `body` would make a word use itself (directly or through other
    /// words), the chain of names that does it: `["a", "b", "a"]`.
    pub fn recursion(&self, name: &str, body: &str) -> Option<Vec<String>> {
        let name = normal_name(name);
        let mut trial = self.clone();
        trial.table.insert(name.clone(), body.to_string());
        let mut chain = vec![name.clone()];
        trial.find_cycle(&name, &mut chain).then_some(chain)
    }

    /// The (name, body) of `names` and of every word their bodies use, each word after the
    /// words it uses (so replaying them as `define` lines in order always works).
    pub fn needed_by(&self, names: &[String]) -> Vec<(String, String)> {
        fn visit(d: &Definitions, name: &str, depth: usize, out: &mut Vec<(String, String)>) {
            let Some(body) = d.table.get(name) else {
                return;
            };
            if depth > MAX_DEPTH || out.iter().any(|(n, _)| n == name) {
                return;
            }
            for used in d.names_in(body) {
                visit(d, &used, depth + 1, out);
            }
            if !out.iter().any(|(n, _)| n == name) {
                out.push((name.to_string(), body.clone()));
            }
        }
        let mut out = Vec::new();
        for name in names {
            visit(self, name, 0, &mut out);
        }
        out
    }

    /// Depth-first search from the last name of `chain` for a use of `chain[0]`.
    fn find_cycle(&self, from: &str, chain: &mut Vec<String>) -> bool {
        let Some(body) = self.table.get(from) else {
            return false;
        };
        for used in self.names_in(body) {
            chain.push(used.clone());
            if used == chain[0] {
                return true;
            }
            if chain[..chain.len() - 1].contains(&used) || chain.len() > MAX_DEPTH + 1 {
                // A cycle that does not reach the new name: not this definition's doing.
                chain.pop();
                continue;
            }
            if self.find_cycle(&used, chain) {
                return true;
            }
            chain.pop();
        }
        false
    }

    /// The taught names used in `text`, in order, repeats kept once.
    fn names_in(&self, text: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (_, name) in self.matches(text) {
            if !out.contains(&name) {
                out.push(name);
            }
        }
        out
    }

    /// Every whole-word use of a taught name in `text` (longest name first at each place;
    /// mini-notation after `pattern`/`seq` is kept as typed), as (byte range, name).
    fn matches(&self, text: &str) -> Vec<(Range<usize>, String)> {
        if self.table.is_empty() {
            return Vec::new();
        }
        let mini = super::lexer::mini_spans(text);
        let words: Vec<Range<usize>> = word_spans(text)
            .into_iter()
            .filter(|w| !mini.iter().any(|m| m.start <= w.start && w.start < m.end))
            .collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let longest = (1..=MAX_NAME_WORDS.min(words.len() - i))
                .rev()
                .find_map(|n| {
                    let run = &words[i..i + n];
                    // The words of a name are separated by spaces only.
                    let apart = run
                        .windows(2)
                        .all(|p| text[p[0].end..p[1].start].chars().all(char::is_whitespace));
                    let candidate = run
                        .iter()
                        .map(|w| text[w.clone()].to_lowercase())
                        .collect::<Vec<_>>()
                        .join(" ");
                    (apart && self.table.contains_key(&candidate)).then_some((n, candidate))
                });
            match longest {
                Some((n, name)) => {
                    out.push((words[i].start..words[i + n - 1].end, name));
                    i += n;
                }
                None => i += 1,
            }
        }
        out
    }

    /// `line` with every use of a taught name replaced by its body (bodies expanded in turn).
    /// Errors when words use each other deeper than [`MAX_DEPTH`] (only possible with a
    /// hand-edited file: `define` refuses recursion).
    pub fn expand(&self, line: &str) -> Result<Expansion, PhraseError> {
        let mut text = String::with_capacity(line.len());
        let mut uses = Vec::new();
        let mut last = 0;
        for (typed, name) in self.matches(line) {
            let body = self.expand_body(&name, 1).map_err(|chain| {
                PhraseError::new(
                    PhraseErrorKind::NotAllowed,
                    line,
                    typed.clone(),
                    format!(
                        "\"{name}\" uses words that use each other: {}",
                        chain.join(" → ")
                    ),
                )
                .expecting("a definition that ends (`forget` one of them)")
            })?;
            text.push_str(&line[last..typed.start]);
            let start = text.len();
            text.push_str(&body);
            uses.push(Use {
                name,
                typed: typed.clone(),
                expanded: start..text.len(),
            });
            last = typed.end;
        }
        text.push_str(&line[last..]);
        Ok(Expansion { text, uses })
    }

    /// The body of `name` with the names in it expanded; on too deep a chain, the chain.
    fn expand_body(&self, name: &str, depth: usize) -> Result<String, Vec<String>> {
        let body = self.table.get(name).map(String::as_str).unwrap_or_default();
        if depth > MAX_DEPTH {
            return Err(vec![name.to_string()]);
        }
        let mut out = String::new();
        let mut last = 0;
        for (range, used) in self.matches(body) {
            let inner = self.expand_body(&used, depth + 1).map_err(|mut chain| {
                chain.insert(0, name.to_string());
                chain
            })?;
            out.push_str(&body[last..range.start]);
            out.push_str(&inner);
            last = range.end;
        }
        out.push_str(&body[last..]);
        Ok(out)
    }
}

impl Expansion {
    /// Whether any taught word was used.
    pub fn used_any(&self) -> bool {
        !self.uses.is_empty()
    }

    /// An error found in [`Expansion::text`], located in the line as typed: inside a body it
    /// points at the name and says which word it was in; elsewhere it moves with the text.
    pub fn locate(&self, error: PhraseError, line: &str, definitions: &Definitions) -> PhraseError {
        let at = error.span.start;
        if let Some(u) = self.uses.iter().find(|u| {
            // An error at the very end of a body that ends the line is the body's.
            let end = u.expanded.end + usize::from(u.expanded.end == self.text.len());
            u.expanded.start <= at && at < end.max(u.expanded.start + 1)
        }) {
            let body = definitions.get(&u.name).unwrap_or_default();
            let mut located = PhraseError::new(
                error.kind,
                line,
                u.typed.clone(),
                format!(
                    "in \"{}\" (= {body}): {}",
                    u.name,
                    error.message.trim_start()
                ),
            );
            located.expected = error.expected;
            located.suggestion = error.suggestion;
            return located;
        }
        let shift = |pos: usize| -> usize {
            let mut typed = pos as isize;
            for u in self.uses.iter().filter(|u| u.expanded.end <= pos) {
                typed += u.typed.len() as isize - u.expanded.len() as isize;
            }
            typed.max(0) as usize
        };
        let span = shift(error.span.start)..shift(error.span.end.max(error.span.start));
        let mut located = PhraseError::new(error.kind, line, span, error.message);
        located.expected = error.expected;
        located.suggestion = error.suggestion;
        located
    }
}

/// The name as it is kept: lower case, single spaces.
pub fn normal_name(name: &str) -> String {
    name.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `c` can be part of a word of a name.
fn name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '_'
}

/// The byte ranges of the runs of name characters in `text`.
fn word_spans(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (name_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(s..text.len());
    }
    out
}

/// Whether `line` is a `define`, `forget` or `words` line (which are never expanded).
pub fn is_command(line: &str) -> bool {
    let mut words = line.split_whitespace();
    match words.next().map(str::to_lowercase).as_deref() {
        Some("define" | "forget") => true,
        Some("words") => words.next().is_none(),
        _ => false,
    }
}

/// Reads a `define NAME as PHRASES`, `forget NAME` or `words` line into its [`Meta`] action,
/// refusing a bad name (its form, more than [`MAX_NAME_WORDS`] words, a built-in word or
/// phrase) or an empty body. `None` for any other line. The body is checked where the taught
/// words are known (the control side).
pub(crate) fn command(
    line: &str,
    patch: &PatchState,
    rhythms: &Rhythms,
    vocab: &Vocabulary,
) -> Option<Result<Vec<Action>, PhraseError>> {
    if !is_command(line) {
        return None;
    }
    let words = word_spans_ws(line);
    let first = &line[words[0].clone()];
    let meta = match first.to_lowercase().as_str() {
        "words" => Ok(Meta::Words),
        "forget" => {
            let name_words = &words[1..];
            checked_name(line, &words[0], name_words).map(|(name, at)| Meta::Forget { name, at })
        }
        _ => define(line, &words, patch, rhythms, vocab),
    };
    Some(meta.map(|m| vec![Action::Meta(m)]))
}

/// `define NAME as PHRASES`.
fn define(
    line: &str,
    words: &[Range<usize>],
    patch: &PatchState,
    rhythms: &Rhythms,
    vocab: &Vocabulary,
) -> Result<Meta, PhraseError> {
    let Some(as_at) = words
        .iter()
        .skip(1)
        .position(|w| line[w.clone()].eq_ignore_ascii_case("as"))
        .map(|i| i + 1)
    else {
        return Err(PhraseError::new(
            PhraseErrorKind::Incomplete,
            line,
            line.len()..line.len(),
            "a definition needs `as` between the name and what it means",
        )
        .expecting("define NAME as PHRASES (e.g. `define dark pad as osc saw, darker`)"));
    };
    let (name, name_at) = checked_name(line, &words[0], &words[1..as_at])?;
    let body_at = words[as_at].end;
    let body = line[body_at..].trim();
    if body.is_empty() {
        return Err(PhraseError::new(
            PhraseErrorKind::Incomplete,
            line,
            line.len()..line.len(),
            format!("\"{name}\" would mean nothing"),
        )
        .expecting("phrases after `as` (e.g. `darker, reverb mix 40%`)"));
    }
    if let Some(why) = shadows(&name, patch, rhythms, vocab) {
        return Err(PhraseError::new(
            PhraseErrorKind::NotAllowed,
            line,
            name_at.clone(),
            format!("\"{name}\" is already {why}; a taught word cannot hide it"),
        )
        .expecting("a name of your own (e.g. `dark pad`)"));
    }
    let body_start = body_at + (line[body_at..].len() - line[body_at..].trim_start().len());
    Ok(Meta::Define {
        name,
        name_at,
        body: body.to_string(),
        body_at: body_start,
    })
}

/// The byte ranges of the whitespace-separated words of `line`.
fn word_spans_ws(line: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                out.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(s..line.len());
    }
    out
}

/// The name made of `name_words` (after the command word `command`), checked for form.
fn checked_name(
    line: &str,
    command: &Range<usize>,
    name_words: &[Range<usize>],
) -> Result<(String, Range<usize>), PhraseError> {
    let (Some(first), Some(last)) = (name_words.first(), name_words.last()) else {
        return Err(PhraseError::new(
            PhraseErrorKind::Incomplete,
            line,
            command.end..command.end,
            format!("`{}` needs a name", &line[command.clone()]),
        )
        .expecting("one to four words (e.g. `dark pad`)"));
    };
    let at = first.start..last.end;
    if name_words.len() > MAX_NAME_WORDS {
        return Err(PhraseError::new(
            PhraseErrorKind::BadValue,
            line,
            at,
            format!(
                "a name has at most {MAX_NAME_WORDS} words; this one has {}",
                name_words.len()
            ),
        ));
    }
    for w in name_words {
        let word = line[w.clone()].to_lowercase();
        let problem = if !word.chars().all(name_char) {
            Some("letters, digits, `-` and `_` only")
        } else if !word.chars().next().is_some_and(char::is_alphabetic) {
            Some("each word of a name starts with a letter")
        } else if COMMAND_WORDS.contains(&word.as_str()) {
            Some("it is one of define, forget, words, as")
        } else if SEPARATOR_WORDS.contains(&word.as_str()) {
            Some("it separates phrases in a line")
        } else {
            None
        };
        if let Some(why) = problem {
            return Err(PhraseError::new(
                PhraseErrorKind::BadValue,
                line,
                w.clone(),
                format!("\"{word}\" cannot be part of a name: {why}"),
            ));
        }
    }
    Ok((normal_name(&line[at.clone()]), at))
}

/// What `name` already means, if it is a built-in word or phrase: a vocabulary entry, a
/// help topic, or a line that resolves as it stands (without a typo correction).
fn shadows(
    name: &str,
    patch: &PatchState,
    rhythms: &Rhythms,
    vocab: &Vocabulary,
) -> Option<String> {
    if vocab.lookup(name).is_some() || vocab.single_words().iter().any(|w| w == name) {
        return Some("a word of the vocabulary".into());
    }
    if super::help::TOPICS.contains(&name) {
        return Some("a help topic".into());
    }
    if crate::engine::params::ParamId::from_name(name).is_some() {
        return Some("a parameter".into());
    }
    let actions = super::resolve_line_with(name, patch, rhythms, vocab).ok()?;
    let corrected = actions
        .iter()
        .any(|a| matches!(a, Action::Meta(Meta::ReadAs(r)) if r.contains('→')));
    (!corrected).then(|| {
        let does: Vec<String> = actions.iter().map(Action::canonical).collect();
        format!("a phrase ({})", does.join(", "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taught(pairs: &[(&str, &str)]) -> Definitions {
        let mut d = Definitions::new();
        for (n, b) in pairs {
            d.insert(n, b);
        }
        d
    }

    fn read(line: &str) -> Result<Vec<Action>, PhraseError> {
        command(
            line,
            &PatchState::default(),
            &Rhythms::default(),
            &Vocabulary::builtin(),
        )
        .expect("a definition line")
    }

    #[test]
    fn a_use_is_replaced_by_its_body_and_other_words_stay() {
        let d = taught(&[("dark pad", "osc saw, darker")]);
        let e = d.expand("Dark  Pad then louder").expect("expands");
        assert_eq!(e.text, "osc saw, darker then louder");
        assert_eq!(e.uses.len(), 1);
        assert_eq!(e.uses[0].typed, 0..9);
        assert_eq!(&e.text[e.uses[0].expanded.clone()], "osc saw, darker");
    }

    #[test]
    fn only_whole_words_match_and_the_longest_name_wins() {
        let d = taught(&[("pad", "osc tri"), ("dark pad", "osc saw")]);
        assert_eq!(
            d.expand("dark pad, pad").map(|e| e.text),
            Ok("osc saw, osc tri".into())
        );
        assert_eq!(
            d.expand("padding pads").map(|e| e.text),
            Ok("padding pads".into())
        );
        assert!(!d.expand("darker").expect("expands").used_any());
    }

    #[test]
    fn mini_notation_is_never_expanded() {
        let d = taught(&[("x", "darker")]);
        assert_eq!(
            d.expand("pattern x . x .").map(|e| e.text),
            Ok("pattern x . x .".into())
        );
    }

    #[test]
    fn bodies_using_other_words_expand_in_turn() {
        let d = taught(&[("dark", "filter darker"), ("dark pad", "osc saw, dark x")]);
        let d = {
            let mut d = d;
            d.insert("dark x", "darker");
            d
        };
        assert_eq!(
            d.expand("dark pad").map(|e| e.text),
            Ok("osc saw, darker".into())
        );
    }

    #[test]
    fn recursion_is_found_directly_and_through_other_words() {
        let d = taught(&[("one", "two, louder"), ("two", "three")]);
        assert_eq!(
            d.recursion("self", "darker, self"),
            Some(vec!["self".into(), "self".into()])
        );
        assert_eq!(
            d.recursion("three", "one"),
            Some(vec![
                "three".into(),
                "one".into(),
                "two".into(),
                "three".into()
            ])
        );
        assert_eq!(d.recursion("three", "darker"), None);
    }

    #[test]
    fn a_hand_made_cycle_is_an_error_at_the_name_not_a_hang() {
        let mut d = Definitions::new();
        d.table.insert("a".into(), "b".into());
        d.table.insert("b".into(), "a".into());
        let e = d.expand("louder, a").expect_err("too deep");
        assert_eq!(e.column, 9);
        assert!(e.message.contains("a → b → a"), "{}", e.message);
    }

    #[test]
    fn errors_in_a_body_point_at_the_name_and_others_move_back() {
        let d = taught(&[("dark pad", "osc saw, flitter")]);
        let line = "louder, dark pad, brightr";
        let e = d.expand(line).expect("expands");
        let at_body = e.text.find("flitter").expect("in body");
        let inner = PhraseError::new(
            PhraseErrorKind::UnknownWord,
            &e.text,
            at_body..at_body + 7,
            "unknown word \"flitter\"",
        );
        let located = e.locate(inner, line, &d);
        assert_eq!(located.span, 8..16);
        assert!(
            located
                .message
                .starts_with("in \"dark pad\" (= osc saw, flitter)"),
            "{}",
            located.message
        );
        let after = e.text.find("brightr").expect("after");
        let outer = PhraseError::new(PhraseErrorKind::UnknownWord, &e.text, after..after + 7, "x");
        assert_eq!(e.locate(outer, line, &d).span, 18..25);
    }

    #[test]
    fn define_reads_a_name_of_up_to_four_words_and_a_body() {
        let actions = read("define Dark Pad as osc saw, darker").expect("defines");
        assert_eq!(
            actions,
            vec![Action::Meta(Meta::Define {
                name: "dark pad".into(),
                name_at: 7..15,
                body: "osc saw, darker".into(),
                body_at: 19,
            })]
        );
        assert_eq!(actions[0].canonical(), "define dark pad as osc saw, darker");
        assert!(read("define a b c d e as darker").is_err());
    }

    #[test]
    fn built_in_words_and_phrases_cannot_be_taught() {
        for (line, column) in [
            ("define darker as louder", 8),
            ("define a bit as louder", 8),
            ("define more reverb as louder", 8),
            ("define c4 as louder", 8),
        ] {
            let e = read(line).expect_err(line);
            assert_eq!(e.column, column, "{line}: {}", e.summary());
            assert_eq!(
                e.kind,
                PhraseErrorKind::NotAllowed,
                "{line}: {}",
                e.summary()
            );
        }
        let e = read("define filter.cutoff as louder").expect_err("a parameter name");
        assert_eq!(e.column, 8, "{}", e.summary());
        // A name whose words are each known, but not together, is fine.
        assert!(read("define dark pad as darker").is_ok());
    }

    #[test]
    fn empty_bodies_missing_as_and_bad_names_are_refused_with_a_place() {
        let e = read("define dark pad as   ").expect_err("empty");
        assert!(e.message.contains("would mean nothing"), "{}", e.message);
        let e = read("define dark pad").expect_err("no as");
        assert!(e.message.contains("`as`"), "{}", e.message);
        let e = read("define 9lives as darker").expect_err("digit first");
        assert_eq!(e.column, 8);
        let e = read("define rock and roll as darker").expect_err("separator");
        assert_eq!(e.column, 13);
        let e = read("forget").expect_err("no name");
        assert_eq!(e.kind, PhraseErrorKind::Incomplete);
    }

    #[test]
    fn forget_and_words_are_read_and_other_lines_are_not_ours() {
        assert_eq!(
            read("forget Dark pad"),
            Ok(vec![Action::Meta(Meta::Forget {
                name: "dark pad".into(),
                at: 7..15
            })])
        );
        assert_eq!(read("words"), Ok(vec![Action::Meta(Meta::Words)]));
        let none = |l: &str| {
            command(
                l,
                &PatchState::default(),
                &Rhythms::default(),
                &Vocabulary::builtin(),
            )
            .is_none()
        };
        assert!(none("darker"));
        assert!(none("words please"));
        assert!(none("help words"));
    }
}
