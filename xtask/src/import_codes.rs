//! `cargo xtask import-codes --lang <xx> <page> [--write]`: the "call end reason codes" table
//! of a Graph doc page, in any language, against `schema/termination-codes.csv`.
//!
//! The page is the docs' markdown source (a `| code | subcode | reason |` table) or the plain
//! text of a rendered page (lines `200 4097 reason`, as in the French seed page). A row such as
//! `540000/560000` covers two pairs. Without `--write` nothing is changed: the differences are
//! reported. With `--write` the language's column is created or filled and differing reasons
//! are replaced; rows are never added or removed (a new pair needs its category and English
//! reason, chosen by a person).

use std::collections::BTreeMap;

use msgraph_calls_codegen::csv;
use msgraph_calls_codegen::termination;

/// One pair of the page's table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRow {
    /// The 1-based line of the page.
    pub line: usize,
    /// The code.
    pub code: i32,
    /// The subcode.
    pub subcode: i32,
    /// The reason, as the page prints it.
    pub reason: String,
}

/// Reads the code table of a page. `name` labels errors (`page.md:12: ...`).
pub fn parse_page(text: &str, name: &str) -> Result<Vec<PageRow>, Vec<String>> {
    let lines: Vec<&str> = text.lines().collect();
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index].trim();
        if line.starts_with('|') {
            // A markdown table: header, separator, rows. The code table is the one whose first
            // row starts with an integer.
            let start = index;
            while index < lines.len() && lines[index].trim().starts_with('|') {
                index += 1;
            }
            let table = &lines[start..index];
            let is_code_table = table
                .get(2)
                .and_then(|row| cells(row).first().map(|c| c.parse::<i32>().is_ok()))
                .unwrap_or(false);
            if is_code_table {
                for (offset, row) in table.iter().enumerate().skip(2) {
                    let found = cells(row);
                    match found.as_slice() {
                        [code, subcodes, reason] => push_row(
                            start + offset + 1,
                            code,
                            subcodes,
                            reason,
                            name,
                            &mut rows,
                            &mut problems,
                        ),
                        _ => problems.push(format!(
                            "{name}:{}: expected 3 cells (code | subcode | reason), found {}",
                            start + offset + 1,
                            found.len()
                        )),
                    }
                }
            }
            continue;
        }
        if starts_with_code(line) {
            // Plain text: a run of lines that start with a three-digit code.
            while index < lines.len() && starts_with_code(lines[index].trim()) {
                let row = lines[index].trim();
                let mut parts = row.splitn(3, char::is_whitespace);
                let (code, subcodes, reason) = (parts.next(), parts.next(), parts.next());
                match (code, subcodes, reason) {
                    (Some(code), Some(subcodes), Some(reason)) => push_row(
                        index + 1,
                        code,
                        subcodes,
                        reason,
                        name,
                        &mut rows,
                        &mut problems,
                    ),
                    _ => problems.push(format!(
                        "{name}:{}: expected `code subcode reason`",
                        index + 1
                    )),
                }
                index += 1;
            }
            continue;
        }
        index += 1;
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(format!(
            "{name}: no call end reason table found (rows of code, subcode, reason)"
        ));
    }
    let mut seen = BTreeMap::new();
    for row in &rows {
        if let Some(first) = seen.insert((row.code, row.subcode), row.line) {
            problems.push(format!(
                "{name}:{}: pair {}/{} again (first at line {first})",
                row.line, row.code, row.subcode
            ));
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

fn cells(row: &str) -> Vec<String> {
    let row = row.trim().trim_start_matches('|').trim_end_matches('|');
    row.split('|').map(|cell| cell.trim().to_owned()).collect()
}

fn starts_with_code(line: &str) -> bool {
    let first = line.split_whitespace().next().unwrap_or_default();
    first.len() == 3 && first.bytes().all(|b| b.is_ascii_digit())
}

fn push_row(
    line: usize,
    code: &str,
    subcodes: &str,
    reason: &str,
    name: &str,
    rows: &mut Vec<PageRow>,
    problems: &mut Vec<String>,
) {
    let Ok(code) = code.trim().parse::<i32>() else {
        problems.push(format!("{name}:{line}: code `{code}` is not an integer"));
        return;
    };
    let reason = reason.trim();
    if reason.is_empty() {
        problems.push(format!("{name}:{line}: the reason is empty"));
        return;
    }
    for subcode in subcodes.trim().split('/') {
        match subcode.trim().parse::<i32>() {
            Ok(subcode) => rows.push(PageRow {
                line,
                code,
                subcode,
                reason: reason.to_owned(),
            }),
            Err(_) => problems.push(format!(
                "{name}:{line}: subcode `{subcode}` is not an integer"
            )),
        }
    }
}

/// What comparing the page with the CSV found, and the CSV to write when asked.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Differences that `--write` resolves (a new column, empty or differing reasons).
    pub fixable: Vec<String>,
    /// Differences a person must resolve (pairs on one side only).
    pub manual: Vec<String>,
    /// The CSV with the page's reasons in the language's column.
    pub updated: String,
}

/// Compares the page's rows with the `reason_<lang>` column of the CSV.
pub fn compare(
    csv_text: &str,
    csv_name: &str,
    lang: &str,
    page: &[PageRow],
) -> Result<Outcome, String> {
    if lang.is_empty() || !lang.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return Err(format!(
            "--lang `{lang}`: use a lowercase language code such as `fr` or `pt_br`"
        ));
    }
    let records = csv::records(csv_text)
        .map_err(|(line, message)| format!("{csv_name}:{line}: {message}"))?;
    let Some((header, body)) = records.split_first() else {
        return Err(format!("{csv_name}: is empty"));
    };
    let column_name = format!("reason_{lang}");
    let column = header.fields.iter().position(|f| *f == column_name);
    let mut outcome = Outcome::default();
    let mut lines: Vec<String> = csv_text.lines().map(str::to_owned).collect();
    if column.is_none() {
        outcome
            .fixable
            .push(format!("{csv_name}: no column `{column_name}` yet"));
        let mut fields = header.fields.clone();
        fields.push(column_name.clone());
        lines[header.line - 1] = csv::to_line(&fields);
    }
    let by_pair: BTreeMap<(i32, i32), &PageRow> =
        page.iter().map(|r| ((r.code, r.subcode), r)).collect();
    let mut in_csv = BTreeMap::new();
    for record in body {
        let pair = (
            record.fields.first().and_then(|c| c.parse::<i32>().ok()),
            record.fields.get(1).and_then(|s| s.parse::<i32>().ok()),
        );
        let (Some(code), Some(subcode)) = pair else {
            return Err(format!(
                "{csv_name}:{}: code and subcode must be integers",
                record.line
            ));
        };
        in_csv.insert((code, subcode), record.line);
        let Some(row) = by_pair.get(&(code, subcode)) else {
            outcome.manual.push(format!(
                "{csv_name}:{}: pair {code}/{subcode} is not on the page",
                record.line
            ));
            continue;
        };
        let mut fields = record.fields.clone();
        let current = match column {
            Some(index) => fields.get(index).cloned().unwrap_or_default(),
            None => String::new(),
        };
        if current == row.reason {
            continue;
        }
        if current.is_empty() {
            outcome.fixable.push(format!(
                "{csv_name}:{}: {code}/{subcode} gets `{}`",
                record.line, row.reason
            ));
        } else {
            outcome.fixable.push(format!(
                "{csv_name}:{}: {code}/{subcode} differs: `{current}` here, `{}` on the page (line {})",
                record.line, row.reason, row.line
            ));
        }
        match column {
            Some(index) => {
                fields.resize(fields.len().max(index + 1), String::new());
                fields[index] = row.reason.clone();
            }
            None => fields.push(row.reason.clone()),
        }
        lines[record.line - 1] = csv::to_line(&fields);
    }
    if column.is_none() {
        // Rows the page does not cover still need the new column, empty.
        for record in body {
            let line = &mut lines[record.line - 1];
            if csv::records(line)
                .ok()
                .and_then(|r| r.first().map(|r| r.fields.len()))
                == Some(header.fields.len())
            {
                line.push(',');
            }
        }
    }
    for row in page {
        if !in_csv.contains_key(&(row.code, row.subcode)) {
            outcome.manual.push(format!(
                "page line {}: pair {}/{} is not in {csv_name}: add its row (category, English reason) by hand",
                row.line, row.code, row.subcode
            ));
        }
    }
    let mut updated = lines.join("\n");
    if csv_text.ends_with('\n') {
        updated.push('\n');
    }
    outcome.updated = updated;
    Ok(outcome)
}

/// Checks that the CSV to be written is still a valid table (what build.rs will check).
pub fn validate(csv_text: &str, csv_name: &str) -> Result<(), Vec<String>> {
    termination::parse(csv_text, csv_name)
        .map(|_| ())
        .map_err(|problems| problems.iter().map(ToString::to_string).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "code,subcode,category,source,seen_at,reason_en\n\
200,5001,normal_end,graph-call-delete,,The conversation has ended.\n\
200,540000,normal_end,graph-call-delete,,Call ended by the PSTN User.\n\
200,560000,normal_end,graph-call-delete,,Call ended by the PSTN User.\n\
408,8537,timeout,graph-call-delete,,\"Keep Alive timeout, cleaned up inactive call.\"\n";

    const MARKDOWN: &str = "# Delete call\n\n| Permission type | Least privileged |\n|:--|:--|\n| Application | Calls.Initiate.All |\n\n\
| Code | Sous-code | Motif |\n|:-----|:-----|:-----|\n\
| 200 | 5001 | La conversation est terminée. |\n\
| 200 | 540000/560000 | Appel terminé par l’utilisateur RTC. |\n\
| 408 | 8537 | Délai d’expiration Keep Alive, appel inactif nettoyé. |\n";

    const PLAIN: &str = "Codes de motif de fin d’appel\n\nCode Sous-code Motif de l’arrêt\n\
200 5001 La conversation est terminée.\n\
200 540000/560000 Appel terminé par l’utilisateur RTC.\n\
408 8537 Délai d’expiration Keep Alive, appel inactif nettoyé.\n";

    #[test]
    fn a_markdown_table_is_read_and_split() {
        let rows = parse_page(MARKDOWN, "page.md").unwrap();
        let pairs: Vec<_> = rows.iter().map(|r| (r.code, r.subcode, r.line)).collect();
        assert_eq!(
            pairs,
            [
                (200, 5001, 9),
                (200, 540000, 10),
                (200, 560000, 10),
                (408, 8537, 11)
            ]
        );
        assert_eq!(rows[0].reason, "La conversation est terminée.");
    }

    #[test]
    fn a_plain_text_page_is_read_and_split() {
        let rows = parse_page(PLAIN, "page.txt").unwrap();
        assert_eq!(rows.len(), 4);
        assert_eq!(
            rows[3].reason,
            "Délai d’expiration Keep Alive, appel inactif nettoyé."
        );
    }

    #[test]
    fn malformed_rows_are_reported_with_their_line() {
        let bad = MARKDOWN.replace("| 200 | 5001 |", "| 200 | 50O1 |");
        assert_eq!(
            parse_page(&bad, "page.md").unwrap_err(),
            ["page.md:9: subcode `50O1` is not an integer"]
        );
        let bad = MARKDOWN.replace("| 408 | 8537 | Délai", "| 408 | Délai");
        assert_eq!(
            parse_page(&bad, "page.md").unwrap_err(),
            ["page.md:11: expected 3 cells (code | subcode | reason), found 2"]
        );
        let bad = PLAIN.replace("200 540000/560000", "200 540000/56OOOO");
        assert_eq!(
            parse_page(&bad, "page.txt").unwrap_err(),
            ["page.txt:5: subcode `56OOOO` is not an integer"]
        );
        assert_eq!(
            parse_page("just prose\n", "page.txt").unwrap_err(),
            ["page.txt: no call end reason table found (rows of code, subcode, reason)"]
        );
        let twice = format!("{PLAIN}200 5001 Encore.\n");
        assert_eq!(
            parse_page(&twice, "page.txt").unwrap_err(),
            ["page.txt:7: pair 200/5001 again (first at line 4)"]
        );
    }

    #[test]
    fn a_new_language_column_is_filled_only_on_write() {
        let page = parse_page(PLAIN, "page.txt").unwrap();
        let outcome = compare(CSV, "codes.csv", "fr", &page).unwrap();
        assert!(outcome.manual.is_empty(), "{:?}", outcome.manual);
        assert_eq!(outcome.fixable.len(), 5, "{:#?}", outcome.fixable);
        assert_eq!(outcome.fixable[0], "codes.csv: no column `reason_fr` yet");
        assert!(outcome
            .updated
            .starts_with("code,subcode,category,source,seen_at,reason_en,reason_fr\n"));
        assert!(outcome
            .updated
            .contains("408,8537,timeout,graph-call-delete,,\"Keep Alive timeout, cleaned up inactive call.\",\"Délai d’expiration Keep Alive, appel inactif nettoyé.\"\n"));
        validate(&outcome.updated, "codes.csv").unwrap();
    }

    #[test]
    fn a_matching_column_reports_nothing() {
        let page = parse_page(PLAIN, "page.txt").unwrap();
        let filled = compare(CSV, "codes.csv", "fr", &page).unwrap().updated;
        let again = compare(&filled, "codes.csv", "fr", &page).unwrap();
        assert!(
            again.fixable.is_empty() && again.manual.is_empty(),
            "{again:?}"
        );
        assert_eq!(again.updated, filled);
    }

    #[test]
    fn differing_missing_and_new_pairs_are_reported() {
        let page = parse_page(PLAIN, "page.txt").unwrap();
        let filled = compare(CSV, "codes.csv", "fr", &page).unwrap().updated;
        let changed_page = PLAIN
            .replace(
                "La conversation est terminée.",
                "La conversation a pris fin.",
            )
            .replace("408 8537", "480 10076");
        let outcome = compare(
            &filled,
            "codes.csv",
            "fr",
            &parse_page(&changed_page, "page.txt").unwrap(),
        )
        .unwrap();
        assert_eq!(
            outcome.fixable,
            ["codes.csv:2: 200/5001 differs: `La conversation est terminée.` here, `La conversation a pris fin.` on the page (line 4)"]
        );
        assert_eq!(
            outcome.manual,
            [
                "codes.csv:5: pair 408/8537 is not on the page",
                "page line 6: pair 480/10076 is not in codes.csv: add its row (category, English reason) by hand",
            ]
        );
    }

    #[test]
    fn a_bad_language_or_csv_is_refused() {
        assert!(compare(CSV, "codes.csv", "FR", &[])
            .unwrap_err()
            .contains("lowercase language code"));
        assert_eq!(
            compare("code,subcode\nx,1\n", "codes.csv", "fr", &[]).unwrap_err(),
            "codes.csv:2: code and subcode must be integers"
        );
    }
}
