//! The input line: text with a cursor, edited like a shell prompt (left/right, home/end,
//! word jumps, delete, kill to start/end).
//!
//! Runs on the control (UI) thread.

/// A single line of text and a cursor (a byte offset on a character boundary).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineEditor {
    text: String,
    cursor: usize,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '#' | '%' | '-' | '_' | '\'')
}

impl LineEditor {
    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The cursor as a byte offset.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// The cursor as a column (characters before it).
    pub fn cursor_column(&self) -> usize {
        self.text[..self.cursor].chars().count()
    }

    /// Replaces the text and puts the cursor at its end.
    pub fn set(&mut self, text: &str) {
        self.text = text.to_string();
        self.cursor = self.text.len();
    }

    /// Takes the text out, leaving the line empty.
    pub fn take(&mut self) -> String {
        self.cursor = 0;
        std::mem::take(&mut self.text)
    }

    /// Inserts a character at the cursor.
    pub fn insert(&mut self, c: char) {
        if c.is_control() {
            return;
        }
        self.text.insert(self.cursor, c);
        self.cursor += c.len_utf8();
    }

    /// Inserts text at the cursor (control characters become spaces).
    pub fn insert_str(&mut self, s: &str) {
        for c in s.chars() {
            self.insert(if c.is_control() { ' ' } else { c });
        }
    }

    /// Replaces the bytes `start..cursor` with `with` (used by completion).
    pub fn replace_before_cursor(&mut self, start: usize, with: &str) {
        let start = start.min(self.cursor);
        if !self.text.is_char_boundary(start) {
            return;
        }
        self.text.replace_range(start..self.cursor, with);
        self.cursor = start + with.len();
    }

    fn prev_boundary(&self, from: usize) -> usize {
        self.text[..from]
            .char_indices()
            .next_back()
            .map_or(0, |(i, _)| i)
    }

    fn next_boundary(&self, from: usize) -> usize {
        self.text[from..]
            .chars()
            .next()
            .map_or(from, |c| from + c.len_utf8())
    }

    /// Moves one character left.
    pub fn left(&mut self) {
        self.cursor = self.prev_boundary(self.cursor);
    }

    /// Moves one character right.
    pub fn right(&mut self) {
        self.cursor = self.next_boundary(self.cursor);
    }

    /// Moves to the start of the line.
    pub fn home(&mut self) {
        self.cursor = 0;
    }

    /// Moves to the end of the line.
    pub fn end(&mut self) {
        self.cursor = self.text.len();
    }

    fn word_start_before(&self, from: usize) -> usize {
        let mut i = from;
        while i > 0 {
            let p = self.prev_boundary(i);
            if self.text[p..i].chars().any(is_word_char) {
                break;
            }
            i = p;
        }
        while i > 0 {
            let p = self.prev_boundary(i);
            if !self.text[p..i].chars().any(is_word_char) {
                break;
            }
            i = p;
        }
        i
    }

    fn word_end_after(&self, from: usize) -> usize {
        let mut i = from;
        let len = self.text.len();
        while i < len {
            let n = self.next_boundary(i);
            if self.text[i..n].chars().any(is_word_char) {
                break;
            }
            i = n;
        }
        while i < len {
            let n = self.next_boundary(i);
            if !self.text[i..n].chars().any(is_word_char) {
                break;
            }
            i = n;
        }
        i
    }

    /// Moves to the start of the previous word.
    pub fn word_left(&mut self) {
        self.cursor = self.word_start_before(self.cursor);
    }

    /// Moves past the end of the next word.
    pub fn word_right(&mut self) {
        self.cursor = self.word_end_after(self.cursor);
    }

    /// Deletes the character before the cursor.
    pub fn backspace(&mut self) {
        let p = self.prev_boundary(self.cursor);
        self.text.replace_range(p..self.cursor, "");
        self.cursor = p;
    }

    /// Deletes the character under the cursor.
    pub fn delete(&mut self) {
        let n = self.next_boundary(self.cursor);
        self.text.replace_range(self.cursor..n, "");
    }

    /// Deletes the word before the cursor.
    pub fn delete_word_before(&mut self) {
        let p = self.word_start_before(self.cursor);
        self.text.replace_range(p..self.cursor, "");
        self.cursor = p;
    }

    /// Deletes the word after the cursor.
    pub fn delete_word_after(&mut self) {
        let n = self.word_end_after(self.cursor);
        self.text.replace_range(self.cursor..n, "");
    }

    /// Deletes from the cursor to the end of the line.
    pub fn kill_to_end(&mut self) {
        self.text.truncate(self.cursor);
    }

    /// Deletes from the start of the line to the cursor.
    pub fn kill_to_start(&mut self) {
        self.text.replace_range(..self.cursor, "");
        self.cursor = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn editor(text: &str) -> LineEditor {
        let mut e = LineEditor::default();
        e.insert_str(text);
        e
    }

    #[test]
    fn typing_and_moving_keep_the_cursor_on_characters() {
        let mut e = editor("note é4");
        assert_eq!(e.cursor_column(), 7);
        e.left();
        e.left();
        assert_eq!(e.cursor_column(), 5);
        e.insert('x');
        assert_eq!(e.text(), "note xé4");
        e.delete();
        assert_eq!(e.text(), "note x4");
        e.backspace();
        e.backspace();
        assert_eq!(e.text(), "note4");
        e.home();
        e.delete();
        e.end();
        e.backspace();
        assert_eq!(e.text(), "ote");
        e.home();
        e.backspace();
        e.end();
        e.delete();
        assert_eq!(e.text(), "ote");
    }

    #[test]
    fn word_jumps_stop_at_word_starts_and_ends() {
        let mut e = editor("filter  a bit darker");
        e.word_left();
        assert_eq!(e.cursor(), 14);
        e.word_left();
        e.word_left();
        assert_eq!(e.cursor(), 8);
        e.word_right();
        assert_eq!(e.cursor(), 9);
        e.home();
        e.word_right();
        assert_eq!(e.cursor(), 6);
        e.delete_word_after();
        assert_eq!(e.text(), "filter bit darker");
        e.end();
        e.delete_word_before();
        assert_eq!(e.text(), "filter bit ");
    }

    #[test]
    fn kills_and_completion_replace_text_around_the_cursor() {
        let mut e = editor("gate on, fil");
        e.replace_before_cursor(9, "filter ");
        assert_eq!(e.text(), "gate on, filter ");
        e.home();
        e.word_right();
        e.kill_to_end();
        assert_eq!(e.text(), "gate");
        e.left();
        e.kill_to_start();
        assert_eq!(e.text(), "e");
        assert_eq!(e.cursor(), 0);
        e.insert('\u{7}');
        assert_eq!(e.take(), "e");
        assert_eq!(e.text(), "");
    }
}
