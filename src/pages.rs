//! Lists followed to their end: Graph answers a long list (the participants of a meeting of
//! hundreds) a page at a time, each page naming the next in `@odata.nextLink` (OData's
//! server-driven paging, DC concepts/paging.md). Each list operation whose spec says
//! `x-ms-pageable` has a generated `<name>_all` method returning [`Items`], which yields the
//! items of every page in order, fetching the next page when the last is used up.
//!
//! A next link is followed only when it stays on the client's own Graph: the same scheme,
//! host and port as the client's base URL, under its version segment. Any other link is
//! [`Error::UntrustedLink`] and nothing is sent: the link comes from a response body, and the
//! client's bearer token must never go where a body points. A list that names a page it
//! already gave, or runs past [`Items::max_pages`] pages, is [`Error::EndlessList`]: a list
//! always ends.

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;

use reqwest::{Method, Url};

use crate::client::Client;
use crate::error::Error;

type FirstPage<'a, T> = Pin<Box<dyn Future<Output = Result<Page<T>, Error>> + Send + 'a>>;
type Decode<T> = fn(&[u8]) -> Result<Page<T>, serde_json::Error>;

/// One page: its items and the link to the next.
#[doc(hidden)]
pub struct Page<T> {
    items: Vec<T>,
    next_link: Option<String>,
}

impl<T> Page<T> {
    /// A page of `items` followed by the page at `next_link`, if any (generated code builds
    /// the first page from its typed response).
    #[doc(hidden)]
    pub fn new(items: Vec<T>, next_link: Option<String>) -> Page<T> {
        Page { items, next_link }
    }
}

/// The body of a page after the first: OData's collection response (`value`,
/// `@odata.nextLink`).
#[derive(serde::Deserialize)]
#[serde(bound = "T: serde::de::DeserializeOwned")]
struct Collection<T> {
    #[serde(default)]
    value: Vec<T>,
    #[serde(rename = "@odata.nextLink", default)]
    next_link: Option<String>,
}

fn decode<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<Page<T>, serde_json::Error> {
    let page: Collection<T> = serde_json::from_slice(body)?;
    Ok(Page::new(page.value, page.next_link))
}

/// The items of a list, every page of it, in Graph's order: made by a list operation's
/// generated `<name>_all` method (`list_participants_all`). Nothing is sent until the first
/// [`next`](Items::next).
///
/// ```no_run
/// # async fn demo(client: msgraph_calls::Client) -> Result<(), msgraph_calls::Error> {
/// let mut participants = client.list_participants_all("57dab8b1-894c-409a-b240-bd8beae78896");
/// while let Some(participant) = participants.next().await {
///     let participant = participant?;
///     println!("{:?}", participant.id);
/// }
/// # Ok(()) }
/// ```
#[must_use = "an `Items` sends nothing until `next` is awaited"]
pub struct Items<'a, T> {
    client: &'a Client,
    first: Option<FirstPage<'a, T>>,
    decode: Decode<T>,
    buffered: VecDeque<T>,
    next_link: Option<String>,
    /// The links followed so far, to stop a list that names a page it already gave.
    followed: HashSet<String>,
    pages: usize,
    max_pages: usize,
    failed: bool,
}

/// The most pages an [`Items`] fetches unless [`Items::max_pages`] says otherwise: far more
/// than the largest meeting's roster takes (pages of about a hundred participants).
pub const DEFAULT_MAX_PAGES: usize = 10_000;

impl<'a, T: serde::de::DeserializeOwned + Send + 'a> Items<'a, T> {
    /// The items of the list whose first page `first` fetches.
    #[doc(hidden)]
    pub fn new(
        client: &'a Client,
        first: impl Future<Output = Result<Page<T>, Error>> + Send + 'a,
    ) -> Items<'a, T> {
        Items {
            client,
            first: Some(Box::pin(first)),
            decode: decode::<T>,
            buffered: VecDeque::new(),
            next_link: None,
            followed: HashSet::new(),
            pages: 0,
            max_pages: DEFAULT_MAX_PAGES,
            failed: false,
        }
    }

    /// Fetches at most `pages` pages ([`DEFAULT_MAX_PAGES`] unless set); the next one is
    /// [`Error::EndlessList`], and nothing more is sent.
    ///
    /// ```no_run
    /// # async fn demo(client: msgraph_calls::Client) -> Result<(), msgraph_calls::Error> {
    /// let first_ten_pages = client
    ///     .list_participants_all("57dab8b1-894c-409a-b240-bd8beae78896")
    ///     .max_pages(10)
    ///     .collect_all()
    ///     .await;
    /// # Ok(()) }
    /// ```
    pub fn max_pages(mut self, pages: usize) -> Items<'a, T> {
        self.max_pages = pages;
        self
    }

    /// The next item, fetching the next page when the ones fetched are used up; `None` at the
    /// end of the list. After an error, `None`: a list whose page failed is not resumed (ask
    /// for it again).
    pub async fn next(&mut self) -> Option<Result<T, Error>> {
        loop {
            if let Some(item) = self.buffered.pop_front() {
                return Some(Ok(item));
            }
            match self.next_page().await? {
                Ok(items) => self.buffered.extend(items),
                Err(e) => return Some(Err(e)),
            }
        }
    }

    /// The items of the next page (those of a page already partly taken with
    /// [`next`](Items::next) first); `None` at the end of the list. A page may be empty
    /// while another follows.
    pub async fn next_page(&mut self) -> Option<Result<Vec<T>, Error>> {
        if !self.buffered.is_empty() {
            return Some(Ok(self.buffered.drain(..).collect()));
        }
        if self.failed {
            return None;
        }
        let page = if let Some(first) = self.first.take() {
            first.await
        } else {
            let link = self.next_link.take()?;
            if self.pages >= self.max_pages || !self.followed.insert(link.clone()) {
                self.failed = true;
                return Some(Err(Error::EndlessList { pages: self.pages }));
            }
            self.fetch(&link).await
        };
        match page {
            Ok(page) => {
                self.pages += 1;
                self.next_link = page.next_link;
                Some(Ok(page.items))
            }
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }

    /// Every item left, or the first error.
    pub async fn collect_all(mut self) -> Result<Vec<T>, Error> {
        let mut all = Vec::new();
        while let Some(page) = self.next_page().await {
            all.extend(page?);
        }
        Ok(all)
    }

    /// How many pages were fetched so far.
    pub fn pages_fetched(&self) -> usize {
        self.pages
    }

    async fn fetch(&self, link: &str) -> Result<Page<T>, Error> {
        let url = same_graph(self.client.base_url(), link)?;
        let response = self.client.send_url(Method::GET, url, None, true).await?;
        // serde_json's message may quote the body (a string where a number was expected):
        // only what kind of error, and where, is kept.
        (self.decode)(response.body()).map_err(|e| Error::UnreadablePage {
            page: self.pages + 1,
            reason: format!(
                "{:?} error at line {} column {}",
                e.classify(),
                e.line(),
                e.column()
            ),
        })
    }
}

impl<T> std::fmt::Debug for Items<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Items")
            .field("buffered", &self.buffered.len())
            .field("pages_fetched", &self.pages)
            .field("more", &(self.first.is_some() || self.next_link.is_some()))
            .finish()
    }
}

/// `link` as a URL when it is on the Graph `base` names (scheme, host, port, and under its
/// version segment), with no user info, fragment, or encoded separator in its path; else why
/// not (the link itself is not repeated: its query may hold a skip token).
pub(crate) fn same_graph(base: &str, link: &str) -> Result<Url, Error> {
    let untrusted = |reason: String| Error::UntrustedLink { reason };
    let base = Url::parse(base).map_err(|e| Error::Config {
        reason: format!("the client's base URL does not parse: {e}"),
    })?;
    let url = Url::parse(link).map_err(|_| untrusted("it is not an absolute URL".into()))?;
    if url.scheme() != base.scheme() {
        return Err(untrusted(format!(
            "its scheme is {}, the client's {}",
            url.scheme(),
            base.scheme()
        )));
    }
    if url.host() != base.host() || url.port_or_known_default() != base.port_or_known_default() {
        return Err(untrusted(format!(
            "it goes to {}{}, the client to {}{}",
            url.host_str().unwrap_or("no host"),
            url.port().map(|p| format!(":{p}")).unwrap_or_default(),
            base.host_str().unwrap_or("no host"),
            base.port().map(|p| format!(":{p}")).unwrap_or_default(),
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(untrusted("it carries user info".into()));
    }
    if url.fragment().is_some() {
        return Err(untrusted("it has a fragment".into()));
    }
    let root = format!("{}/", base.path().trim_end_matches('/'));
    if !url.path().starts_with(&root) {
        return Err(untrusted(format!(
            "its path is not under the client's version root {root}"
        )));
    }
    let lower = url.path().to_ascii_lowercase();
    if ["%2f", "%5c", "%2e"].iter().any(|e| lower.contains(e)) {
        return Err(untrusted(
            "its path holds an encoded `/`, `\\` or `.`, which a front end may decode".into(),
        ));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_links_on_the_clients_graph_are_followed() {
        let base = "https://graph.microsoft.com/v1.0";
        let next =
            "https://graph.microsoft.com/v1.0/communications/calls/1/participants?$skiptoken=abc";
        assert_eq!(same_graph(base, next).unwrap().as_str(), next);
        for (link, why) in [
            (
                "https://evil.example/v1.0/communications/calls",
                "goes to evil.example",
            ),
            (
                "http://graph.microsoft.com/v1.0/communications/calls",
                "scheme is http",
            ),
            (
                "https://graph.microsoft.com:8443/v1.0/x",
                "goes to graph.microsoft.com:8443",
            ),
            (
                "https://graph.microsoft.com/beta/communications/calls",
                "not under",
            ),
            ("https://graph.microsoft.com/v1.0/../beta/x", "not under"),
            ("https://graph.microsoft.com/v1.0extra/x", "not under"),
            ("https://graph.microsoft.com.evil.example/v1.0/x", "goes to"),
            ("https://user@graph.microsoft.com/v1.0/x", "user info"),
            (
                "https://graph.microsoft.com/v1.0/a%2F..%2F..%2Fbeta",
                "encoded",
            ),
            ("https://graph.microsoft.com/v1.0/x#frag", "fragment"),
            ("/v1.0/communications/calls", "not an absolute URL"),
            ("javascript:alert(1)", "scheme is javascript"),
        ] {
            match same_graph(base, link) {
                Err(Error::UntrustedLink { reason }) => {
                    assert!(reason.contains(why), "{link}: {reason}");
                    assert!(!reason.contains("skiptoken"));
                }
                other => panic!("{link} was not refused: {other:?}"),
            }
        }
    }
}
