//! Isolating the parse of one file, so that a bug a strange file sets off
//! costs that file only: a panic is caught and becomes the reason the file
//! was skipped, and the run goes on.
//!
//! A stack overflow is not a panic and cannot be caught: the parsers
//! prevent it instead, by walking trees iteratively and refusing nesting
//! beyond a limit before building anything.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};

thread_local! {
    static ISOLATED: Cell<u32> = const { Cell::new(0) };
}

/// Runs `parse`, turning a panic into `Err` with its message.
pub fn isolated<T>(parse: impl FnOnce() -> T) -> Result<T, String> {
    ISOLATED.with(|depth| depth.set(depth.get() + 1));
    // The parse owns what it builds; on a panic all of it is dropped, so
    // nothing half-built is seen afterwards.
    let result = catch_unwind(AssertUnwindSafe(parse));
    ISOLATED.with(|depth| depth.set(depth.get().saturating_sub(1)));
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_string())
            .replace('\n', " ")
    })
}

/// Whether the current thread is inside [`isolated`], where a panic is
/// reported as a skipped file: a panic hook uses it to stay quiet then.
pub fn panic_is_isolated() -> bool {
    ISOLATED.with(Cell::get) > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error_and_the_thread_goes_on() {
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let caught = isolated(|| -> u32 { panic!("bad {}", "input") });
        std::panic::set_hook(hook);
        assert_eq!(caught, Err("bad input".to_string()));
        assert!(!panic_is_isolated());
        assert_eq!(isolated(|| 7), Ok(7));
    }
}
