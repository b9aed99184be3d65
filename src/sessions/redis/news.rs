//! The news channel: every change of any call, heard by every instance.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::broadcast;

use super::failed;
use crate::sessions::record::CallRecord;
use crate::sessions::store::{ByCall, Heard, News};

/// How many things heard a registry may fall behind by before it is told it missed some.
pub(super) const FEED_CAPACITY: usize = 4096;

/// Listens to the news channel for as long as the store lives, connecting again (with a pause
/// growing to a second) whenever the connection is lost; after a cut, says
/// [`Heard::Resumed`].
pub(super) async fn listen(listening: Listening, subscribed: tokio::sync::oneshot::Sender<()>) {
    use futures_util::StreamExt;
    let Listening {
        client,
        channel,
        feed,
        timeout,
        copies,
    } = listening;
    let mut subscribed = Some(subscribed);
    let mut cut = false;
    let mut pause = Duration::from_millis(50);
    loop {
        let connected = tokio::time::timeout(timeout, async {
            let mut pubsub = client.get_async_pubsub().await?;
            pubsub.subscribe(&channel).await?;
            Ok::<_, redis::RedisError>(pubsub)
        })
        .await;
        match connected {
            Ok(Ok(pubsub)) => {
                pause = Duration::from_millis(50);
                if let Some(subscribed) = subscribed.take() {
                    let _ = subscribed.send(());
                }
                if cut {
                    // No receiver yet is no error: a registry made later missed nothing.
                    let _ = feed.send(Heard::Resumed);
                }
                let mut messages = pubsub.into_on_message();
                while let Some(message) = messages.next().await {
                    match read_news(message.get_payload_bytes()) {
                        Some((news, record)) => {
                            refresh_copy(&copies, &news, record);
                            let _ = feed.send(Heard::News(news));
                        }
                        None => tracing::warn!(
                            channel = %channel,
                            "a message on the news channel does not read: ignored"
                        ),
                    }
                }
                tracing::warn!(channel = %channel, "the news channel was cut; listening again");
            }
            Ok(Err(e)) => {
                tracing::debug!(error = %failed("listening for news", &e), "listening again")
            }
            Err(_) => tracing::debug!("listening for news timed out; listening again"),
        }
        cut = true;
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(1));
    }
}

/// What the task listening to the news channel holds.
pub(super) struct Listening {
    pub(super) client: redis::Client,
    pub(super) channel: String,
    pub(super) feed: broadcast::Sender<Heard>,
    pub(super) timeout: Duration,
    pub(super) copies: Arc<Mutex<ByCall<(u64, CallRecord)>>>,
}

/// A message of the news channel, `<version>\n<call>\n<events>\n<record>` (JSON holds no
/// raw line break): the news, and the record as written.
fn read_news(payload: &[u8]) -> Option<(News, &str)> {
    let text = std::str::from_utf8(payload).ok()?;
    let mut parts = text.splitn(4, '\n');
    let version = parts.next()?.parse().ok()?;
    let call = parts.next()?.to_owned();
    let events = parts.next()?.to_owned();
    let record = parts.next().unwrap_or_default();
    let news = News {
        call,
        version,
        events,
    };
    Some((news, record))
}

/// An instance's copy of a call that news says is behind takes the record as written, so that
/// its next change still costs one round trip; when the record does not read, the copy goes.
fn refresh_copy(copies: &Mutex<ByCall<(u64, CallRecord)>>, news: &News, record: &str) {
    let Ok(mut copies) = copies.lock() else {
        return;
    };
    let behind = copies
        .get(news.call.as_str())
        .is_some_and(|(version, _)| *version < news.version);
    if !behind {
        return;
    }
    match serde_json::from_str::<CallRecord>(record) {
        Ok(record) => {
            copies.insert(news.call.clone(), (news.version, record));
        }
        Err(_) => {
            copies.remove(news.call.as_str());
        }
    }
}
