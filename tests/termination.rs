//! The termination table as compiled from `schema/termination-codes.csv`, checked against
//! Graph's English doc table (`tests/fixtures/call-end-reason-codes.en.csv`, the table of
//! microsoft-graph-docs-contrib `api-reference/v1.0/api/call-delete.md` in doc order).

use msgraph_calls::termination::{self, Category, Lang, Source};

/// The doc table's rows, with `540000/560000` split into its two pairs.
fn doc_rows() -> Vec<(i32, i32, String)> {
    let text = include_str!("fixtures/call-end-reason-codes.en.csv");
    let mut rows = Vec::new();
    for line in text.lines().skip(1) {
        let (code, rest) = line.split_once(',').unwrap();
        let (subcodes, reason) = rest.split_once(',').unwrap();
        let reason = reason.trim_matches('"').to_owned();
        for subcode in subcodes.split('/') {
            rows.push((
                code.parse().unwrap(),
                subcode.parse().unwrap(),
                reason.clone(),
            ));
        }
    }
    rows
}

#[test]
fn every_doc_pair_resolves_to_the_exact_english_text() {
    let rows = doc_rows();
    assert_eq!(rows.len(), 30);
    for (code, subcode, reason) in &rows {
        let found = termination::lookup(*code, *subcode)
            .unwrap_or_else(|| panic!("{code}/{subcode} missing"));
        assert_eq!(found.message(), reason, "{code}/{subcode}");
        assert_eq!(found.message_in(Lang::En), reason, "{code}/{subcode}");
        assert_eq!((found.code, found.subcode), (*code, *subcode));
    }
}

#[test]
fn the_rows_of_the_delete_call_page_are_exactly_its_pairs() {
    let mut doc: Vec<_> = doc_rows().into_iter().map(|(c, s, _)| (c, s)).collect();
    doc.sort_unstable();
    let table: Vec<_> = termination::all()
        .iter()
        .filter(|r| r.source == Source::GraphCallDelete)
        .map(|r| (r.code, r.subcode))
        .collect();
    assert_eq!(table, doc);
}

#[test]
fn the_pstn_row_covers_both_subcodes() {
    for subcode in [540000, 560000] {
        let reason = termination::lookup(200, subcode).unwrap();
        assert_eq!(reason.message(), "Call ended by the PSTN User.");
        assert_eq!(
            reason.message_in(Lang::Fr),
            "Appel terminé par l’utilisateur RTC."
        );
    }
}

#[test]
fn the_seed_reason_in_both_languages() {
    let reason = termination::lookup(200, 5001).unwrap();
    assert_eq!(reason.message(), "The conversation has ended.");
    assert_eq!(reason.message_in(Lang::Fr), "La conversation est terminée.");
    assert_eq!(reason.category, Category::NormalEnd);
}

#[test]
fn every_french_reason_is_french_and_the_others_fall_back_to_english() {
    for reason in termination::all() {
        let fr = reason.message_in(Lang::Fr);
        if reason.has_message_in(Lang::Fr) {
            assert_ne!(fr, reason.message(), "{reason}");
        } else {
            assert_eq!(fr, reason.message(), "{reason}");
        }
    }
    // The page's table has a French source; the other sources have none yet.
    assert!(termination::all()
        .iter()
        .filter(|r| r.source == Source::GraphCallDelete)
        .all(|r| r.has_message_in(Lang::Fr)));
}

#[test]
fn unknown_pairs_are_none_and_still_categorized() {
    assert!(termination::lookup(500, 424242).is_none());
    assert_eq!(termination::category(500, 424242), Category::ServiceError);
    assert!(termination::lookup(200, 424242).is_none());
    assert_eq!(termination::category(200, 424242), Category::NormalEnd);
    assert_eq!(termination::category(408, 1), Category::Timeout);
    assert_eq!(termination::category(410, 1), Category::MediaFailure);
    assert_eq!(termination::category(403, 1), Category::Unreachable);
    assert_eq!(termination::category(0, 424242), Category::NormalEnd);
    assert_eq!(termination::category(603, 1), Category::Unreachable);
    assert_eq!(termination::category(700, 1), Category::Unknown);
    assert_eq!(termination::category(-1, -1), Category::Unknown);
    assert_eq!(termination::category(i32::MAX, i32::MIN), Category::Unknown);
}

#[test]
fn a_table_row_overrides_its_code_class() {
    // 500/1005 is the bot's media connectivity, not a service failure.
    assert_eq!(Category::from_code(500), Category::ServiceError);
    assert_eq!(termination::category(500, 1005), Category::MediaFailure);
}

#[test]
fn lookup_and_all_agree() {
    for reason in termination::all() {
        assert_eq!(
            termination::lookup(reason.code, reason.subcode),
            Some(reason)
        );
    }
}

#[test]
fn rendered_table() {
    let mut out = String::new();
    for reason in termination::all() {
        out.push_str(&format!("{reason}\n"));
        out.push_str(&format!(
            "    source: {}{}\n",
            reason.source.as_str(),
            reason
                .seen_at
                .map(|at| format!(", {at}"))
                .unwrap_or_default()
        ));
        for lang in Lang::ALL {
            if reason.has_message_in(lang) {
                out.push_str(&format!(
                    "    {}: {}\n",
                    lang.code(),
                    reason.message_in(lang)
                ));
            } else {
                out.push_str(&format!("    {}: (none; English stands in)\n", lang.code()));
            }
        }
    }
    insta::assert_snapshot!("rendered_table", out);
}

#[test]
fn lookup_agrees_with_a_binary_search() {
    for reason in termination::all() {
        for (code, subcode) in [
            (reason.code, reason.subcode),
            (reason.code, reason.subcode + 1),
            (reason.code + 1, reason.subcode),
        ] {
            let rows = termination::all();
            let searched = rows
                .binary_search_by(|row| (row.code, row.subcode).cmp(&(code, subcode)))
                .ok()
                .map(|index| &rows[index]);
            assert_eq!(
                searched,
                termination::lookup(code, subcode),
                "{code}/{subcode}"
            );
        }
    }
}

/// 0/7015 is sent as the bare name `GracefulTransferCompleted`: its French comes from the
/// French "Delete call" page's row for the same completed transfer (200/7015), not from the
/// English name standing in.
#[test]
fn a_completed_transfer_reads_in_french_from_a_french_source() {
    let reason = termination::lookup(0, 7015).unwrap();
    assert_eq!(reason.message(), "GracefulTransferCompleted");
    assert!(reason.has_message_in(Lang::Fr));
    assert_eq!(
        reason.message_in(Lang::Fr),
        termination::lookup(200, 7015).unwrap().message_in(Lang::Fr)
    );
    assert!(reason.message_in(Lang::Fr).contains("transfert"));
    // Where no French source exists, the English stands in and says so.
    let english_only = termination::lookup(500, 7000).unwrap();
    assert!(!english_only.has_message_in(Lang::Fr));
    assert_eq!(english_only.message_in(Lang::Fr), english_only.message());
}
