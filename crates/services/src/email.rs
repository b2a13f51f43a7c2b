//! The e-mail outbox. A message is saved, with a `send_email` job to deliver it, in the same
//! transaction as the change that causes it; the job worker then delivers it over SMTP when
//! configured (one transport, kept for the life of the process, reusing its connections), or
//! writes it as an .eml file to the outbox folder so a demo or a test can read it.
//!
//! The outbox row is the message's record: when it was sent, where to, and the last error.

use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use lettre::message::Mailbox;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use serde::{Deserialize, Serialize};
use store::entities::email_outbox;

use crate::jobs::{self, Job};
use crate::{ServiceError, Services, Settings};

/// The job kind that delivers one outbox message.
pub const SEND_EMAIL: &str = "send_email";

/// The payload of a [`SEND_EMAIL`] job.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct SendEmail {
    pub email_id: i32,
}

/// Queues a message and the job that delivers it, on the caller's transaction; after the commit
/// the caller calls [`Services::jobs_queued`].
pub async fn enqueue<C: ConnectionTrait>(
    c: &C,
    now: DateTime<Utc>,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<(), ServiceError> {
    let m = email_outbox::ActiveModel {
        to_address: Set(to.to_owned()),
        subject: Set(subject.to_owned()),
        body_text: Set(body.to_owned()),
        created_at: Set(now),
        attempts: Set(0),
        ..Default::default()
    }
    .insert(c)
    .await?;
    jobs::enqueue(c, now, SEND_EMAIL, &SendEmail { email_id: m.id }, now).await?;
    Ok(())
}

/// Delivers messages: over SMTP when a URL is configured, otherwise as files.
pub struct Mailer {
    smtp_url: Option<String>,
    /// Built at the first delivery (it needs the runtime), then kept.
    smtp: OnceLock<Result<AsyncSmtpTransport<Tokio1Executor>, String>>,
    outbox_dir: PathBuf,
    mail_from: String,
}

impl Mailer {
    pub fn new(settings: &Settings) -> Self {
        Mailer {
            smtp_url: settings.smtp_url.clone(),
            smtp: OnceLock::new(),
            outbox_dir: settings.outbox_dir.clone(),
            mail_from: settings.mail_from.clone(),
        }
    }

    fn build(&self, m: &email_outbox::Model) -> Result<Message, String> {
        let from: Mailbox = self
            .mail_from
            .parse()
            .map_err(|e| format!("mail_from {:?}: {e}", self.mail_from))?;
        let to: Mailbox = m
            .to_address
            .parse()
            .map_err(|e| format!("recipient {:?}: {e}", m.to_address))?;
        let mut b = Message::builder()
            .from(from)
            .to(to)
            .subject(m.subject.clone())
            .header(ContentType::TEXT_PLAIN);
        if let Some(url) = &m.list_unsubscribe {
            // RFC 8058: a mail program may offer to unsubscribe, by a POST to this address.
            b = b
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{url}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".to_owned(),
                ));
        }
        b.body(m.body_text.clone()).map_err(|e| e.to_string())
    }

    /// Sends one message; returns where it went ("smtp" or the file written).
    pub async fn deliver(&self, m: &email_outbox::Model) -> Result<String, String> {
        let msg = self.build(m)?;
        match &self.smtp_url {
            Some(url) => {
                let transport = self
                    .smtp
                    .get_or_init(|| {
                        AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                            .map(|b| b.build())
                            .map_err(|e| format!("SMTP URL: {e}"))
                    })
                    .as_ref()
                    .map_err(Clone::clone)?;
                transport
                    .send(msg)
                    .await
                    .map_err(|e| format!("SMTP: {e}"))?;
                Ok("smtp".into())
            }
            None => {
                let dir = &self.outbox_dir;
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| format!("creating {}: {e}", dir.display()))?;
                let name = format!("{:06}-{}.eml", m.id, m.created_at.format("%Y%m%dT%H%M%S"));
                // Written aside, then renamed, so a reader never sees half a message.
                let part = dir.join(format!(".{name}.part"));
                let path = dir.join(name);
                tokio::fs::write(&part, msg.formatted())
                    .await
                    .map_err(|e| format!("writing {}: {e}", part.display()))?;
                tokio::fs::rename(&part, &path)
                    .await
                    .map_err(|e| format!("writing {}: {e}", path.display()))?;
                Ok(path.display().to_string())
            }
        }
    }
}

/// The [`SEND_EMAIL`] job: delivers the message once. A message already sent (by an attempt
/// whose job was not recorded as done) is not sent again.
pub async fn send(svc: Services, job: Job) -> Result<(), String> {
    let SendEmail { email_id } = job.payload()?;
    let found = email_outbox::Entity::find_by_id(email_id)
        .one(&svc.db)
        .await
        .map_err(|e| e.to_string())?;
    let Some(m) = found else {
        tracing::warn!(email_id, "a queued e-mail is no longer in the outbox");
        return Ok(());
    };
    if m.sent_at.is_some() {
        return Ok(());
    }
    let result = svc.mailer.deliver(&m).await;
    let mut am: email_outbox::ActiveModel = m.into();
    am.attempts = Set(job.attempts);
    match &result {
        Ok(to) => {
            am.sent_at = Set(Some(svc.now()));
            am.delivered_to = Set(Some(to.clone()));
            am.last_error = Set(None);
        }
        Err(e) => am.last_error = Set(Some(e.clone())),
    }
    am.update(&svc.db).await.map_err(|e| e.to_string())?;
    result.map(|_| ())
}
