//! The ids a request carries: call ids checked before they reach a URL, and a fresh
//! `client-request-id` for each operation.

use crate::error::Error;

/// The longest id sent in a path; Graph's ids are GUIDs and similar, far shorter.
pub const MAX_CALL_ID_LEN: usize = 512;

/// Checks an id before it becomes a path segment. Allowed: ASCII letters and digits and `-`,
/// `.`, `_`, `~` (RFC 3986's unreserved characters), at most [`MAX_CALL_ID_LEN`] bytes, and
/// not `.` or `..` (dot segments).
///
/// Graph's call and participant ids are GUIDs (`57dab8b1-894c-409a-b240-bd8beae78896`), made
/// of these characters only. Every other character would have to be percent-encoded, and what
/// is percent-encoded is what a proxy or front end may decode again and fold into the path:
/// `/`, `?`, `#`, `%` (encoded already, decoded twice), `\`, fullwidth dots (`．`, which some
/// normalisations turn into `.`), line and paragraph separators (U+2028, U+2029) and control
/// characters. An id made only of the allowed characters is sent exactly as given.
/// `parameter` is the path parameter's name in `schema/openapi.yaml` (`call-id`), for the error.
pub(crate) fn check_path_id(parameter: &'static str, id: &str) -> Result<(), Error> {
    check_segment(id, is_id_char).map_err(|reason| Error::InvalidId { parameter, reason })
}

/// Checks one segment of a raw request's path ([`crate::raw::RawRequest`]) as an id is
/// checked, with the sub-delimiters OData paths use also allowed (`$count`, `calls('{id}')`,
/// `key=value`, `@`): `$`, `'`, `(`, `)`, `,`, `=`, `:`, `@`. They need no encoding in a path
/// segment (RFC 3986, `pchar`) and no decoding turns them into a separator.
pub(crate) fn check_raw_segment(segment: &str) -> Result<(), Error> {
    let allowed =
        |c: char| is_id_char(c) || matches!(c, '$' | '\'' | '(' | ')' | ',' | '=' | ':' | '@');
    check_segment(segment, allowed).map_err(|reason| Error::InvalidId {
        parameter: "path segment",
        reason,
    })
}

/// The rule both checks share: not empty, not a dot segment, at most [`MAX_CALL_ID_LEN`]
/// bytes, every character `allowed`; else why not.
fn check_segment(text: &str, allowed: impl Fn(char) -> bool) -> Result<(), &'static str> {
    if text.is_empty() {
        Err("it is empty")
    } else if text == "." || text == ".." {
        Err("`.` and `..` are not ids")
    } else if text.len() > MAX_CALL_ID_LEN {
        Err("it is longer than 512 bytes")
    } else if let Some(c) = text.chars().find(|&c| !allowed(c)) {
        Err(refused(c))
    } else {
        Ok(())
    }
}

/// RFC 3986's unreserved characters: those a URL carries without encoding.
fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')
}

/// Why `c` is refused: the reason names the character class, never echoes the id.
fn refused(c: char) -> &'static str {
    match c {
        '/' | '\\' => "it holds a path separator (`/` or `\\`)",
        '?' | '#' => "it holds `?` or `#`, which end a URL's path",
        '%' => "it holds `%`, which a front end may decode a second time",
        '\u{ff0e}' | '\u{2024}' | '\u{fe52}' => {
            "it holds a dot lookalike (such as a fullwidth dot)"
        }
        c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') => {
            "it holds a control character or line separator"
        }
        _ => "it holds a character other than ASCII letters, digits, `-`, `.`, `_` and `~`",
    }
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

    #[track_caller]
    fn refused_because(id: &str) -> &'static str {
        match check_path_id("call-id", id) {
            Err(Error::InvalidId { reason, .. }) => reason,
            other => panic!("{id:?} was not refused: {other:?}"),
        }
    }

    #[test]
    fn call_ids_that_would_leave_their_segment_are_refused() {
        for (id, why) in [
            ("", "empty"),
            (".", "`.` and `..`"),
            ("..", "`.` and `..`"),
            ("a/b", "path separator"),
            ("/", "path separator"),
            ("..\\x", "path separator"),
            ("a?b", "`?` or `#`"),
            ("a#b", "`?` or `#`"),
            ("%2e%2e", "`%`"),
            ("\u{ff0e}\u{ff0e}", "dot lookalike"),
            ("a\u{2028}b", "line separator"),
            ("a\u{2029}b", "line separator"),
            ("a\nb", "control character"),
            ("a\u{7f}", "control character"),
            ("a\u{85}", "control character"),
            ("\0", "control character"),
            ("a b", "other than ASCII"),
            ("é", "other than ASCII"),
            ("a+b", "other than ASCII"),
        ] {
            let reason = refused_because(id);
            assert!(reason.contains(why), "{id:?}: {reason}");
        }
        assert!(refused_because(&"x".repeat(513)).contains("512 bytes"));
    }

    #[test]
    fn graph_ids_pass() {
        for id in [
            "57dab8b1-894c-409a-b240-bd8beae78896",
            "2f1a1100-b174-40a0-aba7-0b405e01ed92",
            "...",
            "a.b_c~d",
            &"x".repeat(512),
        ] {
            assert!(check_path_id("call-id", id).is_ok(), "{id:?}");
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
