//! Indexes that let the caseload find and order a page of referrals from the index alone.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: [(&str, [&str; 4]); 3] = [
    (
        "ix_referrals_caseload_referred",
        ["team_org_id", "state", "referred_on", "id"],
    ),
    (
        "ix_referrals_caseload_review",
        ["team_org_id", "state", "review_due", "id"],
    ),
    (
        "ix_referrals_caseload_contact",
        ["team_org_id", "state", "last_contact_at", "id"],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, cols) in INDEXES {
            let mut i = Index::create();
            i.name(name).table("referrals");
            for c in cols {
                i.col(c);
            }
            m.create_index(i.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in INDEXES {
            m.drop_index(Index::drop().name(name).table("referrals").to_owned())
                .await?;
        }
        Ok(())
    }
}
