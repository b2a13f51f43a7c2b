//! The taxonomy of social prescribing needs: what a person would like help with, and so what a
//! community service is found by. Published under Open Referral UK as one taxonomy with a term
//! for each need; each has a UUID derived from its code, the same on every installation.

use uuid::Uuid;

/// The namespace the directory's stable UUIDs are derived in (UUID version 5).
pub const NAMESPACE: Uuid = Uuid::from_u128(0x5d0c_6a4e_7f1b_4c2e_9a3d_8b1e_2f60_c471);

/// The taxonomy's code, name and description.
pub const TAXONOMY: (&str, &str, &str) = (
    "social-prescribing-needs",
    "Social prescribing needs",
    "What a person would like help with, as link workers, coaches and care coordinators find community support for it",
);

/// The taxonomy's version: a change to the needs below is a new version.
pub const VERSION: &str = "1";

/// Each need: its code, name and description.
pub const NEEDS: [(&str, &str, &str); 18] = [
    (
        "loneliness",
        "Loneliness and isolation",
        "Meeting people, making friends, feeling part of something",
    ),
    (
        "physical-activity",
        "Physical activity",
        "Walking, sport, exercise and moving more, at any level",
    ),
    (
        "arts-culture",
        "Arts and culture",
        "Music, singing, crafts, drama, writing, museums and libraries",
    ),
    (
        "nature",
        "Nature and green spaces",
        "Gardening, conservation, green gyms and time outdoors",
    ),
    (
        "money-debt",
        "Money and debt",
        "Benefits, debt advice, budgeting and help with bills",
    ),
    (
        "housing",
        "Housing",
        "Somewhere safe and warm to live, repairs, tenancy and homelessness advice",
    ),
    (
        "carers",
        "Carers",
        "Support for people looking after a family member or friend",
    ),
    (
        "mental-wellbeing",
        "Mental wellbeing",
        "Low mood, stress and anxiety: talking, peer support and self-help",
    ),
    (
        "bereavement",
        "Bereavement",
        "Support after someone has died",
    ),
    (
        "employment",
        "Employment and volunteering",
        "Finding work, skills for work and volunteering",
    ),
    (
        "food",
        "Food",
        "Food banks, community meals, cooking and eating well",
    ),
    (
        "digital-skills",
        "Digital skills",
        "Using a phone, tablet or computer and getting online",
    ),
    (
        "learning",
        "Learning",
        "Courses, classes and learning something new",
    ),
    (
        "faith-community",
        "Faith and community",
        "Faith groups, community centres and neighbourhood groups",
    ),
    (
        "long-term-conditions",
        "Living with a long-term condition",
        "Peer support and self-management for health conditions",
    ),
    (
        "families",
        "Families and parenting",
        "Support for parents, children and families",
    ),
    (
        "substance-use",
        "Alcohol and drugs",
        "Support to cut down or stop drinking or using drugs",
    ),
    (
        "advice-advocacy",
        "Advice and advocacy",
        "Help to understand rights, fill in forms and be heard",
    ),
];

/// The stable UUID of a directory record with this code (a need, the taxonomy itself).
pub fn uuid_of(code: &str) -> Uuid {
    Uuid::new_v5(&NAMESPACE, code.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_need_has_its_own_stable_uuid() {
        let mut ids: Vec<Uuid> = NEEDS.iter().map(|n| uuid_of(n.0)).collect();
        ids.push(uuid_of(TAXONOMY.0));
        let count = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), count, "unique");
        assert_eq!(uuid_of("loneliness").get_version_num(), 5);
        // Derived, so the same on every installation: a published id never changes.
        assert_eq!(
            uuid_of("loneliness").to_string(),
            Uuid::new_v5(&NAMESPACE, b"loneliness").to_string()
        );
    }
}
