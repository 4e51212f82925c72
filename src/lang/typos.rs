//! Typo correction: an unknown word with exactly one vocabulary word within one edit (or one
//! swap of neighbours) is read as that word, and the reply says so (`"fliter" → "filter"`).
//! When the corrected line still does not resolve, the error about the first unknown word is
//! given, with its did-you-mean, as without correction.
//!
//! Runs on the control thread. May allocate.

use super::chords::quality_names;
use super::error::{PhraseError, PhraseErrorKind};
use super::lexeme::{check_unknown_words, classify_word, Class, Lexeme};
use super::units::UNIT_WORDS;
use super::vocab::{Vocabulary, WordClass};

/// Most words corrected in one line.
const MAX_CORRECTIONS: usize = 4;

/// Lexemes with their typos corrected.
#[derive(Clone, Debug, Default)]
pub(crate) struct Corrected {
    pub lexemes: Vec<Lexeme>,
    /// (as typed, as read), in the order of the line.
    pub corrections: Vec<(String, String)>,
    /// The error the line had before correction (returned if the corrected line fails).
    pub first_error: Option<PhraseError>,
}

/// Checks for unknown words, correcting the ones with a single close vocabulary word.
pub(crate) fn correct(
    line: &str,
    mut lexemes: Vec<Lexeme>,
    vocab: &Vocabulary,
    topics: &[String],
) -> Result<Corrected, PhraseError> {
    let mut corrections = Vec::new();
    let mut first_error: Option<PhraseError> = None;
    for _ in 0..=MAX_CORRECTIONS {
        let e = match check_unknown_words(line, &lexemes, vocab, topics) {
            Ok(()) => {
                return Ok(Corrected {
                    lexemes,
                    corrections,
                    first_error,
                })
            }
            Err(e) => e,
        };
        let first = first_error.get_or_insert_with(|| e.clone()).clone();
        if e.kind != PhraseErrorKind::UnknownWord || corrections.len() == MAX_CORRECTIONS {
            return Err(first);
        }
        let Some(at) = lexemes.iter().position(|l| l.span == e.span) else {
            return Err(first);
        };
        let Some(word) = unique_candidate(&lexemes[at].text, vocab) else {
            return Err(first);
        };
        corrections.push((lexemes[at].text.clone(), word.clone()));
        lexemes[at] = Lexeme {
            class: classify_word(&word, vocab),
            text: word,
            span: lexemes[at].span.clone(),
        };
    }
    Err(first_error.unwrap_or_else(|| {
        PhraseError::new(PhraseErrorKind::UnknownWord, line, 0..0, "unknown words")
    }))
}

/// The one word of the vocabulary within one edit of `typed`, if there is one after ties are
/// broken. Ties between several close words are broken in this order, each step only when it
/// leaves at least one candidate:
/// 1. the same first letter (typists seldom miss the first one: `fliter` → `filter`);
/// 2. the kind of slip: two neighbours swapped first (`bmp` → `bpm`, not `bump`), then a
///    letter left out (`darkr` → `darker`, not `dark`; `quiter` → `quieter`, not `quite`),
///    as these are the most common slips of fast typing, then a letter replaced, then a
///    letter too many;
/// 3. the same kind of word as the line needs most: a word that means something (a
///    parameter, module, describing word, choice or verb) before a word of conversation or
///    filler (`lowder` → `louder`, not a filler that happens to be one edit away).
///
/// Still tied: no correction; the error says "did you mean" as before.
pub(crate) fn unique_candidate(typed: &str, vocab: &Vocabulary) -> Option<String> {
    let typed_len = typed.chars().count();
    if typed_len < 3 {
        return None;
    }
    let mut near: Vec<String> = vocab
        .single_words()
        .into_iter()
        .chain(
            UNIT_WORDS
                .iter()
                .filter(|u| u.len() > 1)
                .map(|u| u.to_string()),
        )
        .chain(quality_names().filter(|q| q.len() >= 3).map(str::to_string))
        .filter(|w| strsim::osa_distance(typed, w) == 1)
        .collect();
    near.sort();
    near.dedup();
    let first = typed.chars().next();
    let narrow = |v: Vec<String>, keep: &dyn Fn(&String) -> bool| -> Vec<String> {
        let kept: Vec<String> = v.iter().filter(|w| keep(w)).cloned().collect();
        if kept.is_empty() {
            v
        } else {
            kept
        }
    };
    let near = narrow(near, &|w| w.chars().next() == first);
    // 0: two neighbours swapped, 1: a letter left out, 2: replaced, 3: one too many.
    let slip = |w: &String| match w.chars().count() {
        n if n == typed_len && strsim::hamming(typed, w).is_ok_and(|d| d == 2) => 0,
        n if n == typed_len + 1 => 1,
        n if n == typed_len => 2,
        _ => 3,
    };
    let best = near.iter().map(slip).min();
    let near = narrow(near, &|w| Some(slip(w)) == best);
    let near = narrow(near, &|w| {
        vocab
            .lookup(w)
            .is_some_and(|c| !c.is_skipped() && !matches!(c, WordClass::Intensity(_)))
    });
    match near.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// How the line was read, when words were skipped or corrected: the words that count, in
/// order, with the corrections (`filter a bit darker ("fliter" → "filter")`).
pub(crate) fn read_as(lexemes: &[Lexeme], corrections: &[(String, String)]) -> Option<String> {
    let skipped_frame = lexemes
        .iter()
        .any(|l| l.class == Class::Word(super::vocab::WordClass::Frame));
    if corrections.is_empty() && !skipped_frame {
        return None;
    }
    let mut text = String::new();
    for l in lexemes {
        match &l.class {
            Class::Word(c) if c.is_skipped() => {}
            Class::Separator => {
                if !text.is_empty() && !text.ends_with(',') {
                    text.push(',');
                }
            }
            _ => {
                if !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(&l.text);
            }
        }
    }
    let mut text = text.trim_end_matches(',').to_string();
    for (typed, read) in corrections {
        text.push_str(&format!(" (\"{typed}\" → \"{read}\")"));
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_close_word_is_a_correction() {
        let v = Vocabulary::builtin();
        for (typed, read) in [
            ("fliter", "filter"),
            ("squre", "square"),
            ("sqaure", "square"),
            ("cutof", "cutoff"),
            ("mroe", "more"),
            ("bmp", "bpm"),
            ("mjaor", "major"),
            // Ties: a letter left out before one too many, a word with a meaning first.
            ("darkr", "darker"),
            ("drker", "darker"),
            ("quiter", "quieter"),
            ("wav", "wave"),
            ("bmp", "bpm"),
            ("moer", "more"),
        ] {
            assert_eq!(
                unique_candidate(typed, &v).as_deref(),
                Some(read),
                "{typed}"
            );
        }
        for far in ["banana", "xylophone", "purple", "ab"] {
            assert_eq!(unique_candidate(far, &v), None, "{far}");
        }
    }
}
