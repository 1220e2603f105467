//! The shared hostile corpus: one list of lines every host is fed (see tests/fixtures/hostile/).
//! Generated here rather than stored: three of the lines are 10 MB.

/// A named hostile line (never contains `\n`: each is one line of a log).
pub struct Case {
    /// What it is, for failure messages.
    pub name: String,
    /// The bytes.
    pub line: Vec<u8>,
}

const TEN_MB: usize = 10 << 20;
const DEPTH: usize = 100_000;

fn access(time: &str, user: &[u8], path: &[u8], agent: &[u8]) -> Vec<u8> {
    [
        format!("[{time}] ").as_bytes(),
        user,
        b" http-nio-8090-exec-1 10.1.0.17 GET ",
        path,
        b" HTTP/1.1 200 20ms 15000 - ",
        agent,
    ]
    .concat()
}

fn ok_access(time: &str) -> Vec<u8> {
    access(time, b"mallory", b"/rest/api/content?start=0&limit=25", b"python-requests/2.31.0")
}

/// The corpus, in a fixed order. Hand-written lines from tests/fixtures/hostile/lines.txt
/// come first, then the generated ones.
pub fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    let mut add = |name: &str, line: Vec<u8>| {
        assert!(!line.contains(&b'\n'), "{name}: one line");
        out.push(Case { name: name.to_string(), line });
    };
    let fixed =
        std::fs::read(wikiwatch_tests::fixture("hostile/lines.txt")).expect("hostile lines");
    for (i, l) in fixed.split(|b| *b == b'\n').enumerate() {
        add(&format!("lines.txt:{}", i + 1), l.to_vec());
    }
    let t = "07/Oct/2026:14:00:00 +0000";
    // Invalid UTF-8 and NUL bytes in every field of an otherwise good line.
    add("invalid utf-8 user", access(t, b"mal\xff\xfelory", b"/display/ENG/Home", b"curl/8.0"));
    add("invalid utf-8 path", access(t, b"alice", b"/display/\xc3\x28/\xa0\xa1", b"curl/8.0"));
    add("invalid utf-8 agent", access(t, b"alice", b"/display/ENG/Home", b"Mozilla\xe2\x28\xa1"));
    add("overlong utf-8 slash", access(t, b"alice", b"/display\xc0\xafetc", b"curl/8.0"));
    add("surrogate utf-8", access(t, b"alice", b"/x\xed\xa0\x80", b"curl/8.0"));
    add("NUL in user", access(t, b"mal\0lory", b"/display/ENG/Home", b"curl/8.0"));
    add("NUL in path", access(t, b"alice", b"/display/ENG\0/Home", b"curl/8.0"));
    add("NUL in agent", access(t, b"alice", b"/display/ENG/Home", b"curl\0/8.0"));
    add("NUL bytes only", vec![0; 4096]);
    add(
        "NUL inside JSON",
        b"{\"time\":\"2026-10-07T14:00:01Z\",\"user\":\"a\0b\",\"path\":\"/x\0\"}".to_vec(),
    );
    add(
        "escaped NUL in JSON",
        br#"{"time":"2026-10-07T14:00:01Z","user":"a\u0000b","path":"/\u0000"}"#.to_vec(),
    );
    // 10 MB lines.
    add(
        "10 MB path",
        access(
            t,
            b"alice",
            &[b"/display/ENG/".as_slice(), &vec![b'p'; TEN_MB]].concat(),
            b"curl/8.0",
        ),
    );
    add("10 MB agent", access(t, b"alice", b"/display/ENG/Home", &vec![b'a'; TEN_MB]));
    add("10 MB garbage", (0..TEN_MB).map(|i| b"\xff A\x01[{\"\\"[i % 8]).collect());
    add(
        "10 MB JSON string",
        [
            br#"{"time":"2026-10-07T14:00:02Z","user":"bob","path":"/"#.as_slice(),
            &vec![b'j'; TEN_MB],
            b"\"}",
        ]
        .concat(),
    );
    // Deep nesting.
    add("100k nested arrays", vec![b'['; DEPTH]);
    add("100k nested objects", b"{\"a\":".repeat(DEPTH));
    add("100k nested closed", [b"[".repeat(DEPTH), b"]".repeat(DEPTH)].concat());
    add(
        "deep value in a record",
        [
            br#"{"time":"2026-10-07T14:00:03Z","user":"bob","x":"#.as_slice(),
            &b"[".repeat(DEPTH),
            &b"]".repeat(DEPTH),
            b"}",
        ]
        .concat(),
    );
    add(
        "deep log wrapper",
        [
            b"{\"log\":".repeat(5000),
            ok_access(t)
                .iter()
                .flat_map(|b| if *b == b'"' { vec![b'\\', b'"'] } else { vec![*b] })
                .collect(),
            b"}".repeat(5000),
        ]
        .concat(),
    );
    add(
        "100k element audit page",
        [br#"{"results":["#.as_slice(), &b"{},".repeat(DEPTH), b"{}]}"].concat(),
    );
    // Numbers out of range.
    for (name, status, bytes) in [
        ("status 20 digits", "99999999999999999999", "1"),
        ("status negative", "-200", "1"),
        ("bytes 2^64", "200", "18446744073709551616"),
        ("bytes negative", "200", "-5"),
        ("bytes float", "200", "1e400"),
    ] {
        add(
            name,
            format!("[{t}] alice exec-1 10.0.0.1 GET /x HTTP/1.1 {status} 5ms {bytes} - curl/8.0")
                .into_bytes(),
        );
    }
    for (name, time) in [
        ("epoch 1e308", "1e308"),
        ("epoch i64 max", "9223372036854775807"),
        ("epoch i64 min", "-9223372036854775808"),
        ("epoch past i64", "92233720368547758070"),
        ("epoch NaN-ish", "\"NaN\""),
        ("epoch negative float", "-1.5e19"),
        ("year 0", "\"0000-01-01T00:00:00Z\""),
        ("year 9999", "\"9999-12-31T23:59:59Z\""),
        ("year -262144", "\"-262144-01-01T00:00:00Z\""),
        ("year +262143", "\"+262143-12-31T23:59:59Z\""),
        ("month 13", "\"2026-13-45T25:61:61Z\""),
    ] {
        add(name, format!(r#"{{"time":{time},"user":"bob","path":"/display/ENG/Home","status":200,"bytes":99999999999999999999999,"agent":"curl/8.0"}}"#).into_bytes());
    }
    // Dates far in the past and future, then back: out-of-order timestamps.
    for (name, time) in [
        ("year 1", "01/Jan/0001:00:00:00 +0000"),
        ("year 1970", "01/Jan/1970:00:00:00 +0000"),
        ("year 9999", "31/Dec/9999:23:59:59 +0000"),
        ("offset +9999", "07/Oct/2026:14:00:00 +9999"),
        ("hour 25", "07/Oct/2026:25:61:61 +0000"),
        ("back to 2026", "07/Oct/2026:14:00:05 +0000"),
        ("an hour earlier", "07/Oct/2026:13:00:05 +0000"),
        ("a second later", "07/Oct/2026:14:00:06 +0000"),
        ("year 2100", "07/Oct/2100:14:00:06 +0000"),
        ("a day earlier than 2026", "06/Oct/2026:14:00:06 +0000"),
    ] {
        add(&format!("date {name}"), ok_access(time));
    }
    out
}
