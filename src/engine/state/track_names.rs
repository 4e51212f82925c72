//! Track names: the table from names (`bass`, `hats`) to the engine's track indexes, and which
//! track bare phrases (`pattern`, `steps 16`, `mute`) edit.
//!
//! Part of the `Copy` patch state, so names are stored inline (at most
//! [`MAX_TRACK_NAME_BYTES`] bytes each) and nothing here allocates except [`TrackNames::label`].

use crate::engine::command::TRACKS;

/// The longest track name, in bytes.
pub const MAX_TRACK_NAME_BYTES: usize = 32;

/// One name stored inline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct InlineName {
    bytes: [u8; MAX_TRACK_NAME_BYTES],
    len: u8,
}

impl InlineName {
    fn new(name: &str) -> Option<Self> {
        let lower = name.to_lowercase();
        if lower.is_empty() || lower.len() > MAX_TRACK_NAME_BYTES {
            return None;
        }
        let mut bytes = [0u8; MAX_TRACK_NAME_BYTES];
        bytes[..lower.len()].copy_from_slice(lower.as_bytes());
        Some(InlineName {
            bytes,
            len: lower.len() as u8,
        })
    }

    fn as_str(&self) -> &str {
        // Built from a whole `str`, so the bytes are valid UTF-8.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("")
    }
}

/// Names of the sequencer tracks and the current track.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TrackNames {
    names: [Option<InlineName>; TRACKS],
    current: u8,
}

impl TrackNames {
    /// Whether `name` can name a track (not empty, at most [`MAX_TRACK_NAME_BYTES`] bytes).
    pub fn fits(name: &str) -> bool {
        InlineName::new(name).is_some()
    }

    /// The track bare phrases edit (0 until another is selected).
    pub fn current(&self) -> u8 {
        self.current
    }

    /// The track called `name`: a given name, or a number from 1 to [`TRACKS`].
    pub fn find(&self, name: &str) -> Option<u8> {
        let lower = name.to_lowercase();
        if let Some(i) = self
            .names
            .iter()
            .position(|n| n.as_ref().map(InlineName::as_str) == Some(lower.as_str()))
        {
            return Some(i as u8);
        }
        match lower.parse::<usize>() {
            Ok(n) if (1..=TRACKS).contains(&n) => Some((n - 1) as u8),
            _ => None,
        }
    }

    /// The index a new name would get: the first track without a name that `used` does not
    /// mark as playing something (or the first unnamed one), if any is left.
    pub fn free_index(&self, used: impl Fn(u8) -> bool) -> Option<u8> {
        let unnamed = |i: &usize| self.names[*i].is_none();
        (0..TRACKS)
            .filter(unnamed)
            .find(|&i| !used(i as u8))
            .or_else(|| (0..TRACKS).find(unnamed))
            .map(|i| i as u8)
    }

    /// Names track `index` (if `name` is given and [fits](TrackNames::fits)) and makes it the
    /// current track.
    pub fn select(&mut self, index: u8, name: Option<&str>) {
        let i = usize::from(index).min(TRACKS - 1);
        if let Some(n) = name.and_then(InlineName::new) {
            self.names[i] = Some(n);
        }
        self.current = i as u8;
    }

    /// The name of track `index`, or its number (`3`) when it has none.
    pub fn label(&self, index: u8) -> String {
        self.names
            .get(usize::from(index))
            .and_then(|n| n.as_ref())
            .map(|n| n.as_str().to_string())
            .unwrap_or_else(|| (usize::from(index) + 1).to_string())
    }

    /// Every given name, for did-you-mean.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().flatten().map(InlineName::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers_find_tracks() {
        let mut t = TrackNames::default();
        assert_eq!(t.free_index(|i| i == 0), Some(1));
        t.select(1, Some("Bass"));
        assert_eq!(t.find("bass"), Some(1));
        assert_eq!(t.find("1"), Some(0));
        assert_eq!(t.find("9"), None);
        assert_eq!(t.current(), 1);
        assert_eq!(t.label(1), "bass");
        assert_eq!(t.label(2), "3");
    }

    #[test]
    fn a_name_longer_than_the_limit_does_not_fit_and_is_not_stored() {
        let long = "x".repeat(MAX_TRACK_NAME_BYTES + 1);
        assert!(!TrackNames::fits(&long));
        assert!(TrackNames::fits(&"x".repeat(MAX_TRACK_NAME_BYTES)));
        let mut t = TrackNames::default();
        t.select(2, Some(&long));
        assert_eq!(t.label(2), "3");
        assert_eq!(t.current(), 2);
    }
}
