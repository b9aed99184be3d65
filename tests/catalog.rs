//! The termination catalog beyond Graph's table: every source checkable, the pairs reported in
//! the wild resolved, a reason for any pair from the rules, and `DiagCode` in every spelling
//! seen in Graph's bodies and bots' reports.

use msgraph_calls::notifications::DiagCode;
use msgraph_calls::termination::{self, Basis, Category, Lang, Source};

#[test]
fn every_row_says_where_it_was_read() {
    for row in termination::all() {
        let at = row.seen_at.unwrap_or_default();
        let checkable = match row.source {
            Source::GraphCallDelete => row.seen_at.is_none(),
            // `microsoft-graph-docs-contrib <path>.md:<line>`
            Source::GraphDocsExample => at
                .strip_prefix("microsoft-graph-docs-contrib api-reference/")
                .and_then(|rest| rest.rsplit_once(".md:"))
                .is_some_and(|(_, line)| line.parse::<u32>().is_ok()),
            Source::DirectRouting => at.starts_with(
                "https://learn.microsoft.com/en-us/microsoftteams/troubleshoot/phone-system/direct-routing/microsoft-sip-response-codes-",
            ),
            Source::AcsDocs => at.starts_with(
                "https://learn.microsoft.com/en-us/azure/communication-services/resources/troubleshooting/",
            ),
            // `owner/repo#number` or a URL
            Source::Observed => {
                at.starts_with("https://")
                    || at.split_once('#').is_some_and(|(repo, number)| {
                        repo.split('/').count() == 2 && number.parse::<u32>().is_ok()
                    })
            }
            other => panic!("a source this test does not know: {other:?}"),
        };
        assert!(checkable, "{row} is not checkable: {:?}", row.seen_at);
        assert_eq!(row.is_documented(), row.source != Source::Observed, "{row}");
    }
}

#[test]
fn the_pairs_users_asked_about_are_rows() {
    // microsoft-graph-comms-samples issues 433, 474, 667, 742; microsoft-graph-docs-contrib 63.
    for (code, subcode) in [
        (500, 7106),
        (500, 1999),
        (500, 9999),
        (408, 13025),
        (400, 2203),
    ] {
        let row = termination::lookup(code, subcode)
            .unwrap_or_else(|| panic!("{code}/{subcode} is not in the catalog"));
        assert_eq!(row.source, Source::Observed, "{row}");
        assert!(termination::explain(code, subcode).is_from_catalog());
    }
    // A pair of Graph's own examples, and one of Direct Routing's table.
    let transfer = termination::lookup(0, 7015).unwrap();
    assert_eq!(transfer.message(), "GracefulTransferCompleted");
    assert_eq!(transfer.source, Source::GraphDocsExample);
    let acs = termination::lookup(487, 10003).unwrap();
    assert_eq!(acs.source, Source::AcsDocs);
    assert!(acs.is_documented());
    let sbc = termination::lookup(403, 560403).unwrap();
    assert_eq!(sbc.source, Source::DirectRouting);
    assert_eq!(sbc.message(), "Forbidden; Call rejected");
}

#[test]
fn a_subcode_560xxx_is_the_sbcs_sip_answer() {
    // Not a row: the rule reads the SIP code from the subcode, its phrase from RFC 3261.
    assert!(termination::lookup(600, 560600).is_none());
    let why = termination::explain(600, 560600);
    assert_eq!(
        why.basis,
        Basis::Rule {
            index: 0,
            sip: Some(600)
        }
    );
    assert_eq!(why.message(), "The SBC answered SIP 600 (Busy Everywhere).");
    assert_eq!(
        why.message_in(Lang::Fr),
        "Le SBC a répondu SIP 600 (Busy Everywhere)."
    );
    assert_eq!(why.category, Category::Unreachable);
    assert_eq!(
        termination::explain(487, 560408).category,
        Category::Timeout
    );
    assert_eq!(
        termination::explain(0, 560503).category,
        Category::ServiceError
    );
    assert_eq!(
        termination::explain(480, 560499).message(),
        "The SBC answered SIP 499 (no reason phrase registered)."
    );
    // A row wins over the rule.
    assert!(termination::explain(403, 560403).is_from_catalog());
}

#[test]
fn every_other_pair_is_explained_by_its_family() {
    let cases = [
        (0, 424242, Category::NormalEnd, "Graph reports success; subcode 424242 says what completed."),
        (200, 424242, Category::NormalEnd, "The call ended normally (code 200); subcode 424242 is not in the catalog."),
        (480, 1, Category::Unreachable, "SIP 480 (Temporarily Unavailable); subcode 1 is not in the catalog."),
        (410, 1, Category::MediaFailure, "SIP 410 (Gone); subcode 1 is not in the catalog."),
        (603, 1, Category::Unreachable, "SIP 603 (Decline); subcode 1 is not in the catalog."),
        (500, 1, Category::ServiceError, "SIP 500 (Server Internal Error); subcode 1 is not in the catalog."),
        (302, 1, Category::Unknown, "Code 302 with subcode 1 is neither in the catalog nor of a known class: read the message."),
        (-1, -1, Category::Unknown, "Code -1 with subcode -1 is neither in the catalog nor of a known class: read the message."),
    ];
    for (code, subcode, category, message) in cases {
        let why = termination::explain(code, subcode);
        assert!(!why.is_from_catalog(), "{code}/{subcode}");
        assert_eq!(why.category, category, "{code}/{subcode}");
        assert_eq!(why.message(), message, "{code}/{subcode}");
        assert_eq!(
            termination::category(code, subcode),
            category,
            "{code}/{subcode}"
        );
        assert_ne!(
            why.message_in(Lang::Fr),
            message,
            "{code}/{subcode}: the rules speak French"
        );
    }
}

#[test]
fn explain_agrees_with_lookup_for_every_row() {
    for row in termination::all() {
        let why = termination::explain(row.code, row.subcode);
        assert_eq!(why.basis, Basis::Row(row));
        assert_eq!(why.message(), row.message());
        assert_eq!(why.category, row.category);
    }
}

/// Every spelling seen in Graph's bodies and the bots' issue trackers (the issues are named in
/// `schema/README.md`), and the edges around them.
#[test]
fn diag_codes_are_read_in_every_spelling_seen() {
    let cases: &[(&str, &[(i32, i32)])] = &[
        (
            "Server Internal Error. DiagCode: 3003#7106.@",
            &[(3003, 7106)],
        ),
        (
            "Server Internal Error. DiagCode: 3002#7106",
            &[(3002, 7106)],
        ),
        ("MediaProcessorShutdown. DiagCode: 500#2019", &[(500, 2019)]),
        (
            "Client Media Error. DiagCode: 410#301005.@",
            &[(410, 301005)],
        ),
        ("Server Internal Error. DiagCode: 500#1999.", &[(500, 1999)]),
        ("Bad Request. DiagCode: 400#2203", &[(400, 2203)]),
        (
            "Error: 408 Request Timeout, subcode: 13025, diagcode: 408#13025.@ (???)",
            &[(408, 13025)],
        ),
        (
            "Server Internal Error. DiagCode: 500#3002.@\"",
            &[(500, 3002)],
        ),
        (
            "Server Internal Error. DiagCode: 500#560500.@",
            &[(500, 560500)],
        ),
        (
            "first DiagCode: 480#1203.@ then DIAGCODE:560480#10021",
            &[(480, 1203), (560480, 10021)],
        ),
        ("DiagCode : -1#-2", &[(-1, -2)]),
        // Not a DiagCode: the pair is missing, or Direct Routing's other form.
        ("DiagCode: x#1.@", &[]),
        ("DiagCode: 500#", &[]),
        ("DiagCode: 500", &[]),
        ("DiagCode 500#1", &[]),
        ("DiagCode: 99999999999#1", &[]),
        (
            "InternalDiagCode: CannotSupportAnyMedia, InternalErrorPhrase: Invalid SDP offer",
            &[],
        ),
        ("", &[]),
    ];
    for (message, expected) in cases {
        let all: Vec<_> = DiagCode::all(message)
            .iter()
            .map(|d| (d.code, d.subcode))
            .collect();
        assert_eq!(&all, expected, "{message:?}");
        let last = DiagCode::parse(message).map(|d| (d.code, d.subcode));
        assert_eq!(last, expected.last().copied(), "{message:?}");
    }
}

#[test]
fn a_diag_code_is_explained_like_any_pair() {
    let diag = DiagCode::parse("Server Internal Error. DiagCode: 500#7112.@").unwrap();
    assert!(diag.explain().is_from_catalog());
    assert_eq!(diag.category(), Category::ServiceError);
}
