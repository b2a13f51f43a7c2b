//! The e-mail outbox. Messages are queued in the same transaction as the change that causes
//! them, then delivered by the background worker: over SMTP when configured, otherwise written
//! as .eml files to the outbox folder so a demo or a test can read them.

use chrono::{DateTime, Utc};
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use store::entities::email_outbox;

use crate::{ServiceError, Services};

pub async fn enqueue<C: ConnectionTrait>(
    c: &C,
    now: DateTime<Utc>,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<(), ServiceError> {
    email_outbox::ActiveModel {
        to_address: Set(to.to_owned()),
        subject: Set(subject.to_owned()),
        body_text: Set(body.to_owned()),
        created_at: Set(now),
        attempts: Set(0),
        ..Default::default()
    }
    .insert(c)
    .await?;
    Ok(())
}

fn build(svc: &Services, m: &email_outbox::Model) -> Result<Message, String> {
    let from: Mailbox = svc
        .settings
        .mail_from
        .parse()
        .map_err(|e| format!("mail_from {:?}: {e}", svc.settings.mail_from))?;
    let to: Mailbox = m
        .to_address
        .parse()
        .map_err(|e| format!("recipient {:?}: {e}", m.to_address))?;
    Message::builder()
        .from(from)
        .to(to)
        .subject(m.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(m.body_text.clone())
        .map_err(|e| e.to_string())
}

async fn deliver(svc: &Services, m: &email_outbox::Model) -> Result<String, String> {
    let msg = build(svc, m)?;
    match &svc.settings.smtp_url {
        Some(url) => {
            let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map_err(|e| format!("SMTP URL: {e}"))?
                .build();
            transport
                .send(msg)
                .await
                .map_err(|e| format!("SMTP: {e}"))?;
            Ok("smtp".into())
        }
        None => {
            let dir = &svc.settings.outbox_dir;
            tokio::fs::create_dir_all(dir)
                .await
                .map_err(|e| format!("creating {}: {e}", dir.display()))?;
            let path = dir.join(format!(
                "{:06}-{}.eml",
                m.id,
                m.created_at.format("%Y%m%dT%H%M%S")
            ));
            tokio::fs::write(&path, msg.formatted())
                .await
                .map_err(|e| format!("writing {}: {e}", path.display()))?;
            Ok(path.display().to_string())
        }
    }
}

/// Delivers up to 50 queued messages; returns how many were delivered.
pub async fn deliver_pending(svc: &Services) -> Result<usize, ServiceError> {
    let pending = email_outbox::Entity::find()
        .filter(email_outbox::Column::SentAt.is_null())
        .filter(email_outbox::Column::Attempts.lt(10))
        .order_by_asc(email_outbox::Column::Id)
        .limit(50)
        .all(&svc.db)
        .await?;
    let mut sent = 0;
    for m in pending {
        let result = deliver(svc, &m).await;
        let attempts = m.attempts + 1;
        let mut am: email_outbox::ActiveModel = m.into();
        am.attempts = Set(attempts);
        match result {
            Ok(to) => {
                am.sent_at = Set(Some(svc.now()));
                am.delivered_to = Set(Some(to));
                am.last_error = Set(None);
                sent += 1;
            }
            Err(e) => {
                tracing::warn!(error = %e, "e-mail delivery failed");
                am.last_error = Set(Some(e));
            }
        }
        am.update(&svc.db).await?;
    }
    Ok(sent)
}
