//! `termination-rules.csv` and `sip-responses.csv`: what the generator makes of good files, and
//! one case per refusal, each asserting its `file:line` message.

use msgraph_calls_codegen::rules::generate;

const RULES: &str = "schema/termination-rules.csv";
const SIP: &str = "schema/sip-responses.csv";
const RULES_HEADER: &str =
    "code_from,code_to,subcode_from,subcode_to,sip,category,reason_en,reason_fr\n";
const SIP_GOOD: &str = "code,reason,defined_in\n486,Busy Here,RFC 3261 section 21.4.24\n";

fn problems(rules: &str, sip: &str) -> Vec<String> {
    generate(rules, RULES, sip, SIP)
        .expect_err("this input must be refused")
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[track_caller]
fn assert_rule_refused(row: &str, message: &str) {
    let rules = format!("{RULES_HEADER}{row}\n");
    assert_eq!(
        problems(&rules, SIP_GOOD),
        [format!("{RULES}:2: {message}")]
    );
}

#[test]
fn good_files_become_matches_on_ranges() {
    let rules = format!(
        "{RULES_HEADER},,560100,560699,subcode-560000,sip-class,SBC {{sip}} ({{sip_reason}}).,\n\
         400,499,,,code,unreachable,SIP {{sip}} for {{code}}/{{subcode}}.,SIP {{sip}}.\n\
         ,,,,none,unknown,Anything.,Tout.\n"
    );
    let file = generate(&rules, RULES, SIP_GOOD, SIP).unwrap();
    let code: String = file.contents.split_whitespace().collect();
    assert!(
        code.contains("486=>Some(\"BusyHere\")"),
        "{}",
        file.contents
    );
    assert!(
        code.contains("(_,560100..=560699)=>Some(0)"),
        "{}",
        file.contents
    );
    assert!(code.contains("(400..=499,_)=>Some(1)"), "{}", file.contents);
    assert!(code.contains("(_,_)=>Some(2)"), "{}", file.contents);
    assert!(
        code.contains("SipFrom::SubcodeLess(560000)"),
        "{}",
        file.contents
    );
    // An empty French reason is left out: English stands in.
    assert!(
        code.contains("reasons:&[(\"en\",\"SBC{sip}({sip_reason}).\")]"),
        "{}",
        file.contents
    );
}

#[test]
fn rules_that_cannot_work_are_refused_with_their_line() {
    let cases = [
        (",,x,1,none,unknown,A.,", "subcode_from `x` is not an integer (32-bit) nor empty (any)"),
        ("500,400,,,none,unknown,A.,", "code_from 500 is above code_to 400"),
        ("400,,,,none,unknown,A.,", "code_from and code_to are both set or both empty (any code)"),
        (",,,,subcode+1,unknown,A.,", "sip `subcode+1` is not `none`, `code` or `subcode-<n>`"),
        (",,,,none,sip-class,A.,", "category `sip-class` needs a SIP code: set `sip`"),
        (",,,,code,fine,A.,", "unknown category `fine`"),
        (",,,,code,unknown,A {reason}.,", "`reason_en` holds `{reason}`; the placeholders are {code}, {subcode}, {sip}, {sip_reason}"),
        (",,,,none,unknown,SIP {sip}.,", "`reason_en` holds `{sip}` but the rule names no SIP code (`sip` is `none`)"),
        (",,,,none,unknown,,B.", "empty reason in column `reason_en`"),
        (",,,,none,unknown,A.", "7 columns, expected 8; quote a value that holds a comma"),
    ];
    for (row, message) in cases {
        assert_rule_refused(row, message);
    }
}

#[test]
fn a_rules_header_follows_the_catalogs_rule() {
    for (header, message) in [
        (
            "code_from,code_to,subcode_from,subcode_to,sip,reason_en\n",
            "header is `code_from,code_to,subcode_from,subcode_to,sip,reason_en`",
        ),
        (
            "code_from,code_to,subcode_from,subcode_to,sip,category,reason_fr\n",
            "header has no `reason_en` column",
        ),
        (
            "code_from,code_to,subcode_from,subcode_to,sip,category,reason_en,reason_en\n",
            "header names `reason_en` twice",
        ),
        (
            "code_from,code_to,subcode_from,subcode_to,sip,category,reason_en,notes\n",
            "header column `notes` is not `reason_<lang>`",
        ),
    ] {
        let found = problems(header, SIP_GOOD);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with(&format!("{RULES}:1: {message}")),
            "{found:?}"
        );
    }
    // English need not come first.
    let rules = "code_from,code_to,subcode_from,subcode_to,sip,category,reason_fr,reason_en\n,,,,none,unknown,Tout.,Anything.\n";
    assert!(generate(rules, RULES, SIP_GOOD, SIP).is_ok());
}

#[test]
fn sip_phrases_that_cannot_be_read_are_refused_with_their_line() {
    let rules = format!("{RULES_HEADER},,,,none,unknown,A.,\n");
    for (sip, message) in [
        (
            "code,reason\n",
            format!("{SIP}:1: header is `code,reason`; expected `code,reason,defined_in`"),
        ),
        (
            "code,reason,defined_in\n700,Nope,RFC 0\n",
            format!("{SIP}:2: code `700` is not a SIP response code (100 to 699)"),
        ),
        (
            "code,reason,defined_in\n486,,RFC 3261\n",
            format!("{SIP}:2: SIP 486 needs its reason phrase and where it is defined"),
        ),
        (
            "code,reason,defined_in\n486,Busy Here\n",
            format!("{SIP}:2: 2 columns, expected 3 (code,reason,defined_in)"),
        ),
        (
            "code,reason,defined_in\n486,Busy Here,RFC 3261\n486,Busy,RFC 3261\n",
            format!("{SIP}:3: duplicate SIP code 486 (first at line 2)"),
        ),
    ] {
        assert_eq!(problems(&rules, sip), [message]);
    }
}

#[test]
fn problems_of_both_files_are_reported_together() {
    let found = problems(
        &format!("{RULES_HEADER},,,,none,fine,A.,\n"),
        "code,reason,defined_in\n99,X,Y\n",
    );
    assert_eq!(
        found,
        [
            format!("{SIP}:2: code `99` is not a SIP response code (100 to 699)"),
            format!("{RULES}:2: unknown category `fine`"),
        ]
    );
}
