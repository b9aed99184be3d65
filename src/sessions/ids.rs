//! Graph's ids in one normal form, and what a notification's `resourceUrl` names.
//!
//! Graph spells one id two ways: the playPrompt page's response names the operation
//! `0fe0623f-d628-42ed-b4bd-8ac290072cc5`, its notification's `resourceUrl`
//! `0FE0623FD62842EDB4BD8AC290072CC5`, and the call `57DAB8B1894C409AB240BD8BEAE78896`
//! (elsewhere `57dab8b1-894c-409a-b240-bd8beae78896`). Source: microsoftgraph/
//! microsoft-graph-docs-contrib, api-reference/v1.0/api/call-playprompt.md.

use std::borrow::Cow;

/// The normal form of a Graph id: a GUID in any spelling (with or without dashes, in any letter
/// case, in braces) as its 32 hex digits in lower case; anything else as it came.
///
/// ```
/// use msgraph_calls::sessions::normal_id;
///
/// assert_eq!(normal_id("0FE0623FD62842EDB4BD8AC290072CC5"), "0fe0623fd62842edb4bd8ac290072cc5");
/// assert_eq!(normal_id("0fe0623f-d628-42ed-b4bd-8ac290072cc5"), "0fe0623fd62842edb4bd8ac290072cc5");
/// assert_eq!(normal_id("421f0000-abcd"), "421f0000-abcd"); // not a GUID: as it came
/// ```
pub fn normal_id(id: &str) -> Cow<'_, str> {
    let mut buf = [0u8; 32];
    let key = normal_key(id, &mut buf);
    if key.len() == id.len() && key == id {
        Cow::Borrowed(id)
    } else {
        Cow::Owned(key.to_owned())
    }
}

/// Each byte that is a hex digit, in lower case; 0 for any other byte.
const LOWER_HEX: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = match b {
            b'0'..=b'9' | b'a'..=b'f' => b,
            b'A'..=b'F' => b + 32,
            _ => 0,
        };
        byte += 1;
    }
    table
};

/// [`normal_id`] without allocating: a GUID's normal form is written into `buf`.
pub(crate) fn normal_key<'a>(id: &'a str, buf: &'a mut [u8; 32]) -> &'a str {
    let inner = id
        .strip_prefix('{')
        .and_then(|rest| rest.strip_suffix('}'))
        .unwrap_or(id);
    let bytes = inner.as_bytes();
    match bytes.len() {
        32 => buf.copy_from_slice(bytes),
        36 => {
            // 8-4-4-4-12 digits, a dash between each group.
            if [8, 13, 18, 23]
                .iter()
                .any(|&at| bytes.get(at) != Some(&b'-'))
            {
                return id;
            }
            let groups = [
                (0, 8, 0),
                (9, 13, 8),
                (14, 18, 12),
                (19, 23, 16),
                (24, 36, 20),
            ];
            for (from, to, into) in groups {
                let (Some(digits), Some(slot)) =
                    (bytes.get(from..to), buf.get_mut(into..into + (to - from)))
                else {
                    return id;
                };
                slot.copy_from_slice(digits);
            }
        }
        _ => return id,
    }
    for digit in buf.iter_mut() {
        match LOWER_HEX[usize::from(*digit)] {
            0 => return id,
            lower => *digit = lower,
        }
    }
    std::str::from_utf8(&buf[..]).unwrap_or(id)
}

/// What a notification's `resourceUrl` names under its call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target<'a> {
    /// `/communications/calls/{id}`: the call itself.
    Call,
    /// `.../participants`: the roster.
    Participants,
    /// `.../participants/{id}`: one participant.
    Participant(&'a str),
    /// `.../operations/{id}`, or `.../operations` (Graph's invite example ends
    /// `.../operations/participants`: its operation is found by `clientContext`).
    Operation(Option<&'a str>),
    /// `.../contentSharingSessions[/{id}]`.
    ContentSharing(Option<&'a str>),
    /// Anything else under the call.
    Other,
}

/// The call id of `resource_url` and what under the call it names: `/communications/calls/{id}`
/// or the legacy `/app/calls/{id}`, with or without the leading slash, segment names in any
/// letter case.
pub(crate) fn target(resource_url: &str) -> Option<(&str, Target<'_>)> {
    // The spelling Graph sends, at once; any other by its segments.
    let under_calls = match resource_url.strip_prefix("/communications/calls/") {
        Some(rest) => rest,
        None => {
            let mut at = 0;
            let mut found = None;
            for segment in resource_url.split('/') {
                at += segment.len() + 1;
                if segment.eq_ignore_ascii_case("calls") {
                    found = Some(resource_url.get(at..).unwrap_or_default());
                    break;
                }
                if segment.contains(['?', '#']) {
                    return None;
                }
            }
            found?
        }
    };
    // The call's id runs to the next `/`, or to a query or a fragment, which end the path.
    let end = under_calls
        .bytes()
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(under_calls.len());
    let (call, rest) = under_calls.split_at(end);
    if call.is_empty() {
        return None;
    }
    if !rest.starts_with('/') {
        return Some((call, Target::Call));
    }
    let rest = match rest.find(['?', '#']) {
        Some(stop) => &rest[..stop],
        None => rest,
    };
    let mut segments = rest.split('/').filter(|s| !s.is_empty());
    let kind = segments.next();
    let id = segments.next();
    let target = match kind {
        None => Target::Call,
        Some(k) if k.eq_ignore_ascii_case("participants") => match id {
            None => Target::Participants,
            Some(id) => Target::Participant(id),
        },
        Some(k) if k.eq_ignore_ascii_case("operations") => match id {
            Some(id) if !id.eq_ignore_ascii_case("participants") => Target::Operation(Some(id)),
            _ => Target::Operation(None),
        },
        Some(k) if k.eq_ignore_ascii_case("contentSharingSessions") => Target::ContentSharing(id),
        Some(_) => Target::Other,
    };
    Some((call, target))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_spellings_of_graphs_examples_meet() {
        assert_eq!(
            normal_id("57DAB8B1894C409AB240BD8BEAE78896"),
            normal_id("57dab8b1-894c-409a-b240-bd8beae78896")
        );
        assert_eq!(
            normal_id("{57DAB8B1-894C-409A-B240-BD8BEAE78896}"),
            "57dab8b1894c409ab240bd8beae78896"
        );
    }

    #[test]
    fn what_is_not_a_guid_is_kept_as_it_came() {
        for id in [
            "",
            "participants",
            "57dab8b1-894c-409a-b240-bd8beae7889",
            "Z7dab8b1894c409ab240bd8beae78896",
            "491f0b00-ffff-4bc9-a43e-b226498ec22a-extra",
        ] {
            assert_eq!(normal_id(id), id);
        }
    }

    #[test]
    fn resource_urls_name_their_call_and_part() {
        let op = "/communications/calls/57DAB8B1894C409AB240BD8BEAE78896/operations/0FE0623FD62842EDB4BD8AC290072CC5";
        assert_eq!(
            target(op),
            Some((
                "57DAB8B1894C409AB240BD8BEAE78896",
                Target::Operation(Some("0FE0623FD62842EDB4BD8AC290072CC5"))
            ))
        );
        assert_eq!(
            target("communications/calls/1/operations/participants"),
            Some(("1", Target::Operation(None)))
        );
        assert_eq!(
            target("/app/calls/1/Participants"),
            Some(("1", Target::Participants))
        );
        assert_eq!(
            target("/communications/calls/1/participants/p"),
            Some(("1", Target::Participant("p")))
        );
        assert_eq!(
            target("/communications/calls/1/contentsharingsessions/s"),
            Some(("1", Target::ContentSharing(Some("s"))))
        );
        assert_eq!(target("/communications/calls/1"), Some(("1", Target::Call)));
        assert_eq!(
            target("/communications/calls/1/audioRoutingGroups/g"),
            Some(("1", Target::Other))
        );
        assert_eq!(target("/communications/onlineMeetings/1"), None);
        assert_eq!(target("/communications/calls"), None);
    }
}
