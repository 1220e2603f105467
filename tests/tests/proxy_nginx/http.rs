//! Just enough HTTP/1.x for the tests: a client that sends one request per connection, and a
//! server (the upstream Confluence, the alert collector) that answers each request with what a
//! closure says and records what it saw. Every read and write has a timeout.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest head or body either side reads.
const MAX_BYTES: usize = 1 << 20;

/// A request or response: the first line, headers (names lowercased) and body.
#[derive(Debug, Clone, Default)]
pub struct Message {
    pub line: String,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Message {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    /// The status of a response.
    pub fn status(&self) -> u16 {
        self.line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
    }
}

/// Reads one message: head up to the blank line, then `content-length` bytes of body (or, for
/// a response without one, to the end of the stream).
fn read_message(stream: &TcpStream, response: bool) -> std::io::Result<Message> {
    let mut r = BufReader::new(stream.take(MAX_BYTES as u64));
    let mut line = String::new();
    r.read_line(&mut line)?;
    let mut m = Message { line: line.trim_end().to_string(), ..Message::default() };
    loop {
        let mut h = String::new();
        if r.read_line(&mut h)? == 0 || h.trim_end().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            m.headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    match m.header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        Some(n) => {
            m.body = vec![0; n.min(MAX_BYTES)];
            r.read_exact(&mut m.body)?;
        }
        None if response => {
            r.read_to_end(&mut m.body)?;
        }
        None => {}
    }
    Ok(m)
}

/// Sends `GET path` with `headers` to 127.0.0.1:`port` on a connection of its own.
pub fn get(port: u16, path: &str, headers: &[(&str, &str)]) -> std::io::Result<Message> {
    let s = TcpStream::connect((Ipv4Addr::LOCALHOST, port))?;
    s.set_read_timeout(Some(IO_TIMEOUT))?;
    s.set_write_timeout(Some(IO_TIMEOUT))?;
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: wiki.example.com\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    (&s).write_all(req.as_bytes())?;
    read_message(&s, true)
}

/// What a server answers: status, extra headers, body.
pub type Answer = (u16, Vec<(String, String)>, Vec<u8>);

/// A server on 127.0.0.1 answering every request with `answer(request)`, one connection at a
/// time, and keeping every request it saw. It runs until the test process ends.
pub struct Server {
    pub port: u16,
    seen: Arc<Mutex<Vec<Message>>>,
}

impl Server {
    pub fn start(answer: impl Fn(&Message) -> Answer + Send + 'static) -> Server {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        std::thread::spawn(move || {
            for s in listener.incoming().flatten() {
                let _ = s.set_read_timeout(Some(IO_TIMEOUT));
                let _ = s.set_write_timeout(Some(IO_TIMEOUT));
                let Ok(req) = read_message(&s, false) else { continue };
                // Recorded before answering: once a client has its answer, the request is seen.
                record.lock().expect("lock").push(req.clone());
                let (status, headers, body) = answer(&req);
                let mut head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                    body.len()
                );
                for (k, v) in headers {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("\r\n");
                let _ = (&s).write_all(head.as_bytes()).and_then(|_| (&s).write_all(&body));
            }
        });
        Server { port, seen }
    }

    /// Every request answered so far.
    pub fn seen(&self) -> Vec<Message> {
        self.seen.lock().expect("lock").clone()
    }
}
