//! Envoy's plugin `configuration` given as a `google.protobuf.Struct` (so it can be written
//! as YAML): Envoy hands the module the Struct's protobuf wire bytes as they are (the `Any`'s
//! value; only `StringValue` and `BytesValue` are unwrapped), so they are read back into JSON
//! here. Decoding never panics: damage is an error, nesting is bounded.

use serde_json::{Map, Number, Value};

/// Deepest nesting of structs and lists accepted.
const MAX_DEPTH: usize = 32;

/// Decodes a serialised `google.protobuf.Struct` into a JSON object.
pub fn decode(bytes: &[u8]) -> Result<Value, String> {
    fields(bytes, 0).map(Value::Object)
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        for i in 0..10 {
            let (&b, rest) = self.0.split_first().ok_or("truncated varint")?;
            self.0 = rest;
            v |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("varint too long".into())
    }

    fn take(&mut self, n: u64) -> Result<&'a [u8], String> {
        let n = usize::try_from(n).map_err(|_| "length too large")?;
        if n > self.0.len() {
            return Err("truncated field".into());
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    /// The next field: number, wire type, and its payload (varint value or bytes).
    fn field(&mut self) -> Result<(u64, Payload<'a>), String> {
        let key = self.varint()?;
        let payload = match key & 7 {
            0 => Payload::Varint(self.varint()?),
            1 => Payload::Fixed64(u64::from_le_bytes(
                self.take(8)?.try_into().map_err(|_| "truncated fixed64")?,
            )),
            2 => {
                let n = self.varint()?;
                Payload::Bytes(self.take(n)?)
            }
            5 => {
                self.take(4)?;
                Payload::Fixed32
            }
            w => return Err(format!("unsupported wire type {w}")),
        };
        Ok((key >> 3, payload))
    }
}

enum Payload<'a> {
    Varint(u64),
    Fixed64(u64),
    Bytes(&'a [u8]),
    Fixed32,
}

/// `Struct { map<string, Value> fields = 1; }`
fn fields(bytes: &[u8], depth: usize) -> Result<Map<String, Value>, String> {
    if depth > MAX_DEPTH {
        return Err("nested too deep".into());
    }
    let mut out = Map::new();
    let mut r = Reader(bytes);
    while !r.0.is_empty() {
        let (1, Payload::Bytes(entry)) = r.field()? else { continue };
        let mut e = Reader(entry);
        let (mut key, mut value) = (String::new(), Value::Null);
        while !e.0.is_empty() {
            match e.field()? {
                (1, Payload::Bytes(k)) => {
                    key = std::str::from_utf8(k).map_err(|_| "key not UTF-8")?.to_string()
                }
                (2, Payload::Bytes(v)) => value = self::value(v, depth + 1)?,
                _ => {}
            }
        }
        out.insert(key, value);
    }
    Ok(out)
}

/// `Value { oneof kind { NullValue null_value = 1; double number_value = 2; string
/// string_value = 3; bool bool_value = 4; Struct struct_value = 5; ListValue list_value = 6; } }`
fn value(bytes: &[u8], depth: usize) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err("nested too deep".into());
    }
    let mut r = Reader(bytes);
    let mut out = Value::Null;
    while !r.0.is_empty() {
        out = match r.field()? {
            (1, _) => Value::Null,
            (2, Payload::Fixed64(bits)) => number(f64::from_bits(bits))?,
            (3, Payload::Bytes(s)) => {
                Value::String(std::str::from_utf8(s).map_err(|_| "string not UTF-8")?.to_string())
            }
            (4, Payload::Varint(b)) => Value::Bool(b != 0),
            (5, Payload::Bytes(s)) => Value::Object(fields(s, depth + 1)?),
            (6, Payload::Bytes(l)) => {
                let mut items = Vec::new();
                let mut lr = Reader(l);
                while !lr.0.is_empty() {
                    if let (1, Payload::Bytes(v)) = lr.field()? {
                        items.push(value(v, depth + 1)?);
                    }
                }
                Value::Array(items)
            }
            _ => continue,
        };
    }
    Ok(out)
}

/// Struct numbers are doubles; whole ones become integers, as the JSON form would have them
/// (`slots: 64` must read as the integer 64).
fn number(x: f64) -> Result<Value, String> {
    if x.fract() == 0.0 && x.abs() < 9.007_199_254_740_992e15 {
        return Ok(Value::Number(Number::from(x as i64)));
    }
    Number::from_f64(x).map(Value::Number).ok_or_else(|| "number is not finite".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn len(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut v = vec![tag, body.len() as u8];
        v.extend_from_slice(body);
        v
    }

    #[test]
    fn decodes_nested_values_and_refuses_damage() {
        // {"proxy": {"mode": "enforce", "slots": 64, "on": true, "l": ["a"]}}
        let num = [&[0x11][..], &64f64.to_le_bytes()].concat();
        let inner = [
            len(0x0a, &[len(0x0a, b"mode"), len(0x12, &len(0x1a, b"enforce"))].concat()),
            len(0x0a, &[len(0x0a, b"slots"), len(0x12, &num)].concat()),
            len(0x0a, &[len(0x0a, b"on"), len(0x12, &[0x20, 1])].concat()),
            len(
                0x0a,
                &[len(0x0a, b"l"), len(0x12, &len(0x32, &len(0x0a, &len(0x1a, b"a"))))].concat(),
            ),
        ]
        .concat();
        let doc = len(0x0a, &[len(0x0a, b"proxy"), len(0x12, &len(0x2a, &inner))].concat());
        let v = decode(&doc).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"proxy": {"mode": "enforce", "slots": 64, "on": true, "l": ["a"]}})
        );
        for cut in 1..doc.len() {
            let _ = decode(&doc[..cut]);
        }
        assert!(
            decode(&[0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).is_err()
        );
    }
}
