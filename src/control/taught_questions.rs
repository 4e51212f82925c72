//! Questions about words the performer taught (`define NAME as PHRASES`): `explain NAME`,
//! `NAME?`, `help NAME`, `what is NAME`, `what does NAME do|mean`. The answer says what the
//! word stands for and what it would do now, against the current patch; nothing is
//! performed, recorded or undone.
//!
//! Runs on the control thread. May allocate.

use super::Control;
use crate::lang::definitions::normal_name;
use crate::lang::{resolve_line_with, Action, Vocabulary};

/// The taught-word name a line asks about, if it has the form of such a question.
fn asked_name(line: &str) -> Option<String> {
    let text = normal_name(line.trim().trim_end_matches(['?', '!', '.', ' ']));
    let questioned = line.trim_end().ends_with('?');
    let prefixed = [
        "explain ",
        "help ",
        "what is ",
        "what's ",
        "whats ",
        "what does ",
    ]
    .iter()
    .find_map(|p| text.strip_prefix(p));
    match prefixed {
        Some(rest) => {
            let rest = rest.strip_prefix("the word ").unwrap_or(rest);
            let rest = [" do", " mean"]
                .iter()
                .find_map(|s| rest.strip_suffix(s))
                .unwrap_or(rest);
            Some(rest.trim_matches('"').to_string())
        }
        None if questioned => Some(text),
        None => None,
    }
}

impl Control {
    /// The answer to a question about a taught word (see the module), or `None` when `line`
    /// asks about no word this performer taught (it is then read as usual).
    pub(super) fn answer_taught_question(
        &self,
        line: &str,
        vocab: &Vocabulary,
    ) -> Option<Vec<String>> {
        let name = asked_name(line)?;
        let body = self.taught.table.get(&name)?;
        let mut replies = vec![format!("\"{name}\" is a word you taught: {name} = {body}")];
        let now = self.taught.table.expand(body).and_then(|expansion| {
            resolve_line_with(&expansion.text, &self.patch, &self.rhythms, vocab)
                .map_err(|e| expansion.locate(e, body, &self.taught.table))
        });
        match now {
            Ok(actions) => {
                let lines: Vec<String> = actions
                    .iter()
                    .filter(|a| !matches!(a, Action::Meta(crate::lang::Meta::ReadAs(_))))
                    .map(Action::canonical)
                    .collect();
                replies.push(format!("now it would do: {}", lines.join(", ")));
            }
            Err(e) => replies.push(format!("now it would not resolve: {}", e.summary())),
        }
        Some(replies)
    }
}

#[cfg(test)]
mod tests {
    use super::asked_name;

    #[test]
    fn the_forms_of_a_question_about_a_word() {
        for (line, name) in [
            ("explain dark pad", "dark pad"),
            ("Dark Pad?", "dark pad"),
            ("help wash", "wash"),
            ("what is wash?", "wash"),
            ("what does wash do?", "wash"),
            ("what does the word wash mean", "wash"),
        ] {
            assert_eq!(asked_name(line).as_deref(), Some(name), "{line}");
        }
        assert_eq!(asked_name("wash"), None, "a use, not a question");
        assert_eq!(asked_name("darker"), None);
    }
}
