//! What lies past one typed request: lists followed page by page (`pages`), raw requests
//! through the crate's path (`raw`), and one client serving several tenants
//! (`Client::for_tenant`), each against a real HTTP server on 127.0.0.1.

mod support;

use std::sync::{Arc, Mutex};

use msgraph_calls::auth::{AccessToken, StaticToken, TokenError, TokenProvider};
use msgraph_calls::raw::RawRequest;
use msgraph_calls::testing::{Recorded, Reply, StandIn};
use msgraph_calls::{Client, Error, RetryPolicy};
use serde_json::{json, Value};
use support::client::{builder, client, fast_retries};

const CALL_ID: &str = "57dab8b1-894c-409a-b240-bd8beae78896";
const TOKEN: &str = "eyJ0eXAi.test-token-7f3a.sig";
const PARTICIPANTS: &str =
    "/v1.0/communications/calls/57dab8b1-894c-409a-b240-bd8beae78896/participants";

/// A page of participants with these ids, linking to `next`.
fn page(ids: &[&str], next: Option<&str>) -> Reply {
    let value: Vec<Value> = ids
        .iter()
        .map(
            |id| json!({"@odata.type": "#microsoft.graph.participant", "id": id, "isMuted": false}),
        )
        .collect();
    let mut body = json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#participants", "value": value});
    if let Some(next) = next {
        body["@odata.nextLink"] = json!(next);
    }
    Reply::json(200, &body.to_string())
}

#[tokio::test]
async fn a_list_is_followed_page_by_page_to_its_end() {
    let origin = Arc::new(Mutex::new(String::new()));
    let here = origin.clone();
    let graph = StandIn::start(move |request: &Recorded| {
        let origin = here.lock().unwrap().clone();
        match request.target.split_once("$skiptoken=") {
            None => page(
                &["p1", "p2"],
                Some(&format!("{origin}{PARTICIPANTS}?$skiptoken=two")),
            ),
            // An empty page may come before the last (OData says nothing against it).
            Some((_, "two")) => page(
                &[],
                Some(&format!("{origin}{PARTICIPANTS}?$skiptoken=three")),
            ),
            Some((_, "three")) => page(&["p3", "p4"], None),
            Some(_) => Reply::status(500),
        }
    })
    .await;
    *origin.lock().unwrap() = graph.origin();
    let client = client(&graph, TOKEN, fast_retries());

    let mut items = client.list_participants_all(CALL_ID);
    assert!(
        graph.requests().is_empty(),
        "nothing is sent before the first next"
    );
    let first = items.next().await.unwrap().unwrap();
    assert_eq!(first.id.as_deref(), Some("p1"));
    assert_eq!(items.pages_fetched(), 1);
    let rest = items.collect_all().await.unwrap();
    let ids: Vec<_> = rest.iter().map(|p| p.id.clone().unwrap()).collect();
    assert_eq!(ids, ["p2", "p3", "p4"]);

    let requests = graph.requests();
    let targets: Vec<_> = requests.iter().map(|r| r.target.as_str()).collect();
    assert_eq!(
        targets,
        [
            PARTICIPANTS.to_owned(),
            format!("{PARTICIPANTS}?$skiptoken=two"),
            format!("{PARTICIPANTS}?$skiptoken=three")
        ]
    );
    for request in &requests {
        assert_eq!(request.method, "GET");
        assert_eq!(
            request.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        assert_eq!(request.header("client-request-id").map(str::len), Some(36));
    }
}

#[tokio::test]
async fn a_next_link_off_the_clients_graph_is_not_followed_and_the_token_stays_home() {
    // Another server on this machine, as an attacker's host would be.
    let elsewhere = StandIn::start(|_| page(&["stolen"], None)).await;
    let hostile = |origin: &str, elsewhere: &str| {
        let port = origin.rsplit(':').next().unwrap().to_owned();
        vec![
            (format!("{elsewhere}{PARTICIPANTS}?$skiptoken=x"), "goes to"),
            (
                format!("https://127.0.0.1:{port}{PARTICIPANTS}"),
                "scheme is https",
            ),
            (
                format!("http://localhost:{port}{PARTICIPANTS}"),
                "goes to localhost",
            ),
            (
                format!("{origin}/beta/communications/calls"),
                "not under the client's version root",
            ),
            (format!("{origin}/v1.0/..%2F..%2Fbeta/x"), "encoded"),
            (
                format!("http://user:secret@127.0.0.1:{port}{PARTICIPANTS}"),
                "user info",
            ),
            ("not a url".to_owned(), "not an absolute URL"),
        ]
    };
    let link = Arc::new(Mutex::new(String::new()));
    let next = link.clone();
    let graph = StandIn::start(move |_| page(&["p1"], Some(&next.lock().unwrap()))).await;
    let client = client(&graph, TOKEN, fast_retries());

    for (bad, why) in hostile(&graph.origin(), &elsewhere.origin()) {
        *link.lock().unwrap() = bad.clone();
        let before = graph.requests().len();
        let mut items = client.list_participants_all(CALL_ID);
        assert_eq!(
            items.next().await.unwrap().unwrap().id.as_deref(),
            Some("p1")
        );
        match items.next().await {
            Some(Err(Error::UntrustedLink { reason })) => {
                assert!(reason.contains(why), "{bad}: {reason}");
                assert!(
                    !reason.contains("secret") && !reason.contains("skiptoken"),
                    "{reason}"
                );
            }
            other => panic!("{bad}: {other:?}"),
        }
        assert!(items.next().await.is_none(), "a failed list is not resumed");
        assert_eq!(
            graph.requests().len(),
            before + 1,
            "{bad}: only the first page was asked for"
        );
    }
    assert!(
        elsewhere.requests().is_empty(),
        "the token went elsewhere: {:?}",
        elsewhere.requests()
    );
}

#[tokio::test]
async fn a_list_that_never_ends_is_stopped() {
    // A page naming itself as the next, empty: without a stop, `next` would never return.
    let origin = Arc::new(Mutex::new(String::new()));
    let here = origin.clone();
    let graph = StandIn::start(move |_: &Recorded| {
        let origin = here.lock().unwrap().clone();
        page(
            &[],
            Some(&format!("{origin}{PARTICIPANTS}?$skiptoken=same")),
        )
    })
    .await;
    *origin.lock().unwrap() = graph.origin();
    let looping = client(&graph, TOKEN, fast_retries());
    let mut items = looping.list_participants_all(CALL_ID);
    match items.next().await {
        Some(Err(Error::EndlessList { pages: 2 })) => {}
        other => panic!("{other:?}"),
    }
    assert!(items.next().await.is_none());
    assert_eq!(
        graph.requests().len(),
        2,
        "the first page, and its link once"
    );

    // Links that differ every time, past the page limit.
    let count = Arc::new(Mutex::new(0));
    let (here, n) = (origin.clone(), count.clone());
    let endless = StandIn::start(move |_: &Recorded| {
        let origin = here.lock().unwrap().clone();
        let mut n = n.lock().unwrap();
        *n += 1;
        page(
            &["p"],
            Some(&format!("{origin}{PARTICIPANTS}?$skiptoken={n}")),
        )
    })
    .await;
    *origin.lock().unwrap() = endless.origin();
    let err = client(&endless, TOKEN, fast_retries())
        .list_participants_all(CALL_ID)
        .max_pages(5)
        .collect_all()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::EndlessList { pages: 5 }), "{err:?}");
    assert_eq!(endless.requests().len(), 5);
}

#[tokio::test]
async fn a_failed_page_keeps_its_skip_token_out_of_the_error() {
    let origin = Arc::new(Mutex::new(String::new()));
    let here = origin.clone();
    let graph = StandIn::start(move |request: &Recorded| {
        if request.target.contains("skiptoken") {
            return Reply::drop_connection();
        }
        let origin = here.lock().unwrap().clone();
        page(
            &["p1"],
            Some(&format!(
                "{origin}{PARTICIPANTS}?$skiptoken=s3cr3t-position"
            )),
        )
    })
    .await;
    *origin.lock().unwrap() = graph.origin();
    let client = client(&graph, TOKEN, RetryPolicy::none());
    let err = client
        .list_participants_all(CALL_ID)
        .collect_all()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    for shown in [err.to_string(), format!("{err:?}")] {
        assert!(!shown.contains("s3cr3t"), "{shown}");
    }
}

#[tokio::test]
async fn a_raw_request_takes_the_crates_path() {
    let graph = StandIn::script(vec![
        Reply::json(200, r##"{"@odata.type": "#microsoft.graph.addLargeGalleryViewOperation", "status": "completed"}"##),
        Reply::status(204),
    ])
    .await;
    let client = client(&graph, TOKEN, fast_retries());
    let add = RawRequest::post(["communications", "calls", CALL_ID, "addLargeGalleryView"])
        .json(&json!({"clientContext": "785f4929"}))
        .unwrap();
    let response = client.send_raw(&add).await.unwrap();
    assert_eq!(response.status(), 200);
    let operation: Value = response.json().unwrap();
    assert_eq!(operation["status"], "completed");
    let beta = RawRequest::delete([
        "communications",
        "calls",
        CALL_ID,
        "audioRoutingGroups",
        "oneToOne",
    ])
    .version("beta")
    .query("$filter", "routingMode eq 'oneToOne'");
    assert_eq!(client.send_raw(&beta).await.unwrap().status(), 204);

    let requests = graph.requests();
    assert_eq!(requests[0].method, "POST");
    assert_eq!(
        requests[0].target,
        format!("/v1.0/communications/calls/{CALL_ID}/addLargeGalleryView")
    );
    assert_eq!(
        serde_json::from_slice::<Value>(&requests[0].body).unwrap(),
        json!({"clientContext": "785f4929"})
    );
    assert_eq!(requests[0].header("content-type"), Some("application/json"));
    assert_eq!(requests[1].method, "DELETE");
    assert_eq!(
        requests[1].target,
        format!("/beta/communications/calls/{CALL_ID}/audioRoutingGroups/oneToOne?%24filter=routingMode+eq+%27oneToOne%27")
    );
    for request in &requests {
        assert_eq!(
            request.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        assert_eq!(request.header("client-request-id").map(str::len), Some(36));
        assert_eq!(request.header("api-version"), None);
    }
}

#[tokio::test]
async fn raw_paths_that_could_escape_are_refused_before_anything_is_sent() {
    let graph = StandIn::start(|_| Reply::status(204)).await;
    let client = client(&graph, TOKEN, fast_retries());
    for segments in [
        vec!["communications", ".."],
        vec!["communications", "."],
        vec!["communications", ""],
        vec!["communications/calls"],
        vec!["calls", "a%2F..%2Fx"],
        vec!["calls", "x?y=1"],
        vec!["calls", "x#y"],
        vec!["calls", "a\\b"],
        vec!["calls", "\u{ff0e}\u{ff0e}"],
        vec!["calls", "line\nbreak"],
        vec![],
    ] {
        let err = client
            .send_raw(&RawRequest::get(segments.clone()))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidId {
                    parameter: "path segment",
                    ..
                }
            ),
            "{segments:?}: {err:?}"
        );
    }
    let err = client
        .send_raw(&RawRequest::get(["communications"]).version("../v2"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Config { .. }), "{err:?}");
    assert!(graph.requests().is_empty());
    // OData's own segment shapes pass.
    let odata = RawRequest::get([
        "communications",
        "calls('57dab8b1')",
        "participants",
        "$count",
    ]);
    client.send_raw(&odata).await.unwrap();
    assert_eq!(
        graph.requests()[0].target,
        "/v1.0/communications/calls('57dab8b1')/participants/$count"
    );
}

#[tokio::test]
async fn raw_requests_retry_as_their_idempotence_allows_and_errors_are_typed() {
    // A POST answered 504 may have been carried out: not sent again.
    let graph = StandIn::script(vec![Reply::status(504), Reply::status(200)]).await;
    let err = client(&graph, TOKEN, fast_retries())
        .send_raw(&RawRequest::post([
            "communications",
            "calls",
            CALL_ID,
            "addLargeGalleryView",
        ]))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Throttled(_)), "{err:?}");
    assert!(err.outcome_unknown());
    assert_eq!(graph.requests().len(), 1);

    // The same POST said idempotent by its caller, and a GET, are sent again.
    let graph = StandIn::script(vec![
        Reply::status(504),
        Reply::status(204),
        Reply::status(503),
        Reply::status(204),
    ])
    .await;
    let client = client(&graph, TOKEN, fast_retries());
    let again =
        RawRequest::post(["communications", "calls", CALL_ID, "keepAlive"]).idempotent(true);
    assert_eq!(client.send_raw(&again).await.unwrap().status(), 204);
    assert_eq!(
        client
            .send_raw(&RawRequest::get(["communications", "calls", CALL_ID]))
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(graph.requests().len(), 4);
    assert_eq!(graph.requests()[1].header("retry-attempt"), Some("1"));

    // Graph's error body is typed as for a generated operation.
    let graph = StandIn::script(vec![Reply::json(
        404,
        r#"{"error": {"code": "itemNotFound", "message": "Call not found."}}"#,
    )])
    .await;
    let err = client_of(&graph)
        .send_raw(&RawRequest::get(["communications", "calls", CALL_ID]))
        .await
        .unwrap_err();
    match err {
        Error::NotFound(response) => assert_eq!(response.graph.unwrap().error.code, "itemNotFound"),
        other => panic!("{other:?}"),
    }

    // A success body is read under the client's cap.
    let graph = StandIn::script(vec![Reply::json(200, "{}").endless_body()]).await;
    let capped = builder(&graph, TOKEN, RetryPolicy::none())
        .max_response_body(4096)
        .build()
        .unwrap();
    let err = capped
        .send_raw(&RawRequest::get(["communications", "calls"]))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { cap: 4096, .. }),
        "{err:?}"
    );
}

fn client_of(graph: &StandIn) -> Client {
    client(graph, TOKEN, RetryPolicy::none())
}

/// A provider that gives each tenant its own token and remembers whom it was asked for.
#[derive(Clone, Default)]
struct PerTenant {
    asked: Arc<Mutex<Vec<Option<String>>>>,
}

impl TokenProvider for PerTenant {
    async fn token(&self) -> Result<AccessToken, TokenError> {
        self.asked.lock().unwrap().push(None);
        Ok(AccessToken::new("home-token"))
    }

    async fn token_for_tenant(&self, tenant: &str) -> Result<AccessToken, TokenError> {
        self.asked.lock().unwrap().push(Some(tenant.to_owned()));
        Ok(AccessToken::new(format!("token-of-{tenant}")))
    }
}

#[tokio::test]
async fn one_client_serves_several_tenants_each_with_its_token() {
    const CONTOSO: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    const FABRIKAM: &str = "fabrikam.onmicrosoft.com";
    let graph = StandIn::start(|_| Reply::status(204)).await;
    let provider = PerTenant::default();
    let client = Client::builder()
        .base_url(graph.base_url())
        .token(provider.clone())
        .build()
        .unwrap();
    let contoso = client.for_tenant(&CONTOSO.to_ascii_uppercase()).unwrap();
    let fabrikam = client.for_tenant(FABRIKAM).unwrap();

    contoso.delete_call(CALL_ID).await.unwrap();
    fabrikam.delete_call(CALL_ID).await.unwrap();
    client.delete_call(CALL_ID).await.unwrap();
    contoso
        .send_raw(&RawRequest::get(["communications", "calls", CALL_ID]))
        .await
        .unwrap();

    let tokens: Vec<String> = graph
        .requests()
        .iter()
        .map(|r| r.header("authorization").unwrap().to_owned())
        .collect();
    assert_eq!(
        tokens,
        [
            format!("Bearer token-of-{CONTOSO}"),
            format!("Bearer token-of-{FABRIKAM}"),
            "Bearer home-token".to_owned(),
            format!("Bearer token-of-{CONTOSO}"),
        ]
    );
    assert_eq!(
        *provider.asked.lock().unwrap(),
        [
            Some(CONTOSO.to_owned()),
            Some(FABRIKAM.to_owned()),
            None,
            Some(CONTOSO.to_owned())
        ]
    );
    assert!(format!("{contoso:?}").contains(CONTOSO));

    // A provider of one tenant says so, and nothing is sent with the wrong token.
    let single = StandIn::start(|_| Reply::status(204)).await;
    let one = Client::builder()
        .base_url(single.base_url())
        .token(StaticToken::new(TOKEN))
        .build()
        .unwrap();
    let err = one
        .for_tenant(FABRIKAM)
        .unwrap()
        .delete_call(CALL_ID)
        .await
        .unwrap_err();
    match err {
        Error::Token(e) => assert!(e.to_string().contains("token_for_tenant"), "{e}"),
        other => panic!("{other:?}"),
    }
    assert!(single.requests().is_empty());
    for bad in ["", "../common", "a/b", "x y", "contoso..com", ".com"] {
        assert!(
            matches!(
                client.for_tenant(bad),
                Err(Error::InvalidId {
                    parameter: "tenant",
                    ..
                })
            ),
            "{bad:?}"
        );
    }
}
