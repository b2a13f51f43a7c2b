//! The directory as Open Referral UK 3.0 publishes it: open, paginated as the standard says,
//! empty optionals left out, and every item valid against the standard's JSON schemata (read
//! from the specification beside the project, `../shared/data/oruk-3.0`, where it is).

use axum::http::{Method, StatusCode};
use serde_json::Value;

use crate::common::*;

async fn get(app: &App, path: &str) -> Resp {
    let mut b = Browser::default();
    app.get(&mut b, path).await
}

/// The standard's schema for `name`, when the specification is beside the project: every
/// schema of it registered under `file:///oruk/`, so the references between them resolve.
fn schema(name: &str) -> Option<jsonschema::Validator> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/oruk-3.0/schemata");
    let entries = std::fs::read_dir(&dir).ok()?;
    let mut registry = jsonschema::Registry::new();
    for entry in entries {
        let path = entry.unwrap().path();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        registry = registry.add(format!("file:///oruk/{file}"), value).unwrap();
    }
    let registry = registry.prepare().unwrap();
    Some(
        jsonschema::options()
            .should_validate_formats(true)
            .with_registry(&registry)
            .build(&serde_json::json!({ "$ref": format!("file:///oruk/{name}.json") }))
            .unwrap(),
    )
}

/// Valid as the standard's `name`; and, whether or not the specification is at hand, with the
/// fields it requires, a UUID id and no empty optional.
fn check(name: &str, item: &Value) {
    if let Some(v) = schema(name) {
        let errors: Vec<String> = v.iter_errors(item).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{name} {item}: {errors:?}");
    }
    for field in ["id", "name", "description"] {
        assert!(
            item[field].as_str().is_some_and(|s| !s.is_empty()),
            "{name} needs {field}: {item}"
        );
    }
    assert!(uuid::Uuid::parse_str(item["id"].as_str().unwrap_or_default()).is_ok());
    for (k, v) in item.as_object().unwrap() {
        assert!(!v.is_null() && v != "", "{name}.{k} is empty: {item}");
    }
}

fn page_shape(body: &Value) {
    for key in [
        "total_items",
        "total_pages",
        "page_number",
        "size",
        "first_page",
        "last_page",
        "empty",
        "contents",
    ] {
        assert!(body.get(key).is_some(), "{key} in {body}");
    }
}

#[test]
fn the_standards_schemata_are_applied_where_they_are_at_hand() {
    if let Some(v) = schema("taxonomy_term") {
        let good = serde_json::json!({
            "id": "3f7b145d-84af-42d7-8fae-eaca714b02b2", "name": "Food", "description": "Food banks"
        });
        assert!(v.is_valid(&good));
        for bad in [
            serde_json::json!({"id": "not-a-uuid", "name": "Food", "description": "Food banks"}),
            serde_json::json!({"id": "3f7b145d-84af-42d7-8fae-eaca714b02b2", "description": "No name"}),
        ] {
            assert!(!v.is_valid(&bad), "{bad}");
        }
        assert!(schema("taxonomy").is_some(), "its references resolve");
    }
}

seeded_db_test!(the_needs_taxonomy_is_published_as_open_referral_uk, |db| {
    let app = app(db).await;
    let about = get(&app, "/openreferral/").await;
    assert_eq!(about.status, StatusCode::OK);
    assert_eq!(about.json()["version"], "3.0");
    assert!(
        about.json()["openapi_url"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    assert_eq!(about.headers["access-control-allow-origin"], "*");
    let list = get(&app, "/openreferral/taxonomies").await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.headers["access-control-allow-origin"], "*");
    let body = list.json();
    page_shape(&body);
    assert_eq!(body["total_items"], 1);
    let t = &body["contents"][0];
    check("taxonomy", t);
    assert_eq!(t["name"], "Social prescribing needs");
    let id = t["id"].as_str().unwrap().to_owned();
    assert_eq!(
        id,
        domain::directory::taxonomy::uuid_of("social-prescribing-needs").to_string(),
        "the same id on every installation"
    );
    let one = get(&app, &format!("/openreferral/taxonomies/{id}"))
        .await
        .json();
    assert_eq!(one["taxonomy_terms"].as_array().unwrap().len(), 18);
    for term in one["taxonomy_terms"].as_array().unwrap() {
        check("taxonomy_term", term);
    }
    // Terms, paged.
    let p2 = get(&app, "/openreferral/taxonomy_terms?per_page=5&page=2")
        .await
        .json();
    page_shape(&p2);
    assert_eq!(
        (
            &p2["total_items"],
            &p2["total_pages"],
            &p2["page_number"],
            &p2["size"],
            &p2["first_page"],
            &p2["last_page"]
        ),
        (
            &Value::from(18),
            &Value::from(4),
            &Value::from(2),
            &Value::from(5),
            &Value::from(false),
            &Value::from(false)
        )
    );
    for term in p2["contents"].as_array().unwrap() {
        check("taxonomy_term", term);
        let one = get(
            &app,
            &format!(
                "/openreferral/taxonomy_terms/{}",
                term["id"].as_str().unwrap()
            ),
        )
        .await;
        assert_eq!(one.status, StatusCode::OK);
        check("taxonomy_term", &one.json());
    }
    let mine = get(
        &app,
        &format!("/openreferral/taxonomy_terms?taxonomy_id={id}"),
    )
    .await
    .json();
    assert_eq!(mine["total_items"], 18);
    let none = get(
        &app,
        "/openreferral/taxonomy_terms?taxonomy_id=no-such-taxonomy",
    )
    .await
    .json();
    assert_eq!(
        (&none["total_items"], &none["empty"]),
        (&Value::from(0), &Value::from(true))
    );
});

seeded_db_test!(
    open_referral_bad_paging_and_unknown_ids_get_clear_answers,
    |db| {
        let app = app(db).await;
        // A page size over the most served is served at the most, and the answer says so.
        let big = get(&app, "/openreferral/taxonomy_terms?per_page=10000").await;
        assert_eq!(big.status, StatusCode::OK);
        assert_eq!(big.headers["x-page-size-capped"], "200");
        assert_eq!(big.json()["size"], 18);
        for (q, field) in [
            ("page=0", "page"),
            ("per_page=-5", "per_page"),
            ("page=soon", "page"),
            ("page=100001", "page"),
        ] {
            let r = get(&app, &format!("/openreferral/taxonomy_terms?{q}")).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}: {}", r.body);
            assert_eq!(r.json()["errors"][0]["field"], field, "{q}");
            assert_eq!(r.headers["access-control-allow-origin"], "*");
        }
        for path in [
            "/openreferral/taxonomies/%00",
            "/openreferral/taxonomy_terms/%00",
            "/openreferral/taxonomies/not-an-id",
            "/openreferral/taxonomy_terms/00000000-0000-0000-0000-000000000000",
        ] {
            let r = get(&app, path).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
            assert!(
                r.json()["errors"][0]["detail"].is_string(),
                "the JSON envelope: {}",
                r.body
            );
        }
        let unknown = app
            .send(
                axum::http::Request::builder()
                    .method(Method::GET)
                    .uri("/openreferral/nothing-here")
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
        assert!(
            unknown.body.starts_with('{'),
            "JSON, not a page: {}",
            unknown.body
        );
    }
);
