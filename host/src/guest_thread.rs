//! A thread that owns a guest and runs calls on it, the caller waiting for each at most a
//! deadline.
//!
//! This is how the component's calls are bounded in time without wasmtime's epoch
//! interruption, which puts a check at every loop head and function entry of the guest's code.
//! A call past its deadline returns [`CallError::TimedOut`] at once; its thread stays in the
//! guest, every later call is refused the same way, and the thread ends with the process.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

/// Native stack of the guest's thread: the main thread's usual size, well above wasmtime's
/// limit for wasm frames (512 KiB) plus the host frames under them.
const STACK: usize = 8 << 20;

/// A call, run on the guest's thread; it sends its own result back.
type Job<S> = Box<dyn FnOnce(&mut S) + Send>;

/// Why a call gave no result.
#[derive(Debug)]
pub enum CallError {
    /// The guest failed: a trap, fuel, memory, or an error of the bindings.
    Guest(wasmtime::Error),
    /// Past the deadline (this call, or an earlier one whose thread is still in the guest).
    TimedOut,
    /// The guest's thread is gone: it could not start, or a host panic ended it.
    Ended,
}

/// The caller's end of the guest's thread.
pub struct GuestThread<S> {
    jobs: mpsc::Sender<Job<S>>,
    timeout: Duration,
    stuck: bool,
}

impl<S: 'static> GuestThread<S> {
    /// Starts the thread, which makes the guest with `init` (under the same deadline as every
    /// call) and then runs calls until this end is dropped.
    pub fn spawn(
        timeout: Duration,
        init: impl FnOnce() -> wasmtime::Result<S> + Send + 'static,
    ) -> Result<GuestThread<S>, CallError> {
        let (jobs, queue) = mpsc::channel::<Job<S>>();
        let (ready, started) = mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("wikiwatch-detector".into())
            .stack_size(STACK)
            .spawn(move || {
                let mut guest = match init() {
                    Ok(guest) => guest,
                    Err(e) => {
                        let _ = ready.send(Err(e));
                        return;
                    }
                };
                let _ = ready.send(Ok(()));
                for job in queue {
                    job(&mut guest);
                }
            })
            .map_err(|_| CallError::Ended)?;
        let mut thread = GuestThread { jobs, timeout, stuck: false };
        thread.wait(&started)?;
        Ok(thread)
    }

    /// The deadline of each call.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Runs `f` on the guest's thread and waits for it at most the deadline.
    pub fn run<R: Send + 'static>(
        &mut self,
        f: impl FnOnce(&mut S) -> wasmtime::Result<R> + Send + 'static,
    ) -> Result<R, CallError> {
        if self.stuck {
            return Err(CallError::TimedOut);
        }
        let (reply, result) = mpsc::sync_channel(1);
        let job: Job<S> = Box::new(move |guest: &mut S| {
            let _ = reply.send(f(guest));
        });
        self.jobs.send(job).map_err(|_| CallError::Ended)?;
        self.wait(&result)
    }

    fn wait<R>(&mut self, result: &mpsc::Receiver<wasmtime::Result<R>>) -> Result<R, CallError> {
        match result.recv_timeout(self.timeout) {
            Ok(out) => out.map_err(CallError::Guest),
            Err(RecvTimeoutError::Timeout) => {
                self.stuck = true;
                Err(CallError::TimedOut)
            }
            Err(RecvTimeoutError::Disconnected) => Err(CallError::Ended),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    const DEADLINE: Duration = Duration::from_millis(200);

    #[test]
    fn calls_run_in_order_on_one_guest() {
        let mut thread = GuestThread::spawn(DEADLINE, || Ok(Vec::<u32>::new())).unwrap();
        for i in 0..3 {
            thread
                .run(move |seen| {
                    seen.push(i);
                    Ok(())
                })
                .unwrap();
        }
        assert_eq!(thread.run(|seen| Ok(seen.clone())).unwrap(), [0, 1, 2]);
    }

    #[test]
    fn a_call_that_never_returns_is_given_up_and_the_guest_is_not_called_again() {
        // The call blocks until the test ends: only the deadline can return it.
        let gate = Arc::new(Mutex::new(()));
        let held = gate.lock().unwrap();
        let mut thread = GuestThread::spawn(DEADLINE, || Ok(0u32)).unwrap();
        let blocked = gate.clone();
        let stuck = thread.run(move |_| {
            drop(blocked.lock());
            Ok(())
        });
        assert!(matches!(stuck, Err(CallError::TimedOut)), "{stuck:?}");
        let ran = Arc::new(Mutex::new(false));
        let flag = ran.clone();
        let later = thread.run(move |_| {
            *flag.lock().unwrap() = true;
            Ok(())
        });
        assert!(matches!(later, Err(CallError::TimedOut)), "{later:?}");
        drop(thread);
        drop(held);
        assert!(!*ran.lock().unwrap(), "a call after the deadline reached the guest");
    }

    #[test]
    fn a_start_that_never_ends_is_given_up() {
        let gate = Arc::new(Mutex::new(()));
        let held = gate.lock().unwrap();
        let blocked = gate.clone();
        let started = GuestThread::spawn(DEADLINE, move || {
            drop(blocked.lock());
            Ok(())
        });
        assert!(matches!(started, Err(CallError::TimedOut)));
        drop(held);
    }

    #[test]
    fn guest_errors_and_panics_are_told_apart() {
        let failed = GuestThread::spawn(DEADLINE, || Err::<(), _>(wasmtime::Error::msg("no")));
        assert!(matches!(failed, Err(CallError::Guest(e)) if e.to_string() == "no"));
        let mut thread = GuestThread::spawn(DEADLINE, || Ok(())).unwrap();
        let err = thread.run(|_| Err::<(), _>(wasmtime::Error::msg("trap")));
        assert!(matches!(err, Err(CallError::Guest(_))));
        let panicked = thread.run(|_| -> wasmtime::Result<()> { panic!("host bug") });
        assert!(matches!(panicked, Err(CallError::Ended)), "{panicked:?}");
        assert!(matches!(thread.run(|_| Ok(())), Err(CallError::Ended)));
    }
}
