//! The community directory (Open Referral UK 3.0): organisations, their services, the places
//! and times they run, what they cost, the needs they meet and whether they have places; the
//! postcodes places are found by; changes waiting for a curator; and the search index.
//!
//! Each record has an integer key for joins and the UUID it is published under. A place keeps
//! one address (Open Referral allows several; one is what people need to find it). Search runs
//! in the database: SQLite's FTS5 table `directory_search` (its rowid is the service's id),
//! PostgreSQL's `search_vector` over the name and `search_text`; `directory_terms` holds each
//! service's stemmed words for searches near a point; `directory_words` lists every word
//! listed, for correcting typed words on either database.

use sea_orm::{ConnectionTrait, DbBackend};
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
                .table("directory_organizations")
                .col(pk_auto("id"))
                .col(string_len("uuid", 36).unique_key())
                .col(string_len("name", 200))
                .col(text("description"))
                .col(string_len_null("email", 254))
                .col(string_len_null("website", 300))
                .col(string_len_null("phone", 40))
                .col(integer_null("owner_id"))
                .col(timestamp_with_time_zone("last_modified"))
                .foreign_key(&mut fk(
                    "directory_organizations",
                    "owner_id",
                    "organisations",
                    SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("directory_organizations", &["owner_id"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("directory_services")
                .col(pk_auto("id"))
                .col(string_len("uuid", 36).unique_key())
                .col(integer("organization_id"))
                .col(string_len("name", 200))
                .col(text("description"))
                .col(string_len_null("url", 300))
                .col(string_len_null("email", 254))
                .col(string_len_null("phone", 40))
                .col(string_len_null("contact_name", 200))
                .col(string_len("status", 20))
                .col(text_null("eligibility"))
                .col(integer_null("minimum_age"))
                .col(integer_null("maximum_age"))
                .col(text_null("fees"))
                .col(text_null("application_process"))
                .col(string_len_null("wait_time", 200))
                .col(boolean("online").default(false))
                .col(string_len_null("capacity", 16))
                .col(timestamp_with_time_zone_null("capacity_updated_at"))
                .col(date_null("assured_date"))
                .col(string_len_null("assurer_email", 254))
                .col(timestamp_with_time_zone_null("reminded_at"))
                .col(timestamp_with_time_zone("last_modified"))
                .col(text("search_text"))
                .foreign_key(&mut fk(
                    "directory_services",
                    "organization_id",
                    "directory_organizations",
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("directory_services", &["organization_id"], false))
            .await?;
        m.create_index(index("directory_services", &["assured_date"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("directory_locations")
                .col(pk_auto("id"))
                .col(string_len("uuid", 36).unique_key())
                .col(integer("organization_id"))
                .col(string_len("location_type", 10))
                .col(string_len_null("name", 200))
                .col(double_null("latitude"))
                .col(double_null("longitude"))
                .col(string_len_null("address_1", 200))
                .col(string_len_null("city", 100))
                .col(string_len_null("postal_code", 8))
                .foreign_key(&mut fk(
                    "directory_locations",
                    "organization_id",
                    "directory_organizations",
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("directory_locations", &["organization_id"], false))
            .await?;
        m.create_index(index(
            "directory_locations",
            &["latitude", "longitude"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("directory_service_at_locations")
                .col(pk_auto("id"))
                .col(string_len("uuid", 36).unique_key())
                .col(integer("service_id"))
                .col(integer("location_id"))
                .foreign_key(&mut fk(
                    "directory_service_at_locations",
                    "service_id",
                    "directory_services",
                    Cascade,
                ))
                .foreign_key(&mut fk(
                    "directory_service_at_locations",
                    "location_id",
                    "directory_locations",
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "directory_service_at_locations",
            &["service_id", "location_id"],
            true,
        ))
        .await?;
        m.create_index(index(
            "directory_service_at_locations",
            &["location_id"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("directory_schedules")
                .col(pk_auto("id"))
                .col(string_len("uuid", 36).unique_key())
                .col(integer("service_id"))
                .col(string_len("freq", 10))
                .col(string_len("byday", 60))
                .col(string_len("opens_at", 8))
                .col(string_len("closes_at", 8))
                .col(string_len_null("description", 200))
                .foreign_key(&mut fk(
                    "directory_schedules",
                    "service_id",
                    "directory_services",
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("directory_schedules", &["service_id"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("directory_cost_options")
                .col(pk_auto("id"))
                .col(string_len("uuid", 36).unique_key())
                .col(integer("service_id"))
                .col(string_len_null("option", 200))
                .col(double_null("amount"))
                .col(string_len_null("amount_description", 200))
                .foreign_key(&mut fk(
                    "directory_cost_options",
                    "service_id",
                    "directory_services",
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("directory_cost_options", &["service_id"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("directory_service_terms")
                .col(integer("service_id"))
                .col(string_len("term_id", 36))
                .primary_key(Index::create().col("service_id").col("term_id"))
                .foreign_key(&mut fk(
                    "directory_service_terms",
                    "service_id",
                    "directory_services",
                    Cascade,
                ))
                .foreign_key(&mut fk(
                    "directory_service_terms",
                    "term_id",
                    "taxonomy_terms",
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "directory_service_terms",
            &["term_id", "service_id"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("postcodes")
                .col(string_len("postcode", 8).primary_key())
                .col(double("latitude"))
                .col(double("longitude"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("directory_words")
                .col(string_len("word", 40).primary_key())
                .col(integer("len"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("directory_words", &["len", "word"], false))
            .await?;
        // Each service's stemmed words and their weight (a word of its name counts ten): the
        // index a search near a point checks its few nearby services against.
        m.create_table(
            Table::create()
                .table("directory_terms")
                .col(string_len("term", 40))
                .col(integer("service_id"))
                .col(integer("weight"))
                .primary_key(Index::create().col("term").col("service_id"))
                .foreign_key(&mut fk(
                    "directory_terms",
                    "service_id",
                    "directory_services",
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("directory_terms", &["service_id"], false))
            .await?;
        // A change to a listing proposed by its organisation, waiting for a curator.
        m.create_table(
            Table::create()
                .table("directory_changes")
                .col(pk_auto("id"))
                .col(integer("organization_id"))
                .col(integer_null("service_id"))
                .col(text("listing"))
                .col(integer_null("proposed_by"))
                .col(timestamp_with_time_zone("proposed_at"))
                .col(string_len("state", 12))
                .col(integer_null("decided_by"))
                .col(timestamp_with_time_zone_null("decided_at"))
                .col(text_null("note"))
                .foreign_key(&mut fk(
                    "directory_changes",
                    "organization_id",
                    "directory_organizations",
                    Cascade,
                ))
                .foreign_key(&mut fk(
                    "directory_changes",
                    "service_id",
                    "directory_services",
                    Cascade,
                ))
                .foreign_key(&mut fk(
                    "directory_changes",
                    "proposed_by",
                    "users",
                    SetNull,
                ))
                .foreign_key(&mut fk("directory_changes", "decided_by", "users", SetNull))
                .to_owned(),
        )
        .await?;
        m.create_index(index("directory_changes", &["state", "proposed_at"], false))
            .await?;
        let c = m.get_connection();
        match m.get_database_backend() {
            DbBackend::Postgres => {
                c.execute_unprepared(
                    "ALTER TABLE directory_services ADD COLUMN search_vector tsvector \
                     GENERATED ALWAYS AS (setweight(to_tsvector('english', name), 'A') || \
                     setweight(to_tsvector('english', search_text), 'B')) STORED",
                )
                .await?;
                c.execute_unprepared(
                    "CREATE INDEX ix_directory_services_search ON directory_services \
                     USING gin (search_vector)",
                )
                .await?;
            }
            _ => {
                c.execute_unprepared(
                    "CREATE VIRTUAL TABLE directory_search USING fts5(name, text, \
                     tokenize = 'porter unicode61 remove_diacritics 2')",
                )
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            m.get_connection()
                .execute_unprepared("DROP TABLE directory_search")
                .await?;
        }
        for t in [
            "directory_changes",
            "directory_terms",
            "directory_words",
            "postcodes",
            "directory_service_terms",
            "directory_cost_options",
            "directory_schedules",
            "directory_service_at_locations",
            "directory_locations",
            "directory_services",
            "directory_organizations",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
