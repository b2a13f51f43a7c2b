//! Learning and events: the catalogue (events and courses with their sessions), places held
//! in baskets and booked by orders, and the waiting list.
//!
//! An event counts the places taken of each kind (`in_person_taken`, `online_taken`): held in
//! a basket, booked by an order, or kept for someone offered a place from the waiting list.
//! The counts change only in the write transaction that checks them, with the event's row
//! locked, and a CHECK keeps each between 0 and the places there are, on both databases, so
//! no path can oversell even by mistake.

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
                .table("learning_events")
                .col(pk_auto("id"))
                .col(string_len_uniq("uuid", 36))
                .col(integer("organisation_id"))
                .col(string_len("kind", 8))
                .col(string_len("title", 200))
                .col(text("summary"))
                .col(text("description"))
                .col(string_len("topic", 40))
                .col(string_len_null("region", 3))
                .col(string_len("format", 10))
                .col(text_null("venue"))
                .col(string_len_null("join_link", 300))
                .col(big_integer("price_pence"))
                .col(integer("cpd_minutes"))
                .col(string_len("audience", 200))
                .col(integer("in_person_places"))
                .col(integer("online_places"))
                .col(integer("in_person_taken").default(0))
                .col(integer("online_taken").default(0))
                .col(string_len("state", 12))
                .col(text_null("cancel_reason"))
                .col(timestamp_with_time_zone_null("reminded_week_at"))
                .col(timestamp_with_time_zone_null("reminded_day_at"))
                .col(timestamp_with_time_zone("starts_at"))
                .col(timestamp_with_time_zone("ends_at"))
                .col(integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .check(Expr::cust(
                    "in_person_taken >= 0 AND in_person_taken <= in_person_places \
                     AND online_taken >= 0 AND online_taken <= online_places",
                ))
                .check(Expr::cust("price_pence >= 0 AND ends_at > starts_at"))
                .foreign_key(&mut fk(
                    "learning_events",
                    "organisation_id",
                    "organisations",
                    Cascade,
                ))
                .foreign_key(&mut fk("learning_events", "created_by", "users", SetNull))
                .to_owned(),
        )
        .await?;
        m.create_index(index("learning_events", &["starts_at"], false))
            .await?;
        m.create_index(index(
            "learning_events",
            &["organisation_id", "starts_at"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("learning_sessions")
                .col(pk_auto("id"))
                .col(integer("event_id"))
                .col(integer("position"))
                .col(string_len_null("title", 200))
                .col(timestamp_with_time_zone("starts_at"))
                .col(timestamp_with_time_zone("ends_at"))
                .foreign_key(&mut fk(
                    "learning_sessions",
                    "event_id",
                    "learning_events",
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("learning_sessions", &["event_id", "position"], true))
            .await?;
        m.create_table(
            Table::create()
                .table("learning_orders")
                .col(pk_auto("id"))
                .col(string_len_uniq("code", 12))
                .col(integer_null("user_id"))
                .col(string_len("name", 200))
                .col(string_len("email", 254))
                .col(string_len("state", 12))
                .col(big_integer("total_pence"))
                .col(string_len_null("po_number", 50))
                .col(string_len_uniq("manage_token_hash", 64))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("paid_at"))
                .col(timestamp_with_time_zone_null("cancelled_at"))
                .col(text_null("cancel_reason"))
                .check(Expr::cust("total_pence >= 0"))
                .foreign_key(&mut fk("learning_orders", "user_id", "users", SetNull))
                .to_owned(),
        )
        .await?;
        m.create_index(index("learning_orders", &["user_id", "created_at"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("learning_places")
                .col(pk_auto("id"))
                .col(integer("event_id"))
                .col(string_len("mode", 10))
                .col(string_len("state", 10))
                // Whose basket holds it, until when.
                .col(integer_null("holder_id"))
                .col(timestamp_with_time_zone_null("hold_expires_at"))
                .col(integer_null("order_id"))
                .col(big_integer("price_pence"))
                .col(string_len_null("attendee_name", 200))
                .col(string_len_null("attendee_email", 254))
                .col(timestamp_with_time_zone_null("checked_in_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "learning_places",
                    "event_id",
                    "learning_events",
                    Cascade,
                ))
                .foreign_key(&mut fk("learning_places", "holder_id", "users", Cascade))
                .foreign_key(&mut fk(
                    "learning_places",
                    "order_id",
                    "learning_orders",
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("learning_places", &["holder_id", "state"], false))
            .await?;
        m.create_index(index("learning_places", &["order_id"], false))
            .await?;
        m.create_index(index("learning_places", &["event_id", "state"], false))
            .await?;
        m.create_index(index(
            "learning_places",
            &["state", "hold_expires_at"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("learning_waitlist")
                .col(pk_auto("id"))
                .col(integer("event_id"))
                .col(string_len("mode", 10))
                .col(integer_null("user_id"))
                .col(string_len("name", 200))
                .col(string_len("email", 254))
                .col(string_len("state", 10))
                .col(string_len_uniq("token_hash", 64))
                .col(string_len_null("offer_token_hash", 64).unique_key())
                .col(timestamp_with_time_zone("joined_at"))
                .col(timestamp_with_time_zone_null("offered_at"))
                .col(timestamp_with_time_zone_null("offer_expires_at"))
                .foreign_key(&mut fk(
                    "learning_waitlist",
                    "event_id",
                    "learning_events",
                    Cascade,
                ))
                .foreign_key(&mut fk("learning_waitlist", "user_id", "users", SetNull))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "learning_waitlist",
            &["event_id", "mode", "state", "joined_at"],
            false,
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "learning_waitlist",
            "learning_places",
            "learning_orders",
            "learning_sessions",
            "learning_events",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
