//! The session file format: UTF-8 text, one phrase per line, optional time stamps, `#`
//! comments and header lines (`tempo`, `rate`, `seed`). See `sessions/README.md`.
//!
//! Runs on whichever thread reads a session file. May allocate. Never panics on any input:
//! every problem becomes a [`Diagnostic`] with its line and column.

use super::diagnostic::Diagnostic;
use super::header::read_header_line;
pub use super::header::Header;
use super::stamp::parse_stamp;

/// Session files larger than this are refused (by their size, before they are read).
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;
/// Lines longer than this many bytes are refused.
pub const MAX_LINE_BYTES: usize = 4096;
/// No time stamp may lie further from the start than this (one hour).
pub const MAX_SESSION_SECONDS: f64 = 3600.0;
/// The tempo `@bar` and `@beat` count against when the header gives none.
pub const DEFAULT_TEMPO: f64 = 120.0;
/// The file name extension of session files.
pub const EXTENSION: &str = "chronus";

/// One phrase at its time.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// Seconds from the start of the session.
    pub at: f64,
    /// 1-based line number in the file.
    pub line: usize,
    /// 1-based column (in characters) where the phrase starts.
    pub column: usize,
    /// The whole line as written (for error listings).
    pub source: String,
    /// The phrase, without time stamp or comment.
    pub text: String,
}

/// A parsed session: header and timed phrases in file order (times never go backwards).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Session {
    /// Header values.
    pub header: Header,
    /// The phrases.
    pub events: Vec<Event>,
    /// The time of the last stamp, including a stamp alone on the last line (`@bar 9`), which
    /// marks where the session ends.
    pub last_stamp: f64,
}

impl Session {
    /// Beats per minute for stamps.
    pub fn tempo(&self) -> f64 {
        self.header.tempo.unwrap_or(DEFAULT_TEMPO)
    }

    /// Where the session's timeline ends: its last phrase or last stamp, in seconds.
    pub fn end(&self) -> f64 {
        let last = self.events.last().map_or(0.0, |e| e.at);
        last.max(self.last_stamp)
    }
}

/// Parses a whole session file. Every problem is listed (each with its line and column); a
/// file with no phrases at all is a problem too.
pub fn parse_session(bytes: &[u8]) -> Result<Session, Vec<Diagnostic>> {
    let (session, problems) = parse_session_lenient(bytes);
    if problems.is_empty() {
        Ok(session)
    } else {
        Err(problems)
    }
}

/// Parses what can be parsed and lists the problems beside it, so a check can go on to
/// resolve the good lines and report their problems too.
pub fn parse_session_lenient(bytes: &[u8]) -> (Session, Vec<Diagnostic>) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = bytes[..at]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let column = String::from_utf8_lossy(&bytes[line_start..at])
            .chars()
            .count()
            + 1;
        return (
            Session::default(),
            vec![Diagnostic::new(
                line,
                column,
                "this is a binary file (NUL byte), not a session; sessions are UTF-8 text",
            )],
        );
    }
    let mut parser = LineParser::default();
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        parser.line(i + 1, raw);
    }
    if parser.problems.is_empty() && parser.session.events.is_empty() {
        parser.problems.push(Diagnostic::new(
            1,
            1,
            "the session is empty: no phrases to play (write one per line, e.g. \"@0 gate on\")",
        ));
    }
    (parser.session, parser.problems)
}

#[derive(Default)]
struct LineParser {
    session: Session,
    problems: Vec<Diagnostic>,
    /// Time of the previous line (stamped or not).
    now: f64,
    /// Line of the latest stamp, for "goes backwards" messages.
    now_line: usize,
    /// Header lines are allowed until the first stamp or phrase.
    in_header: bool,
    header_lines: [usize; 3],
    started: bool,
}

impl LineParser {
    fn line(&mut self, number: usize, raw: &[u8]) {
        if !self.started {
            self.started = true;
            self.in_header = true;
        }
        let text = match plain_text(number, raw) {
            Ok(text) => text,
            Err(problem) => {
                self.problems.push(problem);
                return;
            }
        };
        let content = strip_comment(text);
        let trimmed = content.trim_start();
        if trimmed.trim_end().is_empty() {
            return;
        }
        let start = content.len() - trimmed.len();
        if trimmed.starts_with('@') {
            self.in_header = false;
            self.stamped_line(number, text, start);
            return;
        }
        if self.in_header {
            if let Some(done) = read_header_line(
                &mut self.session.header,
                &mut self.header_lines,
                number,
                content,
                start,
            ) {
                if let Err(d) = done {
                    // `content` is `text` without its comment; show the whole line.
                    self.problems.push(d.with_source(text));
                }
                return;
            }
        }
        self.in_header = false;
        self.push_event(number, text, start, trimmed.trim_end());
    }

    /// A line that starts (at byte `start`) with a time stamp, maybe followed by a phrase.
    fn stamped_line(&mut self, number: usize, text: &str, start: usize) {
        let trimmed = &strip_comment(text)[start..];
        let column_of = |byte: usize| text[..byte].chars().count() + 1;
        let problem =
            |col: usize, message: String| Diagnostic::new(number, col, message).with_source(text);
        let (stamp, rest) = match parse_stamp(trimmed) {
            Ok(parsed) => parsed,
            Err(e) => {
                self.problems
                    .push(problem(column_of(start + e.span.start), e.message));
                return;
            }
        };
        let at = stamp.seconds(self.session.tempo(), self.now);
        if !(0.0..=MAX_SESSION_SECONDS).contains(&at) {
            self.problems.push(problem(
                column_of(start),
                format!(
                    "{at:.3} s is past the one-hour limit of a session ({MAX_SESSION_SECONDS} s)"
                ),
            ));
        } else if at + 1e-9 < self.now {
            self.problems.push(problem(
                column_of(start),
                format!(
                    "time goes backwards: {} is before {} (line {}); stamps must not decrease",
                    seconds_text(at),
                    seconds_text(self.now),
                    self.now_line
                ),
            ));
        } else {
            self.now = at;
            self.now_line = number;
            self.session.last_stamp = at;
        }
        let phrase = trimmed[rest..].trim_end();
        if !phrase.is_empty() {
            self.push_event(number, text, start + rest, phrase);
        }
    }

    fn push_event(&mut self, number: usize, text: &str, byte: usize, phrase: &str) {
        self.session.events.push(Event {
            at: self.now,
            line: number,
            column: text[..byte].chars().count() + 1,
            source: text.to_string(),
            text: phrase.to_string(),
        });
    }
}

/// Seconds as people read them in messages: `12.5 s`.
pub fn seconds_text(s: f64) -> String {
    let t = format!("{s:.3}");
    let t = t.trim_end_matches('0').trim_end_matches('.');
    format!("{t} s")
}

/// The line without its comment: `#` at the start or after a space begins one (so `C#4` is
/// a note, not a comment).
fn strip_comment(text: &str) -> &str {
    let mut prev_space = true;
    for (i, c) in text.char_indices() {
        if c == '#' && prev_space {
            return &text[..i];
        }
        prev_space = c.is_whitespace();
    }
    text
}

/// Line `number` as text, or why it is not a session line: too long, not UTF-8, or holding
/// a control character (each located at its column).
fn plain_text(number: usize, raw: &[u8]) -> Result<&str, Diagnostic> {
    if raw.len() > MAX_LINE_BYTES {
        let col = String::from_utf8_lossy(&raw[..MAX_LINE_BYTES])
            .chars()
            .count();
        return Err(Diagnostic::new(
            number,
            col + 1,
            format!(
                "the line is {} bytes long; session lines are limited to {MAX_LINE_BYTES}",
                raw.len()
            ),
        ));
    }
    let text = std::str::from_utf8(raw).map_err(|e| {
        let valid = e.valid_up_to();
        let col = String::from_utf8_lossy(&raw[..valid]).chars().count() + 1;
        Diagnostic::new(
            number,
            col,
            format!(
                "not UTF-8 text (byte 0x{:02X}); session files are UTF-8",
                raw[valid]
            ),
        )
    })?;
    if let Some((i, c)) = text
        .chars()
        .enumerate()
        .find(|&(_, c)| c.is_control() && c != '\t')
    {
        return Err(Diagnostic::new(
            number,
            i + 1,
            format!(
                "control character U+{:04X} in the line; sessions are plain text",
                c as u32
            ),
        )
        .with_source(&text.replace(|c: char| c.is_control(), " ")));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Session {
        parse_session(text.as_bytes()).unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn problems(text: &[u8]) -> Vec<Diagnostic> {
        parse_session(text).unwrap_err()
    }

    #[test]
    fn a_session_has_a_header_comments_and_timed_phrases() {
        let s = parse(
            "# an acid line\ntempo 120\nrate 48000\nseed 7\n\n@0 osc saw   # squelch\nnote C#2\n@beat 2 gate off\n@bar 3\ncutoff 400\n",
        );
        assert_eq!(s.header.tempo, Some(120.0));
        assert_eq!(s.header.rate, Some(48_000));
        assert_eq!(s.header.seed, Some(7));
        let got: Vec<(f64, &str, usize, usize)> = s
            .events
            .iter()
            .map(|e| (e.at, e.text.as_str(), e.line, e.column))
            .collect();
        assert_eq!(
            got,
            vec![
                (0.0, "osc saw", 6, 4),
                (0.0, "note C#2", 7, 1),
                (0.5, "gate off", 8, 9),
                (4.0, "cutoff 400", 10, 1),
            ]
        );
        assert_eq!(s.end(), 4.0);
    }

    #[test]
    fn a_stamp_alone_on_the_last_line_marks_the_end() {
        let s = parse("@0 gate on\n@bar 3\n");
        assert_eq!(s.end(), 4.0);
    }

    #[test]
    fn crlf_line_ends_and_a_bom_are_handled() {
        let s = parse("\u{FEFF}tempo 60   # slow\r\n@beat 2 gate on\r\n@3 gate off\r\n");
        assert_eq!(s.header.tempo, Some(60.0));
        assert_eq!(s.events[0].at, 1.0);
        assert_eq!(s.events[0].text, "gate on");
        assert_eq!(s.events[1].text, "gate off");
    }

    #[test]
    fn tempo_after_the_first_phrase_is_a_phrase() {
        let s = parse("@0 gate on\ntempo 140\n");
        assert_eq!(s.header.tempo, None);
        assert_eq!(s.events[1].text, "tempo 140");
    }

    #[test]
    fn times_going_backwards_are_located() {
        let p = problems(b"@2 gate on\n@5 gate off\n  @4.5 gate on\n");
        assert_eq!(p.len(), 1);
        assert_eq!((p[0].line, p[0].column), (3, 3));
        assert!(p[0].message.contains("backwards"), "{}", p[0].message);
        assert!(p[0].message.contains("line 2"), "{}", p[0].message);
    }

    #[test]
    fn every_bad_line_is_listed_with_its_place() {
        let p = problems(b"tempo fast\n@bar 0 gate on\n@2 ok\n\x07bell\nfine \xFF\n@9999 x\n");
        let places: Vec<(usize, usize)> = p.iter().map(|d| (d.line, d.column)).collect();
        assert_eq!(
            places,
            vec![(1, 7), (2, 6), (4, 1), (5, 6), (6, 1)],
            "{p:?}"
        );
    }

    #[test]
    fn empty_and_comment_only_files_say_so() {
        for text in ["", "\n\n", "# nothing\n", "tempo 100\n", "\u{FEFF}"] {
            let p = problems(text.as_bytes());
            assert_eq!(p.len(), 1, "{text:?}");
            assert!(p[0].message.contains("empty"), "{}", p[0].message);
        }
    }

    #[test]
    fn binary_garbage_is_one_clear_error() {
        let p = problems(b"@0 gate on\nab\x00\x01\x02\xff\xfe");
        assert_eq!(p.len(), 1);
        assert_eq!((p[0].line, p[0].column), (2, 3));
        assert!(p[0].message.contains("binary"));
    }

    #[test]
    fn an_overlong_line_is_refused_at_the_limit() {
        let mut text = b"@0 gate on\n".to_vec();
        text.extend(std::iter::repeat_n(b'a', MAX_LINE_BYTES + 1));
        let p = problems(&text);
        assert_eq!((p[0].line, p[0].column), (2, MAX_LINE_BYTES + 1));
        assert!(p[0].message.contains("limited"));
    }

    #[test]
    fn a_hash_inside_a_word_is_not_a_comment() {
        let s = parse("note C#4 # the root\n#all comment\n  # indented comment\n");
        assert_eq!(s.events.len(), 1);
        assert_eq!(s.events[0].text, "note C#4");
    }
}
