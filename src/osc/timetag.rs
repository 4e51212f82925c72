//! OSC time tags (NTP format: seconds since 1900 in 32.32 fixed point) turned into delays and
//! engine frames. Pure arithmetic, used on the OSC thread and by offline renders.
//!
//! rosc's own `OscTime` → `SystemTime` conversion panics for tags before 1970 (any random
//! packet can carry one), so everything here works on the raw 64-bit tick count instead.

use rosc::OscTime;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Seconds from the NTP epoch (1900-01-01) to the Unix epoch (1970-01-01).
const NTP_UNIX_OFFSET_S: u64 = 2_208_988_800;

/// Ticks (1/2^32 s) in one second.
const TICKS_PER_SECOND: u64 = 1 << 32;

/// The time tag OSC reserves for "immediately".
pub const IMMEDIATELY: OscTime = OscTime {
    seconds: 0,
    fractional: 1,
};

/// The tag as one 64-bit count of 1/2^32-second ticks since 1900.
pub fn ticks(tag: OscTime) -> u64 {
    (u64::from(tag.seconds) << 32) | u64::from(tag.fractional)
}

/// The tag for a tick count (the inverse of [`ticks`]).
pub fn from_ticks(ticks: u64) -> OscTime {
    OscTime {
        seconds: (ticks >> 32) as u32,
        fractional: ticks as u32,
    }
}

/// The time tag of a wall-clock moment (times before 1970 count as 1970).
pub fn timetag_of(time: SystemTime) -> OscTime {
    let since_unix = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = since_unix.as_secs() + NTP_UNIX_OFFSET_S;
    let fractional = (u128::from(since_unix.subsec_nanos()) * u128::from(TICKS_PER_SECOND)
        / 1_000_000_000) as u64;
    from_ticks((seconds << 32).wrapping_add(fractional))
}

/// The time tag of now.
pub fn now_timetag() -> OscTime {
    timetag_of(SystemTime::now())
}

/// The tag `delay` after `tag`.
pub fn after(tag: OscTime, delay: Duration) -> OscTime {
    let extra = (delay.as_nanos() * u128::from(TICKS_PER_SECOND) / 1_000_000_000) as u64;
    from_ticks(ticks(tag).wrapping_add(extra))
}

/// Signed ticks from `now` to `tag`. The subtraction wraps, so the two sides of the NTP era
/// rollover in 2036 stay close together.
fn ticks_ahead(tag: OscTime, now: OscTime) -> i64 {
    ticks(tag).wrapping_sub(ticks(now)) as i64
}

/// How long after `now` the moment `tag` is; `None` when it is now or already past, or when
/// the tag is the special "immediately" value.
pub fn delay_until(tag: OscTime, now: OscTime) -> Option<Duration> {
    if tag == IMMEDIATELY {
        return None;
    }
    let ahead = ticks_ahead(tag, now);
    if ahead <= 0 {
        return None;
    }
    let nanos = (ahead as u128 * 1_000_000_000) >> 32;
    Some(Duration::from_nanos(nanos as u64))
}

/// The engine frame at which a message tagged `timetag` should sound, given that the engine
/// is at `now_frame` at the moment `now_timetag`, running at `rate` frames per second.
/// Past, present and "immediately" tags map to `now_frame`. Rounded to the nearest frame.
///
/// ```
/// use chronus::osc::timetag::{after, schedule_frame};
/// use rosc::OscTime;
/// use std::time::Duration;
/// let now = OscTime { seconds: 3_900_000_000, fractional: 0 };
/// let half_second_later = after(now, Duration::from_millis(500));
/// assert_eq!(schedule_frame(half_second_later, now, 44_100, 1_000), 1_000 + 22_050);
/// assert_eq!(schedule_frame(now, half_second_later, 44_100, 1_000), 1_000);
/// ```
pub fn schedule_frame(timetag: OscTime, now_timetag: OscTime, rate: u32, now_frame: u64) -> u64 {
    if timetag == IMMEDIATELY {
        return now_frame;
    }
    let ahead = ticks_ahead(timetag, now_timetag);
    if ahead <= 0 {
        return now_frame;
    }
    let frames = (ahead as u128 * u128::from(rate) + (1u128 << 31)) >> 32;
    now_frame.saturating_add(frames.min(u128::from(u64::MAX)) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: OscTime = OscTime {
        seconds: 3_950_000_000,
        fractional: 0x8000_0000,
    };

    #[test]
    fn unix_epoch_is_the_rfc_5905_offset() {
        assert_eq!(
            timetag_of(UNIX_EPOCH),
            OscTime {
                seconds: 2_208_988_800,
                fractional: 0
            }
        );
        let t = UNIX_EPOCH + Duration::from_millis(1_500);
        assert_eq!(timetag_of(t).fractional, 0x8000_0000);
    }

    #[test]
    fn future_tags_become_delays_and_past_ones_do_not() {
        let later = after(NOW, Duration::from_millis(250));
        let d = delay_until(later, NOW).expect("a future tag has a delay");
        assert!((d.as_secs_f64() - 0.25).abs() < 1e-6, "{d:?}");
        assert_eq!(delay_until(NOW, later), None);
        assert_eq!(delay_until(NOW, NOW), None);
        assert_eq!(delay_until(IMMEDIATELY, NOW), None);
        // Tags more than 68 years away read as the other NTP era (RFC 4330): "5 s after
        // 1900" is 5 s after the 2036 rollover, years ahead, which the server refuses.
        let garbage = OscTime {
            seconds: 5,
            fractional: 7,
        };
        let d = delay_until(garbage, NOW).expect("the next era");
        assert!(d > Duration::from_secs(3600 * 24 * 365), "{d:?}");
    }

    #[test]
    fn schedule_frame_rounds_to_the_nearest_frame_at_any_rate() {
        for rate in [44_100u32, 48_000, 96_000] {
            for ms in [0u64, 1, 7, 250, 1_000, 59_999] {
                let tag = after(NOW, Duration::from_millis(ms));
                let expected = (ms as f64 * f64::from(rate) / 1000.0).round() as u64;
                let got = schedule_frame(tag, NOW, rate, 10);
                assert!(
                    got.abs_diff(10 + expected) <= 1,
                    "{rate} Hz {ms} ms: {got} vs {}",
                    10 + expected
                );
            }
        }
        assert_eq!(schedule_frame(IMMEDIATELY, NOW, 44_100, 99), 99);
        assert_eq!(
            schedule_frame(NOW, after(NOW, Duration::from_secs(1)), 44_100, 99),
            99
        );
    }

    #[test]
    fn the_2036_era_rollover_keeps_close_tags_close() {
        let before = OscTime {
            seconds: u32::MAX,
            fractional: 0,
        };
        let after_rollover = OscTime {
            seconds: 0,
            fractional: 0,
        };
        let d = delay_until(after_rollover, before).expect("one second later");
        assert_eq!(d, Duration::from_secs(1));
        assert_eq!(schedule_frame(after_rollover, before, 48_000, 0), 48_000);
    }
}
