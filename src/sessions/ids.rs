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

/// [`normal_id`] without allocating: a GUID's normal form is written into `buf`.
pub(crate) fn normal_key<'a>(id: &'a str, buf: &'a mut [u8; 32]) -> &'a str {
    let inner = id
        .strip_prefix('{')
        .and_then(|rest| rest.strip_suffix('}'))
        .unwrap_or(id);
    let bytes = inner.as_bytes();
    let dashed = bytes.len() == 36
        && bytes.iter().enumerate().all(|(at, b)| match at {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        });
    let plain = bytes.len() == 32 && bytes.iter().all(u8::is_ascii_hexdigit);
    if !(dashed || plain) {
        return id;
    }
    for (slot, b) in buf.iter_mut().zip(bytes.iter().filter(|b| **b != b'-')) {
        *slot = b.to_ascii_lowercase();
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
    let end = resource_url
        .bytes()
        .position(|b| b == b'?' || b == b'#')
        .unwrap_or(resource_url.len());
    let path = &resource_url[..end];
    let mut segments = path.split('/').filter(|s| !s.is_empty());
    loop {
        if segments.next()?.eq_ignore_ascii_case("calls") {
            break;
        }
    }
    let call = segments.next()?;
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
