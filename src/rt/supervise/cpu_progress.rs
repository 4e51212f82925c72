//! Was a silent worker stuck, or only kept off the CPU? Before the supervisor calls a worker
//! hung (no heartbeat for a whole hang timeout), it asks the kernel what the worker's thread
//! did since its last heartbeat: `/proc/self/task/TID/schedstat` says how long the thread ran,
//! `/proc/self/task/TID/stat` whether it is runnable now. A thread that barely ran while it
//! was runnable was descheduled (a busy machine, a VM's stolen time): replacing it would not
//! help, because its successor waits for the same CPU, so it is spared and counted
//! (`hangs_spared`). A thread that ran and still did not beat (a loop) or sleeps (a lock, a
//! `fault hang`) is stuck, and fails over as before.
//!
//! Runs on the "chronus-supervisor" thread (not real-time). The `/proc` paths are built once
//! per worker; each read goes into a stack buffer, so polling allocates nothing.
//! [`current_thread_id`] runs once at the start of each worker thread, before its render
//! loop. Elsewhere than Linux nothing can be read and every silence counts as a hang.

use std::io::Read;
use std::path::PathBuf;

/// A worker spared this many hang timeouts in a row is failed over anyway: past this the
/// music is lost either way, and a worker that never gets back is better replaced.
pub const MAX_SPARED_TIMEOUTS: u64 = 10;

/// What `/proc/self/task/TID/schedstat` says about a thread.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SchedStat {
    /// Nanoseconds the thread has run on a CPU.
    pub run_ns: u64,
    /// Nanoseconds it waited, runnable, for a CPU (counted when it gets one).
    pub wait_ns: u64,
}

/// Reads the first two numbers of a schedstat line (`run_ns wait_ns timeslices`).
pub fn parse_schedstat(text: &[u8]) -> Option<SchedStat> {
    let text = std::str::from_utf8(text).ok()?;
    let mut fields = text.split_ascii_whitespace();
    let run_ns = fields.next()?.parse().ok()?;
    let wait_ns = fields.next()?.parse().ok()?;
    Some(SchedStat { run_ns, wait_ns })
}

/// True when a `/proc/.../stat` line says the thread is runnable (`R`): running, or waiting
/// for a CPU. The state follows the last `)`, since the thread's name may hold spaces and
/// parentheses. `None` when the line cannot be read.
pub fn parse_runnable(stat: &[u8]) -> Option<bool> {
    let close = stat.iter().rposition(|&b| b == b')')?;
    let state = stat[close + 1..]
        .iter()
        .find(|b| !b.is_ascii_whitespace())?;
    Some(*state == b'R')
}

/// What a silent worker was doing, from what it did since its last heartbeat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Silence {
    /// It barely ran and wanted to: kept off the CPU. Not replaced.
    Descheduled,
    /// It ran and made no progress, or it sleeps: a real hang.
    Stuck,
}

/// The decision. Over the last `window_ns` (since the heartbeat was last seen to move) the
/// thread ran `ran_ns` and waited `waited_ns` for a CPU, and is `runnable` now. It was
/// descheduled when it ran less than a quarter of the window and either is runnable now
/// (waiting in the run queue: its current wait is only counted when it gets a CPU) or spent
/// half the window waiting for one. Anything else is stuck.
pub fn judge_silence(ran_ns: u64, waited_ns: u64, window_ns: u64, runnable: bool) -> Silence {
    let barely_ran = ran_ns < window_ns / 4;
    let waited = runnable || waited_ns >= window_ns / 2;
    if barely_ran && waited {
        Silence::Descheduled
    } else {
        Silence::Stuck
    }
}

/// The kernel's id of the calling thread (Linux: from `/proc/thread-self`), `None` where it
/// cannot be known. Allocates: call it once, before any real-time loop.
pub fn current_thread_id() -> Option<u32> {
    let link = std::fs::read_link("/proc/thread-self").ok()?;
    link.file_name()?.to_str()?.parse().ok()
}

/// Reads a small `/proc` file into `buf`; the bytes read.
fn read_small(path: &std::path::Path, buf: &mut [u8]) -> Option<usize> {
    let mut file = std::fs::File::open(path).ok()?;
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(_) => return None,
        }
    }
    Some(filled)
}

/// Where the heartbeat was last seen to move, and what the thread had run by then.
#[derive(Clone, Copy, Debug)]
struct Baseline {
    beats: u64,
    at_ns: u64,
    stat: SchedStat,
}

/// What [`CpuProgress::check`] found about a silent worker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HangCheck {
    /// The thread's CPU time cannot be read (not Linux, thread gone): judge by the heartbeat.
    Unknown,
    /// The heartbeat moved since the last look: look again in a moment.
    TooSoon,
    /// What the thread did since its heartbeat last moved.
    Found(Silence),
}

/// Follows one worker thread's CPU time from one supervisor wake to the next.
#[derive(Debug, Default)]
pub struct CpuProgress {
    tid: u32,
    schedstat: PathBuf,
    stat: PathBuf,
    baseline: Option<Baseline>,
}

impl CpuProgress {
    /// Follows nothing yet.
    pub fn new() -> CpuProgress {
        CpuProgress::default()
    }

    /// Follows thread `tid` (0: unknown). Builds its paths when the thread changes (a
    /// failover), not on every call.
    fn follow(&mut self, tid: u32) {
        if tid == self.tid {
            return;
        }
        self.tid = tid;
        self.baseline = None;
        let task = PathBuf::from(format!("/proc/self/task/{tid}"));
        self.schedstat = task.join("schedstat");
        self.stat = task.join("stat");
    }

    fn read_schedstat(&self) -> Option<SchedStat> {
        let mut buf = [0u8; 96];
        let n = read_small(&self.schedstat, &mut buf)?;
        parse_schedstat(&buf[..n])
    }

    fn read_runnable(&self) -> Option<bool> {
        // The state is the third field; the name before it is at most 64 bytes.
        let mut buf = [0u8; 128];
        let n = read_small(&self.stat, &mut buf)?;
        parse_runnable(&buf[..n])
    }

    /// Called on every supervisor wake with the active worker's thread id and heartbeat
    /// count: takes a new baseline whenever the heartbeat moved (or the worker changed).
    pub fn observe(&mut self, tid: u32, beats: u64, now_ns: u64) {
        self.follow(tid);
        if tid == 0 || self.baseline.is_some_and(|b| b.beats == beats) {
            return;
        }
        self.baseline = self.read_schedstat().map(|stat| Baseline {
            beats,
            at_ns: now_ns,
            stat,
        });
    }

    /// The worker's heartbeat is older than the hang timeout: was it stuck or descheduled
    /// since its heartbeat last moved? Call after [`CpuProgress::observe`] on the same wake.
    pub fn check(&mut self, beats: u64, now_ns: u64) -> HangCheck {
        let Some(base) = self.baseline else {
            return HangCheck::Unknown;
        };
        if base.beats != beats || now_ns <= base.at_ns {
            return HangCheck::TooSoon;
        }
        let (Some(stat), Some(runnable)) = (self.read_schedstat(), self.read_runnable()) else {
            return HangCheck::Unknown;
        };
        HangCheck::Found(judge_silence(
            stat.run_ns.saturating_sub(base.stat.run_ns),
            stat.wait_ns.saturating_sub(base.stat.wait_ns),
            now_ns - base.at_ns,
            runnable,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    #[test]
    fn schedstat_lines_are_read_and_garbage_is_not() {
        assert_eq!(
            parse_schedstat(b"123456 7890 42\n"),
            Some(SchedStat {
                run_ns: 123_456,
                wait_ns: 7_890
            })
        );
        assert_eq!(
            parse_schedstat(b"18446744073709551615 0 1"),
            Some(SchedStat {
                run_ns: u64::MAX,
                wait_ns: 0
            })
        );
        for bad in [
            &b""[..],
            b"12",
            b"x 1 2",
            b"-1 2 3",
            b"\xff\xfe",
            b"1.5 2 3",
        ] {
            assert_eq!(parse_schedstat(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_state_is_read_after_the_last_parenthesis_of_the_name() {
        assert_eq!(parse_runnable(b"42 (chronus-dsp-1) R 1 2 3"), Some(true));
        assert_eq!(parse_runnable(b"42 (chronus-dsp-1) S 1 2 3"), Some(false));
        assert_eq!(parse_runnable(b"42 (a) b) R 1"), Some(true));
        assert_eq!(parse_runnable(b"42 (x) D 1"), Some(false));
        assert_eq!(parse_runnable(b"42 no name"), None);
        assert_eq!(parse_runnable(b"42 (cut)"), None);
    }

    #[test]
    fn only_a_thread_that_barely_ran_while_it_wanted_to_is_spared() {
        let ms = 1_000_000;
        let window = 10 * ms;
        // Off the CPU, waiting in the run queue right now.
        assert_eq!(judge_silence(0, 0, window, true), Silence::Descheduled);
        // It got the CPU back a moment ago after waiting most of the window.
        assert_eq!(
            judge_silence(ms, 8 * ms, window, false),
            Silence::Descheduled
        );
        // Spinning without a heartbeat: a loop, whatever the run queue says.
        assert_eq!(judge_silence(9 * ms, 0, window, true), Silence::Stuck);
        assert_eq!(judge_silence(5 * ms, 5 * ms, window, true), Silence::Stuck);
        // Asleep (a lock, `fault hang`): neither ran nor waited.
        assert_eq!(judge_silence(10_000, 2_000, window, false), Silence::Stuck);
    }

    #[test]
    fn the_thread_id_names_this_thread_and_a_missing_thread_is_unknown() {
        let Some(tid) = current_thread_id() else {
            return; // not Linux: nothing to follow
        };
        assert!(std::path::Path::new(&format!("/proc/self/task/{tid}")).exists());
        let other = std::thread::spawn(current_thread_id).join().unwrap();
        assert_ne!(other, Some(tid));
        let mut gone = CpuProgress::new();
        gone.observe(u32::MAX, 1, 1);
        assert_eq!(gone.check(1, 2), HangCheck::Unknown);
    }

    /// A real thread asleep is stuck, a real thread spinning is stuck, and a moving
    /// heartbeat asks for another look.
    #[test]
    fn sleeping_and_spinning_threads_are_stuck_not_descheduled() {
        if current_thread_id().is_none() {
            return;
        }
        let epoch = Instant::now();
        let now = || epoch.elapsed().as_nanos() as u64;
        for spin in [false, true] {
            let tid = Arc::new(AtomicU32::new(0));
            let stop = Arc::new(AtomicBool::new(false));
            let (t, s) = (tid.clone(), stop.clone());
            let handle = std::thread::spawn(move || {
                t.store(current_thread_id().unwrap_or(0), Ordering::Release);
                while !s.load(Ordering::Acquire) {
                    if !spin {
                        std::thread::sleep(Duration::from_millis(2));
                    }
                }
            });
            while tid.load(Ordering::Acquire) == 0 {
                std::thread::yield_now();
            }
            let mut progress = CpuProgress::new();
            progress.observe(tid.load(Ordering::Acquire), 7, now());
            assert_eq!(progress.check(8, now()), HangCheck::TooSoon);
            std::thread::sleep(Duration::from_millis(200));
            progress.observe(tid.load(Ordering::Acquire), 7, now());
            let found = progress.check(7, now());
            stop.store(true, Ordering::Release);
            handle.join().unwrap();
            // A spinning thread on a machine with every core busy may get under a quarter of
            // a CPU; that is then rightly "descheduled". Asleep it never is.
            if spin {
                assert!(matches!(found, HangCheck::Found(_)), "spinning: {found:?}");
            } else {
                assert_eq!(found, HangCheck::Found(Silence::Stuck), "asleep");
            }
        }
    }
}
