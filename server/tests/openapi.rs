//! The OpenAPI document (issue 19) against the router it describes: every REST route the router
//! serves is in `GET /api/v1/openapi.json` with its method (and nothing else is), every
//! reference resolves, versioned changes name If-Match, the session cookie is the security
//! scheme under its real name, and the readable page at `/api/docs` shows the same operations.
//! The document is also checked by an outside validator (openapi-spec-validator) and exercised
//! by schemathesis against a live server: `scripts/check-openapi`, run by `scripts/test-all`.

mod common;

use std::collections::BTreeSet;

use common::*;
use serde_json::Value;

async fn document() -> Value {
    let (state, _db) = test_state().await;
    // Anyone may read it: no session.
    let res = send(&state, req("GET", "/api/v1/openapi.json", None)).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    body_json(res).await
}

fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "put", "post", "delete", "patch", "head", "options"] {
            if item.get(method).is_some() {
                ops.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    ops
}

#[tokio::test]
async fn every_route_the_router_serves_is_in_the_document_and_nothing_else() {
    let doc = document().await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{}", doc["openapi"]);
    assert_eq!(doc["info"]["title"], "Tumorboard API");
    let documented = operations(&doc);
    let mut served: BTreeSet<(String, String)> =
        server::rest::route_list().into_iter().map(|(m, p)| (m.to_string(), format!("/api/v1{p}"))).collect();
    served.insert(("GET".into(), "/healthz".into()));
    let missing: Vec<_> = served.difference(&documented).collect();
    assert!(missing.is_empty(), "routes without a description in the document: {missing:?}");
    let extra: Vec<_> = documented.difference(&served).collect();
    assert!(extra.is_empty(), "the document describes routes the router does not serve: {extra:?}");
    // The contract's paths (spec/api.md, issue 19) are among them.
    for (m, p) in [
        ("POST", "/api/v1/login"),
        ("GET", "/api/v1/cases/{id}"),
        ("PATCH", "/api/v1/cases/{id}"),
        ("POST", "/api/v1/cases/{id}/plan/sign"),
        ("GET", "/api/v1/openapi.json"),
        ("GET", "/api/v1/figures.csv"),
    ] {
        assert!(documented.contains(&(m.to_string(), p.to_string())), "{m} {p}");
    }
}

/// Every `$ref` in the document names a schema it defines.
#[tokio::test]
async fn every_reference_resolves_and_the_conventions_are_described() {
    let doc = document().await;
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                if let Some(Value::String(r)) = o.get("$ref") {
                    out.push(r.clone());
                }
                o.values().for_each(|v| refs(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(all.len() > 50, "the operations refer to their schemas ({} refs)", all.len());
    for r in &all {
        let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("unexpected ref {r}"));
        assert!(schemas.contains_key(name), "{r} is not defined");
    }
    // The session cookie, under the name the server sets.
    let scheme = &doc["components"]["securitySchemes"]["session"];
    assert_eq!((scheme["type"].as_str(), scheme["in"].as_str()), (Some("apiKey"), Some("cookie")));
    assert_eq!(scheme["name"], app::ssr::auth::SESSION_COOKIE);
    assert_eq!(doc["security"][0]["session"], Value::Array(vec![]));
    // Public entries say so; the rest inherit the session requirement.
    for p in ["/api/v1/login", "/healthz", "/api/v1/openapi.json"] {
        let item = &doc["paths"][p];
        let op = item.get("post").or_else(|| item.get("get")).unwrap();
        assert_eq!(op["security"], serde_json::json!([{}]), "{p} needs no session");
    }
    let get_case = &doc["paths"]["/api/v1/cases/{id}"]["get"];
    assert_eq!(
        get_case["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/CaseRecord"
    );
    assert!(get_case["responses"]["200"]["headers"]["ETag"].is_object(), "a versioned read gives its ETag");
    for status in ["401", "403", "404"] {
        assert_eq!(
            get_case["responses"][status]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorBody",
            "{status}"
        );
    }
    // Versioned changes name If-Match and its two failures.
    for (m, p) in [
        ("patch", "/api/v1/cases/{id}"),
        ("patch", "/api/v1/annotations/{id}"),
        ("patch", "/api/v1/patients/{id}"),
        ("post", "/api/v1/cases/{id}/plan/sign"),
    ] {
        let op = &doc["paths"][p][m];
        let names: Vec<&str> = op["parameters"].as_array().unwrap().iter().filter_map(|x| x["name"].as_str()).collect();
        assert!(names.contains(&"If-Match"), "{m} {p}: {names:?}");
        assert!(op["responses"]["412"].is_object() && op["responses"]["428"].is_object(), "{m} {p}");
    }
    // Field-level errors are described where input is read.
    let create = &doc["paths"]["/api/v1/cases"]["post"];
    assert!(create["responses"]["422"].is_object() && create["requestBody"].is_object());
    let error = &schemas["ErrorDetail"];
    assert!(error["properties"]["fields"].is_object() && error["properties"]["code"].is_object());
    // Codes are enumerated from the domain, not free text.
    let sites = serde_json::to_string(&schemas["PrimarySite"]).unwrap();
    assert!(sites.contains("\"pancreas\"") && sites.contains("\"small_intestine\""), "{sites}");
}

#[tokio::test]
async fn the_readable_page_lists_the_operations_and_schemas() {
    let (state, _db) = test_state().await;
    let res = send(&state, req("GET", "/api/docs", None)).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = body_text(res).await;
    assert!(html.starts_with("<!DOCTYPE html><html lang=\"en\">"), "{}", &html[..80]);
    assert!(html.contains("<h1>Tumorboard API"));
    assert!(html.contains("<code>/api/v1/cases/{id}/plan/sign</code>"));
    assert!(html.contains("<a href=\"#schema-CaseRecord\">CaseRecord</a>"));
    assert!(html.contains("<h3 id=\"schema-CaseRecord\">CaseRecord</h3>"));
    assert!(html.contains("<a href=\"/api/v1/openapi.json\">"));
    assert!(!html.contains("<script"), "no script on the page");
    // As many operation headings as the document has operations.
    let doc = document().await;
    assert_eq!(html.matches("<span class=\"method\">").count(), operations(&doc).len());
}
