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

/// Every service of the demo directory, through the API's pages.
async fn all_services(app: &App) -> Vec<Value> {
    let mut out = Vec::new();
    for page in 1.. {
        let r = get(
            app,
            &format!("/openreferral/services?per_page=50&page={page}"),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let body = r.json();
        page_shape(&body);
        out.extend(body["contents"].as_array().unwrap().iter().cloned());
        if body["last_page"] == true {
            break;
        }
    }
    out
}

seeded_db_test!(services_are_published_whole_and_valid, |db| {
    let app = app(db).await;
    let services = all_services(&app).await;
    assert!(
        services.len() >= 60,
        "the demo lists 60 or more: {}",
        services.len()
    );
    let mut ids = std::collections::HashSet::new();
    for s in &services {
        check("service", s);
        assert!(
            ids.insert(s["id"].as_str().unwrap().to_owned()),
            "ids are unique"
        );
        assert!(s["organization"]["id"].is_string(), "{s}");
        check("organization", &s["organization"]);
    }
    // Data quality as the national measures count it: every service has a UUID id, a name, a
    // description, an organisation and a way to make contact.
    let mut with_contact = 0;
    for s in services.iter().take(70) {
        let id = s["id"].as_str().unwrap();
        let r = get(&app, &format!("/openreferral/services/{id}")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.headers["access-control-allow-origin"], "*");
        let full = r.json();
        check("service", &full);
        for sal in full["service_at_locations"].as_array().unwrap() {
            check_nested("service_at_location", sal);
            check_nested("location", &sal["location"]);
            for a in sal["location"]["addresses"]
                .as_array()
                .into_iter()
                .flatten()
            {
                check_nested("address", a);
            }
        }
        for (list, name) in [
            ("schedules", "schedule"),
            ("cost_options", "cost_option"),
            ("contacts", "contact"),
            ("attributes", "attribute"),
        ] {
            for item in full[list].as_array().unwrap() {
                check_nested(name, item);
            }
        }
        assert!(
            !full["attributes"].as_array().unwrap().is_empty(),
            "each demo service meets a need"
        );
        let phones = full["contacts"][0]["phones"]
            .as_array()
            .map(|p| !p.is_empty())
            .unwrap_or(false);
        if phones || full["url"].is_string() || full["email"].is_string() {
            with_contact += 1;
        }
        let sched = &full["schedules"][0];
        assert!(sched["opens_at"].as_str().unwrap().len() == 8, "{sched}");
    }
    assert_eq!(
        with_contact,
        services.len().min(70),
        "every service can be contacted"
    );
    let missing = get(
        &app,
        "/openreferral/services/00000000-0000-4000-8000-000000000000",
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
});

/// Valid as the standard's `name` (for records inside another, whose optional fields may be
/// left out and which have no name or description of their own).
fn check_nested(name: &str, item: &Value) {
    if let Some(v) = schema(name) {
        let errors: Vec<String> = v.iter_errors(item).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{name} {item}: {errors:?}");
    }
    assert!(
        uuid::Uuid::parse_str(item["id"].as_str().unwrap_or_default()).is_ok(),
        "{name}: {item}"
    );
    for (k, v) in item.as_object().unwrap() {
        assert!(!v.is_null() && v != "", "{name}.{k} is empty: {item}");
    }
}

fn names(body: &Value) -> Vec<String> {
    body["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s.get("service")
                .map(|x| &x["name"])
                .unwrap_or(&s["name"])
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

seeded_db_test!(services_are_found_by_words_need_place_and_time, |db| {
    let conn = db.clone();
    let app = app(db).await;
    // Words, stemmed: "walks" finds "Walk and talk".
    let walks = get(&app, "/openreferral/services?search=walks")
        .await
        .json();
    assert!(
        names(&walks).iter().any(|n| n.starts_with("Walk and talk")),
        "{walks}"
    );
    // A typed word that is not the directory's is corrected to the nearest that is.
    let typo = get(&app, "/openreferral/services?search=bereavment")
        .await
        .json();
    assert!(
        names(&typo)
            .iter()
            .any(|n| n.starts_with("Bereavement support")),
        "{typo}"
    );
    // By need.
    let food = domain::directory::taxonomy::uuid_of("food");
    let by_need = get(
        &app,
        &format!("/openreferral/services?taxonomy_term_id={food}&per_page=200"),
    )
    .await
    .json();
    assert!(by_need["total_items"].as_u64().unwrap() >= 5);
    assert!(
        names(&by_need).iter().all(|n| [
            "Food bank",
            "Community lunch",
            "Grow your own veg",
            "Lunch club"
        ]
        .iter()
        .any(|k| n.starts_with(k))),
        "{:?}",
        names(&by_need)
    );
    // Near a postcode: nearest first, none further than asked.
    let near = get(
        &app,
        "/openreferral/service_at_locations?postcode=RD1%204CC&proximity=5000&per_page=200",
    )
    .await;
    assert_eq!(near.status, StatusCode::OK, "{}", near.body);
    let near = near.json();
    let items = near["contents"].as_array().unwrap();
    assert!(items.len() >= 10, "{}", items.len());
    use sea_orm::EntityTrait;
    let pc = store::entities::postcode::Entity::find_by_id("RD1 4CC".to_owned())
        .one(&conn)
        .await
        .unwrap()
        .unwrap();
    let home = domain::directory::geo::Point::new(pc.latitude, pc.longitude).unwrap();
    let mut last = 0.0;
    for it in items {
        check_nested("service_at_location", it);
        check("service", &it["service"]);
        let loc = &it["location"];
        check_nested("location", loc);
        assert_eq!(loc["location_type"], "physical");
        let here = domain::directory::geo::Point::new(
            loc["latitude"].as_f64().unwrap(),
            loc["longitude"].as_f64().unwrap(),
        )
        .unwrap();
        let d = home.distance_m(here);
        assert!(d <= 5_000.0 * 1.01, "{d} m away: {it}");
        assert!(d >= last - 50.0, "nearest first: {d} after {last}");
        last = d;
    }
    // Nothing in Riverdale is within 5 km of Seacombe's coast, and the other way round.
    let coast = get(
        &app,
        "/openreferral/service_at_locations?postcode=CV7%201AA&proximity=5000&per_page=200",
    )
    .await
    .json();
    let coast_names = names(&coast);
    assert!(
        coast_names.iter().all(|n| !n.contains("(Riverdale)")),
        "{coast_names:?}"
    );
    assert!(
        coast_names.iter().any(|n| n.contains("(Seacombe)")),
        "{coast_names:?}"
    );
    // By day and time: the Saturday services start at or after 9am and end by 2pm.
    let sat = get(
        &app,
        "/openreferral/services?day=SA&start_time=09:00&end_time=14:00:00&per_page=200",
    )
    .await
    .json();
    assert!(
        names(&sat).iter().any(|n| n.starts_with("Nordic walking")),
        "{sat}"
    );
    assert!(
        names(&sat).iter().all(|n| !n.starts_with("Food bank")),
        "{sat}"
    );
    // By age: services for people 18 and over.
    let adults = get(&app, "/openreferral/services?minimum_age=18&per_page=200")
        .await
        .json();
    assert!(adults["total_items"].as_u64().unwrap() >= 50);
    // By organisation.
    let org = &walks["contents"][0]["organization"]["id"];
    let mine = get(
        &app,
        &format!(
            "/openreferral/services?organization_id={}",
            org.as_str().unwrap()
        ),
    )
    .await
    .json();
    assert!(
        mine["contents"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["organization"]["id"] == *org)
    );
});

seeded_db_test!(bad_filters_get_clear_answers_naming_them, |db| {
    let app = app(db).await;
    for (q, field) in [
        ("postcode=RD1%204CC&proximity=-5", "proximity"),
        ("postcode=RD1%204CC&proximity=far", "proximity"),
        ("postcode=RD1%204CC&proximity=999999999", "proximity"),
        ("proximity=5000", "proximity"),
        ("postcode=ZZ9%209ZZ", "postcode"),
        ("postcode=not-a-postcode", "postcode"),
        ("page=0", "page"),
        ("minimum_age=-1", "minimum_age"),
        ("maximum_age=old", "maximum_age"),
        ("start_time=25:00", "start_time"),
        ("day=Funday", "day"),
        ("taxonomy_term_id=food", "taxonomy_term_id"),
        ("organization_id=%00", "organization_id"),
        ("modified_after=yesterday", "modified_after"),
    ] {
        for path in ["services", "service_at_locations"] {
            let r = get(&app, &format!("/openreferral/{path}?{q}")).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}?{q}: {}", r.body);
            assert_eq!(r.json()["errors"][0]["field"], field, "{path}?{q}");
            assert_eq!(
                r.headers
                    .get("access-control-allow-origin")
                    .map(|v| v.to_str().unwrap()),
                Some("*"),
                "{path}?{q}: {:?}",
                r.headers
            );
        }
    }
    let long = "a".repeat(101);
    let r = get(&app, &format!("/openreferral/services?search={long}")).await;
    assert_eq!(r.json()["errors"][0]["field"], "search");
    // Anything else typed is searched for, and at worst finds nothing.
    for s in [
        "%22",
        "*",
        "AND%20OR%20NOT",
        "%27%3B--",
        "NEAR(a%20b)",
        "%E2%80%AE",
    ] {
        let r = get(&app, &format!("/openreferral/services?search={s}")).await;
        assert_eq!(r.status, StatusCode::OK, "{s}: {}", r.body);
    }
    let big = get(&app, "/openreferral/services?per_page=10000").await;
    assert_eq!(big.status, StatusCode::OK);
    assert_eq!(big.headers["x-page-size-capped"], "200");
});

/// The standard's OpenAPI document, when the specification is beside the project.
fn openapi() -> Option<Value> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/oruk-3.0/openapi.json");
    Some(serde_json::from_str(&std::fs::read_to_string(p).ok()?).unwrap())
}

seeded_db_test!(
    every_operation_of_the_standards_openapi_document_is_served,
    |db| {
        let app = app(db).await;
        let Some(doc) = openapi() else {
            eprintln!("the Open Referral OpenAPI document is not beside the project: skipped");
            return;
        };
        // A real id for each kind of record, from the lists.
        let first = |body: Value| body["contents"][0]["id"].as_str().unwrap().to_owned();
        let service = first(get(&app, "/openreferral/services?search=walk").await.json());
        let sal = first(
            get(
                &app,
                "/openreferral/service_at_locations?postcode=RD1%204CC",
            )
            .await
            .json(),
        );
        let taxonomy = first(get(&app, "/openreferral/taxonomies").await.json());
        let term = domain::directory::taxonomy::uuid_of("physical-activity").to_string();
        let org = get(&app, &format!("/openreferral/services/{service}"))
            .await
            .json()["organization"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        // A value each parameter the standard names might be given.
        let sample = |name: &str| -> String {
            match name {
                "search" => "walk".into(),
                "page" => "1".into(),
                "per_page" => "5".into(),
                "taxonomy_term_id" => term.clone(),
                "taxonomy_id" => taxonomy.clone(),
                "organization_id" => org.clone(),
                "minimum_age" => "18".into(),
                "maximum_age" => "120".into(),
                "start_time" => "09:00".into(),
                "end_time" => "21:00:00".into(),
                "day" => "TU".into(),
                "postcode" => "RD1%204CC".into(),
                // A distance is from a postcode (alone it is refused, naming it).
                "proximity" => "5000&postcode=RD1%204CC".into(),
                "modified_after" => "2020-01-01T00:00:00Z".into(),
                other => panic!("no sample for the parameter {other}"),
            }
        };
        let page_schema = jsonschema::validator_for(&doc["components"]["schemas"]["Page"]).unwrap();
        let mut operations = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                if method == "parameters" {
                    continue; // the path's own, like {id}
                }
                assert_eq!(method, "get", "{path}: the standard's API only reads");
                operations += 1;
                let id = match path.as_str() {
                    "/services/{id}" => service.clone(),
                    "/service_at_locations/{id}" => sal.clone(),
                    "/taxonomies/{id}" => taxonomy.clone(),
                    "/taxonomy_terms/{id}" => term.clone(),
                    _ => String::new(),
                };
                let base = format!("/openreferral{}", path.replace("{id}", &id));
                let names: Vec<String> = op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| {
                        let r = p["$ref"].as_str().unwrap().rsplit('/').next().unwrap();
                        doc["components"]["parameters"][r]["name"]
                            .as_str()
                            .unwrap()
                            .to_owned()
                    })
                    .collect();
                // Each parameter alone, then all of them at once.
                let mut queries: Vec<String> =
                    names.iter().map(|n| format!("{n}={}", sample(n))).collect();
                let all: Vec<String> = names
                    .iter()
                    .map(|n| match n.as_str() {
                        "proximity" if names.iter().any(|x| x == "postcode") => {
                            "proximity=5000".into()
                        }
                        _ => format!("{n}={}", sample(n)),
                    })
                    .collect();
                queries.push(all.join("&"));
                for q in queries {
                    let url = if q.is_empty() {
                        base.clone()
                    } else {
                        format!("{base}?{q}")
                    };
                    let r = get(&app, &url).await;
                    assert_eq!(r.status, StatusCode::OK, "{url}: {}", r.body);
                    assert_eq!(r.headers["access-control-allow-origin"], "*", "{url}");
                    let body = r.json();
                    let shape = &op["responses"]["200"]["content"]["application/json"]["schema"];
                    if shape["allOf"].is_array() {
                        let errors: Vec<String> = page_schema
                            .iter_errors(&body)
                            .map(|e| e.to_string())
                            .collect();
                        assert!(errors.is_empty(), "{url}: {errors:?}");
                        page_shape(&body);
                        assert!(body["contents"].is_array(), "{url}");
                    } else if path == "/" {
                        for k in ["version", "profile", "openapi_url"] {
                            assert!(body[k].is_string(), "{url}: {k}");
                        }
                    } else {
                        assert_eq!(body["id"], Value::from(id.clone()), "{url}");
                    }
                }
            }
        }
        assert_eq!(operations, 9, "every operation of the document");
    }
);
