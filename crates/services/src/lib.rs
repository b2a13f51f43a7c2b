//! Use cases, one module per context. Each use case is a function taking the [`Services`]
//! handle, the acting user ([`Actor`]) where there is one, and its input; it checks permission,
//! validates, writes in one transaction with its audit event, and returns a result or a
//! [`ServiceError`] that says what to fix.

pub mod actor;
pub mod audit;
pub mod care;
pub mod clock;
pub mod demo;
pub mod directory;
pub mod email;
pub mod error;
pub mod identity;
pub mod jobs;
pub mod leadership;
pub mod learning;
pub mod limits;
pub mod networks;
pub mod ods_import;
pub mod org;
pub mod paging;
pub mod schema;
pub mod signing;

/// Reads without the access check, for test harnesses that inspect what a use case stored.
#[cfg(feature = "testing")]
pub mod unchecked {
    use sea_orm::DatabaseConnection;
    use store::entities::{
        about_me_version, care_plan_version, consent, gp_message, measure, sdm_record,
    };

    pub async fn consents(
        db: &DatabaseConnection,
        person_id: i32,
    ) -> Result<Vec<consent::Model>, crate::ServiceError> {
        crate::care::people::consents_of(db, person_id).await
    }

    pub async fn decisions(
        db: &DatabaseConnection,
        person_id: i32,
    ) -> Result<Vec<sdm_record::Model>, crate::ServiceError> {
        crate::care::sdm::list_of(db, person_id).await
    }

    pub async fn about_me_history(
        db: &DatabaseConnection,
        person_id: i32,
    ) -> Result<Vec<about_me_version::Model>, crate::ServiceError> {
        crate::care::about_me::history_of(db, person_id).await
    }

    /// The messages to the GP written for a referral, first contact first.
    pub async fn gp_messages(
        db: &DatabaseConnection,
        referral_id: i32,
    ) -> Result<Vec<gp_message::Model>, crate::ServiceError> {
        crate::care::discharge::messages_of(db, referral_id).await
    }

    pub async fn measures(
        db: &DatabaseConnection,
        person_id: i32,
    ) -> Result<Vec<measure::Model>, crate::ServiceError> {
        crate::care::measures::list_of(db, person_id).await
    }

    pub async fn plan_history(
        db: &DatabaseConnection,
        person_id: i32,
    ) -> Result<Vec<care_plan_version::Model>, crate::ServiceError> {
        crate::care::plans::history_of(db, person_id).await
    }
}

use std::path::PathBuf;
use std::sync::Arc;

pub use actor::{Actor, Grant};
pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{FieldError, ServiceError};
pub use store::DatabaseConnection;

/// Settings the use cases need (a subset of the whole configuration).
#[derive(Clone, Debug)]
pub struct Settings {
    /// Minutes a session may sit unused before it ends.
    pub session_idle_minutes: i64,
    /// Hours after sign-in when a session ends, however busy.
    pub session_absolute_hours: i64,
    /// Failed sign-ins in a row that lock an account.
    pub lockout_threshold: i32,
    pub lockout_minutes: i64,
    pub password_reset_minutes: i64,
    /// The address people reach the service at, for links in e-mails.
    pub public_url: String,
    /// Folder that receives .eml files when no SMTP server is configured.
    pub outbox_dir: PathBuf,
    /// smtp://user:pass@host:port or smtps://…; None writes files to `outbox_dir`.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// Minutes a basket holds places before they go back on sale.
    pub basket_hold_minutes: i64,
    /// Hours someone offered a place from a waiting list has to take it.
    pub waitlist_offer_hours: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            lockout_threshold: 5,
            lockout_minutes: 15,
            password_reset_minutes: 60,
            public_url: "http://127.0.0.1:8080".into(),
            outbox_dir: PathBuf::from("outbox"),
            smtp_url: None,
            mail_from: "whatmatters <no-reply@whatmatters.invalid>".into(),
            basket_hold_minutes: 30,
            waitlist_offer_hours: 48,
        }
    }
}

/// What every use case is given: the database, the clock, the settings, the bound on password
/// hashing work, the mail transport and the signal that wakes this process's job worker (shared
/// by every clone).
#[derive(Clone)]
pub struct Services {
    /// Private: a person's data is read only through the use cases, which check and audit.
    pub(crate) db: DatabaseConnection,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
    pub passwords: Arc<identity::password::PasswordWork>,
    /// Who sessions and API tokens belong to, for a few seconds (see `identity::cache`).
    pub actors: Arc<identity::cache::ActorCaches>,
    /// Writes audit events that belong to no transaction by group commit (see `audit::log`).
    pub audit: Arc<audit::GroupCommit>,
    pub mailer: Arc<email::Mailer>,
    jobs_signal: Arc<tokio::sync::Notify>,
    /// One queue per event for its last few places (see `learning::booking::LAST_FEW`).
    pub(crate) last_places: Arc<learning::booking::Gates>,
    /// The key links are signed with, once read (see `signing`).
    pub(crate) signing_key: Arc<tokio::sync::OnceCell<Vec<u8>>>,
}

impl Services {
    pub fn new(db: DatabaseConnection, clock: Arc<dyn Clock>, settings: Settings) -> Self {
        Services {
            audit: Arc::new(audit::GroupCommit::new(db.clone())),
            db,
            clock,
            mailer: Arc::new(email::Mailer::new(&settings)),
            settings: Arc::new(settings),
            passwords: Arc::new(identity::password::PasswordWork::default()),
            actors: Arc::new(identity::cache::ActorCaches::default()),
            jobs_signal: Arc::new(tokio::sync::Notify::new()),
            last_places: Arc::default(),
            signing_key: Arc::default(),
        }
    }

    /// Wakes this process's job worker: call it after committing a transaction that queued a
    /// job ([`jobs::enqueue`]), so the job runs now rather than at the next poll.
    pub fn jobs_queued(&self) {
        self.jobs_signal.notify_one();
    }

    /// The same services with another bound on password work (test harnesses give theirs a
    /// cheaper cost this way; see [`identity::password::PasswordWork`]).
    pub fn with_password_work(mut self, work: identity::password::PasswordWork) -> Self {
        self.passwords = Arc::new(work);
        self
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Today's date in the UK, the "today" of every date rule.
    pub fn today(&self) -> chrono::NaiveDate {
        domain::dates::uk_date(self.now())
    }

    /// Whether the database answers (for readiness checks).
    pub async fn ping(&self) -> Result<(), ServiceError> {
        Ok(store::ping(&self.db).await?)
    }

    /// The database, for test harnesses that arrange or inspect rows directly.
    #[cfg(feature = "testing")]
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }
}

/// Where a request came from, carried into audit events.
#[derive(Clone, Debug, Default)]
pub struct RequestMeta {
    pub request_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}
