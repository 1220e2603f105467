//! Splitting text that arrives in arbitrary chunks into lines.
//!
//! Browsers read files in chunks that end wherever the reader stopped, so the last line of a
//! chunk is usually cut in two: the tail is kept here until its newline (or `finish`) arrives.

/// A line longer than this is handed on as it is (decoders reject it) rather than buffered
/// without bound: wasm memory is small and a log without newlines must not abort the module.
pub const MAX_LINE: usize = 16 << 20;

/// Keeps the unterminated tail of the last chunk.
#[derive(Debug, Default)]
pub struct LineBuffer {
    partial: Vec<u8>,
}

impl LineBuffer {
    /// Calls `line` for every complete line in `chunk` (after any buffered tail), without its
    /// `\n` or `\r\n` terminator; empty lines are skipped. The unterminated rest is kept.
    pub fn push(&mut self, chunk: &[u8], line: &mut dyn FnMut(&[u8])) {
        let mut rest = chunk;
        while let Some(nl) = rest.iter().position(|&b| b == b'\n') {
            let (head, tail) = rest.split_at(nl);
            rest = &tail[1..];
            if self.partial.is_empty() {
                emit(head, line);
            } else {
                self.partial.extend_from_slice(head);
                let whole = std::mem::take(&mut self.partial);
                emit(&whole, line);
                // Give the allocation back so one huge line does not pin memory.
                if whole.capacity() <= 64 << 10 {
                    self.partial = whole;
                    self.partial.clear();
                }
            }
        }
        self.partial.extend_from_slice(rest);
        if self.partial.len() >= MAX_LINE {
            let whole = std::mem::take(&mut self.partial);
            emit(&whole, line);
        }
    }

    /// Hands on the buffered tail, if any, as the last line.
    pub fn flush(&mut self, line: &mut dyn FnMut(&[u8])) {
        let whole = std::mem::take(&mut self.partial);
        emit(&whole, line);
    }

    /// Bytes waiting for their newline.
    pub fn pending(&self) -> usize {
        self.partial.len()
    }
}

/// The lines of a whole text as the CLI's reader takes them: terminators stripped, lines of
/// only white space skipped (so line counts match `wikiwatch coverage`).
pub fn lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    text.split(|&b| b == b'\n')
        .map(|raw| raw.strip_suffix(b"\r").unwrap_or(raw))
        .filter(|line| !line.iter().all(u8::is_ascii_whitespace))
}

/// Strips one trailing `\r` and drops empty lines (blank lines are not log records).
fn emit(raw: &[u8], line: &mut dyn FnMut(&[u8])) {
    let trimmed = raw.strip_suffix(b"\r").unwrap_or(raw);
    if !trimmed.is_empty() {
        line(trimmed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(chunks: &[&[u8]]) -> Vec<String> {
        let mut buf = LineBuffer::default();
        let mut out = Vec::new();
        for c in chunks {
            buf.push(c, &mut |l| out.push(String::from_utf8_lossy(l).into_owned()));
        }
        buf.flush(&mut |l| out.push(String::from_utf8_lossy(l).into_owned()));
        out
    }

    #[test]
    fn a_line_cut_across_chunks_is_joined() {
        assert_eq!(collect(&[b"ab", b"c\nde", b"f\r\n", b"g"]), ["abc", "def", "g"]);
    }

    #[test]
    fn a_whole_text_skips_lines_of_white_space() {
        let text = b"a\r\n\r\n \t\nb\nc";
        let whole: Vec<&[u8]> = lines(text).collect();
        assert_eq!(whole, [b"a", b"b", b"c"]);
    }

    #[test]
    fn crlf_and_blank_lines() {
        assert_eq!(collect(&[b"a\r\n\r\n\nb\n"]), ["a", "b"]);
    }

    #[test]
    fn chunk_boundary_between_cr_and_lf() {
        assert_eq!(collect(&[b"a\r", b"\nb"]), ["a", "b"]);
    }

    #[test]
    fn overlong_line_is_handed_on_not_buffered_forever() {
        let big = vec![b'x'; MAX_LINE];
        let mut buf = LineBuffer::default();
        let mut lens = Vec::new();
        buf.push(&big, &mut |l| lens.push(l.len()));
        assert_eq!(lens, [MAX_LINE]);
        assert_eq!(buf.pending(), 0);
    }
}
