//! [`Graph`]: a stand-in that answers every operation of the schema as its Graph doc page does,
//! refuses what Graph would refuse, and POSTs the notifications Graph would, signed.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::mpsc;

use super::server::{Recorded, Reply, StandIn};
use super::signer::{self, GraphKey};
use super::Route;
use crate::generated::operations::STAND_IN_ROUTES;
use crate::inbound::{Validator, ValidatorBuilder};

/// How long the stand-in waits, after answering, before it POSTs what follows: Graph answers
/// first, then notifies.
const NOTIFY_AFTER: Duration = Duration::from_millis(20);

/// A local stand-in for Graph, for testing a bot with no Microsoft account and no network.
///
/// On 127.0.0.1 it answers every operation of `schema/openapi.yaml` with the status and the
/// example response of its Graph doc page (`schema/examples/`), refuses a request without a
/// bearer token (`401`) or whose body does not read as the operation's request type (`400`,
/// naming the property), both with Graph's error body, and then POSTs to the bot's callback
/// what Graph would send, one after the other in the order of the operations, each signed
/// with a key it publishes: an operation's completion, the call
/// established after `answer` or `create_call`, the roster after `invite_participants`, the call
/// terminated (with its `resultInfo`) after `delete_call` or `transfer`. [`Graph::notify`] and
/// its helpers send any other notification.
///
/// ```no_run
/// use msgraph_calls::testing::Graph;
///
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let callback = "http://127.0.0.1:3978/api/calls"; // where the bot under test listens
/// let graph = Graph::start("bot-app-id", "tenant-id", callback).await?;
/// // The bot checks callbacks against the stand-in's keys...
/// let validator = graph.validator().build()?;
/// // ...and calls the stand-in.
/// let client = msgraph_calls::Client::builder()
///     .base_url(graph.base_url())
///     .token(msgraph_calls::auth::StaticToken::new("test-token"))
///     .build()?;
/// graph.incoming_call("57dab8b1-894c-409a-b240-bd8beae78896", "+12345678901").await?;
/// # Ok(()) }
/// ```
pub struct Graph {
    server: StandIn,
    shared: Arc<Shared>,
}

/// What the server's responder holds: the poster, and the queue of what follows the
/// operations, POSTed one after the other in the order the operations were answered.
struct Shared {
    poster: Arc<Poster>,
    queue: mpsc::UnboundedSender<Value>,
}

/// What POSTing a notification takes. The queue's task holds it rather than [`Shared`] (which
/// holds the queue's sender): once the stand-in, its server and its connections are dropped,
/// the sender goes, and the task ends.
struct Poster {
    key: GraphKey,
    app_id: String,
    tenant: String,
    callback_url: String,
    http: reqwest::Client,
}

impl Graph {
    /// Starts a stand-in for the bot `app_id` of `tenant`, whose callbacks go to
    /// `callback_url`, with a signing key of its own. Call it within a tokio runtime.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), msgraph_calls::Error> {
    /// let graph = msgraph_calls::testing::Graph::start("bot", "tenant", "http://127.0.0.1:3978/api/calls").await?;
    /// # Ok(()) }
    /// ```
    pub async fn start(
        app_id: &str,
        tenant: &str,
        callback_url: &str,
    ) -> Result<Graph, crate::Error> {
        let http = crate::client::http_client_builder()?
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| crate::Error::Config {
                reason: format!("the stand-in's HTTP client: {e}"),
            })?;
        let poster = Arc::new(Poster {
            key: GraphKey::generate("stand-in-signing-key"),
            app_id: app_id.to_owned(),
            tenant: tenant.to_owned(),
            callback_url: callback_url.to_owned(),
            http,
        });
        let (queue, mut queued) = mpsc::unbounded_channel::<Value>();
        let posting = poster.clone();
        tokio::spawn(async move {
            while let Some(batch) = queued.recv().await {
                tokio::time::sleep(NOTIFY_AFTER).await;
                if let Err(e) = posting.notify(&batch).await {
                    tracing::debug!(error = %e, "the stand-in could not notify the bot");
                }
            }
        });
        let shared = Arc::new(Shared { poster, queue });
        let answering = shared.clone();
        let server = StandIn::start(move |request| answering.answer(request)).await;
        Ok(Graph { server, shared })
    }

    /// The API root to give a [`Client`](crate::Client): `http://127.0.0.1:<port>/v1.0`.
    ///
    /// ```no_run
    /// # fn demo(graph: msgraph_calls::testing::Graph) {
    /// assert!(graph.base_url().ends_with("/v1.0"));
    /// # }
    /// ```
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// Where the stand-in publishes the OpenID configuration naming its signing keys.
    ///
    /// ```no_run
    /// # fn demo(graph: msgraph_calls::testing::Graph) {
    /// println!("{}", graph.openid_configuration_url());
    /// # }
    /// ```
    pub fn openid_configuration_url(&self) -> String {
        format!("{}{}", self.server.origin(), signer::OPENID_PATH)
    }

    /// A validator builder for the bot, its tenant allowed, trusting the stand-in's keys.
    ///
    /// ```no_run
    /// # fn demo(graph: msgraph_calls::testing::Graph) -> Result<(), msgraph_calls::inbound::ConfigError> {
    /// let receiver = msgraph_calls::inbound::Receiver::new(graph.validator().build()?);
    /// # Ok(()) }
    /// ```
    pub fn validator(&self) -> ValidatorBuilder {
        let poster = &self.shared.poster;
        Validator::builder(&poster.app_id)
            .allowed_tenants([&poster.tenant])
            .openid_configuration_url(self.openid_configuration_url())
    }

    /// The stand-in's signing key, to sign tokens of your own.
    ///
    /// ```no_run
    /// # fn demo(graph: msgraph_calls::testing::Graph) {
    /// let token = graph.key().sign(&msgraph_calls::testing::signer::claims("bot", "tenant"));
    /// # }
    /// ```
    pub fn key(&self) -> &GraphKey {
        &self.shared.poster.key
    }

    /// Every request received so far, the key endpoint's included, in order.
    ///
    /// ```no_run
    /// # fn demo(graph: msgraph_calls::testing::Graph) {
    /// assert!(graph.requests().iter().any(|r| r.target.ends_with("/answer")));
    /// # }
    /// ```
    pub fn requests(&self) -> Vec<Recorded> {
        self.server.requests()
    }

    /// POSTs `batch` (a `commsNotifications` body) to the bot's callback with a fresh signed
    /// token, as Graph does, and returns the status the bot answered.
    ///
    /// ```no_run
    /// # async fn demo(graph: msgraph_calls::testing::Graph) -> Result<(), msgraph_calls::testing::NotifyError> {
    /// let status = graph.notify(&serde_json::json!({"value": []})).await?;
    /// assert_eq!(status, 202);
    /// # Ok(()) }
    /// ```
    pub async fn notify(&self, batch: &Value) -> Result<http::StatusCode, NotifyError> {
        self.shared.poster.notify(batch).await
    }

    /// Notifies the bot of a call from the phone number `caller` (E.164), as Graph does when a
    /// call comes in (the shape of call-answer.md's incoming notification).
    ///
    /// ```no_run
    /// # async fn demo(graph: msgraph_calls::testing::Graph) -> Result<(), msgraph_calls::testing::NotifyError> {
    /// graph.incoming_call("57dab8b1-894c-409a-b240-bd8beae78896", "+12345678901").await?;
    /// # Ok(()) }
    /// ```
    pub async fn incoming_call(
        &self,
        call_id: &str,
        caller: &str,
    ) -> Result<http::StatusCode, NotifyError> {
        let call = json!({
            "state": "incoming",
            "direction": "incoming",
            "callbackUri": self.shared.poster.callback_url,
            "source": {"@odata.type": "#microsoft.graph.participantInfo", "identity": {
                "@odata.type": "#microsoft.graph.identitySet",
                "phone": {"@odata.type": "#microsoft.graph.identity", "id": caller}
            }},
            "requestedModalities": ["audio"]
        });
        self.notify(&call_update("created", call_id, call)).await
    }

    /// Notifies the bot that the caller pressed `tone` (`tone0` to `tone9`, `star`, `pound`,
    /// ...), as Graph does for a call subscribed to tones (call-subscribetotone.md).
    ///
    /// ```no_run
    /// # async fn demo(graph: msgraph_calls::testing::Graph) -> Result<(), msgraph_calls::testing::NotifyError> {
    /// graph.press_tone("57dab8b1-894c-409a-b240-bd8beae78896", "tone1").await?;
    /// # Ok(()) }
    /// ```
    pub async fn press_tone(
        &self,
        call_id: &str,
        tone: &str,
    ) -> Result<http::StatusCode, NotifyError> {
        let call = json!({"state": "established", "toneInfo": {
            "@odata.type": "#microsoft.graph.toneInfo", "sequenceId": 1, "tone": tone
        }});
        self.notify(&call_update("updated", call_id, call)).await
    }
}

impl fmt::Debug for Graph {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Graph")
            .field("origin", &self.server.origin())
            .field("app_id", &self.shared.poster.app_id)
            .field("callback_url", &self.shared.poster.callback_url)
            .finish_non_exhaustive()
    }
}

impl Shared {
    fn answer(&self, request: &Recorded) -> Reply {
        if let Some(reply) = signer::publish(request, &signer::jwks(&[&self.poster.key])) {
            return reply;
        }
        let bearer = request
            .header("authorization")
            .and_then(|value| value.strip_prefix("Bearer "))
            .is_some_and(|token| !token.trim().is_empty());
        if !bearer {
            // Graph's code for a request without a usable token (docs: errors.md).
            return error(401, "InvalidAuthenticationToken", "Access token is empty.");
        }
        let path = request.target.split('?').next().unwrap_or_default();
        let Some(path) = path.strip_prefix("/v1.0") else {
            return error(404, "NotFound", "This stand-in serves /v1.0 only.");
        };
        let Some((route, ids)) = STAND_IN_ROUTES
            .iter()
            .find_map(|route| Some((route, route.matches(&request.method, path)?)))
        else {
            let message = format!(
                "No operation of this stand-in is {} {path}.",
                request.method
            );
            return error(404, "NotFound", &message);
        };
        if let Some(reads) = route.reads {
            if let Err(problem) = reads(&request.body) {
                let message = format!("The body of {} does not read: {problem}", route.name);
                return error(400, "BadRequest", &message);
            }
        }
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let example: Value = route
            .example
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or(Value::Null);
        for batch in follow_ups(route, &ids, &body, &example) {
            // Fails only once the stand-in is being dropped: nobody waits for these then.
            let _ = self.queue.send(batch);
        }
        match route.example {
            Some(example) => Reply::json(route.status, example),
            None => Reply::status(route.status),
        }
    }
}

impl Poster {
    async fn notify(&self, batch: &Value) -> Result<http::StatusCode, NotifyError> {
        let token = self.key.sign(&signer::claims(&self.app_id, &self.tenant));
        let failed = |reason: String| NotifyError {
            url: self.callback_url.clone(),
            reason,
        };
        let response = self
            .http
            .post(&self.callback_url)
            .header("authorization", format!("Bearer {token}"))
            .json(batch)
            .send()
            .await
            .map_err(|e| failed(e.to_string()))?;
        Ok(response.status())
    }
}

/// What Graph sends after an operation succeeds, as its doc pages show.
fn follow_ups(route: &Route, ids: &[(&str, String)], body: &Value, example: &Value) -> Vec<Value> {
    let id = |name: &str| ids.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone());
    let call_id = id("call-id")
        .or_else(|| example["id"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let mut then = Vec::new();
    match route.name {
        // call-answer.md and application-post-calls.md: establishing, then established.
        "answer" | "create_call" => {
            for state in ["establishing", "established"] {
                then.push(call_update("updated", &call_id, json!({"state": state})));
            }
        }
        // call-transfer.md, Example 3: transferring, then terminated with 0/7015.
        "transfer" => {
            then.push(call_update(
                "updated",
                &call_id,
                json!({"state": "transferring"}),
            ));
            then.push(terminated(&call_id, 0, 7015, "GracefulTransferCompleted"));
        }
        // call-delete.md: terminated, 200/5001.
        "delete_call" => then.push(terminated(
            &call_id,
            200,
            5001,
            "The conversation has ended.",
        )),
        // participant-invite.md: the roster with the invited participants in it.
        "invite_participants" => {
            let participants: Vec<Value> = body["participants"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|invited| {
                    json!({
                        "@odata.type": "#microsoft.graph.participant",
                        "info": {"@odata.type": "#microsoft.graph.participantInfo",
                                 "identity": invited["identity"]},
                        "isMuted": false,
                        "isInLobby": false
                    })
                })
                .collect();
            let url = format!("/communications/calls/{call_id}/participants");
            then.push(batch("updated", &url, Value::Array(participants)));
        }
        _ => {}
    }
    // An operation's result (playPromptOperation, muteParticipantOperation, ...) completes
    // (call-playprompt.md, "Notification - operation completed").
    let kind = example["@odata.type"].as_str().unwrap_or_default();
    if kind.ends_with("Operation") {
        let mut operation = example.clone();
        operation["status"] = json!("completed");
        operation["resultInfo"] = json!({"@odata.type": "#microsoft.graph.resultInfo",
            "code": 200, "subcode": 0, "message": "Action completed successfully."});
        if let Some(context) = body.get("clientContext") {
            operation["clientContext"] = context.clone();
        }
        let operation_id = example["id"].as_str().unwrap_or_default();
        let url = format!("/communications/calls/{call_id}/operations/{operation_id}");
        then.push(batch("deleted", &url, operation));
    }
    then
}

fn batch(change: &str, resource_url: &str, resource_data: Value) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.commsNotifications",
        "value": [{
            "@odata.type": "#microsoft.graph.commsNotification",
            "changeType": change,
            "resourceUrl": resource_url,
            "resourceData": resource_data
        }]
    })
}

fn call_update(change: &str, call_id: &str, mut call: Value) -> Value {
    call["@odata.type"] = json!("#microsoft.graph.call");
    batch(change, &format!("/communications/calls/{call_id}"), call)
}

fn terminated(call_id: &str, code: i32, subcode: i32, message: &str) -> Value {
    let call = json!({"state": "terminated", "resultInfo": {
        "@odata.type": "#microsoft.graph.resultInfo",
        "code": code, "subcode": subcode, "message": message
    }});
    call_update("deleted", call_id, call)
}

/// Graph's error body (`ODataError`) with `status`.
fn error(status: u16, code: &str, message: &str) -> Reply {
    let body = json!({"error": {"code": code, "message": message}});
    Reply::json(status, &body.to_string())
}

/// The stand-in could not POST a notification to the bot: where, and why.
///
/// ```no_run
/// # async fn demo(graph: msgraph_calls::testing::Graph) {
/// if let Err(e) = graph.notify(&serde_json::json!({"value": []})).await {
///     eprintln!("{e}"); // POSTing a notification to http://...: ...
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyError {
    url: String,
    reason: String,
}

impl fmt::Display for NotifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "POSTing a notification to {}: {}", self.url, self.reason)
    }
}

impl std::error::Error for NotifyError {}
