//! Tokens classified by the vocabulary (`darker` → describing word, `a bit` → intensity,
//! `C#4` → note, `5ms` → quantity), and the slice type the nom phrase grammar reads.
//!
//! Runs on the control thread. May allocate.

use super::chords::{quality, root};
use super::error::{PhraseError, PhraseErrorKind};
use super::lexer::{Token, TokenKind};
use super::units::{UnitWord, UNIT_WORDS};
use super::vocab::{Verb, Vocabulary, WordClass};
use crate::engine::params::ParamId;
use nom::{Input, Needed};
use std::ops::Range;

/// What a lexeme is.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Class {
    /// A vocabulary word or multi-word entry.
    Word(WordClass),
    /// A canonical `module.param` name.
    CanonicalParam(ParamId),
    /// A note name with octave, as a MIDI number (not yet range-checked).
    Note(i32),
    /// A unit written as its own word (`ms`, `hz`, `%`).
    Unit(UnitWord),
    /// A number, with its attached unit.
    Number { value: f64, unit: Option<UnitWord> },
    /// `n/d`, with its attached unit.
    Fraction { value: f64, unit: Option<UnitWord> },
    /// `,` `;` `then` `and` ...
    Separator,
    /// A chunk taken as typed (pattern steps, sequence steps, chord words, patch names);
    /// the lexeme's `text` keeps its case.
    Raw,
    /// A chord symbol with its quality (`Dm7`, `F#maj7`, `Esus4`, `C6`).
    Chord,
    /// A chord quality word (`major`, `minor`, `diminished`, `maj7`).
    Quality,
    /// Not in the vocabulary (may still be a parameter word after its module, a fault kind
    /// or a help topic; otherwise it is reported).
    Unknown,
}

/// A classified token: its class, its lower-case text and its byte span in the line.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Lexeme {
    pub class: Class,
    pub text: String,
    pub span: Range<usize>,
}

impl Lexeme {
    pub(crate) fn is(&self, verb: Verb) -> bool {
        self.class == Class::Word(WordClass::Verb(verb))
    }
}

/// Classifies tokens with the vocabulary, joining multi-word entries (longest first).
pub(crate) fn classify(
    line: &str,
    tokens: &[Token],
    vocab: &Vocabulary,
) -> Result<Vec<Lexeme>, PhraseError> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        match &t.kind {
            TokenKind::Separator => {
                out.push(lexeme(Class::Separator, line, t.span.clone()));
                i += 1;
            }
            TokenKind::Number { value, suffix } => {
                let unit = unit_of(line, t, suffix.as_deref())?;
                out.push(lexeme(
                    Class::Number {
                        value: *value,
                        unit,
                    },
                    line,
                    t.span.clone(),
                ));
                i += 1;
            }
            TokenKind::Fraction { num, den, suffix } => {
                let unit = unit_of(line, t, suffix.as_deref())?;
                if *den == 0.0 {
                    return Err(PhraseError::new(
                        PhraseErrorKind::BadValue,
                        line,
                        t.span.clone(),
                        "a fraction cannot divide by 0",
                    )
                    .expecting("a note value such as 1/4 or 3/8"));
                }
                let value = num / den;
                out.push(lexeme(
                    Class::Fraction { value, unit },
                    line,
                    t.span.clone(),
                ));
                i += 1;
            }
            TokenKind::Raw(text) => {
                out.push(Lexeme {
                    class: Class::Raw,
                    text: text.clone(),
                    span: t.span.clone(),
                });
                i += 1;
            }
            TokenKind::Word(w) if chord_by_case(&line[t.span.clone()], w, vocab) => {
                out.push(lexeme(Class::Chord, line, t.span.clone()));
                i += 1;
            }
            TokenKind::Word(w) => {
                let (class, used) = classify_words(tokens, i, w, vocab);
                let span = t.span.start..tokens[i + used - 1].span.end;
                out.push(Lexeme {
                    class,
                    text: words_text(tokens, i, used),
                    span,
                });
                i += used;
            }
        }
    }
    Ok(out)
}

fn lexeme(class: Class, line: &str, span: Range<usize>) -> Lexeme {
    Lexeme {
        class,
        text: line[span.clone()].to_lowercase(),
        span,
    }
}

fn unit_of(line: &str, t: &Token, suffix: Option<&str>) -> Result<Option<UnitWord>, PhraseError> {
    let Some(s) = suffix else { return Ok(None) };
    UnitWord::from_word(s).map(Some).ok_or_else(|| {
        let at = t.span.end - s.len().min(t.span.len());
        let suggestion = UNIT_WORDS
            .iter()
            .filter(|u| strsim::damerau_levenshtein(s, u) <= 1 && u.len() > 1)
            .min_by_key(|u| strsim::damerau_levenshtein(s, u))
            .map(|u| u.to_string());
        PhraseError::new(
            PhraseErrorKind::UnknownWord,
            line,
            at..t.span.end,
            format!("unknown unit \"{s}\""),
        )
        .expecting("a unit: Hz, kHz, ms, s, dB, %, bpm, beats, bars, cents or st")
        .suggesting(suggestion)
    })
}

/// A chord symbol that is also a word of the vocabulary, told apart by its case as typed: a
/// capital root then small letters (`Fm` is F minor, `FM` and `fm` the FM module).
fn chord_by_case(typed: &str, word: &str, vocab: &Vocabulary) -> bool {
    let mut chars = typed.chars();
    let capital_root = chars.next().is_some_and(|c| ('A'..='G').contains(&c));
    capital_root
        && typed.chars().skip(1).any(char::is_lowercase)
        && vocab.lookup(word).is_some()
        && is_chord_symbol(word, vocab)
}

/// Sonic Pi's sharps: `fs3` is F#3 (`:fs3` in `play :fs3`).
fn sonic_pi_sharp(word: &str) -> Option<String> {
    let mut chars = word.chars();
    let root = chars.next().filter(|c| ('a'..='g').contains(c))?;
    let octave = word.get(2..)?;
    (chars.next() == Some('s') && !octave.is_empty() && octave.chars().all(|c| c.is_ascii_digit()))
        .then(|| format!("{root}#{octave}"))
}

/// The text of `n` word tokens from `i`, joined by single spaces.
fn words_text(tokens: &[Token], i: usize, n: usize) -> String {
    let words: Vec<&str> = tokens[i..i + n]
        .iter()
        .filter_map(|t| match &t.kind {
            TokenKind::Word(w) => Some(w.as_str()),
            _ => None,
        })
        .collect();
    words.join(" ")
}

/// The class of one word on its own (after a typo is corrected).
pub(crate) fn classify_word(word: &str, vocab: &Vocabulary) -> Class {
    let token = Token {
        kind: TokenKind::Word(word.to_string()),
        span: 0..word.len(),
    };
    classify_words(std::slice::from_ref(&token), 0, word, vocab).0
}

/// The class of the word at `i` and how many tokens it takes (multi-word entries first).
fn classify_words(tokens: &[Token], i: usize, word: &str, vocab: &Vocabulary) -> (Class, usize) {
    for n in (2..=vocab.longest_entry()).rev() {
        if i + n > tokens.len()
            || !tokens[i..i + n]
                .iter()
                .all(|t| matches!(t.kind, TokenKind::Word(_)))
        {
            continue;
        }
        if let Some(c) = vocab.lookup(&words_text(tokens, i, n)) {
            return (Class::Word(c.clone()), n);
        }
    }
    let class = if let Some(c) = vocab.lookup(word) {
        Class::Word(c.clone())
    } else if let Some(p) = word
        .contains('.')
        .then(|| ParamId::from_name(word))
        .flatten()
    {
        Class::CanonicalParam(p)
    } else if let Some(u) = UnitWord::from_word(word) {
        Class::Unit(u)
    } else if is_chord_symbol(word, vocab) {
        Class::Chord
    } else if let Some(m) = vocab.parse_note(word) {
        Class::Note(m)
    } else if let Some(m) = sonic_pi_sharp(word).and_then(|w| vocab.parse_note(&w)) {
        Class::Note(m)
    } else if word.chars().count() >= 3 && quality(word).is_some() {
        Class::Quality
    } else if let Some(c) = base_form(word, vocab) {
        Class::Word(c)
    } else {
        Class::Unknown
    };
    (class, 1)
}

/// A chord symbol: a root and a quality written on it (`dm7`, `f#maj7`, `am`), and also a
/// root followed by 6, 7, 9, 11 or 13, which is read as a chord rather than a note in a high
/// octave (`C6`, `E7`, `G9`).
fn is_chord_symbol(word: &str, vocab: &Vocabulary) -> bool {
    let Some((_, len)) = root(word) else {
        return false;
    };
    let suffix = &word[len..];
    if matches!(suffix, "6" | "7" | "9" | "11" | "13") {
        return true;
    }
    !suffix.is_empty() && vocab.parse_note(word).is_none() && quality(suffix).is_some()
}

/// The meaning of a word through its base form: `-ish` (`warmish`), plurals (`reverbs`,
/// `echoes`) and comparatives of describing words (`mellower`, `roomier`, `bigger`).
fn base_form(word: &str, vocab: &Vocabulary) -> Option<WordClass> {
    let n = word.len();
    let lookup = |w: &str| vocab.lookup(w).cloned();
    let describing = |w: &str| lookup(w).filter(|c| matches!(c, WordClass::Describe(_)));
    let naming = |w: &str| {
        lookup(w).filter(|c| {
            matches!(
                c,
                WordClass::Module(_)
                    | WordClass::Param(_)
                    | WordClass::Describe(_)
                    | WordClass::Choice(..)
            )
        })
    };
    if let Some(base) = word.strip_suffix("ish").filter(|b| b.len() >= 3) {
        if let Some(c) = describing(base).or_else(|| describing(&format!("{base}e"))) {
            return Some(c);
        }
    }
    if let Some(base) = word.strip_suffix("ier") {
        if let Some(c) = describing(&format!("{base}y")) {
            return Some(c);
        }
    }
    if let Some(base) = word.strip_suffix("er").filter(|b| b.len() >= 2) {
        // `bigger` → `big`: a doubled last letter (ASCII, so the cut is a char boundary).
        let bytes = base.as_bytes();
        let undoubled = (bytes.len() >= 2
            && bytes[bytes.len() - 1].is_ascii_alphabetic()
            && bytes[bytes.len() - 1] == bytes[bytes.len() - 2])
            .then(|| &base[..base.len() - 1]);
        for b in [Some(base), undoubled, Some(&word[..n - 1])]
            .into_iter()
            .flatten()
        {
            if let Some(c) = describing(b) {
                return Some(c);
            }
        }
    }
    if let Some(base) = word.strip_suffix("es") {
        if let Some(c) = naming(base) {
            return Some(c);
        }
    }
    word.strip_suffix('s').and_then(naming)
}

/// Reports the first unknown word that is not allowed where it stands: after its module
/// (`delay time`), after `fault`, in a `help` topic or in the text after `explain`, unknown
/// words are left for the grammar.
pub(crate) fn check_unknown_words(
    line: &str,
    lexemes: &[Lexeme],
    vocab: &Vocabulary,
    extra_known: &[String],
) -> Result<(), PhraseError> {
    let mut in_help = false;
    let mut prev: Option<&Lexeme> = None;
    // The module the clause is about: its parameter words may come later (`reverb size 0.8
    // mix 30%`).
    let mut clause_module: Option<&'static str> = None;
    for l in lexemes {
        match &l.class {
            Class::Word(WordClass::Module(m)) => clause_module = Some(m),
            Class::Word(WordClass::Param(p)) => clause_module = Some(p.spec().module()),
            Class::CanonicalParam(p) => clause_module = Some(p.spec().module()),
            _ => {}
        }
        match &l.class {
            Class::Separator => {
                in_help = false;
                clause_module = None;
            }
            Class::Word(WordClass::Verb(Verb::Help)) => in_help = true,
            Class::Unknown
                if !in_help
                    && !super::instrument_words::known_here(
                        &l.text,
                        prev.map(|p| p.text.as_str()),
                    ) =>
            {
                let after_module = match prev.map(|p| &p.class) {
                    Some(Class::Word(WordClass::Module(m))) => {
                        vocab.param_in_module(m, &l.text).is_some()
                    }
                    Some(Class::Word(WordClass::Verb(Verb::Fault))) => true,
                    // Track names are checked against the track table when resolving.
                    Some(Class::Word(WordClass::Verb(
                        Verb::Track | Verb::Mute | Verb::Unmute | Verb::Solo | Verb::Unsolo,
                    ))) => true,
                    _ => false,
                } || clause_module
                    .is_some_and(|m| vocab.param_in_module(m, &l.text).is_some());
                if let Some(hint) = super::modular_rules::missing_module(&l.text) {
                    return Err(PhraseError::new(
                        PhraseErrorKind::UnknownWord,
                        line,
                        l.span.clone(),
                        format!("no module \"{}\": {hint}", l.text),
                    )
                    .expecting("a module that exists (try `show`)"));
                }
                if !after_module {
                    // Right after a number, a typo is most likely a unit.
                    let after_number = matches!(
                        prev.map(|p| &p.class),
                        Some(Class::Number { unit: None, .. } | Class::Fraction { unit: None, .. })
                    );
                    let suggestion = after_number
                        .then(|| super::vocab::closest(&l.text, UNIT_WORDS.iter().copied()))
                        .flatten()
                        .or_else(|| vocab.suggest(&l.text, extra_known));
                    return Err(PhraseError::new(
                        PhraseErrorKind::UnknownWord,
                        line,
                        l.span.clone(),
                        format!("unknown word \"{}\"", l.text),
                    )
                    .expecting("a command, a parameter, a describing word or a value (try `help`)")
                    .suggesting(suggestion));
                }
            }
            _ => {}
        }
        if l.is(Verb::Explain) {
            // Words after `explain` are checked when its phrase is parsed.
            return Ok(());
        }
        if !matches!(&l.class, Class::Word(c) if c.is_skipped()) {
            prev = Some(l);
        }
    }
    Ok(())
}

/// A run of lexemes: the input type of the nom phrase grammar.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lexemes<'a>(pub &'a [Lexeme]);

impl<'a> Input for Lexemes<'a> {
    type Item = &'a Lexeme;
    type Iter = std::slice::Iter<'a, Lexeme>;
    type IterIndices = std::iter::Enumerate<Self::Iter>;

    fn input_len(&self) -> usize {
        self.0.len()
    }

    fn take(&self, index: usize) -> Self {
        Lexemes(&self.0[..index])
    }

    fn take_from(&self, index: usize) -> Self {
        Lexemes(&self.0[index..])
    }

    fn take_split(&self, index: usize) -> (Self, Self) {
        let (prefix, suffix) = self.0.split_at(index);
        (Lexemes(suffix), Lexemes(prefix))
    }

    fn position<P>(&self, predicate: P) -> Option<usize>
    where
        P: Fn(Self::Item) -> bool,
    {
        self.0.iter().position(predicate)
    }

    fn iter_elements(&self) -> Self::Iter {
        self.0.iter()
    }

    fn iter_indices(&self) -> Self::IterIndices {
        self.0.iter().enumerate()
    }

    fn slice_index(&self, count: usize) -> Result<usize, Needed> {
        if self.0.len() >= count {
            Ok(count)
        } else {
            Err(Needed::new(count - self.0.len()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comparative_of_a_word_ending_in_a_wide_character_does_not_panic() {
        let vocab = Vocabulary::builtin();
        // The last two bytes of U+1EFFF are equal (0xBF 0xBF): not a doubled letter.
        assert_eq!(base_form("\u{1efff}er", &vocab), None);
        assert_eq!(base_form("\u{1efff}\u{1efff}er", &vocab), None);
        assert!(
            base_form("bigger", &vocab).is_some(),
            "a doubled letter still reads"
        );
    }
}
