//! Referrals to community services: a care worker connects a person to a service in the
//! directory, with the person's consent to share, a reason and what matters to them; the
//! service's organisation accepts or declines, then records whether they came.
//!
//! `organization_id` is the directory organisation the service belongs to, kept on the row so
//! its inbox is one indexed read. At most one referral of a person to a service is open (sent or
//! accepted) at a time, held by a partial unique index on both databases.

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, SetNull};
        m.create_table(
            Table::create()
                .table("service_referrals")
                .col(pk_auto("id"))
                .col(integer("person_id"))
                .col(integer("service_id"))
                .col(integer("organization_id"))
                .col(integer_null("referral_id"))
                .col(integer_null("consent_id"))
                .col(text("reason"))
                .col(text_null("what_matters"))
                .col(string_len("state", 16))
                .col(text_null("decline_reason"))
                .col(integer_null("sent_by"))
                .col(timestamp_with_time_zone("sent_at"))
                .col(integer_null("replied_by"))
                .col(timestamp_with_time_zone_null("replied_at"))
                .col(integer_null("outcome_by"))
                .col(timestamp_with_time_zone_null("outcome_at"))
                .foreign_key(&mut fk("service_referrals", "person_id", "people", Cascade))
                .foreign_key(&mut fk(
                    "service_referrals",
                    "service_id",
                    "directory_services",
                    Cascade,
                ))
                .foreign_key(&mut fk(
                    "service_referrals",
                    "organization_id",
                    "directory_organizations",
                    Cascade,
                ))
                .foreign_key(&mut fk(
                    "service_referrals",
                    "referral_id",
                    "referrals",
                    SetNull,
                ))
                .foreign_key(&mut fk(
                    "service_referrals",
                    "consent_id",
                    "consents",
                    SetNull,
                ))
                .foreign_key(&mut fk("service_referrals", "sent_by", "users", SetNull))
                .foreign_key(&mut fk("service_referrals", "replied_by", "users", SetNull))
                .foreign_key(&mut fk("service_referrals", "outcome_by", "users", SetNull))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "service_referrals",
            &["organization_id", "sent_at"],
            false,
        ))
        .await?;
        m.create_index(index("service_referrals", &["person_id", "sent_at"], false))
            .await?;
        m.create_index(index(
            "service_referrals",
            &["service_id", "sent_at"],
            false,
        ))
        .await?;
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ix_service_referrals_open ON service_referrals \
                 (person_id, service_id) WHERE state IN ('sent', 'accepted')",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("service_referrals").to_owned())
            .await
    }
}
