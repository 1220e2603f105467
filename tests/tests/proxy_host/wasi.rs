//! WASI preview1 for the filter, minimally (any other import is defined by `abi::link`
//! to come here and fail or answer "bad file descriptor").

use super::abi::{read, write, C};
use wasmtime::{bail, Result, Val};

/// WASI preview1, minimally: the guest's std needs random bytes (hash seeds), may write to
/// stderr, and asks for an empty environment. The WASI clock is frozen at the epoch: the host
/// clock (`proxy_get_current_time_nanoseconds`) is the only clock event time may come from.
pub(super) fn call(c: &mut C<'_>, module: &str, name: &str, args: &[Val]) -> Result<i32> {
    let arg = |i: usize| args.get(i).and_then(Val::i32).unwrap_or(0);
    if module != "wasi_snapshot_preview1" {
        bail!("unimplemented host call {module}.{name}");
    }
    match name {
        "random_get" => {
            let mut buf = vec![0u8; arg(1) as u32 as usize];
            {
                let mut h = c.data().host.borrow_mut();
                for b in buf.iter_mut() {
                    // xorshift: deterministic, distinct per call (each VM gets its own id).
                    h.random ^= h.random << 13;
                    h.random ^= h.random >> 7;
                    h.random ^= h.random << 17;
                    *b = h.random as u8;
                }
            }
            write(c, arg(0), &buf)?;
            Ok(0)
        }
        "fd_write" => {
            let (iovs, n, out) = (arg(1), arg(2), arg(3));
            let mut total = 0u32;
            for i in 0..n {
                let iov = read(c, iovs + i * 8, 8)?;
                total += u32::from_le_bytes(iov[4..8].try_into()?);
            }
            write(c, out, &total.to_le_bytes())?;
            Ok(0)
        }
        "environ_sizes_get" | "args_sizes_get" => {
            write(c, arg(0), &0u32.to_le_bytes())?;
            write(c, arg(1), &0u32.to_le_bytes())?;
            Ok(0)
        }
        "environ_get" | "args_get" | "sched_yield" => Ok(0),
        "proc_exit" => bail!("guest called proc_exit({})", arg(0)),
        "clock_time_get" | "clock_res_get" => {
            // Hash seeding in the SDK's hashbrown/foldhash reads it once. It answers the epoch:
            // were it ever used for event time, every alert would say 1970 and parity fail.
            c.data().host.borrow_mut().wasi_clock_reads += 1;
            write(c, arg(2), &0u64.to_le_bytes())?;
            Ok(0)
        }
        _ => Ok(8), // EBADF: no files, no sockets
    }
}
