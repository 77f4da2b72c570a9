//! The pull cursor, sealed: an opaque number rather than the ward's change counter.
//!
//! A plain cursor was the server order number itself, so the last page of any pull, and
//! the `reset` answer to a cursor above it (a binary search), told every reader how many
//! changes the whole ward had made — welfare ones included. A sealed cursor is the order
//! number run through a keyed permutation (a Feistel network over SHA-256, the key a
//! random secret kept in the database's `settings`), so it says nothing about the
//! counter, and one the ward record did not make is recognised (its check bits are
//! wrong): only a cursor it handed out, from a later state of the database (a restore
//! from backup), is answered with `reset` for being ahead.
//!
//! Sealed cursors are 2^52 and up and below 2^53, exact as a JavaScript number (the app
//! keeps the cursor as one). Smaller positive numbers are the plain cursors older ward
//! records handed out; they are still read (see `routes::sync::pull`).

use sha2::{Digest, Sha256};

/// Sealed cursors have this bit set and none above.
const SEALED: i64 = 1 << 52;
/// Bits of the order number inside a sealed cursor (68 billion changes).
const ORDER_BITS: u32 = 36;
/// Check bits (zero before sealing) that tell a made cursor from a guessed one.
const CHECK_BITS: u32 = 52 - ORDER_BITS;
const HALF: u32 = 26;
const HALF_MASK: u64 = (1 << HALF) - 1;
const ROUNDS: u8 = 6;

/// What a cursor sent to pull is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor {
    /// None, or 0: from the start.
    Start,
    /// One this ward record sealed: the server order it stands for.
    Sealed(i64),
    /// A plain server order from an older ward record (before cursors were sealed).
    Plain(i64),
    /// Negative, or sealed-looking but not made with this key.
    Unknown,
}

fn round(key: &[u8], round: u8, half: u64) -> u64 {
    let mut h = Sha256::new();
    h.update(key);
    h.update([round]);
    h.update(half.to_le_bytes());
    let d = h.finalize();
    u64::from_le_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]]) & HALF_MASK
}

/// The sealed cursor for `order` (0 ≤ order < 2^36).
pub fn seal(key: &[u8], order: i64) -> i64 {
    let block = (order.clamp(0, (1 << ORDER_BITS) - 1) as u64) << CHECK_BITS;
    let (mut l, mut r) = (block >> HALF, block & HALF_MASK);
    for i in 0..ROUNDS {
        (l, r) = (r, l ^ round(key, i, r));
    }
    SEALED | ((l << HALF) | r) as i64
}

/// Reads a cursor sent to pull.
pub fn open(key: &[u8], cursor: i64) -> Cursor {
    match cursor {
        0 => Cursor::Start,
        c if !(0..SEALED << 1).contains(&c) => Cursor::Unknown,
        c if c < SEALED => Cursor::Plain(c),
        c => {
            let block = (c & (SEALED - 1)) as u64;
            let (mut l, mut r) = (block >> HALF, block & HALF_MASK);
            for i in (0..ROUNDS).rev() {
                (l, r) = (r ^ round(key, i, l), l);
            }
            let block = (l << HALF) | r;
            if block & ((1 << CHECK_BITS) - 1) == 0 {
                Cursor::Sealed((block >> CHECK_BITS) as i64)
            } else {
                Cursor::Unknown
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_cursors_open_to_their_order_and_hide_it() {
        let key = b"test key";
        let mut previous = 0;
        for order in [0, 1, 2, 3, 1000, 1001, 123_456_789, (1 << ORDER_BITS) - 1] {
            let c = seal(key, order);
            assert!((SEALED..SEALED << 1).contains(&c), "{c}");
            assert!(c < 1 << 53, "exact as a JavaScript number");
            assert_eq!(open(key, c), Cursor::Sealed(order));
            // Neighbours are far apart: nothing to read off the number.
            assert_ne!(c, previous + 1);
            previous = c;
            // Another ward record's key does not open it.
            assert_eq!(open(b"other key", c), Cursor::Unknown);
        }
    }

    #[test]
    fn guessed_cursors_are_unknown_and_plain_ones_are_read() {
        let key = b"test key";
        let made = seal(key, 42);
        let guessed = (1..=100).filter(|d| open(key, made + d) != Cursor::Unknown);
        assert!(guessed.count() <= 1);
        assert_eq!(open(key, 0), Cursor::Start);
        assert_eq!(open(key, 17), Cursor::Plain(17));
        assert_eq!(open(key, -1), Cursor::Unknown);
        assert_eq!(open(key, i64::MAX), Cursor::Unknown);
    }
}
