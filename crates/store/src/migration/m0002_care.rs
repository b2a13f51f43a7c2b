//! Care delivery: people, consent, referrals, contacts, About Me, care plans, shared decision
//! making, outcome measures and discharge messages.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, Restrict, SetNull};
        m.create_table(
            Table::create()
                .table("people")
                .col(pk_auto("id"))
                .col(string_len_null("nhs_number", 10).unique_key())
                .col(string_len("given_name", 100))
                .col(string_len("family_name", 100))
                .col(string_len("search_name", 210))
                .col(date_null("date_of_birth"))
                .col(string_len_null("email", 254))
                .col(string_len_null("phone", 40))
                .col(text_null("address"))
                .col(string_len_null("postcode", 10))
                .col(string_len("preferred_contact", 16).default("phone"))
                .col(integer_null("practice_id"))
                .col(text_null("reasonable_adjustments"))
                .col(text_null("communication_needs"))
                .col(string_len_null("representative_name", 200))
                .col(string_len_null("representative_relationship", 100))
                .col(string_len_null("representative_contact", 200))
                .col(integer_null("user_id").unique_key())
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(integer("version").default(1))
                .foreign_key(&mut fk("people", "practice_id", "organisations", SetNull))
                .foreign_key(&mut fk("people", "user_id", "users", SetNull))
                .to_owned(),
        )
        .await?;
        m.create_index(index("people", &["search_name"], false))
            .await?;
        m.create_index(index("people", &["date_of_birth"], false))
            .await?;
        m.create_index(index("people", &["practice_id"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("consents")
                .col(pk_auto("id"))
                .col(integer("person_id"))
                .col(string_len("share_with", 200))
                .col(boolean("given"))
                .col(text_null("note"))
                .col(integer_null("recorded_by_user_id"))
                .col(timestamp_with_time_zone("recorded_at"))
                .foreign_key(&mut fk("consents", "person_id", "people", Cascade))
                .to_owned(),
        )
        .await?;
        m.create_index(index("consents", &["person_id"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("referrals")
                .col(pk_auto("id"))
                .col(integer("person_id"))
                .col(integer("team_org_id"))
                .col(string_len("service", 40))
                .col(date("referred_on"))
                .col(string_len("source", 16))
                .col(string_len("referrer_name", 200))
                .col(string_len_null("referrer_organisation", 200))
                .col(integer_null("referrer_user_id"))
                .col(string_len("method", 32))
                .col(text("reason"))
                .col(string_len("urgency", 16))
                .col(string_len("state", 24))
                .col(integer_null("assigned_user_id"))
                .col(text_null("declined_reason"))
                .col(integer_null("possible_duplicate_of"))
                .col(date_null("review_due"))
                .col(timestamp_with_time_zone_null("first_contact_at"))
                .col(timestamp_with_time_zone_null("last_contact_at"))
                .col(integer("contact_attempts").default(0))
                .col(timestamp_with_time_zone_null("closed_at"))
                .col(string_len_null("discharge_reason", 100))
                .col(text_null("outcome_summary"))
                .col(string_len_null("submitted_from", 64))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(integer("version").default(1))
                .foreign_key(&mut fk("referrals", "person_id", "people", Cascade))
                .foreign_key(&mut fk(
                    "referrals",
                    "team_org_id",
                    "organisations",
                    Restrict,
                ))
                .foreign_key(&mut fk("referrals", "assigned_user_id", "users", SetNull))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "referrals",
            &["team_org_id", "state", "created_at"],
            false,
        ))
        .await?;
        m.create_index(index("referrals", &["person_id"], false))
            .await?;
        m.create_index(index("referrals", &["assigned_user_id", "state"], false))
            .await?;
        m.create_index(index("referrals", &["source", "created_at"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("contacts")
                .col(pk_auto("id"))
                .col(integer("referral_id"))
                .col(integer("person_id"))
                .col(timestamp_with_time_zone("at"))
                .col(string_len("kind", 16))
                .col(integer_null("duration_minutes"))
                .col(boolean("did_not_attend").default(false))
                .col(boolean("attempt_only").default(false))
                .col(boolean("coaching").default(false))
                .col(text_null("notes"))
                .col(integer_null("by_user_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("contacts", "referral_id", "referrals", Cascade))
                .to_owned(),
        )
        .await?;
        m.create_index(index("contacts", &["referral_id", "at"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("about_me_versions")
                .col(pk_auto("id"))
                .col(integer("person_id"))
                .col(integer("version"))
                .col(text("sections"))
                .col(string_len_null("helped_by", 200))
                .col(integer_null("updated_by_user_id"))
                .col(string_len("updated_by_label", 254))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("about_me_versions", "person_id", "people", Cascade))
                .to_owned(),
        )
        .await?;
        m.create_index(index("about_me_versions", &["person_id", "version"], true))
            .await?;

        m.create_table(
            Table::create()
                .table("care_plan_versions")
                .col(pk_auto("id"))
                .col(integer("person_id"))
                .col(integer("version"))
                .col(text("content"))
                .col(string_len_null("agreed_with", 200))
                .col(date_null("review_date"))
                .col(integer_null("review_owner_user_id"))
                .col(string_len_null("funding_source", 200))
                .col(integer_null("updated_by_user_id"))
                .col(string_len("updated_by_label", 254))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "care_plan_versions",
                    "person_id",
                    "people",
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("care_plan_versions", &["person_id", "version"], true))
            .await?;

        m.create_table(
            Table::create()
                .table("sdm_records")
                .col(pk_auto("id"))
                .col(integer("person_id"))
                .col(integer_null("referral_id"))
                .col(text("decision_point"))
                .col(text("options"))
                .col(text_null("decision_aids"))
                .col(text("decision"))
                .col(text_null("follow_up"))
                .col(integer_null("recorded_by_user_id"))
                .col(timestamp_with_time_zone("recorded_at"))
                .foreign_key(&mut fk("sdm_records", "person_id", "people", Cascade))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("measures")
                .col(pk_auto("id"))
                .col(integer("person_id"))
                .col(integer_null("referral_id"))
                .col(string_len("instrument", 16))
                .col(string_len("timepoint", 16))
                .col(date("taken_on"))
                .col(string_len("answers", 100))
                .col(double_null("score"))
                .col(integer_null("level"))
                .col(boolean("by_person").default(false))
                .col(integer_null("recorded_by_user_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("measures", "person_id", "people", Cascade))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "measures",
            &["person_id", "instrument", "taken_on"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("measure_wording")
                .col(string_len("instrument", 16))
                .col(integer("item"))
                .col(text("wording"))
                .primary_key(Index::create().col("instrument").col("item"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("discharge_messages")
                .col(pk_auto("id"))
                .col(integer("referral_id").unique_key())
                .col(integer("person_id"))
                .col(string_len("snomed_code", 20))
                .col(string_len("snomed_display", 100))
                .col(text("body"))
                .col(integer_null("practice_id"))
                .col(string_len_null("sent_to", 254))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "discharge_messages",
                    "referral_id",
                    "referrals",
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "discharge_messages",
            "measure_wording",
            "measures",
            "sdm_records",
            "care_plan_versions",
            "about_me_versions",
            "contacts",
            "referrals",
            "consents",
            "people",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
