//! Log line formats: Confluence Data Center's access log and the nginx/Apache combined log.

use crate::model::{Event, Ms, MINUTE, TZ_OFFSET_MIN};
use std::fmt::Write as _;

/// Formats local time as `[18/Dec/2020:12:57:26 +0100]` (without brackets), caching the
/// last second because consecutive events mostly share it.
#[derive(Debug, Default)]
pub struct LogClock {
    second: Option<i64>,
    text: String,
}

impl LogClock {
    /// Text of `ms` in the server's local time.
    pub fn format(&mut self, ms: Ms) -> &str {
        let second = ms.div_euclid(1000);
        if self.second != Some(second) {
            let local = chrono::DateTime::from_timestamp(second + TZ_OFFSET_MIN * MINUTE / 1000, 0)
                .unwrap_or_default();
            let sign = if TZ_OFFSET_MIN < 0 { '-' } else { '+' };
            let off = TZ_OFFSET_MIN.abs();
            self.text = format!(
                "{} {sign}{:02}{:02}",
                local.format("%d/%b/%Y:%H:%M:%S"),
                off / 60,
                off % 60
            );
            self.second = Some(second);
        }
        &self.text
    }
}

/// Tomcat logs a zero byte count as `-`.
fn bytes(n: u64) -> String {
    if n == 0 {
        "-".into()
    } else {
        n.to_string()
    }
}

/// Appends one Confluence access-log line (no newline): `[time] user thread ip METHOD target
/// HTTP/1.1 status Nms bytes referer agent`.
pub fn confluence_line(buf: &mut String, clock: &mut LogClock, e: &Event, thread: u32) {
    let _ = write!(
        buf,
        "[{}] {} http-nio-8090-exec-{thread} {} {} {} HTTP/1.1 {} {}ms {} {} {}",
        clock.format(e.time_ms),
        e.user.as_deref().unwrap_or("-"),
        e.ip,
        e.method,
        e.target,
        e.status,
        e.duration_ms,
        bytes(e.bytes),
        e.referer.as_deref().unwrap_or("-"),
        e.agent.as_deref().unwrap_or("-"),
    );
}

/// Appends one combined-log line (no newline), as the reverse proxy in front logs it.
pub fn combined_line(buf: &mut String, clock: &mut LogClock, e: &Event) {
    let _ = write!(
        buf,
        "{} - {} [{}] \"{} {} HTTP/1.1\" {} {} \"{}\" \"{}\"",
        e.ip,
        e.user.as_deref().unwrap_or("-"),
        clock.format(e.time_ms),
        e.method,
        e.target,
        e.status,
        // Combined logs print 0, not `-`, for empty bodies in nginx.
        e.bytes,
        e.referer.as_deref().unwrap_or("-"),
        e.agent.as_deref().unwrap_or("-"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Actor, Client};

    fn event() -> Event {
        let c = Client {
            user: Some("testuser".into()),
            ip: "10.1.2.3".into(),
            agent: Some("Mozilla/5.0 (X11; Linux x86_64)".into()),
            actor: Actor::Population,
        };
        // 2020-12-18T01:57:26Z is 02:57:26 at +0100.
        c.req(
            1_608_256_646_000,
            "GET",
            "/index.action".into(),
            200,
            1020,
            7881,
            Some("http://localhost:8090/login.action".into()),
        )
    }

    #[test]
    fn confluence_format_matches_the_documented_example() {
        let mut s = String::new();
        confluence_line(&mut s, &mut LogClock::default(), &event(), 6);
        assert_eq!(s, "[18/Dec/2020:02:57:26 +0100] testuser http-nio-8090-exec-6 10.1.2.3 GET /index.action HTTP/1.1 200 1020ms 7881 http://localhost:8090/login.action Mozilla/5.0 (X11; Linux x86_64)");
    }

    #[test]
    fn combined_format() {
        let mut e = event();
        e.user = None;
        e.agent = None;
        let mut s = String::new();
        combined_line(&mut s, &mut LogClock::default(), &e);
        assert_eq!(s, "10.1.2.3 - - [18/Dec/2020:02:57:26 +0100] \"GET /index.action HTTP/1.1\" 200 7881 \"http://localhost:8090/login.action\" \"-\"");
    }
}
