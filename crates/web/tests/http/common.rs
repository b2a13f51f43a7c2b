//! Drives the real router over a real database, as a browser or API client would.
#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use chrono::{TimeZone, Utc};
use services::identity::password::PasswordWork;
use services::{FixedClock, Services, Settings};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use store::DatabaseConnection;
use tower::ServiceExt;

pub struct App {
    pub router: Router,
    pub svc: Services,
    pub clock: Arc<FixedClock>,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The value of the first `name="csrf_token"` field on the page.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf_token\" value=\"";
        let start = self
            .body
            .find(marker)
            .unwrap_or_else(|| panic!("no CSRF field in: {}", self.body))
            + marker.len();
        self.body[start..].split('"').next().unwrap().to_owned()
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_owned())
    }
}

/// A browser: its cookies and the CSRF token of its session.
#[derive(Clone, Default)]
pub struct Browser {
    pub cookies: Vec<(String, String)>,
    pub csrf: String,
}

impl Browser {
    /// The Cookie header this browser sends.
    pub fn cookie_header(&self) -> String {
        self.header()
    }

    fn header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn absorb(&mut self, r: &Resp) {
        for v in r
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
        {
            let Some((k, rest)) = v.split_once('=') else {
                continue;
            };
            let val = rest.split(';').next().unwrap_or("").to_owned();
            self.cookies.retain(|(n, _)| n != k);
            if !val.is_empty() && !v.contains("Max-Age=0") {
                self.cookies.push((k.to_owned(), val));
            }
        }
    }
}

/// The services as every test uses them: the clock stopped at 2 November 2026 10:00 UTC,
/// e-mails to a folder of their own, and argon2 at its test-only minimum cost (the tests sign
/// in hundreds of times; the service itself always hashes at OWASP's cost).
fn services_for(db: DatabaseConnection) -> (Services, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 2, 10, 0, 0).unwrap(),
    ));
    let outbox = std::env::temp_dir().join(format!("wm-outbox-{}", uuid::Uuid::new_v4()));
    let settings = Settings {
        outbox_dir: outbox,
        ..Settings::default()
    };
    let svc = Services::new(db, clock.clone(), settings)
        .with_password_work(PasswordWork::cheap_for_tests());
    (svc, clock)
}

/// Seeds the demo region into a template once per test binary and backend; every test runs on
/// its own copy (see [`seeded_db_test`]).
pub fn seed_demo(
    db: DatabaseConnection,
) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send>> {
    Box::pin(async move {
        let (svc, _) = services_for(db);
        match services::demo::seed(&svc).await {
            Ok(true) => Ok(()),
            Ok(false) => Err("the template already had organisations".into()),
            Err(e) => Err(e.to_string()),
        }
    })
}

/// `store::db_test!` on a copy of the seeded demo: `seeded_db_test!(name, |db| { … })`.
macro_rules! seeded_db_test {
    ($name:ident, |$db:ident| $body:block) => {
        store::db_test!($name, seeded("demo", $crate::common::seed_demo), |$db| {
            $body
        });
    };
}
pub(crate) use seeded_db_test;

/// The router on a database seeded with the demo (see [`seed_demo`]).
pub async fn app(db: DatabaseConnection) -> App {
    app_with(db, web::WebConfig::default()).await
}

pub async fn app_with(db: DatabaseConnection, cfg: web::WebConfig) -> App {
    let (svc, clock) = services_for(db);
    assert!(
        !services::demo::seed(&svc).await.expect("demo seed"),
        "the test's database is a copy of the seeded demo"
    );
    let router = web::router(web::AppState::new(svc.clone(), cfg));
    App { router, svc, clock }
}

impl App {
    pub async fn send(&self, req: Request<Body>) -> Resp {
        let r = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("router answers");
        let status = r.status();
        let headers = r.headers().clone();
        let bytes = axum::body::to_bytes(r.into_body(), 16 * 1024 * 1024)
            .await
            .expect("body");
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, b: &mut Browser, path: &str) -> Resp {
        let req = Request::get(path)
            .header(header::COOKIE, b.header())
            .body(Body::empty())
            .unwrap();
        let r = self.send(req).await;
        b.absorb(&r);
        r
    }

    /// Posts a form, adding the browser's CSRF token unless the form has its own.
    pub async fn post(&self, b: &mut Browser, path: &str, form: &[(&str, &str)]) -> Resp {
        let mut fields: Vec<(&str, &str)> = form.to_vec();
        if !fields.iter().any(|(k, _)| *k == "csrf_token") {
            fields.push(("csrf_token", b.csrf.as_str()));
        }
        let body = serde_urlencoded::to_string(&fields).unwrap();
        let req = Request::post(path)
            .header(header::COOKIE, b.header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        let r = self.send(req).await;
        b.absorb(&r);
        r
    }

    /// Signs in through the pages; returns a browser holding the session.
    pub async fn sign_in(&self, email: &str) -> Browser {
        let mut b = Browser::default();
        let page = self.get(&mut b, "/sign-in").await;
        b.csrf = page.csrf();
        let r = self
            .post(
                &mut b,
                "/sign-in",
                &[
                    ("email", email),
                    ("password", services::demo::DEMO_PASSWORD),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "sign in as {email}: {}",
            r.body
        );
        let home = self.get(&mut b, "/").await;
        b.csrf = home.csrf();
        b
    }

    pub async fn api(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<serde_json::Value>,
    ) -> Resp {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"));
        let body = match body {
            Some(v) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        self.send(req.body(body).unwrap()).await
    }

    pub async fn token_for(&self, email: &str) -> String {
        let u = services::identity::users::find_by_email(&self.svc, email)
            .await
            .unwrap()
            .unwrap();
        let actor = services::identity::users::load_actor(self.svc.db(), &u)
            .await
            .unwrap();
        services::identity::token::create(
            &self.svc,
            &actor,
            &services::RequestMeta::default(),
            "test",
            Some(30),
        )
        .await
        .unwrap()
        .1
    }

    pub async fn org_id(&self, code: &str) -> i32 {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        use store::entities::organisation;
        organisation::Entity::find()
            .filter(organisation::Column::OdsCode.eq(code))
            .one(self.svc.db())
            .await
            .unwrap()
            .unwrap()
            .id
    }

    pub async fn audit_count(&self, action: &str, outcome: &str) -> u64 {
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        use store::entities::audit_event;
        audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq(action))
            .filter(audit_event::Column::Outcome.eq(outcome))
            .count(self.svc.db())
            .await
            .unwrap()
    }
}

/// Every operation the router serves, as (method, path template), read from its source: each
/// `.route("/path", get(…).post(…))` call, however it is formatted.
/// Every route the service declares, with each method it answers.
pub fn routes() -> Vec<(Method, &'static str)> {
    web::routes::catalogue()
        .declared
        .iter()
        .map(|d| (d.method.clone(), d.path.as_str()))
        .collect()
}

/// A path of the template with its parameters filled in.
pub fn filled(template: &str, id: i32) -> String {
    template
        .replace("{id}", &id.to_string())
        .replace("{token}", "no-such-token")
        .replace("{follow_up}", "1")
        .replace("{instrument}", "ons4")
        .replace("{membership}", "1")
        .replace("{service}", "5d0c6a4e-0000-4000-8000-000000000000")
        .replace("{*path}", "nhsuk-frontend.min.css")
}

pub const ADMIN: &str = "admin@demo.whatmatters.test";
pub const LINK_WORKER: &str = "link.worker@demo.whatmatters.test";
pub const OTHER_LINK_WORKER: &str = "link.worker.fellside@demo.whatmatters.test";
pub const PCN_MANAGER: &str = "pcn.manager@demo.whatmatters.test";
pub const PERSON: &str = "person@demo.whatmatters.test";
pub const GP: &str = "gp@demo.whatmatters.test";

/// The referral of the demo person with this family name.
pub async fn referral_of(app: &App, family: &str) -> store::entities::referral::Model {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use store::entities::{person, referral};
    let p = person::Entity::find()
        .filter(person::Column::FamilyName.eq(family))
        .one(app.svc.db())
        .await
        .unwrap()
        .unwrap();
    referral::Entity::find()
        .filter(referral::Column::PersonId.eq(p.id))
        .one(app.svc.db())
        .await
        .unwrap()
        .unwrap()
}
