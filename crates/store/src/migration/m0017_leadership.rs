//! Patient and peer leadership: leaders' profiles in the pool organisations draw on, their
//! accreditations (each with a code anyone can check), payment rates kept as data (a new rate
//! takes effect from a date; payments already worked out keep theirs), opportunities
//! organisations post, applications and invitations to them, the involvement recorded with the
//! payment due; the Peer Leadership Development Programme's enrolments, cohorts and sessions;
//! and networks' consultations with their questions and members' responses.

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
                .table("leader_profiles")
                .col(pk_auto("id"))
                .col(integer_uniq("user_id"))
                .col(string_len("lived_experience", 1000))
                .col(string_len("skills", 300))
                .col(string_len("interests", 1000))
                .col(string_len("region", 3))
                .col(string_len("availability", 20))
                .col(string_len("access_needs", 1000))
                .col(boolean("contact_consent").default(false))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("leader_profiles", "user_id", "users", Cascade))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("leader_accreditations")
                .col(pk_auto("id"))
                .col(integer("user_id"))
                .col(string_len("kind", 12))
                .col(string_len("issuer", 200))
                .col(date("issued_on"))
                .col(date_null("expires_on"))
                .col(string_len_uniq("code", 16))
                .col(integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "leader_accreditations",
                    "user_id",
                    "users",
                    Cascade,
                ))
                .foreign_key(&mut fk(
                    "leader_accreditations",
                    "created_by",
                    "users",
                    SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("leader_accreditations", &["user_id"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("payment_rates")
                .col(pk_auto("id"))
                .col(string_len("level", 30))
                .col(string_len("label", 100))
                .col(integer("pence_per_hour"))
                .col(date("effective_from"))
                .col(integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("payment_rates", "created_by", "users", SetNull))
                .to_owned(),
        )
        .await?;
        m.create_index(index("payment_rates", &["level", "effective_from"], true))
            .await?;
        m.create_table(
            Table::create()
                .table("opportunities")
                .col(pk_auto("id"))
                .col(integer("organisation_id"))
                .col(string_len("title", 200))
                .col(string_len("kind", 20))
                .col(text("description"))
                .col(string_len("skills", 300))
                .col(string_len_null("region", 3))
                .col(string_len("availability", 20))
                .col(integer("minutes"))
                .col(string_len("payment_level", 30))
                .col(date("closes_on"))
                .col(string_len("state", 10))
                .col(integer_null("event_id"))
                .col(integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "opportunities",
                    "organisation_id",
                    "organisations",
                    Cascade,
                ))
                .foreign_key(&mut fk(
                    "opportunities",
                    "event_id",
                    "learning_events",
                    SetNull,
                ))
                .foreign_key(&mut fk("opportunities", "created_by", "users", SetNull))
                .to_owned(),
        )
        .await?;
        m.create_index(index("opportunities", &["state", "closes_on"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("opportunity_applications")
                .col(pk_auto("id"))
                .col(integer("opportunity_id"))
                .col(integer("user_id"))
                .col(string_len("origin", 10))
                .col(string_len("state", 10))
                .col(string_len_null("note", 2000))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("decided_at"))
                .foreign_key(&mut fk(
                    "opportunity_applications",
                    "opportunity_id",
                    "opportunities",
                    Cascade,
                ))
                .foreign_key(&mut fk(
                    "opportunity_applications",
                    "user_id",
                    "users",
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "opportunity_applications",
            &["opportunity_id", "user_id"],
            true,
        ))
        .await?;
        m.create_index(index("opportunity_applications", &["user_id"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("involvements")
                .col(pk_auto("id"))
                .col(integer("application_id"))
                .col(integer("opportunity_id"))
                .col(integer("user_id"))
                .col(date("worked_on"))
                .col(integer("minutes"))
                .col(integer_null("rate_id"))
                .col(integer("pence_per_hour"))
                .col(big_integer("payment_pence"))
                .col(integer_null("recorded_by"))
                .col(timestamp_with_time_zone("recorded_at"))
                .foreign_key(&mut fk(
                    "involvements",
                    "application_id",
                    "opportunity_applications",
                    Cascade,
                ))
                .foreign_key(&mut fk(
                    "involvements",
                    "opportunity_id",
                    "opportunities",
                    Cascade,
                ))
                .foreign_key(&mut fk("involvements", "user_id", "users", Cascade))
                .foreign_key(&mut fk("involvements", "rate_id", "payment_rates", SetNull))
                .foreign_key(&mut fk("involvements", "recorded_by", "users", SetNull))
                .to_owned(),
        )
        .await?;
        m.create_index(index("involvements", &["opportunity_id"], false))
            .await?;
        m.create_index(index("involvements", &["user_id"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("pldp_cohorts")
                .col(pk_auto("id"))
                .col(string_len("name", 200))
                .col(integer("organisation_id"))
                .col(string_len("facilitator", 200))
                .col(integer("places"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "pldp_cohorts",
                    "organisation_id",
                    "organisations",
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("pldp_sessions")
                .col(pk_auto("id"))
                .col(integer("cohort_id"))
                .col(string_len("title", 200))
                .col(timestamp_with_time_zone("starts_at"))
                .col(timestamp_with_time_zone("ends_at"))
                .foreign_key(&mut fk(
                    "pldp_sessions",
                    "cohort_id",
                    "pldp_cohorts",
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("pldp_enrolments")
                .col(pk_auto("id"))
                .col(integer_uniq("user_id"))
                .col(integer("step"))
                .col(string_len("state", 10))
                .col(timestamp_with_time_zone("enrolled_at"))
                .col(integer_null("cohort_id"))
                .col(timestamp_with_time_zone_null("step3_done_at"))
                .col(timestamp_with_time_zone_null("graduated_at"))
                .col(timestamp_with_time_zone_null("left_at"))
                .col(string_len_null("left_reason", 500))
                .foreign_key(&mut fk("pldp_enrolments", "user_id", "users", Cascade))
                .foreign_key(&mut fk(
                    "pldp_enrolments",
                    "cohort_id",
                    "pldp_cohorts",
                    SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("pldp_enrolments", &["cohort_id"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("consultations")
                .col(pk_auto("id"))
                .col(integer("network_id"))
                .col(string_len("title", 200))
                .col(text("draft"))
                .col(timestamp_with_time_zone("closes_at"))
                .col(integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("consultations", "network_id", "networks", Cascade))
                .foreign_key(&mut fk("consultations", "created_by", "users", SetNull))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("consultation_questions")
                .col(pk_auto("id"))
                .col(integer("consultation_id"))
                .col(integer("position"))
                .col(string_len("prompt", 500))
                .foreign_key(&mut fk(
                    "consultation_questions",
                    "consultation_id",
                    "consultations",
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("consultation_responses")
                .col(pk_auto("id"))
                .col(integer("consultation_id"))
                .col(integer("user_id"))
                .col(text("answers"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "consultation_responses",
                    "consultation_id",
                    "consultations",
                    Cascade,
                ))
                .foreign_key(&mut fk(
                    "consultation_responses",
                    "user_id",
                    "users",
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "consultation_responses",
            &["consultation_id", "user_id"],
            true,
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "consultation_responses",
            "consultation_questions",
            "consultations",
            "pldp_enrolments",
            "pldp_sessions",
            "pldp_cohorts",
            "involvements",
            "opportunity_applications",
            "opportunities",
            "payment_rates",
            "leader_accreditations",
            "leader_profiles",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
