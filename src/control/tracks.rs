//! Track names: the control side's table from names (`bass`, `hats`) to the engine's track
//! indexes, and which track bare phrases (`pattern`, `steps 16`, `mute`) edit.
//!
//! Runs on the control thread. May allocate.

use crate::engine::command::TRACKS;

/// Names of the sequencer tracks and the current track.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrackNames {
    names: [Option<String>; TRACKS],
    current: u8,
}

impl TrackNames {
    /// The track bare phrases edit (0 until another is selected).
    pub fn current(&self) -> u8 {
        self.current
    }

    /// The track called `name`: a given name, or a number from 1 to [`TRACKS`].
    pub fn find(&self, name: &str) -> Option<u8> {
        let lower = name.to_lowercase();
        if let Some(i) = self.names.iter().position(|n| n.as_deref() == Some(&lower)) {
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

    /// Names track `index` (if `name` is given) and makes it the current track.
    pub fn select(&mut self, index: u8, name: Option<&str>) {
        let i = usize::from(index).min(TRACKS - 1);
        if let Some(n) = name {
            self.names[i] = Some(n.to_lowercase());
        }
        self.current = i as u8;
    }

    /// The name of track `index`, or its number (`3`) when it has none.
    pub fn label(&self, index: u8) -> String {
        self.names
            .get(usize::from(index))
            .and_then(|n| n.clone())
            .unwrap_or_else(|| (usize::from(index) + 1).to_string())
    }

    /// Every given name, for did-you-mean.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().flatten().map(String::as_str)
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
}
