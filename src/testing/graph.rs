//! [`Graph`]: a stand-in that answers every operation of the schema as its Graph doc page does,
//! refuses what Graph would refuse, and POSTs the notifications Graph would, signed.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
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

/// What the server's responder holds: the poster, the queue of what follows the operations
/// (POSTed one after the other in the order the operations were answered), the calls as Graph
/// would keep them, and the knobs.
struct Shared {
    poster: Arc<Poster>,
    queue: mpsc::UnboundedSender<Outgoing>,
    calls: Mutex<HashMap<String, Sim>>,
    knobs: Mutex<Knobs>,
    /// How many notifications were queued so far (for [`Knobs::drop_nth`]).
    queued: Mutex<usize>,
    /// How many operations were answered so far (early and late completions take turns).
    operations: Mutex<usize>,
}

/// One notification to POST: what, where, and not before when.
struct Outgoing {
    batch: Value,
    callback: String,
    not_before: tokio::time::Instant,
}

/// A call as the stand-in keeps it.
#[derive(Debug, Clone)]
struct Sim {
    /// The id as the stand-in answers it (with dashes, lower case).
    id: String,
    callback: String,
    state: &'static str,
    /// The call resource as `get_call` answers it.
    call: Value,
    roster: Vec<Value>,
    /// The roster's `rosterSequenceNumber`.
    sequence: i64,
    /// The last tone's `sequenceId`.
    tones: i64,
    /// The ids (keyed) of participants who left: operations on them answer 404.
    gone: Vec<String>,
    /// The operations started on the call, by id (keyed), as `get_operation` answers them:
    /// as their response said, then as their completion notification says.
    operations: HashMap<String, Value>,
    ended: bool,
}

/// What the stand-in does to its notifications, as Graph may: each knob off by default.
///
/// ```
/// use std::time::Duration;
/// use msgraph_calls::testing::Knobs;
///
/// let everything = Knobs::default()
///     .duplicate(true)
///     .swap_establishing(true)
///     .completions_before_response(true)
///     .late_completions(Some(Duration::from_millis(300)))
///     .graph_spelling(true)
///     .null_roster_ids(true)
///     .stale_rosters(true);
/// assert!(everything.is_duplicating());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Knobs {
    duplicate: bool,
    swap_establishing: bool,
    drop_nth: Option<usize>,
    before_response: bool,
    late: Option<Duration>,
    graph_spelling: bool,
    null_roster_ids: bool,
    stale_rosters: bool,
    without_context: bool,
}

impl Knobs {
    /// POST every notification twice (Graph gives no notification an id).
    ///
    /// ```
    /// assert!(msgraph_calls::testing::Knobs::default().duplicate(true).is_duplicating());
    /// ```
    pub fn duplicate(mut self, on: bool) -> Knobs {
        self.duplicate = on;
        self
    }

    /// Whether [`duplicate`](Self::duplicate) is on.
    ///
    /// ```
    /// assert!(!msgraph_calls::testing::Knobs::default().is_duplicating());
    /// ```
    pub fn is_duplicating(&self) -> bool {
        self.duplicate
    }

    /// Send `established` before `establishing` ("may arrive out of order": call-answer.md).
    ///
    /// ```
    /// let _ = msgraph_calls::testing::Knobs::default().swap_establishing(true);
    /// ```
    pub fn swap_establishing(mut self, on: bool) -> Knobs {
        self.swap_establishing = on;
        self
    }

    /// Never send the `n`th notification queued from now on (1 for the next one).
    ///
    /// ```
    /// let _ = msgraph_calls::testing::Knobs::default().drop_nth(Some(2));
    /// ```
    pub fn drop_nth(mut self, n: Option<usize>) -> Knobs {
        self.drop_nth = n;
        self
    }

    /// Deliver an operation's completion before Graph's response to its request (the response
    /// waits 200 ms). With [`late_completions`](Self::late_completions) too, operations take
    /// turns: the first early, the second late, and so on.
    ///
    /// ```
    /// let _ = msgraph_calls::testing::Knobs::default().completions_before_response(true);
    /// ```
    pub fn completions_before_response(mut self, on: bool) -> Knobs {
        self.before_response = on;
        self
    }

    /// Deliver operations' completions this late, out of the queue's order.
    ///
    /// ```
    /// let _ = msgraph_calls::testing::Knobs::default().late_completions(Some(std::time::Duration::from_secs(1)));
    /// ```
    pub fn late_completions(mut self, after: Option<Duration>) -> Knobs {
        self.late = after;
        self
    }

    /// Spell ids in notifications' `resourceUrl`s as Graph's examples do: upper case, without
    /// dashes (call-playprompt.md), while responses spell them in lower case with dashes.
    ///
    /// ```
    /// let _ = msgraph_calls::testing::Knobs::default().graph_spelling(true);
    /// ```
    pub fn graph_spelling(mut self, on: bool) -> Knobs {
        self.graph_spelling = on;
        self
    }

    /// Roster entries other than the bot's with `"id": null`, as in Graph's roster examples
    /// (participant-invite.md).
    ///
    /// ```
    /// let _ = msgraph_calls::testing::Knobs::default().null_roster_ids(true);
    /// ```
    pub fn null_roster_ids(mut self, on: bool) -> Knobs {
        self.null_roster_ids = on;
        self
    }

    /// Operations' completions without their `clientContext`: found by their id alone.
    ///
    /// ```
    /// let _ = msgraph_calls::testing::Knobs::default().completions_without_context(true);
    /// ```
    pub fn completions_without_context(mut self, on: bool) -> Knobs {
        self.without_context = on;
        self
    }

    /// After each roster, send the one before it again (a lower `rosterSequenceNumber`).
    ///
    /// ```
    /// let _ = msgraph_calls::testing::Knobs::default().stale_rosters(true);
    /// ```
    pub fn stale_rosters(mut self, on: bool) -> Knobs {
        self.stale_rosters = on;
        self
    }
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
        let (queue, mut queued) = mpsc::unbounded_channel::<Outgoing>();
        let posting = poster.clone();
        tokio::spawn(async move {
            while let Some(out) = queued.recv().await {
                tokio::time::sleep_until(out.not_before).await;
                if let Err(e) = posting.notify_at(&out.callback, &out.batch).await {
                    tracing::debug!(error = %e, "the stand-in could not notify the bot");
                }
            }
        });
        let shared = Arc::new(Shared {
            poster,
            queue,
            calls: Mutex::new(HashMap::new()),
            knobs: Mutex::new(Knobs::default()),
            queued: Mutex::new(0),
            operations: Mutex::new(0),
        });
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
    /// call comes in (the shape of call-answer.md's incoming notification), and keeps the call:
    /// its roster is the caller and, once answered, the bot. A call of that id the stand-in
    /// kept already starts again.
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
        let callback = self.shared.poster.callback_url.clone();
        let source = json!({"@odata.type": "#microsoft.graph.participantInfo", "identity": {
            "@odata.type": "#microsoft.graph.identitySet",
            "phone": {"@odata.type": "#microsoft.graph.identity", "id": caller}
        }});
        let call = json!({
            "@odata.type": "#microsoft.graph.call",
            "id": call_id,
            "state": "incoming",
            "direction": "incoming",
            "callbackUri": callback,
            "source": source,
            "requestedModalities": ["audio"]
        });
        let sim = Sim {
            id: call_id.to_owned(),
            callback,
            state: "incoming",
            call: call.clone(),
            roster: vec![participant(&new_id(), &source)],
            sequence: 0,
            tones: 0,
            gone: Vec::new(),
            operations: HashMap::new(),
            ended: false,
        };
        self.shared.lock_calls().insert(key(call_id), sim);
        let url = self.shared.call_url(call_id);
        self.notify(&batch("created", &url, call)).await
    }

    /// Notifies the bot that the caller pressed `tone` (`tone0` to `tone9`, `star`, `pound`,
    /// ...), as Graph does for a call subscribed to tones (call-subscribetotone.md), each tone
    /// with the next `sequenceId`.
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
        let (sequence, callback, state) = {
            let mut calls = self.shared.lock_calls();
            match calls.get_mut(&key(call_id)) {
                Some(sim) => {
                    sim.tones += 1;
                    (sim.tones, sim.callback.clone(), sim.state)
                }
                None => (1, self.shared.poster.callback_url.clone(), "established"),
            }
        };
        let call = json!({"@odata.type": "#microsoft.graph.call", "state": state, "toneInfo": {
            "@odata.type": "#microsoft.graph.toneInfo", "sequenceId": sequence, "tone": tone
        }});
        let body = batch("updated", &self.shared.call_url(call_id), call);
        let status = self.shared.poster.notify_at(&callback, &body).await?;
        if self.shared.lock_knobs().duplicate {
            self.shared.poster.notify_at(&callback, &body).await?;
        }
        Ok(status)
    }

    /// A Teams user joins the call (a meeting the bot joined): the roster with them in it is
    /// notified, as Graph notifies roster changes (participant-invite.md).
    ///
    /// ```no_run
    /// # fn demo(graph: msgraph_calls::testing::Graph) {
    /// graph.join("2e1a0b00-2db4-4022-9570-243709c565ab", "112f7296-5fa4-42ca-bae8-6a692b15d4b8", "Alex");
    /// # }
    /// ```
    pub fn join(&self, call_id: &str, user_id: &str, display_name: &str) {
        let info = json!({"@odata.type": "#microsoft.graph.participantInfo", "identity": {
            "@odata.type": "#microsoft.graph.identitySet",
            "user": {"@odata.type": "#microsoft.graph.identity", "id": user_id, "displayName": display_name}
        }});
        let known = match self.shared.lock_calls().get_mut(&key(call_id)) {
            Some(sim) => {
                sim.roster.push(participant(&new_id(), &info));
                true
            }
            None => false,
        };
        if known {
            self.shared.roster_changed(call_id);
        }
    }

    /// The Teams user `user_id` leaves the call: the roster without them is notified.
    ///
    /// ```no_run
    /// # fn demo(graph: msgraph_calls::testing::Graph) {
    /// graph.leave("2e1a0b00-2db4-4022-9570-243709c565ab", "112f7296-5fa4-42ca-bae8-6a692b15d4b8");
    /// # }
    /// ```
    pub fn leave(&self, call_id: &str, user_id: &str) {
        let known = match self.shared.lock_calls().get_mut(&key(call_id)) {
            Some(sim) => {
                let (left, stayed): (Vec<Value>, Vec<Value>) = sim
                    .roster
                    .drain(..)
                    .partition(|p| p["info"]["identity"]["user"]["id"].as_str() == Some(user_id));
                sim.roster = stayed;
                sim.gone
                    .extend(left.iter().filter_map(|p| p["id"].as_str()).map(key));
                true
            }
            None => false,
        };
        if known {
            self.shared.roster_changed(call_id);
        }
    }

    /// Sets what the stand-in does to its notifications from now on ([`Knobs`]).
    ///
    /// ```no_run
    /// # fn demo(graph: msgraph_calls::testing::Graph) {
    /// graph.set_knobs(msgraph_calls::testing::Knobs::default().duplicate(true));
    /// # }
    /// ```
    pub fn set_knobs(&self, knobs: Knobs) {
        *self.shared.lock_knobs() = knobs;
        *self.shared.queued.lock().unwrap_or_else(|p| p.into_inner()) = 0;
    }

    /// Ends the call without telling the bot, as calls Graph loses do: `keep_alive`,
    /// `get_call` and every operation on it answer `404` from now on.
    ///
    /// ```no_run
    /// # fn demo(graph: msgraph_calls::testing::Graph) {
    /// graph.end_silently("57dab8b1-894c-409a-b240-bd8beae78896");
    /// # }
    /// ```
    pub fn end_silently(&self, call_id: &str) {
        if let Some(sim) = self.shared.lock_calls().get_mut(&key(call_id)) {
            sim.ended = true;
            sim.state = "terminated";
        }
    }

    /// The state the stand-in keeps for the call, `None` for a call it does not know.
    ///
    /// ```no_run
    /// # fn demo(graph: msgraph_calls::testing::Graph) {
    /// assert_eq!(graph.call_state("57dab8b1-894c-409a-b240-bd8beae78896"), Some("established"));
    /// # }
    /// ```
    pub fn call_state(&self, call_id: &str) -> Option<&'static str> {
        self.shared
            .lock_calls()
            .get(&key(call_id))
            .map(|sim| sim.state)
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
    fn lock_calls(&self) -> std::sync::MutexGuard<'_, HashMap<String, Sim>> {
        self.calls.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lock_knobs(&self) -> std::sync::MutexGuard<'_, Knobs> {
        self.knobs.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `/communications/calls/{id}`, the id spelled as Graph's examples spell it when the knob
    /// says so.
    fn call_url(&self, id: &str) -> String {
        format!("/communications/calls/{}", self.spell(id))
    }

    fn spell(&self, id: &str) -> String {
        if self.lock_knobs().graph_spelling {
            id.replace('-', "").to_ascii_uppercase()
        } else {
            id.to_owned()
        }
    }

    /// Queues `batch` for `callback` as the knobs say: dropped, twice, or once.
    fn send(&self, batch: Value, callback: &str, delay: Duration) {
        let knobs = self.lock_knobs().clone();
        let dropped = {
            let mut queued = self.queued.lock().unwrap_or_else(|p| p.into_inner());
            *queued += 1;
            knobs.drop_nth == Some(*queued)
        };
        if dropped {
            return;
        }
        let times = if knobs.duplicate { 2 } else { 1 };
        let not_before = tokio::time::Instant::now() + delay;
        for _ in 0..times {
            // Fails only once the stand-in is being dropped: nobody waits for these then.
            let _ = self.queue.send(Outgoing {
                batch: batch.clone(),
                callback: callback.to_owned(),
                not_before,
            });
        }
    }

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
        let call_id = ids
            .iter()
            .find(|(name, _)| *name == "call-id")
            .map(|(_, id)| id.clone());
        match call_id {
            None => self.create_call(route, &body, example),
            Some(call_id) => self.on_call(route, &call_id, &ids, &body, example),
        }
    }

    /// `POST /communications/calls`: a new call with a fresh id, establishing, then established.
    fn create_call(&self, route: &Route, body: &Value, mut example: Value) -> Reply {
        let id = new_id();
        let callback = body["callbackUri"]
            .as_str()
            .unwrap_or(&self.poster.callback_url)
            .to_owned();
        example["id"] = json!(id);
        example["callbackUri"] = json!(callback);
        example["state"] = json!("establishing");
        let bot = json!({"@odata.type": "#microsoft.graph.participantInfo", "identity": {
            "@odata.type": "#microsoft.graph.identitySet",
            "application": {"@odata.type": "#microsoft.graph.identity", "id": self.poster.app_id}
        }});
        let mut roster = vec![participant(&new_id(), &bot)];
        for target in body["targets"].as_array().into_iter().flatten() {
            roster.push(participant(&new_id(), &json!({
                "@odata.type": "#microsoft.graph.participantInfo", "identity": target["identity"]
            })));
        }
        let sim = Sim {
            id: id.clone(),
            callback,
            state: "establishing",
            call: example.clone(),
            roster,
            sequence: 0,
            tones: 0,
            gone: Vec::new(),
            operations: HashMap::new(),
            ended: false,
        };
        self.lock_calls().insert(key(&id), sim);
        self.establish(&id);
        Reply::json(route.status, &example.to_string())
    }

    /// Establishing and established (in either order, as the knob says), then the roster.
    fn establish(&self, id: &str) {
        let (callback, mut states) = {
            let mut calls = self.lock_calls();
            let Some(sim) = calls.get_mut(&key(id)) else {
                return;
            };
            sim.state = "established";
            sim.call["state"] = json!("established");
            (sim.callback.clone(), ["establishing", "established"])
        };
        if self.lock_knobs().swap_establishing {
            states.reverse();
        }
        let url = self.call_url(id);
        for state in states {
            let call = json!({"@odata.type": "#microsoft.graph.call", "state": state});
            self.send(batch("updated", &url, call), &callback, NOTIFY_AFTER);
        }
        self.roster_changed(id);
    }

    /// The call's whole roster, as Graph notifies it after a change (participant-invite.md),
    /// and the one before it again when the knob says so.
    fn roster_changed(&self, id: &str) {
        let knobs = self.lock_knobs().clone();
        let (callback, roster, stale) = {
            let mut calls = self.lock_calls();
            let Some(sim) = calls.get_mut(&key(id)) else {
                return;
            };
            sim.sequence += 1;
            let sequence = sim.sequence;
            let shown = |roster: &[Value], sequence: i64| -> Vec<Value> {
                roster
                    .iter()
                    .enumerate()
                    .map(|(at, p)| {
                        let mut p = p.clone();
                        p["rosterSequenceNumber"] = json!(sequence);
                        if knobs.null_roster_ids && at > 0 {
                            p["id"] = Value::Null;
                        }
                        p
                    })
                    .collect()
            };
            let roster = shown(&sim.roster, sequence);
            let stale = (knobs.stale_rosters && sequence > 1).then(|| {
                shown(
                    &sim.roster[..sim.roster.len().saturating_sub(1)],
                    sequence - 1,
                )
            });
            (sim.callback.clone(), roster, stale)
        };
        let url = format!("{}/participants", self.call_url(id));
        self.send(
            batch("updated", &url, Value::Array(roster)),
            &callback,
            NOTIFY_AFTER,
        );
        if let Some(stale) = stale {
            self.send(
                batch("updated", &url, Value::Array(stale)),
                &callback,
                NOTIFY_AFTER,
            );
        }
    }

    /// An operation on a known call: answered as its doc page answers, the call changed, and
    /// what Graph sends after it queued.
    fn on_call(
        &self,
        route: &Route,
        call_id: &str,
        ids: &[(&str, String)],
        body: &Value,
        mut example: Value,
    ) -> Reply {
        let sim = self.lock_calls().get(&key(call_id)).cloned();
        let Some(sim) = sim.filter(|sim| !sim.ended) else {
            // call-keepalive.md: a call that has ended answers 404.
            return error(404, "itemNotFound", "The call is not found.");
        };
        let id = sim.id.clone();
        let url = self.call_url(&id);
        let on_participant = ids
            .iter()
            .find(|(name, _)| *name == "participant-id")
            .map(|(_, v)| key(v));
        if on_participant.is_some_and(|p| sim.gone.contains(&p)) {
            return error(404, "itemNotFound", "The participant is not found.");
        }
        match route.name {
            "get_call" => {
                return Reply::json(route.status, &sim.call.to_string());
            }
            "list_participants" => {
                let list = json!({"value": sim.roster});
                return Reply::json(route.status, &list.to_string());
            }
            // An operation started on this call, as it stands; any other id is Graph's 404.
            "get_operation" => {
                let wanted = ids
                    .iter()
                    .find(|(name, _)| *name == "commsOperation-id")
                    .map(|(_, id)| key(id))
                    .unwrap_or_default();
                return match sim.operations.get(&wanted) {
                    Some(operation) => Reply::json(route.status, &operation.to_string()),
                    None => error(404, "itemNotFound", "The operation is not found."),
                };
            }
            // call-answer.md and application-post-calls.md: establishing, then established.
            "answer" => {
                if let Some(callback) = body["callbackUri"].as_str() {
                    if let Some(sim) = self.lock_calls().get_mut(&key(&id)) {
                        sim.callback = callback.to_owned();
                        sim.call["callbackUri"] = json!(callback);
                    }
                }
                let bot = json!({"@odata.type": "#microsoft.graph.participantInfo", "identity": {
                    "@odata.type": "#microsoft.graph.identitySet",
                    "application": {"@odata.type": "#microsoft.graph.identity", "id": self.poster.app_id}
                }});
                if let Some(sim) = self.lock_calls().get_mut(&key(&id)) {
                    sim.roster.insert(0, participant(&new_id(), &bot));
                }
                self.establish(&id);
            }
            // call-transfer.md, Example 3: transferring, then terminated with 0/7015.
            "transfer" => {
                let callback = sim.callback.clone();
                self.send(
                    batch(
                        "updated",
                        &url,
                        json!({"@odata.type": "#microsoft.graph.call", "state": "transferring"}),
                    ),
                    &callback,
                    NOTIFY_AFTER,
                );
                self.finish(&id, 0, 7015, "GracefulTransferCompleted");
            }
            // call-delete.md: terminated, 200/5001.
            "delete_call" => self.finish(&id, 200, 5001, "The conversation has ended."),
            // participant-invite.md: the roster with the invited participants in it.
            "invite_participants" => {
                if let Some(sim) = self.lock_calls().get_mut(&key(&id)) {
                    for invited in body["participants"].as_array().into_iter().flatten() {
                        let info = json!({"@odata.type": "#microsoft.graph.participantInfo",
                                          "identity": invited["identity"]});
                        sim.roster.push(participant(&new_id(), &info));
                    }
                }
                self.roster_changed(&id);
            }
            // call-mute.md: "all participants will receive a roster update".
            "mute" | "unmute" => {
                let muted = route.name == "mute";
                if let Some(sim) = self.lock_calls().get_mut(&key(&id)) {
                    if let Some(bot) = sim.roster.first_mut() {
                        bot["isMuted"] = json!(muted);
                    }
                }
                self.roster_changed(&id);
            }
            "mute_participant" => {
                let participant_id = ids
                    .iter()
                    .find(|(n, _)| *n == "participant-id")
                    .map(|(_, v)| v.clone());
                if let Some(sim) = self.lock_calls().get_mut(&key(&id)) {
                    for p in &mut sim.roster {
                        if p["id"].as_str().map(key) == participant_id.as_deref().map(key) {
                            p["isMuted"] = json!(true);
                        }
                    }
                }
                self.roster_changed(&id);
            }
            _ => {}
        }
        // An operation's result (playPromptOperation, ...): a fresh id; unless the response says
        // it completed or failed, its completion follows (resources/commsoperation.md,
        // call-playprompt.md "Notification - operation completed").
        let kind = example["@odata.type"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let mut delay = Duration::ZERO;
        if kind.ends_with("Operation") {
            let operation_id = new_id();
            example["id"] = json!(operation_id);
            if let Some(context) = body.get("clientContext") {
                example["clientContext"] = context.clone();
            }
            let status = example["status"]
                .as_str()
                .unwrap_or_default()
                .to_ascii_lowercase();
            let finished = status == "completed" || status == "failed";
            if let Some(sim) = self.lock_calls().get_mut(&key(&id)) {
                let mut kept = example.clone();
                if !finished {
                    // What a GET finds once the completion is on its way.
                    kept["status"] = json!("completed");
                    kept["resultInfo"] = json!({"@odata.type": "#microsoft.graph.resultInfo",
                        "code": 200, "subcode": 0, "message": "Action completed successfully."});
                }
                sim.operations.insert(key(&operation_id), kept);
            }
            if !finished {
                let mut operation = example.clone();
                operation["status"] = json!("completed");
                if self.lock_knobs().without_context {
                    if let Some(fields) = operation.as_object_mut() {
                        fields.remove("clientContext");
                        fields.remove("id");
                    }
                }
                operation["resultInfo"] = json!({"@odata.type": "#microsoft.graph.resultInfo",
                    "code": 200, "subcode": 0, "message": "Action completed successfully."});
                let op_url = format!("{url}/operations/{}", self.spell(&operation_id));
                let knobs = self.lock_knobs().clone();
                let completion = batch("deleted", &op_url, operation);
                // With both knobs on, operations take turns: early, late, early...
                let turn = {
                    let mut operations = self.operations.lock().unwrap_or_else(|p| p.into_inner());
                    *operations += 1;
                    *operations
                };
                let early = knobs.before_response && (knobs.late.is_none() || turn % 2 == 1);
                if early {
                    self.send(completion, &sim.callback, Duration::ZERO);
                    delay = Duration::from_millis(200);
                } else if let Some(late) = knobs.late {
                    self.send_late(completion, &sim.callback, late);
                } else {
                    self.send(completion, &sim.callback, NOTIFY_AFTER);
                }
            }
        }
        let reply = match route.example {
            Some(_) => Reply::json(route.status, &example.to_string()),
            None => Reply::status(route.status),
        };
        reply.after(delay)
    }

    /// A completion delivered `late`, out of the queue's order.
    fn send_late(&self, batch: Value, callback: &str, late: Duration) {
        let duplicate = self.lock_knobs().duplicate;
        let poster = self.poster.clone();
        let callback = callback.to_owned();
        tokio::spawn(async move {
            tokio::time::sleep(late).await;
            for _ in 0..if duplicate { 2 } else { 1 } {
                let _ = poster.notify_at(&callback, &batch).await;
            }
        });
    }

    /// The call ends with `code`/`subcode`: terminated, notified.
    fn finish(&self, id: &str, code: i32, subcode: i32, message: &str) {
        let callback = {
            let mut calls = self.lock_calls();
            let Some(sim) = calls.get_mut(&key(id)) else {
                return;
            };
            sim.ended = true;
            sim.state = "terminated";
            sim.call["state"] = json!("terminated");
            sim.callback.clone()
        };
        let call = json!({"@odata.type": "#microsoft.graph.call", "state": "terminated", "resultInfo": {
            "@odata.type": "#microsoft.graph.resultInfo",
            "code": code, "subcode": subcode, "message": message
        }});
        self.send(
            batch("deleted", &self.call_url(id), call),
            &callback,
            NOTIFY_AFTER,
        );
    }
}

impl Poster {
    async fn notify(&self, batch: &Value) -> Result<http::StatusCode, NotifyError> {
        self.notify_at(&self.callback_url, batch).await
    }

    async fn notify_at(&self, url: &str, batch: &Value) -> Result<http::StatusCode, NotifyError> {
        let token = self.key.sign(&signer::claims(&self.app_id, &self.tenant));
        let failed = |reason: String| NotifyError {
            url: url.to_owned(),
            reason,
        };
        let response = self
            .http
            .post(url)
            .header("authorization", format!("Bearer {token}"))
            .json(batch)
            .send()
            .await
            .map_err(|e| failed(e.to_string()))?;
        Ok(response.status())
    }
}

/// A fresh call, participant or operation id: a GUID in lower case with dashes.
fn new_id() -> String {
    crate::ids::new_client_request_id()
}

/// How the stand-in keys a call: its id in lower case without dashes, whatever the spelling.
fn key(id: &str) -> String {
    id.replace('-', "").to_ascii_lowercase()
}

/// A participant of the roster.
fn participant(id: &str, info: &Value) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.participant",
        "id": id,
        "info": info,
        "isMuted": false,
        "isInLobby": false
    })
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
