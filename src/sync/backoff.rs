//! When the next automatic sync runs: 30 s after a sync that left something waiting (or
//! failed), doubling to 5 minutes; every 5 minutes otherwise, to pull the office's changes.

/// The first retry after a sync that left something waiting.
pub const FIRST_RETRY_MS: u32 = 30_000;
/// The longest wait, and the period of the pull when nothing waits.
pub const MAX_WAIT_MS: u32 = 300_000;

/// The wait before the next automatic sync and the next backoff step, given the current
/// step and whether anything still waits (or the last sync failed).
pub fn next_wait(step: u32, pending: bool) -> (u32, u32) {
    if !pending {
        return (MAX_WAIT_MS, 0);
    }
    let wait = FIRST_RETRY_MS
        .saturating_mul(1u32 << step.min(16))
        .min(MAX_WAIT_MS);
    let next_step = if wait >= MAX_WAIT_MS { step } else { step + 1 };
    (wait, next_step)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn doubles_from_thirty_seconds_to_five_minutes() {
        let mut step = 0;
        let mut waits = Vec::new();
        for _ in 0..7 {
            let (wait, next) = next_wait(step, true);
            waits.push(wait / 1000);
            step = next;
        }
        assert_eq!(waits, [30, 60, 120, 240, 300, 300, 300]);
        assert!(step < 16, "the step stops growing at the cap");
    }

    #[wasm_bindgen_test]
    fn nothing_waiting_means_a_periodic_pull_and_a_reset() {
        assert_eq!(next_wait(3, false), (MAX_WAIT_MS, 0));
        assert_eq!(next_wait(u32::MAX, true).0, MAX_WAIT_MS);
    }
}
