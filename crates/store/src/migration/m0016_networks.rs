//! Networks and mailing lists: networks (a network of champions, a role society, a peer leaders'
//! network) run by an organisation, each with regional communities; applications to join and
//! the members they make; posts in communities (announcements, threads and replies) with
//! reports and moderation; the events shown on a network's page; mailing lists with double
//! opt-in subscriptions, the consent given or withdrawn each time (with the exact wording), the
//! messages sent and each delivery of them; and the keys this deployment signs links with.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, SetNull};
        // Where a list message's one-click unsubscribe goes (RFC 8058), sent as its headers.
        m.alter_table(
            Table::alter()
                .table("email_outbox")
                .add_column(string_len_null("list_unsubscribe", 400))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("signing_keys")
                .col(string_len("name", 40).primary_key())
                .col(string_len("secret", 128))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("networks")
                .col(pk_auto("id"))
                .col(string_len_uniq("slug", 60))
                .col(string_len("name", 200))
                .col(string_len("summary", 500))
                .col(text("guideline"))
                .col(integer("organisation_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "networks",
                    "organisation_id",
                    "organisations",
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("network_communities")
                .col(pk_auto("id"))
                .col(integer("network_id"))
                .col(string_len("region", 3))
                .col(string_len("name", 200))
                .foreign_key(&mut fk(
                    "network_communities",
                    "network_id",
                    "networks",
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "network_communities",
            &["network_id", "region"],
            true,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("network_applications")
                .col(pk_auto("id"))
                .col(integer("network_id"))
                .col(integer("user_id"))
                .col(string_len("job_role", 100))
                .col(string_len("organisation", 200))
                .col(string_len("region", 3))
                .col(text("motivation"))
                .col(string_len("state", 10))
                .col(text_null("message"))
                .col(integer_null("decided_by"))
                .col(timestamp_with_time_zone_null("decided_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "network_applications",
                    "network_id",
                    "networks",
                    Cascade,
                ))
                .foreign_key(&mut fk("network_applications", "user_id", "users", Cascade))
                .foreign_key(&mut fk(
                    "network_applications",
                    "decided_by",
                    "users",
                    SetNull,
                ))
                .to_owned(),
        )
        .await?;
        // One application a person a network: applying again after a decline reopens it.
        m.create_index(index(
            "network_applications",
            &["network_id", "user_id"],
            true,
        ))
        .await?;
        m.create_index(index(
            "network_applications",
            &["network_id", "state"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("network_members")
                .col(pk_auto("id"))
                .col(integer("network_id"))
                .col(integer("user_id"))
                .col(integer_null("community_id"))
                .col(string_len("job_role", 100))
                .col(string_len("organisation", 200))
                .col(string_len("region", 3))
                .col(boolean("listed").default(false))
                .col(timestamp_with_time_zone("joined_at"))
                .foreign_key(&mut fk(
                    "network_members",
                    "network_id",
                    "networks",
                    Cascade,
                ))
                .foreign_key(&mut fk("network_members", "user_id", "users", Cascade))
                .foreign_key(&mut fk(
                    "network_members",
                    "community_id",
                    "network_communities",
                    SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("network_members", &["network_id", "user_id"], true))
            .await?;
        m.create_index(index("network_members", &["user_id"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("network_posts")
                .col(pk_auto("id"))
                .col(integer("community_id"))
                .col(integer_null("thread_id"))
                .col(integer_null("author_id"))
                .col(string_len("author_name", 200))
                .col(string_len_null("title", 150))
                .col(text("body"))
                .col(boolean("announcement").default(false))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("edited_at"))
                .col(timestamp_with_time_zone("last_activity_at"))
                .col(integer("replies").default(0))
                .col(timestamp_with_time_zone_null("hidden_at"))
                .col(integer_null("hidden_by"))
                .col(string_len_null("hidden_reason", 500))
                .foreign_key(&mut fk(
                    "network_posts",
                    "community_id",
                    "network_communities",
                    Cascade,
                ))
                .foreign_key(&mut fk(
                    "network_posts",
                    "thread_id",
                    "network_posts",
                    Cascade,
                ))
                .foreign_key(&mut fk("network_posts", "author_id", "users", SetNull))
                .foreign_key(&mut fk("network_posts", "hidden_by", "users", SetNull))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "network_posts",
            &["community_id", "thread_id", "last_activity_at"],
            false,
        ))
        .await?;
        m.create_index(index("network_posts", &["thread_id", "id"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("network_reports")
                .col(pk_auto("id"))
                .col(integer("post_id"))
                .col(integer("reporter_id"))
                .col(string_len("reason", 1000))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("resolved_at"))
                .col(integer_null("resolved_by"))
                .foreign_key(&mut fk(
                    "network_reports",
                    "post_id",
                    "network_posts",
                    Cascade,
                ))
                .foreign_key(&mut fk("network_reports", "reporter_id", "users", Cascade))
                .foreign_key(&mut fk("network_reports", "resolved_by", "users", SetNull))
                .to_owned(),
        )
        .await?;
        m.create_index(index("network_reports", &["post_id", "reporter_id"], true))
            .await?;
        m.create_table(
            Table::create()
                .table("network_events")
                .col(pk_auto("id"))
                .col(integer("network_id"))
                .col(integer("event_id"))
                .foreign_key(&mut fk("network_events", "network_id", "networks", Cascade))
                .foreign_key(&mut fk(
                    "network_events",
                    "event_id",
                    "learning_events",
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("network_events", &["network_id", "event_id"], true))
            .await?;
        m.create_table(
            Table::create()
                .table("mailing_lists")
                .col(pk_auto("id"))
                .col(string_len_uniq("slug", 60))
                .col(string_len("name", 200))
                .col(string_len("description", 1000))
                .col(integer("organisation_id"))
                .col(integer_null("network_id"))
                .col(integer("wording_version"))
                .col(string_len("wording", 1000))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "mailing_lists",
                    "organisation_id",
                    "organisations",
                    Cascade,
                ))
                .foreign_key(&mut fk("mailing_lists", "network_id", "networks", SetNull))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("list_subscriptions")
                .col(pk_auto("id"))
                .col(integer("list_id"))
                .col(string_len("email", 254))
                .col(string_len("name", 200))
                .col(string_len("state", 12))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("confirmed_at"))
                .col(timestamp_with_time_zone_null("unsubscribed_at"))
                .foreign_key(&mut fk(
                    "list_subscriptions",
                    "list_id",
                    "mailing_lists",
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("list_subscriptions", &["list_id", "email"], true))
            .await?;
        m.create_index(index("list_subscriptions", &["list_id", "state"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("list_consents")
                .col(pk_auto("id"))
                .col(integer("subscription_id"))
                .col(integer("list_id"))
                .col(string_len("action", 12))
                .col(integer_null("wording_version"))
                .col(string_len_null("wording", 1000))
                .col(string_len("source", 100))
                .col(string_len_null("ip", 64))
                .col(timestamp_with_time_zone("at"))
                .foreign_key(&mut fk(
                    "list_consents",
                    "subscription_id",
                    "list_subscriptions",
                    Cascade,
                ))
                .foreign_key(&mut fk(
                    "list_consents",
                    "list_id",
                    "mailing_lists",
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("list_consents", &["subscription_id"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("list_messages")
                .col(pk_auto("id"))
                .col(integer("list_id"))
                .col(string_len("subject", 150))
                .col(text("body"))
                .col(integer_null("sent_by"))
                .col(integer("recipients"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "list_messages",
                    "list_id",
                    "mailing_lists",
                    Cascade,
                ))
                .foreign_key(&mut fk("list_messages", "sent_by", "users", SetNull))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("list_deliveries")
                .col(pk_auto("id"))
                .col(integer("message_id"))
                .col(integer("subscription_id"))
                .col(timestamp_with_time_zone_null("sent_at"))
                .col(string_len_null("outcome", 20))
                .foreign_key(&mut fk(
                    "list_deliveries",
                    "message_id",
                    "list_messages",
                    Cascade,
                ))
                .foreign_key(&mut fk(
                    "list_deliveries",
                    "subscription_id",
                    "list_subscriptions",
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "list_deliveries",
            &["message_id", "subscription_id"],
            true,
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "list_deliveries",
            "list_messages",
            "list_consents",
            "list_subscriptions",
            "mailing_lists",
            "network_events",
            "network_reports",
            "network_posts",
            "network_members",
            "network_applications",
            "network_communities",
            "networks",
            "signing_keys",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        m.alter_table(
            Table::alter()
                .table("email_outbox")
                .drop_column("list_unsubscribe")
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
