//! Who may play chronus over OSC from other machines: `--osc-allow ADDR[/BITS]` (repeatable).
//!
//! While the server listens on loopback only, every sender is on this machine and is
//! answered. When it listens beyond (`--osc-bind 0.0.0.0`), only this machine and the
//! networks named by `--osc-allow` are; datagrams from anyone else are dropped unread and
//! counted as `osc_refused` — never performed, never answered. Runs on the `chronus-osc`
//! thread; pure.

use std::net::IpAddr;

/// One allowed network: an address and how many leading bits must match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AllowedNet {
    addr: IpAddr,
    bits: u8,
}

/// Why an `--osc-allow` value was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AllowError {
    /// Not an address.
    #[error("\"{0}\" is not an IP address; try 192.168.1.20 or 192.168.1.0/24")]
    BadAddress(String),
    /// The prefix length is too long or not a number.
    #[error("\"{given}\": the prefix length must be a number from 0 to {max}")]
    BadBits {
        /// What was given.
        given: String,
        /// 32 for IPv4, 128 for IPv6.
        max: u8,
    },
}

impl std::str::FromStr for AllowedNet {
    type Err = AllowError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (addr, bits) = match s.split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (s, None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| AllowError::BadAddress(s.to_string()))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let bits = match bits {
            None => max,
            Some(b) => b
                .parse::<u8>()
                .ok()
                .filter(|&n| n <= max)
                .ok_or(AllowError::BadBits {
                    given: s.to_string(),
                    max,
                })?,
        };
        Ok(AllowedNet { addr, bits })
    }
}

impl std::fmt::Display for AllowedNet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let max = if self.addr.is_ipv4() { 32 } else { 128 };
        if self.bits == max {
            write!(f, "{}", self.addr)
        } else {
            write!(f, "{}/{}", self.addr, self.bits)
        }
    }
}

impl AllowedNet {
    /// Whether `ip` is in this network (an IPv4-mapped IPv6 sender counts as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => prefix_eq(
                u128::from(u32::from(net)),
                u128::from(u32::from(ip)),
                32,
                self.bits,
            ),
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                prefix_eq(u128::from(net), u128::from(ip), 128, self.bits)
            }
            _ => false,
        }
    }
}

fn prefix_eq(a: u128, b: u128, width: u32, bits: u8) -> bool {
    let bits = u32::from(bits).min(width);
    if bits == 0 {
        return true;
    }
    let shift = width - bits;
    (a >> shift) == (b >> shift)
}

/// Whether a server bound to `bind` and allowing `allowed` answers `sender`.
pub fn may_play(bind: IpAddr, allowed: &[AllowedNet], sender: IpAddr) -> bool {
    bind.is_loopback() || sender.is_loopback() || allowed.iter().any(|n| n.contains(sender))
}

/// The start-up line saying who may play chronus over OSC.
pub fn who_may_play(bind: IpAddr, allowed: &[AllowedNet]) -> String {
    if bind.is_loopback() {
        return "OSC: only programs on this machine may play chronus".into();
    }
    if allowed.is_empty() {
        return "OSC: only this machine may play chronus; let others in with --osc-allow ADDR[/BITS]"
            .into();
    }
    let list: Vec<String> = allowed.iter().map(|n| n.to_string()).collect();
    format!(
        "OSC: this machine and {} may play chronus; anyone else is refused (osc_refused)",
        list.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> AllowedNet {
        s.parse().expect("a valid network")
    }
    fn ip(s: &str) -> IpAddr {
        s.parse().expect("a valid address")
    }

    #[test]
    fn a_network_holds_the_addresses_under_its_prefix() {
        let lan = net("192.168.1.0/24");
        assert!(lan.contains(ip("192.168.1.77")));
        assert!(!lan.contains(ip("192.168.2.77")));
        assert!(net("10.0.0.5").contains(ip("10.0.0.5")));
        assert!(!net("10.0.0.5").contains(ip("10.0.0.6")));
        assert!(net("0.0.0.0/0").contains(ip("8.8.8.8")));
        assert!(net("fd00::/8").contains(ip("fd12::1")));
        assert!(
            lan.contains(ip("::ffff:192.168.1.9")),
            "IPv4-mapped senders"
        );
    }

    #[test]
    fn bad_values_say_what_is_wrong() {
        assert!(matches!(
            "192.168.1.0/33".parse::<AllowedNet>(),
            Err(AllowError::BadBits { max: 32, .. })
        ));
        assert!(matches!(
            "lan".parse::<AllowedNet>(),
            Err(AllowError::BadAddress(_))
        ));
        assert_eq!(net("192.168.1.0/24").to_string(), "192.168.1.0/24");
    }

    #[test]
    fn beyond_loopback_only_this_machine_and_the_allowed_may_play() {
        let any: IpAddr = ip("0.0.0.0");
        let allowed = [net("192.168.1.0/24")];
        assert!(may_play(any, &allowed, ip("127.0.0.1")));
        assert!(may_play(any, &allowed, ip("192.168.1.4")));
        assert!(!may_play(any, &allowed, ip("192.168.7.4")));
        assert!(!may_play(any, &[], ip("192.168.1.4")));
        assert!(may_play(ip("127.0.0.1"), &[], ip("127.0.0.1")));
        assert!(who_may_play(any, &allowed).contains("192.168.1.0/24"));
    }
}
