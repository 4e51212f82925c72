//! Asks the OS to schedule the calling thread in real time (SCHED_FIFO), so a busy machine
//! cannot keep the DSP workers or the null output off the CPU long enough to look hung. Where
//! that is not allowed (no CAP_SYS_NICE and RLIMIT_RTPRIO 0), the thread keeps normal
//! scheduling and the meters say so (`rt=normal`); the start-up notice says it once.
//!
//! [`request_fifo`] runs on the thread it changes, once, before its real-time loop (it makes
//! one system call; not inside the loop).
#![allow(unsafe_code)]

use crate::rt::meters::Meters;
use std::sync::atomic::{AtomicI32, Ordering};

/// The errno of the last refusal in this process (0: none).
static LAST_REFUSAL: AtomicI32 = AtomicI32::new(0);

/// The last refusal of real-time scheduling in this process, if any.
pub fn last_refusal() -> Option<Scheduling> {
    match LAST_REFUSAL.load(Ordering::Relaxed) {
        0 => None,
        errno => Some(Scheduling::Normal { errno }),
    }
}

/// Priority of the output thread (the device's clock): above the workers it waits for.
pub const OUTPUT_PRIORITY: i32 = 75;
/// Priority of the DSP worker threads.
pub const WORKER_PRIORITY: i32 = 70;

/// How a thread is scheduled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheduling {
    /// SCHED_FIFO at the asked priority.
    Fifo,
    /// Normal time-sharing: real-time scheduling was refused (the OS error number).
    Normal {
        /// `EPERM` when not permitted, another errno otherwise; 0 where unsupported.
        errno: i32,
    },
}

impl Scheduling {
    /// The word `status` shows: `fifo` or `normal`.
    pub fn word(self) -> &'static str {
        match self {
            Scheduling::Fifo => "fifo",
            Scheduling::Normal { .. } => "normal",
        }
    }

    /// The notice shown once when real-time scheduling was refused.
    pub fn notice(self) -> Option<String> {
        match self {
            Scheduling::Fifo => None,
            Scheduling::Normal { errno } => Some(format!(
                "no real-time scheduling for the audio threads ({}); running at normal priority, \
                 so a busy machine may cause dropouts (allow it with `ulimit -r 80`, an rtprio \
                 entry in /etc/security/limits.d, or CAP_SYS_NICE)",
                if errno > 0 {
                    std::io::Error::from_raw_os_error(errno).to_string()
                } else {
                    "not supported here".to_string()
                }
            )),
        }
    }
}

/// Asks for SCHED_FIFO at `priority` (clamped to what the OS allows) for the calling thread
/// and records the outcome in `meters` (see [`Meters::record_scheduling`]).
pub fn request_fifo(priority: i32, meters: &Meters) -> Scheduling {
    let outcome = set_fifo(priority);
    if let Scheduling::Normal { errno } = outcome {
        LAST_REFUSAL.store(if errno == 0 { -1 } else { errno }, Ordering::Relaxed);
    }
    meters.record_scheduling(outcome);
    outcome
}

#[cfg(target_os = "linux")]
fn set_fifo(priority: i32) -> Scheduling {
    // SAFETY: plain system calls on the calling thread's own handle with a fully initialised
    // `sched_param`; no memory is shared with the OS beyond the call.
    unsafe {
        let min = libc::sched_get_priority_min(libc::SCHED_FIFO);
        let max = libc::sched_get_priority_max(libc::SCHED_FIFO);
        let param = libc::sched_param {
            sched_priority: priority.clamp(min, max),
        };
        match libc::pthread_setschedparam(libc::pthread_self(), libc::SCHED_FIFO, &param) {
            0 => Scheduling::Fifo,
            errno => Scheduling::Normal { errno },
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn set_fifo(_priority: i32) -> Scheduling {
    Scheduling::Normal { errno: 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_is_reported_in_words_and_is_sticky_in_the_meters() {
        let m = Meters::new();
        assert_eq!(m.snapshot().rt, "none");
        m.record_scheduling(Scheduling::Fifo);
        assert_eq!(m.snapshot().rt, "fifo");
        let refused = Scheduling::Normal { errno: libc::EPERM };
        m.record_scheduling(refused);
        m.record_scheduling(Scheduling::Fifo);
        assert_eq!(
            m.snapshot().rt,
            "normal",
            "one thread at normal priority is enough"
        );
        assert!(m.snapshot().to_key_values().contains(" rt=normal"));
        let notice = refused.notice().expect("a notice");
        assert!(notice.contains("not permitted"), "{notice}");
        assert_eq!(Scheduling::Fifo.notice(), None);
    }

    #[test]
    fn asking_from_a_thread_gives_fifo_or_a_reasoned_refusal() {
        let m = std::sync::Arc::new(Meters::new());
        let inner = m.clone();
        let outcome = std::thread::spawn(move || request_fifo(WORKER_PRIORITY, &inner))
            .join()
            .expect("the thread runs");
        match outcome {
            Scheduling::Fifo => assert_eq!(m.snapshot().rt, "fifo"),
            Scheduling::Normal { errno } => {
                assert!(errno != 0);
                assert_eq!(m.snapshot().rt, "normal");
            }
        }
    }
}
