//! The proxy-wasm 0.2.1 host calls (module `env`) the filter imports, and minimal WASI
//! preview1 stubs, as Envoy implements them (status codes, CAS rules, queue semantics).

use super::{LocalResponse, VmState};
use std::collections::VecDeque;
use wasmtime::{bail, format_err, Result};
use wasmtime::{Caller, Extern, Linker, Module, Val};

const OK: i32 = 0;
const NOT_FOUND: i32 = 1;
const BAD_ARGUMENT: i32 = 2;
const EMPTY: i32 = 7;
const UNIMPLEMENTED: i32 = 12;
/// proxy-wasm `MetricType`.
const COUNTER: i32 = 0;
const HISTOGRAM: i32 = 2;
const CAS_MISMATCH: i32 = 8;

pub(super) type C<'a> = Caller<'a, VmState>;

fn memory(c: &mut C<'_>) -> Result<wasmtime::Memory> {
    // Looked up once per VM (as Envoy does), not per call.
    if let Some(m) = c.data().memory {
        return Ok(m);
    }
    match c.get_export("memory") {
        Some(Extern::Memory(m)) => {
            c.data_mut().memory = Some(m);
            Ok(m)
        }
        _ => bail!("module exports no memory"),
    }
}

pub(super) fn read(c: &mut C<'_>, ptr: i32, len: i32) -> Result<Vec<u8>> {
    let m = memory(c)?;
    let (p, l) = (ptr as u32 as usize, len as u32 as usize);
    m.data(&*c)
        .get(p..p + l)
        .map(<[u8]>::to_vec)
        .ok_or_else(|| format_err!("guest pointer out of bounds"))
}

pub(super) fn write(c: &mut C<'_>, ptr: i32, bytes: &[u8]) -> Result<()> {
    let m = memory(c)?;
    m.write(&mut *c, ptr as u32 as usize, bytes).map_err(|e| format_err!("guest write: {e}"))
}

/// Copies `bytes` into guest memory allocated by the guest (`proxy_on_memory_allocate`) and
/// writes its address and size at the return pointers, as Envoy does.
fn give(c: &mut C<'_>, bytes: &[u8], ret_ptr: i32, ret_size: i32) -> Result<()> {
    let p = if bytes.is_empty() {
        0
    } else {
        let alloc = match c.data().alloc.clone() {
            Some(f) => f,
            None => match c.get_export("proxy_on_memory_allocate") {
                Some(Extern::Func(f)) => {
                    let f = f.typed::<i32, i32>(&*c)?;
                    c.data_mut().alloc = Some(f.clone());
                    f
                }
                _ => bail!("module exports no proxy_on_memory_allocate"),
            },
        };
        let p = alloc.call(&mut *c, bytes.len() as i32)?;
        write(c, p, bytes)?;
        p
    };
    write(c, ret_ptr, &(p as u32).to_le_bytes())?;
    write(c, ret_size, &(bytes.len() as u32).to_le_bytes())
}

/// The proxy-wasm header map wire format (count, sizes, NUL-terminated keys and values).
pub fn serialize_map(map: &[(Vec<u8>, Vec<u8>)]) -> Vec<u8> {
    let mut b = (map.len() as u32).to_le_bytes().to_vec();
    for (k, v) in map {
        b.extend_from_slice(&(k.len() as u32).to_le_bytes());
        b.extend_from_slice(&(v.len() as u32).to_le_bytes());
    }
    for (k, v) in map {
        b.extend_from_slice(k);
        b.push(0);
        b.extend_from_slice(v);
        b.push(0);
    }
    b
}

/// Parses the header map wire format; errors on malformed input (a host would reject it).
pub fn deserialize_map(b: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
    if b.is_empty() {
        return Ok(Vec::new());
    }
    let u32_at = |i: usize| -> Result<usize> {
        Ok(u32::from_le_bytes(b.get(i..i + 4).ok_or_else(|| format_err!("short map"))?.try_into()?)
            as usize)
    };
    let n = u32_at(0)?;
    let mut p = 4 + n * 8;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let (kl, vl) = (u32_at(4 + i * 8)?, u32_at(8 + i * 8)?);
        let k = b.get(p..p + kl).ok_or_else(|| format_err!("short map"))?.to_vec();
        p += kl + 1;
        let v = b.get(p..p + vl).ok_or_else(|| format_err!("short map"))?.to_vec();
        p += vl + 1;
        out.push((k, v));
    }
    Ok(out)
}

fn map_mut(s: &mut VmState, map_type: i32) -> Result<&mut Vec<(Vec<u8>, Vec<u8>)>> {
    match map_type {
        0 => Ok(&mut s.request_headers),
        2 => Ok(&mut s.response_headers),
        1 | 3 | 6 | 7 => Ok(&mut s.empty_map),
        _ => bail!("bad map type {map_type}"),
    }
}

fn same(a: &[u8], b: &[u8]) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Names of the `env` functions implemented here; any other import traps when called.
pub const IMPLEMENTED: &[&str] = &[
    "proxy_log",
    "proxy_get_log_level",
    "proxy_get_current_time_nanoseconds",
    "proxy_set_tick_period_milliseconds",
    "proxy_get_buffer_bytes",
    "proxy_get_header_map_pairs",
    "proxy_set_header_map_pairs",
    "proxy_get_header_map_value",
    "proxy_replace_header_map_value",
    "proxy_remove_header_map_value",
    "proxy_add_header_map_value",
    "proxy_get_property",
    "proxy_get_shared_data",
    "proxy_set_shared_data",
    "proxy_register_shared_queue",
    "proxy_resolve_shared_queue",
    "proxy_dequeue_shared_queue",
    "proxy_enqueue_shared_queue",
    "proxy_send_local_response",
    "proxy_http_call",
    "proxy_set_effective_context",
    "proxy_continue_stream",
    "proxy_close_stream",
    "proxy_done",
    "proxy_define_metric",
    "proxy_increment_metric",
    "proxy_record_metric",
    "proxy_get_metric",
];

/// Runs `f` on the metric a VM's `id` names; `NOT_FOUND` for an id it never defined.
fn metric_update(c: &C<'_>, id: i32, f: impl FnOnce(&mut super::Metric) -> i32) -> i32 {
    let Some(&index) = c.data().metric_ids.get(id as u32 as usize) else {
        return NOT_FOUND;
    };
    match c.data().host.borrow_mut().metrics.get_mut(index as usize) {
        Some(m) => f(m),
        None => NOT_FOUND,
    }
}

/// Defines every import of `module` on `linker`.
pub fn link(linker: &mut Linker<VmState>, module: &Module) -> Result<()> {
    let e = "env";
    linker.func_wrap(
        e,
        "proxy_log",
        |mut c: C<'_>, level: i32, p: i32, l: i32| -> Result<i32> {
            let msg = String::from_utf8_lossy(&read(&mut c, p, l)?).into_owned();
            let vm = c.data().index;
            c.data().host.borrow_mut().logs.push(super::Log { vm, level, message: msg });
            Ok(OK)
        },
    )?;
    linker.func_wrap(e, "proxy_get_log_level", |mut c: C<'_>, r: i32| -> Result<i32> {
        write(&mut c, r, &1u32.to_le_bytes())?;
        Ok(OK)
    })?;
    linker.func_wrap(
        e,
        "proxy_get_current_time_nanoseconds",
        |mut c: C<'_>, r: i32| -> Result<i32> {
            let now = c.data().host.borrow().clock_ns;
            write(&mut c, r, &now.to_le_bytes())?;
            Ok(OK)
        },
    )?;
    linker.func_wrap(e, "proxy_set_tick_period_milliseconds", |mut c: C<'_>, ms: i32| -> i32 {
        c.data_mut().tick_ms = ms as u32;
        OK
    })?;
    linker.func_wrap(
        e,
        "proxy_get_buffer_bytes",
        |mut c: C<'_>, ty: i32, start: i32, max: i32, rp: i32, rs: i32| -> Result<i32> {
            let buf = match ty {
                7 => c.data().plugin_config.clone(),
                6 => Vec::new(),
                _ => return Ok(NOT_FOUND),
            };
            let s = (start as u32 as usize).min(buf.len());
            let end = s.saturating_add(max as u32 as usize).min(buf.len());
            give(&mut c, &buf[s..end], rp, rs)?;
            Ok(OK)
        },
    )?;
    linker.func_wrap(
        e,
        "proxy_get_header_map_pairs",
        |mut c: C<'_>, t: i32, rp: i32, rs: i32| -> Result<i32> {
            let b = serialize_map(map_mut(c.data_mut(), t)?);
            give(&mut c, &b, rp, rs)?;
            Ok(OK)
        },
    )?;
    linker.func_wrap(
        e,
        "proxy_set_header_map_pairs",
        |mut c: C<'_>, t: i32, p: i32, l: i32| -> Result<i32> {
            let m = deserialize_map(&read(&mut c, p, l)?)?;
            *map_mut(c.data_mut(), t)? = m;
            Ok(OK)
        },
    )?;
    linker.func_wrap(
        e,
        "proxy_get_header_map_value",
        |mut c: C<'_>, t: i32, kp: i32, kl: i32, rp: i32, rs: i32| -> Result<i32> {
            let k = read(&mut c, kp, kl)?;
            let v =
                map_mut(c.data_mut(), t)?.iter().find(|(n, _)| same(n, &k)).map(|(_, v)| v.clone());
            match v {
                Some(v) => {
                    give(&mut c, &v, rp, rs)?;
                    Ok(OK)
                }
                None => Ok(NOT_FOUND),
            }
        },
    )?;
    linker.func_wrap(
        e,
        "proxy_replace_header_map_value",
        |mut c: C<'_>, t: i32, kp: i32, kl: i32, vp: i32, vl: i32| -> Result<i32> {
            let (k, v) = (read(&mut c, kp, kl)?, read(&mut c, vp, vl)?);
            let m = map_mut(c.data_mut(), t)?;
            m.retain(|(n, _)| !same(n, &k));
            m.push((k, v));
            Ok(OK)
        },
    )?;
    linker.func_wrap(
        e,
        "proxy_remove_header_map_value",
        |mut c: C<'_>, t: i32, kp: i32, kl: i32| -> Result<i32> {
            let k = read(&mut c, kp, kl)?;
            map_mut(c.data_mut(), t)?.retain(|(n, _)| !same(n, &k));
            Ok(OK)
        },
    )?;
    linker.func_wrap(
        e,
        "proxy_add_header_map_value",
        |mut c: C<'_>, t: i32, kp: i32, kl: i32, vp: i32, vl: i32| -> Result<i32> {
            let (k, v) = (read(&mut c, kp, kl)?, read(&mut c, vp, vl)?);
            map_mut(c.data_mut(), t)?.push((k, v));
            Ok(OK)
        },
    )?;
    linker.func_wrap(
        e,
        "proxy_get_property",
        |mut c: C<'_>, p: i32, l: i32, rp: i32, rs: i32| -> Result<i32> {
            let path = read(&mut c, p, l)?;
            let v = match path.as_slice() {
                b"source\0address" => Some(c.data().source_address.clone()),
                _ => None,
            };
            match v {
                Some(v) => {
                    give(&mut c, &v, rp, rs)?;
                    Ok(OK)
                }
                None => Ok(NOT_FOUND),
            }
        },
    )?;
    linker.func_wrap(
        e,
        "proxy_get_shared_data",
        |mut c: C<'_>, kp: i32, kl: i32, rp: i32, rs: i32, rc: i32| -> Result<i32> {
            let k = read(&mut c, kp, kl)?;
            let v = c.data().host.borrow().data.get(&k).cloned();
            match v {
                Some((v, cas)) => {
                    give(&mut c, &v, rp, rs)?;
                    write(&mut c, rc, &cas.to_le_bytes())?;
                    Ok(OK)
                }
                None => Ok(NOT_FOUND),
            }
        },
    )?;
    linker.func_wrap(
        e,
        "proxy_set_shared_data",
        |mut c: C<'_>, kp: i32, kl: i32, vp: i32, vl: i32, cas: i32| -> Result<i32> {
            let (k, v) = (read(&mut c, kp, kl)?, read(&mut c, vp, vl)?);
            let host = c.data().host.clone();
            let mut h = host.borrow_mut();
            h.next_cas += 1;
            let next = h.next_cas;
            h.shared_sets += 1;
            // Envoy: an existing key checks a non-zero CAS; an absent key is always created.
            match h.data.get_mut(&k) {
                Some(cur) if cas != 0 && cur.1 != cas as u32 => Ok(CAS_MISMATCH),
                Some(cur) => {
                    *cur = (v, next);
                    Ok(OK)
                }
                None => {
                    h.data.insert(k, (v, next));
                    Ok(OK)
                }
            }
        },
    )?;
    linker.func_wrap(
        e,
        "proxy_register_shared_queue",
        |mut c: C<'_>, np: i32, nl: i32, r: i32| -> Result<i32> {
            let name = read(&mut c, np, nl)?;
            let vm = c.data().index;
            let token = {
                let host = c.data().host.clone();
                let mut h = host.borrow_mut();
                let next = h.queue_tokens.len() as u32 + 1;
                let token = *h.queue_tokens.entry(name).or_insert(next);
                // The latest registrant gets the queue-ready notifications (as in Envoy).
                h.queues
                    .entry(token)
                    .or_insert_with(|| super::Queue { items: VecDeque::new(), owner: vm })
                    .owner = vm;
                token
            };
            write(&mut c, r, &token.to_le_bytes())?;
            Ok(OK)
        },
    )?;
    linker.func_wrap(
        e,
        "proxy_resolve_shared_queue",
        |mut c: C<'_>, _vp: i32, _vl: i32, np: i32, nl: i32, r: i32| -> Result<i32> {
            let name = read(&mut c, np, nl)?;
            let t = c.data().host.borrow().queue_tokens.get(&name).copied();
            match t {
                Some(t) => {
                    write(&mut c, r, &t.to_le_bytes())?;
                    Ok(OK)
                }
                None => Ok(NOT_FOUND),
            }
        },
    )?;
    linker.func_wrap(
        e,
        "proxy_dequeue_shared_queue",
        |mut c: C<'_>, t: i32, rp: i32, rs: i32| -> Result<i32> {
            let item = {
                let host = c.data().host.clone();
                let mut h = host.borrow_mut();
                match h.queues.get_mut(&(t as u32)) {
                    None => return Ok(NOT_FOUND),
                    Some(q) => q.items.pop_front(),
                }
            };
            match item {
                Some(v) => {
                    give(&mut c, &v, rp, rs)?;
                    Ok(OK)
                }
                None => Ok(EMPTY),
            }
        },
    )?;
    linker.func_wrap(
        e,
        "proxy_enqueue_shared_queue",
        |mut c: C<'_>, t: i32, vp: i32, vl: i32| -> Result<i32> {
            let v = read(&mut c, vp, vl)?;
            let host = c.data().host.clone();
            let mut h = host.borrow_mut();
            let Some(q) = h.queues.get_mut(&(t as u32)) else {
                return Ok(NOT_FOUND);
            };
            q.items.push_back(v);
            let owner = q.owner;
            h.ready.push((owner, t as u32));
            Ok(OK)
        },
    )?;
    linker.func_wrap(
        e,
        "proxy_send_local_response",
        |mut c: C<'_>,
         status: i32,
         _dp: i32,
         _dl: i32,
         bp: i32,
         bl: i32,
         hp: i32,
         hl: i32,
         _grpc: i32|
         -> Result<i32> {
            let body = read(&mut c, bp, bl)?;
            let headers = deserialize_map(&read(&mut c, hp, hl)?)?;
            c.data_mut().local_response =
                Some(LocalResponse { status: status as u32, headers, body });
            Ok(OK)
        },
    )?;
    linker.func_wrap(
        e,
        "proxy_http_call",
        |mut c: C<'_>,
         up: i32,
         ul: i32,
         hp: i32,
         hl: i32,
         bp: i32,
         bl: i32,
         _tp: i32,
         _tl: i32,
         _to: i32,
         r: i32|
         -> Result<i32> {
            let cluster = String::from_utf8_lossy(&read(&mut c, up, ul)?).into_owned();
            let headers = deserialize_map(&read(&mut c, hp, hl)?)?;
            let body = read(&mut c, bp, bl)?;
            if cluster.is_empty() {
                return Ok(BAD_ARGUMENT);
            }
            let vm = c.data().index;
            let token = {
                let host = c.data().host.clone();
                let mut h = host.borrow_mut();
                h.http_calls.push(super::HttpCall { vm, cluster, headers, body });
                h.http_calls.len() as u32
            };
            write(&mut c, r, &token.to_le_bytes())?;
            Ok(OK)
        },
    )?;
    // Metrics as Envoy keeps them: one stat per name for the whole proxy (every VM that defines
    // a name shares it), ids per VM; counters only go up; histograms are not readable.
    linker.func_wrap(
        e,
        "proxy_define_metric",
        |mut c: C<'_>, ty: i32, np: i32, nl: i32, r: i32| -> Result<i32> {
            let name = String::from_utf8_lossy(&read(&mut c, np, nl)?).into_owned();
            if !(COUNTER..=HISTOGRAM).contains(&ty) {
                return Ok(BAD_ARGUMENT);
            }
            let host = c.data().host.clone();
            let id = {
                let mut h = host.borrow_mut();
                if h.refuse_metrics {
                    return Ok(UNIMPLEMENTED);
                }
                let index = match h.metrics.iter().position(|m| m.name == name) {
                    Some(i) => i,
                    None => {
                        h.metrics.push(super::Metric { name, kind: ty, value: 0 });
                        h.metrics.len() - 1
                    }
                };
                index as u32
            };
            c.data_mut().metric_ids.push(id);
            let vm_id = c.data().metric_ids.len() as u32 - 1;
            write(&mut c, r, &vm_id.to_le_bytes())?;
            Ok(OK)
        },
    )?;
    linker.func_wrap(e, "proxy_increment_metric", |c: C<'_>, id: i32, by: i64| -> i32 {
        metric_update(&c, id, |m| match m.kind {
            COUNTER if by < 0 => BAD_ARGUMENT,
            HISTOGRAM => BAD_ARGUMENT,
            _ => {
                m.value = m.value.saturating_add_signed(by);
                OK
            }
        })
    })?;
    linker.func_wrap(e, "proxy_record_metric", |c: C<'_>, id: i32, v: i64| -> i32 {
        metric_update(&c, id, |m| {
            match m.kind {
                COUNTER => m.value = m.value.saturating_add(v as u64),
                HISTOGRAM => {}
                _ => m.value = v as u64,
            }
            OK
        })
    })?;
    linker.func_wrap(e, "proxy_get_metric", |mut c: C<'_>, id: i32, r: i32| -> Result<i32> {
        let mut value = 0;
        let code = metric_update(&c, id, |m| {
            value = m.value;
            if m.kind == HISTOGRAM {
                BAD_ARGUMENT
            } else {
                OK
            }
        });
        if code == OK {
            write(&mut c, r, &value.to_le_bytes())?;
        }
        Ok(code)
    })?;
    linker.func_wrap(e, "proxy_set_effective_context", |_c: C<'_>, _ctx: i32| -> i32 { OK })?;
    linker.func_wrap(e, "proxy_continue_stream", |_c: C<'_>, _t: i32| -> i32 { OK })?;
    linker.func_wrap(e, "proxy_close_stream", |_c: C<'_>, _t: i32| -> i32 { OK })?;
    linker.func_wrap(e, "proxy_done", |_c: C<'_>| -> i32 { OK })?;

    for imp in module.imports() {
        let (m, n) = (imp.module().to_string(), imp.name().to_string());
        if m == e && IMPLEMENTED.contains(&n.as_str()) {
            continue;
        }
        let Some(ty) = imp.ty().func().cloned() else { bail!("import {m}.{n} is not a function") };
        let (m2, n2) = (m.clone(), n.clone());
        linker.func_new(&m, &n, ty, move |mut c, args, results| {
            let code = super::wasi::call(&mut c, &m2, &n2, args)?;
            if let Some(r) = results.first_mut() {
                *r = Val::I32(code);
            }
            Ok(())
        })?;
    }
    Ok(())
}
