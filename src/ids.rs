//! The ids a request carries: call ids checked before they reach a URL, and a fresh
//! `client-request-id` for each operation.

use crate::error::Error;

/// The longest call id sent; Graph's ids are GUIDs and similar, far shorter.
pub const MAX_CALL_ID_LEN: usize = 512;

/// Refuses the ids that would not stay one path segment once percent-encoded by the generated
/// client: `.` and `..` are dot segments, `\` is a path separator to URL parsers, and the
/// generated client encodes neither; control characters and huge ids are never call ids.
pub(crate) fn check_call_id(call_id: &str) -> Result<(), Error> {
    let reason = if call_id.is_empty() {
        "it is empty"
    } else if call_id == "." || call_id == ".." {
        "`.` and `..` are not ids"
    } else if call_id.len() > MAX_CALL_ID_LEN {
        "it is longer than 512 bytes"
    } else if call_id.bytes().any(|b| b.is_ascii_control())
        || (!call_id.is_ascii() && call_id.chars().any(char::is_control))
    {
        "it holds a control character"
    } else if call_id.contains('\\') {
        "it holds a backslash"
    } else {
        return Ok(());
    };
    Err(Error::InvalidCallId { reason })
}

/// A random (version 4) UUID, as Graph's SDKs send in `client-request-id`.
pub(crate) fn new_client_request_id() -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut bytes = fastrand::u128(..).to_be_bytes();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut id = String::with_capacity(36);
    for (index, byte) in bytes.iter().enumerate() {
        if matches!(index, 4 | 6 | 8 | 10) {
            id.push('-');
        }
        id.push(char::from(HEX[usize::from(byte >> 4)]));
        id.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_ids_that_would_leave_their_segment_are_refused() {
        for id in ["", ".", "..", "a\nb", "a\u{7f}", "..\\x", &"x".repeat(513)] {
            assert!(
                matches!(check_call_id(id), Err(Error::InvalidCallId { .. })),
                "{id:?}"
            );
        }
        for id in [
            "57dab8b1-894c-409a-b240-bd8beae78896",
            "...",
            "a/b",
            "a?b#c",
            "é",
            &"x".repeat(512),
        ] {
            assert!(check_call_id(id).is_ok(), "{id:?}");
        }
    }

    #[test]
    fn client_request_ids_are_version_4_uuids() {
        let id = new_client_request_id();
        assert_eq!(id.len(), 36);
        let parts: Vec<_> = id.split('-').map(str::len).collect();
        assert_eq!(parts, [8, 4, 4, 4, 12]);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"), "{id}");
        assert_ne!(new_client_request_id(), id);
    }
}
