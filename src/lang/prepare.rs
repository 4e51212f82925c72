//! Preparing a typed line for the lexer without moving any byte: habits from other tools and
//! chat become blanks of the same length, so every span still points into the line as typed.
//!
//! - Brackets and colons of Sonic Pi / Tidal forms (`use_synth :saw`, `play [60, 64, 67]`,
//!   `chord(:e3, :minor)`, `cutoff: 650`) become blanks; commas inside brackets too, so a
//!   list of notes stays one phrase.
//! - Contractions (`what's`, `let's`, `I'd`) lose their ending.
//! - Trailing question marks are taken off and reported: `tempo?` asks, `darker?` explains.
//!
//! Runs on the control thread. Pure functions.

/// A line ready for the lexer: the same length as typed, and whether it asked a question.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Prepared {
    pub text: String,
    pub question: bool,
}

/// Contraction endings dropped after a letter (`'s`, `'d`, ...), with straight or curly quotes.
const CONTRACTIONS: &[&str] = &["s", "d", "ll", "re", "m", "ve"];

/// Blanks out brackets, colons, commas inside brackets, contraction endings and trailing
/// question marks. The result has exactly the byte length of `line`.
#[cfg(test)]
pub(crate) fn prepare(line: &str) -> Prepared {
    prepare_keeping(line, &[])
}

/// [`prepare`], but the bytes inside `keep` (mini-notation: `pattern [x x] x?`, `seq
/// C3:0.8`) are copied as typed, and a `?` at the end of a kept span is no question.
pub(crate) fn prepare_keeping(line: &str, keep: &[std::ops::Range<usize>]) -> Prepared {
    let kept = |at: usize| keep.iter().any(|r| r.contains(&at));
    let mut out = String::with_capacity(line.len());
    let mut depth = 0usize;
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut skip_until = 0usize;
    for (n, &(at, c)) in chars.iter().enumerate() {
        if at < skip_until {
            out.push(' ');
            continue;
        }
        if kept(at) {
            out.push(c);
            continue;
        }
        let blank = match c {
            '(' | '[' | '{' => {
                depth += 1;
                true
            }
            ')' | ']' | '}' => {
                depth = depth.saturating_sub(1);
                true
            }
            ':' => true,
            ',' => depth > 0,
            '\'' | '’' => {
                let after_letter = n > 0 && chars[n - 1].1.is_alphabetic();
                let rest = &line[at + c.len_utf8()..];
                let ending = CONTRACTIONS.iter().find(|e| {
                    rest.get(..e.len())
                        .is_some_and(|head| head.eq_ignore_ascii_case(e))
                        && !rest[e.len()..].starts_with(char::is_alphanumeric)
                });
                match ending {
                    Some(e) if after_letter => {
                        skip_until = at + c.len_utf8() + e.len();
                        true
                    }
                    _ => false,
                }
            }
            _ => false,
        };
        if blank {
            out.extend(std::iter::repeat_n(' ', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    let trimmed = out.trim_end().len();
    let tail = &out[trimmed..];
    let body = out[..trimmed].trim_end_matches(['?', '!', '.', ' ']);
    let body = match keep.iter().map(|r| r.end).filter(|&e| e > body.len()).max() {
        // The end of the line is mini-notation (`pattern x?`): nothing is asked.
        Some(end) if end >= trimmed => &out[..trimmed],
        _ => body,
    };
    let question = out[body.len()..trimmed].contains('?') && !body.trim().is_empty();
    if question {
        let mut text = body.to_string();
        text.push_str(&" ".repeat(trimmed - body.len()));
        text.push_str(tail);
        return Prepared { text, question };
    }
    Prepared {
        text: out,
        question: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn habits_become_blanks_of_the_same_length() {
        let p = prepare("play [60, 64, 67]");
        assert_eq!(p.text, "play  60  64  67 ");
        assert!(!p.question);
        assert_eq!(prepare("use_synth :saw").text, "use_synth  saw");
        assert_eq!(prepare("let's go").text, "let   go");
        assert_eq!(prepare("cutoff: 650, darker").text, "cutoff  650, darker");
    }

    #[test]
    fn a_trailing_question_mark_is_a_question() {
        let p = prepare("what's the tempo?");
        assert!(p.question);
        assert_eq!(p.text.len(), "what's the tempo?".len());
        assert_eq!(p.text.trim_end(), "what   the tempo");
        assert!(!prepare("?").question, "a lone ? is help");
        assert!(!prepare("darker").question);
        assert!(prepare("chord Dm7?").question);
    }

    #[test]
    fn mini_notation_is_kept_as_typed() {
        let line = "pattern [x x] x(3,8) x:0.5 x?";
        let whole_pattern = 8..line.len();
        let p = prepare_keeping(line, std::slice::from_ref(&whole_pattern));
        assert_eq!(p.text, line);
        assert!(
            !p.question,
            "a trailing `?` in a pattern is a step, not a question"
        );
        let line = "play [60, 64] then seq <C3 E3>";
        let keep = line.find('<').unwrap()..line.len();
        let p = prepare_keeping(line, &[keep]);
        assert_eq!(p.text, "play  60  64  then seq <C3 E3>");
    }

    #[test]
    fn odd_bytes_keep_their_length() {
        for line in [
            "«x»: ’s",
            "é(ü)?",
            "'''",
            "a'",
            "[[[",
            "]]]?",
            "d’s",
            "a'é",
            "x’ü",
        ] {
            assert_eq!(prepare(line).text.len(), line.len(), "{line}");
        }
    }
}
