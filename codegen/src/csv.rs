//! A small CSV reader (RFC 4180 quoting, one record per line) that keeps line numbers.
//!
//! The termination table is hand-edited; a reader that knows which line a record came from can
//! say `schema/termination-codes.csv:14: ...`. Quoted fields may hold commas and `""`; a record
//! spanning lines is refused, since no reason in the table needs one.

/// One record and the 1-based line it stands on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The 1-based line of the record.
    pub line: usize,
    /// Its fields, unquoted.
    pub fields: Vec<String>,
}

/// Writes `fields` as one CSV line (no line ending), quoting the fields that need it.
pub fn to_line(fields: &[String]) -> String {
    fields
        .iter()
        .map(|field| {
            if field.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", field.replace('"', "\"\""))
            } else {
                field.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Splits `text` into records, skipping blank lines. Errors carry the line number.
pub fn records(text: &str) -> Result<Vec<Record>, (usize, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    for (index, raw) in text.split('\n').enumerate() {
        let line = index + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if raw.trim().is_empty() {
            continue;
        }
        let fields = split(raw).map_err(|message| (line, message))?;
        out.push(Record { line, fields });
    }
    Ok(out)
}

fn split(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        let mut field = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    Some('"') => break,
                    Some(c) => field.push(c),
                    None => {
                        return Err(format!(
                            "field {} opens a quote that is not closed on this line",
                            fields.len() + 1
                        ))
                    }
                }
            }
            match chars.next() {
                None => {
                    fields.push(field);
                    return Ok(fields);
                }
                Some(',') => fields.push(field),
                Some(c) => {
                    return Err(format!(
                        "field {} has `{c}` after its closing quote; quote the whole field and double inner quotes (\"\")",
                        fields.len() + 1
                    ))
                }
            }
        } else {
            loop {
                match chars.next() {
                    None => {
                        fields.push(field);
                        return Ok(fields);
                    }
                    Some(',') => break,
                    Some('"') => {
                        return Err(format!(
                            "field {} has a quote inside an unquoted value; quote the whole field and double inner quotes (\"\")",
                            fields.len() + 1
                        ))
                    }
                    Some(c) => field.push(c),
                }
            }
            fields.push(field);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(line: &str) -> Vec<String> {
        split(line).unwrap()
    }

    #[test]
    fn plain_fields_are_split_on_commas() {
        assert_eq!(fields("a,b,,c"), ["a", "b", "", "c"]);
    }

    #[test]
    fn quoted_fields_keep_commas_and_doubled_quotes() {
        assert_eq!(
            fields(r#"1,"a, b","say ""hi""""#),
            ["1", "a, b", r#"say "hi""#]
        );
        assert_eq!(fields(r#""x",y"#), ["x", "y"]);
        assert_eq!(fields(r#"x,"""#), ["x", ""]);
    }

    #[test]
    fn an_unclosed_quote_is_an_error() {
        assert!(split(r#"1,"abc"#)
            .unwrap_err()
            .contains("field 2 opens a quote"));
    }

    #[test]
    fn text_after_a_closing_quote_is_an_error() {
        assert!(split(r#""ab"c,d"#)
            .unwrap_err()
            .contains("field 1 has `c` after"));
    }

    #[test]
    fn a_quote_inside_an_unquoted_field_is_an_error() {
        assert!(split(r#"a,b"c"#)
            .unwrap_err()
            .contains("field 2 has a quote"));
    }

    #[test]
    fn records_keep_line_numbers_and_skip_blank_lines() {
        let text = "\u{feff}h1,h2\r\n\r\n1,2\n\n3,4\n";
        let recs = records(text).unwrap();
        assert_eq!(recs.iter().map(|r| r.line).collect::<Vec<_>>(), [1, 3, 5]);
        assert_eq!(recs[0].fields, ["h1", "h2"]);
        assert_eq!(recs[2].fields, ["3", "4"]);
    }

    #[test]
    fn lines_written_read_back_the_same() {
        let fields: Vec<String> = ["200", "a, b", r#"say "hi""#, "", "é"]
            .map(String::from)
            .to_vec();
        let line = to_line(&fields);
        assert_eq!(line, r#"200,"a, b","say ""hi""",,é"#);
        assert_eq!(split(&line).unwrap(), fields);
    }

    #[test]
    fn record_errors_name_the_line() {
        assert_eq!(records("a,b\nc,\"d\n").unwrap_err().0, 2);
    }
}
