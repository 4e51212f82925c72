//! Requests from bundles with a future time tag, held on the OSC thread until they are due:
//! a min-heap ordered by due time, first come first served within the same moment.

use super::route::Request;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::net::SocketAddr;
use std::time::Instant;

/// One held request.
#[derive(Debug)]
struct Held {
    due: Instant,
    seq: u64,
    request: Request,
    peer: SocketAddr,
}

impl PartialEq for Held {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Held {}
impl PartialOrd for Held {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Held {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.due, self.seq).cmp(&(other.due, other.seq))
    }
}

/// Requests waiting for their moment.
#[derive(Debug, Default)]
pub struct HeldRequests {
    heap: BinaryHeap<Reverse<Held>>,
    seq: u64,
}

impl HeldRequests {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// Holds `request` from `peer` until `due`.
    pub fn hold(&mut self, due: Instant, request: Request, peer: SocketAddr) {
        self.seq += 1;
        self.heap.push(Reverse(Held {
            due,
            seq: self.seq,
            request,
            peer,
        }));
    }

    /// How many requests are waiting.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// When the next request is due.
    pub fn next_due(&self) -> Option<Instant> {
        self.heap.peek().map(|Reverse(h)| h.due)
    }

    /// Takes the earliest request if it is due at `now`.
    pub fn pop_due(&mut self, now: Instant) -> Option<(Request, SocketAddr)> {
        if self.next_due()? > now {
            return None;
        }
        self.heap.pop().map(|Reverse(h)| (h.request, h.peer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn requests_come_out_in_due_order_and_not_before() {
        let peer: SocketAddr = "127.0.0.1:9".parse().expect("address");
        let t0 = Instant::now();
        let mut q = HeldRequests::new();
        let line = |s: &str| Request::Line(s.to_string());
        q.hold(t0 + Duration::from_millis(20), line("b"), peer);
        q.hold(t0 + Duration::from_millis(10), line("a"), peer);
        q.hold(t0 + Duration::from_millis(20), line("c"), peer);
        assert_eq!(q.len(), 3);
        assert_eq!(q.next_due(), Some(t0 + Duration::from_millis(10)));
        assert_eq!(q.pop_due(t0), None);
        let now = t0 + Duration::from_millis(25);
        let order: Vec<Request> = std::iter::from_fn(|| q.pop_due(now).map(|(r, _)| r)).collect();
        assert_eq!(order, vec![line("a"), line("b"), line("c")]);
        assert!(q.is_empty());
    }
}
