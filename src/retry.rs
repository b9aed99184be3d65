//! When an operation is tried again, and how long the client waits first.
//!
//! Graph's contract for throttling (microsoft-graph-docs-contrib `concepts/throttling.md`,
//! `concepts/best-practices-concept.md`): on 429, wait `Retry-After` (seconds, or an HTTP
//! date) and retry; 503 and 504 are transient and may carry `Retry-After` too; without it,
//! back off exponentially. The Graph SDKs start at 3 s and cap a wait at 180 s.

use std::time::{Duration, SystemTime};

/// How the client retries 429, 503, 504 and connection failures.
///
/// A retry happens only while both bounds allow it: fewer than `max_attempts` attempts so far,
/// and the wait ends before `deadline` has passed since the hang-up began. No backoff wait is
/// longer than `max_delay`. When Graph's `Retry-After` asks for more than `max_delay`, or for a
/// wait that would end after the deadline, the client does not retry sooner than Graph asked:
/// it stops at once with [`Error::Throttled`](crate::Error::Throttled), whose `retry_after` is
/// the wait Graph asked for. Any setting is safe, `Duration::MAX` included: sums saturate.
///
/// ```
/// use std::time::Duration;
/// use msgraph_calls::RetryPolicy;
///
/// let patient = RetryPolicy::default().max_attempts(6).deadline(Duration::from_secs(300));
/// assert_eq!(patient.attempts(), 6);
/// assert_eq!(RetryPolicy::none().attempts(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    deadline: Duration,
}

impl Default for RetryPolicy {
    /// 4 attempts, backoff from 3 s, every wait at most 60 s, all within 120 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_secs(3),
            max_delay: Duration::from_secs(60),
            deadline: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// No retries: every failure is returned at once.
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Attempts in all, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> RetryPolicy {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The first backoff wait when Graph gives no `Retry-After`; it doubles on each retry.
    pub fn base_delay(mut self, delay: Duration) -> RetryPolicy {
        self.base_delay = delay;
        self
    }

    /// The longest single wait: the longest backoff, and the longest `Retry-After` the client
    /// waits for (a longer one ends the retries at once).
    pub fn max_delay(mut self, delay: Duration) -> RetryPolicy {
        self.max_delay = delay;
        self
    }

    /// The time from the start of a hang-up after which no wait may end.
    pub fn deadline(mut self, deadline: Duration) -> RetryPolicy {
        self.deadline = deadline;
        self
    }

    /// The number of attempts this policy allows.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The wait before attempt `attempt + 1`, after `attempt` attempts (1-based) and `elapsed`
    /// since the operation began: Graph's `Retry-After` when it gave one, else exponential
    /// backoff with jitter. `None` when the policy allows no more: the attempts are used up,
    /// Graph asked for a wait longer than `max_delay`, or the wait would end after the deadline.
    pub(crate) fn next_wait(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        elapsed: Duration,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let wait = match retry_after {
            Some(wait) if wait > self.max_delay => return None,
            Some(wait) => wait,
            None => self.backoff(attempt),
        };
        let ends = elapsed.checked_add(wait)?;
        (ends <= self.deadline).then_some(wait)
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(16);
        let ceiling = self
            .base_delay
            .saturating_mul(1 << exponent)
            .min(self.max_delay);
        // Half fixed, half random: spreads retries of many calls without waiting too little.
        let half = ceiling / 2;
        half + half.mul_f64(fastrand::f64())
    }
}

/// Reads a `Retry-After` value: a number of seconds or an HTTP date. `None` for anything
/// else (`30,120`, a negative or fractional number, an unparsable date); a date in the past
/// is no wait; a number of seconds too large for a `u64` is the longest wait there is.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(
            value.parse::<u64>().unwrap_or(u64::MAX),
        ));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_795_000_000;

    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(NOW)
    }

    #[test]
    fn retry_after_in_seconds() {
        assert_eq!(parse_retry_after("1", now()), Some(Duration::from_secs(1)));
        assert_eq!(
            parse_retry_after(" 30 ", now()),
            Some(Duration::from_secs(30))
        );
        assert_eq!(parse_retry_after("0", now()), Some(Duration::ZERO));
    }

    #[test]
    fn retry_after_as_an_http_date() {
        let later = httpdate::fmt_http_date(now() + Duration::from_secs(7));
        assert_eq!(
            parse_retry_after(&later, now()),
            Some(Duration::from_secs(7))
        );
        let earlier = httpdate::fmt_http_date(now() - Duration::from_secs(7));
        assert_eq!(parse_retry_after(&earlier, now()), Some(Duration::ZERO));
    }

    #[test]
    fn malformed_retry_after_is_ignored() {
        for value in [
            "30,120",
            "-5",
            "1.5",
            "",
            "soon",
            "Fri, 31 Feb 2026 25:00:00 GMT",
        ] {
            assert_eq!(parse_retry_after(value, now()), None, "{value:?}");
        }
    }

    #[test]
    fn a_number_of_seconds_too_large_is_the_longest_wait() {
        assert_eq!(
            parse_retry_after("99999999999999999999999", now()),
            Some(Duration::from_secs(u64::MAX))
        );
    }

    #[test]
    fn a_usable_retry_after_is_honoured() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.next_wait(1, Some(Duration::from_secs(5)), Duration::ZERO),
            Some(Duration::from_secs(5))
        );
    }

    #[test]
    fn a_retry_after_beyond_the_cap_ends_the_retries() {
        let policy = RetryPolicy::default()
            .base_delay(Duration::from_secs(2))
            .max_delay(Duration::from_secs(10));
        let ten = Duration::from_secs(10);
        assert_eq!(policy.next_wait(1, Some(ten), Duration::ZERO), Some(ten));
        for asked in [
            ten + Duration::from_nanos(1),
            Duration::from_secs(61),
            Duration::MAX,
        ] {
            assert_eq!(
                policy.next_wait(1, Some(asked), Duration::ZERO),
                None,
                "{asked:?}"
            );
        }
    }

    #[test]
    fn a_wait_past_the_deadline_ends_the_retries() {
        let policy = RetryPolicy::default().deadline(Duration::from_secs(120));
        let five = Duration::from_secs(5);
        assert_eq!(
            policy.next_wait(1, Some(five), Duration::from_secs(115)),
            Some(five)
        );
        assert_eq!(
            policy.next_wait(1, Some(five), Duration::from_secs(116)),
            None
        );
        assert_eq!(
            policy.next_wait(4, Some(five), Duration::ZERO),
            None,
            "attempts used up"
        );
    }

    #[test]
    fn extreme_settings_neither_overflow_nor_panic() {
        let max = Duration::MAX;
        let policies = [
            RetryPolicy::default()
                .base_delay(max)
                .max_delay(max)
                .deadline(max),
            RetryPolicy::default()
                .base_delay(max)
                .max_delay(Duration::ZERO),
            RetryPolicy::default()
                .base_delay(Duration::ZERO)
                .deadline(Duration::ZERO),
            RetryPolicy::default()
                .max_attempts(u32::MAX)
                .max_delay(max)
                .deadline(max),
        ];
        for policy in &policies {
            for attempt in [1, 2, 17, u32::MAX - 1] {
                for asked in [None, Some(Duration::ZERO), Some(max)] {
                    for elapsed in [Duration::ZERO, max] {
                        if let Some(wait) = policy.next_wait(attempt, asked, elapsed) {
                            assert!(wait <= policy.max_delay, "{policy:?} {attempt} {asked:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let policy = RetryPolicy::default()
            .max_attempts(u32::MAX)
            .base_delay(Duration::from_secs(2))
            .max_delay(Duration::from_secs(60));
        let wait = |attempt| policy.next_wait(attempt, None, Duration::ZERO).unwrap();
        for _ in 0..100 {
            let first = wait(1);
            assert!(
                (Duration::from_secs(1)..=Duration::from_secs(2)).contains(&first),
                "{first:?}"
            );
            let third = wait(3);
            assert!(
                (Duration::from_secs(4)..=Duration::from_secs(8)).contains(&third),
                "{third:?}"
            );
            let late = wait(u32::MAX - 1);
            assert!(
                (Duration::from_secs(30)..=Duration::from_secs(60)).contains(&late),
                "{late:?}"
            );
        }
    }

    #[test]
    fn at_least_one_attempt() {
        assert_eq!(RetryPolicy::default().max_attempts(0).attempts(), 1);
    }
}
