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
    /// Times it was given a CPU.
    pub slices: u64,
}

/// Reads a schedstat line (`run_ns wait_ns timeslices`).
pub fn parse_schedstat(text: &[u8]) -> Option<SchedStat> {
    let text = std::str::from_utf8(text).ok()?;
    let mut fields = text.split_ascii_whitespace();
    let run_ns = fields.next()?.parse().ok()?;
    let wait_ns = fields.next()?.parse().ok()?;
    let slices = fields.next()?.parse().ok()?;
    Some(SchedStat {
        run_ns,
        wait_ns,
        slices,
    })
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

/// What a thread did over the last `window_ns` (since its heartbeat was last seen to move).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// Its length.
    pub window_ns: u64,
    /// How long the thread ran in it.
    pub ran_ns: u64,
    /// How long it waited for a CPU (waits that ended in it).
    pub waited_ns: u64,
    /// How many times it was given a CPU.
    pub slices: u64,
    /// Whether it is runnable at the end of it (running, or waiting for a CPU).
    pub runnable: bool,
}

/// The decision. A thread was descheduled when it ran less than a quarter of the window, was
/// given a CPU at most once (a thread that sleeps and wakes, like a hung one polling for its
/// exit, is given one again and again), and either is runnable now (waiting in the run
/// queue: the current wait is only counted when it gets a CPU) or spent half the window
/// waiting for one. Anything else is stuck.
pub fn judge_silence(w: Window) -> Silence {
    let barely_ran = w.ran_ns < w.window_ns / 4 && w.slices <= 1;
    let waited = w.runnable || w.waited_ns >= w.window_ns / 2;
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

/// Reads an open file from its first byte again (procfs regenerates the text).
fn read_from_start(file: &std::fs::File, buf: &mut [u8]) -> Option<usize> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_at(file, buf, 0).ok()
    }
    #[cfg(not(unix))]
    {
        let _ = (file, buf);
        None
    }
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
    /// `schedstat` kept open: it is read on nearly every wake, and an open per read cost
    /// more than the rest of the supervisor's idle wake.
    schedstat_file: Option<std::fs::File>,
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
        self.schedstat_file = std::fs::File::open(&self.schedstat).ok();
        self.stat = task.join("stat");
    }

    fn read_schedstat(&self) -> Option<SchedStat> {
        let mut buf = [0u8; 96];
        // procfs regenerates the text for a read at offset 0 of an open file.
        let n = match self
            .schedstat_file
            .as_ref()
            .and_then(|f| read_from_start(f, &mut buf))
        {
            Some(n) => n,
            None => read_small(&self.schedstat, &mut buf)?,
        };
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
        HangCheck::Found(judge_silence(Window {
            window_ns: now_ns - base.at_ns,
            ran_ns: stat.run_ns.saturating_sub(base.stat.run_ns),
            waited_ns: stat.wait_ns.saturating_sub(base.stat.wait_ns),
            slices: stat.slices.saturating_sub(base.stat.slices),
            runnable,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    /// The tests with real threads run one at a time: the hog would starve the others.
    static ALONE: std::sync::Mutex<()> = std::sync::Mutex::new(());

    #[test]
    fn schedstat_lines_are_read_and_garbage_is_not() {
        assert_eq!(
            parse_schedstat(b"123456 7890 42\n"),
            Some(SchedStat {
                run_ns: 123_456,
                wait_ns: 7_890,
                slices: 42
            })
        );
        assert_eq!(
            parse_schedstat(b"18446744073709551615 0 1"),
            Some(SchedStat {
                run_ns: u64::MAX,
                wait_ns: 0,
                slices: 1
            })
        );
        for bad in [
            &b""[..],
            b"12",
            b"12 3",
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
        let w = |ran_ns, waited_ns, slices, runnable| Window {
            window_ns: 10 * ms,
            ran_ns,
            waited_ns,
            slices,
            runnable,
        };
        // Off the CPU, waiting in the run queue right now.
        assert_eq!(judge_silence(w(0, 0, 0, true)), Silence::Descheduled);
        // It got the CPU back a moment ago after waiting most of the window.
        assert_eq!(judge_silence(w(ms, 8 * ms, 1, false)), Silence::Descheduled);
        // Spinning without a heartbeat: a loop, whatever the run queue says.
        assert_eq!(judge_silence(w(9 * ms, 0, 1, true)), Silence::Stuck);
        assert_eq!(judge_silence(w(5 * ms, 5 * ms, 3, true)), Silence::Stuck);
        // Asleep (a lock): neither ran nor waited.
        assert_eq!(judge_silence(w(0, 0, 0, false)), Silence::Stuck);
        // Asleep and polling (`fault hang`), caught runnable on a busy machine: it keeps
        // being given the CPU, so it is not merely kept off it.
        assert_eq!(judge_silence(w(50_000, 3 * ms, 5, true)), Silence::Stuck);
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

    #[test]
    fn the_open_schedstat_file_gives_fresh_numbers_on_every_read() {
        let Some(tid) = current_thread_id() else {
            return; // not Linux: nothing to follow
        };
        let mut progress = CpuProgress::new();
        progress.follow(tid);
        assert!(progress.schedstat_file.is_some(), "schedstat did not open");
        let first = progress.read_schedstat().expect("first read");
        let spin_until = std::time::Instant::now() + std::time::Duration::from_millis(30);
        let mut x = 0u64;
        while std::time::Instant::now() < spin_until {
            x = std::hint::black_box(x.wrapping_add(1));
        }
        let second = progress.read_schedstat().expect("second read");
        assert!(
            second.run_ns > first.run_ns,
            "run time did not move: {first:?} then {second:?}"
        );
    }

    /// A real thread asleep is stuck, a real thread spinning is stuck, and a moving
    /// heartbeat asks for another look.
    #[test]
    fn sleeping_and_spinning_threads_are_stuck_not_descheduled() {
        let _alone = ALONE.lock().unwrap_or_else(|e| e.into_inner());
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

    /// Pins the calling thread to CPU 0, and makes it SCHED_FIFO if `fifo`; false if refused.
    #[allow(unsafe_code)]
    fn pin_to_cpu0(fifo: bool) -> bool {
        // SAFETY: a zeroed cpu_set_t is a valid empty set; the calls only read the set and
        // the parameter they are given, for the calling thread.
        unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            libc::CPU_SET(0, &mut set);
            if libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) != 0 {
                return false;
            }
            if fifo {
                let param = libc::sched_param { sched_priority: 10 };
                let me = libc::pthread_self();
                if libc::pthread_setschedparam(me, libc::SCHED_FIFO, &param) != 0 {
                    return false;
                }
            }
        }
        true
    }

    /// A real descheduled thread: a normal thread spinning on CPU 0 while a SCHED_FIFO
    /// thread hogs CPU 0 is runnable and barely runs, so it is spared. Skipped where
    /// real-time scheduling or pinning is refused.
    #[test]
    fn a_thread_kept_off_its_cpu_by_a_real_time_hog_is_descheduled() {
        let _alone = ALONE.lock().unwrap_or_else(|e| e.into_inner());
        if current_thread_id().is_none() {
            return;
        }
        let epoch = Instant::now();
        let now = || epoch.elapsed().as_nanos() as u64;
        let tid = Arc::new(AtomicU32::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (t, s) = (tid.clone(), stop.clone());
        let victim = std::thread::spawn(move || {
            let pinned = pin_to_cpu0(false);
            t.store(
                if pinned {
                    current_thread_id().unwrap_or(0)
                } else {
                    u32::MAX
                },
                Ordering::Release,
            );
            while !s.load(Ordering::Acquire) {
                std::hint::spin_loop();
            }
        });
        while tid.load(Ordering::Acquire) == 0 {
            std::thread::yield_now();
        }
        let tid = tid.load(Ordering::Acquire);
        let hogging = Arc::new(AtomicBool::new(false));
        let h = hogging.clone();
        let mut progress = CpuProgress::new();
        let hog = (tid != u32::MAX).then(|| {
            std::thread::sleep(Duration::from_millis(20));
            std::thread::spawn(move || {
                if !pin_to_cpu0(true) {
                    return;
                }
                h.store(true, Ordering::Release);
                let start = Instant::now();
                while start.elapsed() < Duration::from_millis(150) {
                    std::hint::spin_loop();
                }
            })
        });
        // The hog has CPU 0 once it says so; the window starts then.
        let wait = Instant::now();
        while !hogging.load(Ordering::Acquire) && wait.elapsed() < Duration::from_millis(100) {
            std::thread::sleep(Duration::from_millis(1));
        }
        let found = hogging.load(Ordering::Acquire).then(|| {
            progress.observe(tid, 1, now());
            std::thread::sleep(Duration::from_millis(80));
            progress.check(1, now())
        });
        if let Some(hog) = hog {
            hog.join().unwrap();
        }
        stop.store(true, Ordering::Release);
        victim.join().unwrap();
        if let Some(found) = found {
            assert_eq!(found, HangCheck::Found(Silence::Descheduled));
        }
    }
}
