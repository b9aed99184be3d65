//! `Debug` for what a body held, with the values of secret-named properties hidden: every
//! `extra` map, every JSON value kept as it came (`ResourceData::Other`, a field typed as any
//! JSON), and every typed field whose property is named like a secret.

use std::fmt;

use serde_json::{Map, Value};

/// The words that make a property name a secret's, wherever they stand in it (`accessToken`,
/// `client_secret`, `sharedKey`, `APIKey`, `Authorization`). A name is split into words at
/// `_`, `-`, `.`, where a lower-case letter meets an upper-case one, and before the last
/// capital of a run of capitals followed by a lower-case letter (`APIKey` -> `API`, `Key`);
/// each word is compared without regard to case: `key` hides `apiKey` and `key` but not
/// `monkey` or `keyboard`. A name written all in lower case is a secret's when it ends with one
/// of [`SECRET_SUFFIXES`] (`accesstoken`, `apikey`).
const SECRET_WORDS: &[&str] = &[
    "token",
    "tokens",
    "secret",
    "secrets",
    "password",
    "passwd",
    "credential",
    "credentials",
    "signature",
    "key",
    "keys",
    "authorization",
    "cookie",
    "passcode",
    "pwd",
    "bearer",
    "sig",
    "jwt",
    "sas",
];

/// Endings that make a name run together in lower case a secret's: the words above long enough
/// not to end ordinary words, and the usual compounds of `key`.
const SECRET_SUFFIXES: &[&str] = &[
    "token",
    "tokens",
    "secret",
    "password",
    "passwd",
    "credential",
    "credentials",
    "signature",
    "authorization",
    "passcode",
    "pwd",
    "jwt",
    "apikey",
    "accesskey",
    "privatekey",
    "secretkey",
    "sharedkey",
    "signingkey",
    "subscriptionkey",
];

/// Whether a property named `key` holds a secret (see [`SECRET_WORDS`]).
pub(crate) fn is_secret_name(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    words(key).any(|word| SECRET_WORDS.iter().any(|s| s.eq_ignore_ascii_case(word)))
        || SECRET_SUFFIXES.iter().any(|suffix| lower.ends_with(suffix))
}

/// The words of a property name: split at non-alphanumerics and at lower-to-upper case.
fn words(name: &str) -> impl Iterator<Item = &str> {
    let mut bounds = Vec::new();
    let chars: Vec<(usize, char)> = name.char_indices().collect();
    for (position, &(index, c)) in chars.iter().enumerate().skip(1) {
        let previous = chars[position - 1].1;
        let next = chars.get(position + 1).map(|&(_, n)| n);
        let lower_to_upper =
            (previous.is_lowercase() || previous.is_ascii_digit()) && c.is_uppercase();
        // `APIKey`: the `K` starts a word, as the capital before a lower-case letter.
        let acronym_end =
            previous.is_uppercase() && c.is_uppercase() && next.is_some_and(char::is_lowercase);
        if lower_to_upper || acronym_end {
            bounds.push(index);
        }
    }
    let mut start = 0;
    let mut pieces = Vec::new();
    for bound in bounds.into_iter().chain(std::iter::once(name.len())) {
        pieces.push(&name[start..bound]);
        start = bound;
    }
    pieces
        .into_iter()
        .flat_map(|piece| piece.split(|c: char| !c.is_alphanumeric()))
        .filter(|word| !word.is_empty())
}

/// Shows a map of extra properties, with the values of secret-named properties replaced by
/// `<redacted>`, at any depth. Graph's `recordOperation` carries a `recordingAccessToken`,
/// for one.
pub struct RedactedExtra<'a>(pub &'a Map<String, Value>);

impl fmt::Debug for RedactedExtra<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(key, value)| {
                (
                    key,
                    Redacted {
                        secret: is_secret_name(key),
                        value,
                    },
                )
            }))
            .finish()
    }
}

/// Shows any JSON value kept as it came, secret-named properties inside it redacted.
pub struct RedactedValue<'a>(pub &'a Value);

impl fmt::Debug for RedactedValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Redacted {
            secret: false,
            value: self.0,
        }
        .fmt(f)
    }
}

/// Shows a text as `Debug` does, but the query string and user info of every URL in it
/// hidden: a SAS URL's `sig=`, an Azure Functions `?code=` key or a password in
/// `https://user:pwd@host` never reach a log, whether the text is the URL or holds one
/// (`failed to fetch https://...`). `https://bot.contoso.com/api/calls?code=abc` shows as
/// `"https://bot.contoso.com/api/calls?<redacted>"`.
pub struct RedactedText<'a>(pub &'a str);

impl fmt::Debug for RedactedText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match hide_url_secrets(self.0) {
            Some(hidden) => fmt::Debug::fmt(hidden.as_str(), f),
            None => fmt::Debug::fmt(self.0, f),
        }
    }
}

/// `text` with the query string and user info of each URL (`scheme://...`) in it replaced by
/// `<redacted>`; `None` when there is nothing to hide. A URL ends at white space or a quote or
/// angle bracket.
pub(crate) fn hide_url_secrets(text: &str) -> Option<String> {
    let ends_url = |c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`');
    let mut shown = String::new();
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = text[from..].find("://") {
        let marker = from + found;
        from = marker + 3;
        // The scheme: letters, digits, `+`, `-`, `.` before `://`, starting with a letter.
        let scheme_start = text[..marker]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
            .map_or(0, |at| at + 1);
        if !text[scheme_start..marker].starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let rest = &text[from..];
        let url_len = rest.find(ends_url).unwrap_or(rest.len());
        let url = &rest[..url_len];
        let authority_len = url.find(['/', '?', '#']).unwrap_or(url.len());
        let user_info = url[..authority_len].rfind('@');
        let query = url[authority_len..].find('?').map(|q| authority_len + q);
        if user_info.is_none() && query.is_none() {
            continue;
        }
        shown.push_str(&text[copied..from]);
        match user_info {
            Some(at) => {
                shown.push_str("<redacted>@");
                shown.push_str(&url[at + 1..query.unwrap_or(url_len).max(at + 1)]);
            }
            None => shown.push_str(&url[..query.unwrap_or(url_len)]),
        }
        if query.is_some() {
            shown.push_str("?<redacted>");
        }
        copied = from + url_len;
        from = copied;
    }
    if copied == 0 {
        return None;
    }
    shown.push_str(&text[copied..]);
    Some(shown)
}

/// Shows a request body as its JSON: the struct's name, then each property; the values of
/// secret-named properties, and URLs' query strings and user info, hidden at any depth. The
/// request types (`types::*`) show themselves so: a prompt's SAS URL or an `extra`
/// `accessToken` never reaches a log.
pub fn debug_as_json<T: serde::Serialize>(
    name: &str,
    value: &T,
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => {
            let mut shown = f.debug_struct(name);
            for (key, value) in &map {
                shown.field(
                    key,
                    &Redacted {
                        secret: is_secret_name(key),
                        value,
                    },
                );
            }
            shown.finish()
        }
        Ok(other) => f
            .debug_tuple(name)
            .field(&Redacted {
                secret: false,
                value: &other,
            })
            .finish(),
        Err(_) => f.debug_struct(name).finish_non_exhaustive(),
    }
}

/// Shows a typed field of a generated struct: `<redacted>` when its property is named like a
/// secret and it has a value, else the value's own `Debug`.
pub struct RedactedField<'a, T> {
    /// The property's name in JSON.
    pub key: &'static str,
    /// The field.
    pub value: &'a Option<T>,
}

impl<T: fmt::Debug> fmt::Debug for RedactedField<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.value {
            Some(_) if is_secret_name(self.key) => f.write_str("Some(<redacted>)"),
            value => value.fmt(f),
        }
    }
}

struct Redacted<'a> {
    secret: bool,
    value: &'a Value,
}

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.secret && !self.value.is_null() {
            return f.write_str("<redacted>");
        }
        match self.value {
            Value::Object(map) => RedactedExtra(map).fmt(f),
            Value::Array(items) => f
                .debug_list()
                .entries(items.iter().map(|value| Redacted {
                    secret: false,
                    value,
                }))
                .finish(),
            // On one line, as serde_json shows a string even in `{:#?}`.
            Value::String(text) => {
                f.write_str("String(")?;
                RedactedText(text).fmt(f)?;
                f.write_str(")")
            }
            other => other.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_words_are_found_as_words_not_as_letters() {
        for name in [
            "key",
            "Key",
            "apiKey",
            "shared_key",
            "recordingAccessToken",
            "client-secret",
            "Authorization",
            "x.password",
            "signingKeys",
            "credentials",
            "APIKey",
            "SASToken",
            "JWTToken",
            "apikey",
            "accesstoken",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "pwd", "userPwd", "bearer", "sig", "jwt", "sas", "sasUrl", "db_pwd",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "monkey", "keyboard", "id", "tokenize", "turkey", "isMuted", "code", "signal",
            "kansas", "design",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn url_query_strings_and_user_info_are_hidden() {
        let shown = |text: &str| format!("{:?}", RedactedText(text));
        assert_eq!(
            shown("https://bot.contoso.com/api/calls?code=abc=="),
            r#""https://bot.contoso.com/api/calls?<redacted>""#
        );
        assert_eq!(
            shown("https://x.blob.core.windows.net/p/a.wav?sv=2020&sig=s3cr3t#t"),
            r#""https://x.blob.core.windows.net/p/a.wav?<redacted>""#
        );
        assert_eq!(
            shown("https://user:pwd@host.example/path"),
            r#""https://<redacted>@host.example/path""#
        );
        assert_eq!(
            shown("https://bot.contoso.com/api/calls"),
            r#""https://bot.contoso.com/api/calls""#
        );
        assert_eq!(shown("a question? yes"), r#""a question? yes""#);
        assert_eq!(shown("://x?y and 1://z?w"), r#""://x?y and 1://z?w""#);
        // A URL inside a text, and every one of several.
        assert_eq!(
            shown("failed: https://x.blob.core.windows.net/a.wav?sig=abc (and http://u:p@h/q?x=1)"),
            // The `)` is read as part of the query: a URL ends only at white space or a quote.
            r#""failed: https://x.blob.core.windows.net/a.wav?<redacted> (and http://<redacted>@h/q?<redacted>""#
        );
        assert_eq!(
            shown(r#"{"uri":"https://h/p?code=k","next":"https://h/ok"}"#),
            r#""{\"uri\":\"https://h/p?<redacted>\",\"next\":\"https://h/ok\"}""#
        );
    }

    #[test]
    fn values_are_hidden_at_any_depth_in_maps_and_arrays() {
        let value = serde_json::json!({
            "a": [{"key": "k1"}, {"nested": {"apiKey": "k2", "id": "visible"}}],
            "token": null
        });
        let shown = format!("{:?}", RedactedValue(&value));
        assert!(!shown.contains("k1") && !shown.contains("k2"), "{shown}");
        assert!(
            shown.contains("visible") && shown.contains("Null"),
            "{shown}"
        );
    }
}
