//! How the lexer cuts a pattern out of a line: after `pattern` or `seq`, blanks and `,`
//! inside brackets belong to the pattern (`[C3, E3]`, `x(3,8)`), so only a separator at
//! bracket depth 0 ends it (`pattern [x, x] x, mute hats`).
//!
//! Runs on the control thread. Plain functions.

/// Words that end a pattern when they follow it in the same clause (`pattern x(3,8) now`,
/// `pattern x.x. fast 2`): `now` and the rhythm transform words.
pub const ENDING_WORDS: &[&str] = &[
    "now", "fast", "slow", "reverse", "rotate", "every", "fill", "half", "double", "triplets",
];

/// Whether a chunk (lower case) is a word that ends the pattern instead of being a step.
pub fn ends_pattern(lower: &str) -> bool {
    ENDING_WORDS.contains(&lower)
}

/// Length in bytes of the pattern chunk at the start of `rest`: up to a blank or one of
/// `, ; &` and a newline at bracket depth 0.
pub fn mini_chunk_len(rest: &str) -> usize {
    let mut depth = 0usize;
    for (i, c) in rest.char_indices() {
        match c {
            '[' | '<' | '{' | '(' => depth += 1,
            ']' | '>' | '}' | ')' => depth = depth.saturating_sub(1),
            '\n' => return i,
            c if depth == 0 && (c.is_whitespace() || c.is_control() || ",;&".contains(c)) => {
                return i
            }
            _ => {}
        }
    }
    rest.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_keep_blanks_and_commas_inside_the_chunk() {
        assert_eq!(mini_chunk_len("[C3, E3] G3"), 8);
        assert_eq!(mini_chunk_len("x(3,8), mute"), 6);
        assert_eq!(mini_chunk_len("x..X"), 4);
        assert_eq!(mini_chunk_len("[x x\nmute"), 4);
        assert!(ends_pattern("now") && !ends_pattern("x"));
    }
}
