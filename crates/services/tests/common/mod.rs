//! Set-up shared by the services tests: a seeded region on a test clock, actors by e-mail,
//! organisations by ODS code, and where a request came from.
#![allow(dead_code)]

use chrono::{TimeZone, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use services::{Actor, FixedClock, RequestMeta, Services, Settings};
use std::sync::Arc;
use store::entities::organisation;

pub struct Ctx {
    pub svc: Services,
    pub clock: Arc<FixedClock>,
}

/// The demo region's organisations and users (no people), at 2026-11-02 10:00 UTC.
pub async fn ctx(db: store::DatabaseConnection) -> Ctx {
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 2, 10, 0, 0).unwrap(),
    ));
    let svc = Services::new(db, clock.clone(), Settings::default());
    services::demo::seed_base(&svc).await.unwrap();
    Ctx { svc, clock }
}

pub async fn actor(svc: &Services, email: &str) -> Actor {
    let u = services::identity::users::find_by_email(svc, email)
        .await
        .unwrap()
        .unwrap();
    services::identity::users::load_actor(svc.db(), &u)
        .await
        .unwrap()
}

pub async fn org(svc: &Services, code: &str) -> i32 {
    organisation::Entity::find()
        .filter(organisation::Column::OdsCode.eq(code))
        .one(svc.db())
        .await
        .unwrap()
        .unwrap()
        .id
}

pub fn meta() -> RequestMeta {
    RequestMeta {
        request_id: Some("test".into()),
        ip: Some("192.0.2.10".into()),
        user_agent: None,
    }
}

pub fn from(ip: &str) -> RequestMeta {
    RequestMeta {
        request_id: None,
        ip: Some(ip.into()),
        user_agent: None,
    }
}
