use super::*;

// The classic link of Graph's "Join scheduled meeting" example (application-post-calls.md),
// built from that example's thread, tenant and organizer.
const CLASSIC: &str = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_Win6Ydo4wsMijFjZS00ZGVjLTk5MGUtOTRjNWY2NmNkYTFm%40thread.v2/0?context=%7b%22Tid%22%3a%22aa67bd4c-8475-432d-bd41-39f255720e0a%22%2c%22Oid%22%3a%225810cede-f3cc-42eb-b2c1-e9bd5d53ec96%22%7d";

#[test]
fn the_classic_link_gives_thread_message_tenant_and_organizer() {
    assert_eq!(
        parse(CLASSIC).unwrap(),
        JoinInfo::Organizer {
            thread_id: "19:meeting_Win6Ydo4wsMijFjZS00ZGVjLTk5MGUtOTRjNWY2NmNkYTFm@thread.v2"
                .into(),
            message_id: "0".into(),
            tenant_id: "aa67bd4c-8475-432d-bd41-39f255720e0a".into(),
            organizer_id: "5810cede-f3cc-42eb-b2c1-e9bd5d53ec96".into(),
        }
    );
    // Teams' links also come with upper-case escapes and extra context fields.
    let upper = CLASSIC
        .replace("%3a", "%3A")
        .replace("%7b", "%7B")
        .replace("%7d", "%2c%22MessageId%22%3a%220%22%7D");
    assert!(
        matches!(parse(&upper), Ok(JoinInfo::Organizer { .. })),
        "{upper}"
    );
    let gov = CLASSIC.replace("teams.microsoft.com", "gov.teams.microsoft.us");
    assert!(matches!(parse(&gov), Ok(JoinInfo::Organizer { .. })));
}

#[test]
fn the_short_link_gives_the_meeting_id_and_passcode() {
    // The meeting id and passcode of application-post-calls.md's joinMeetingIdMeetingInfo.
    assert_eq!(
        parse("https://teams.microsoft.com/meet/1234567?p=psw123").unwrap(),
        JoinInfo::MeetingId {
            join_meeting_id: "1234567".into(),
            passcode: Some("psw123".into())
        }
    );
    assert_eq!(
        parse("https://teams.microsoft.com/meet/1234567").unwrap(),
        JoinInfo::MeetingId {
            join_meeting_id: "1234567".into(),
            passcode: None
        }
    );
}

#[test]
fn a_classic_link_gives_the_join_parts_of_graphs_example() {
    // application-post-calls.md, "Join scheduled meeting with service hosted media".
    let join = parse(CLASSIC).unwrap();
    let parts = serde_json::json!({
        "chatInfo": join.chat_info(),
        "meetingInfo": join.meeting_info(),
        "tenantId": join.tenant_id(),
    });
    assert_eq!(
        parts,
        serde_json::json!({
            "chatInfo": {
                "@odata.type": "#microsoft.graph.chatInfo",
                "threadId": "19:meeting_Win6Ydo4wsMijFjZS00ZGVjLTk5MGUtOTRjNWY2NmNkYTFm@thread.v2",
                "messageId": "0"
            },
            "meetingInfo": {
                "@odata.type": "#microsoft.graph.organizerMeetingInfo",
                "organizer": {"user": {
                    "id": "5810cede-f3cc-42eb-b2c1-e9bd5d53ec96",
                    "tenantId": "aa67bd4c-8475-432d-bd41-39f255720e0a"
                }}
            },
            "tenantId": "aa67bd4c-8475-432d-bd41-39f255720e0a"
        })
    );
}

#[test]
fn the_passcode_never_shows_in_debug() {
    let short = parse("https://teams.microsoft.com/meet/1234567?p=psw123").unwrap();
    let shown = format!("{short:?} {short:#?}");
    assert!(
        !shown.contains("psw123") && shown.contains("1234567"),
        "{shown}"
    );
    let info = format!("{:?}", short.meeting_info());
    assert!(!info.contains("psw123"), "{info}");
}

#[test]
fn other_links_are_refused_with_their_reason() {
    for (link, why) in [
        ("teams.microsoft.com/meet/1", "not a URL"),
        ("http://teams.microsoft.com/meet/1", "https"),
        ("https://teams.microsoft.com.evil.example/meet/1", "the host is"),
        ("https://teams.microsoft.com/l/chat/19%3a1%40thread.v2/0", "the path is neither"),
        ("https://teams.microsoft.com/meet/abc?p=1", "not a number"),
        ("https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0", "no context"),
        ("https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0?context=%7b%7d", "no tenant"),
        ("https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0?context=%7b%22Tid%22%3a%22t%22%7d", "no organizer"),
        ("https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0?context=nope", "not JSON"),
        ("https://teams.microsoft.com/l/meetup-join/meeting_x/0?context=%7b%7d", "not a Teams chat thread"),
        ("https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/x?context=%7b%7d", "message id"),
        ("https://teams.microsoft.com/l/meetup-join/19%3a%ff%40thread.v2/0?context=%7b%7d", "not UTF-8"),
        ("https://teams.microsoft.com/l/meetup-join/19%3a%+f%40thread.v2/0?context=%7b%7d", "broken %-escape"),
        ("https://teams.live.com/meet/1234567", "the host is"),
        // The review's cases: a tenant or organizer that is not a GUID, a thread id with
        // `/../` or a control character.
        ("https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0?context=%7b%22Tid%22%3a%22t%22%2c%22Oid%22%3a%225810cede-f3cc-42eb-b2c1-e9bd5d53ec96%22%7d", "the tenant (Tid) is not a GUID"),
        ("https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0?context=%7b%22Tid%22%3a%22aa67bd4c-8475-432d-bd41-39f255720e0a%22%2c%22Oid%22%3a%22..%2f..%2fusers%22%7d", "the organizer (Oid) is not a GUID"),
        ("https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%2f..%2fy%40thread.v2/0?context=%7b%7d", "not a Teams chat thread"),
        ("https://teams.microsoft.com/l/meetup-join/19%3ameeting_%0ax%40thread.v2/0?context=%7b%7d", "not a Teams chat thread"),
        ("https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2%2f..%2f/0?context=%7b%7d", "not a Teams chat thread"),
        ("https://teams.microsoft.com/l/meetup-join/19%3a%40thread.v2/0?context=%7b%7d", "not a Teams chat thread"),
    ] {
        let err = parse(link).expect_err(link).to_string();
        assert!(err.contains(why), "{link}: {err}");
    }
}
