//! Networks and mailing lists: what people send when they apply to join a network, post in
//! one of its communities or subscribe to a list, each field bounded, and the states an
//! application and a subscription move through.

use crate::text::TextField;

/// Why someone wants to join (`network_applications.motivation`).
pub const MOTIVATION: TextField = TextField::lines("Why you want to join", 2_000);
/// The organisation an applicant works or volunteers for, as they name it.
pub const ORGANISATION: TextField = TextField::line("Organisation", 200);
/// An organiser's message with a decision.
pub const DECISION_MESSAGE: TextField = TextField::lines("Message", 2_000);
/// A thread's title (`network_posts.title`: varchar(150)).
pub const THREAD_TITLE: TextField = TextField::line("Title", 150);
/// A post's text.
pub const POST_BODY: TextField = TextField::lines("Post", 5_000);
/// Why a member reports a post (`network_reports.reason`: varchar(1000)).
pub const REPORT_REASON: TextField = TextField::lines("Reason", 1_000);
/// Why a moderator hid a post (`network_posts.hidden_reason`: varchar(500)).
pub const HIDE_REASON: TextField = TextField::line("Reason", 500);
/// A list message's subject (`list_messages.subject`: varchar(150)).
pub const LIST_SUBJECT: TextField = TextField::line("Subject", 150);
/// A list message's text.
pub const LIST_BODY: TextField = TextField::lines("Message", 10_000);
/// A subscriber's name, if they give one (`list_subscriptions.name`: varchar(200)).
pub const SUBSCRIBER_NAME: TextField = TextField::line("Name", 200);

/// Where an application to join a network stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApplicationState {
    /// Waiting for an organiser.
    Pending,
    /// Approved: the applicant is a member.
    Approved,
    /// Declined, with a message; the applicant may apply again.
    Declined,
    /// Withdrawn by the applicant before a decision; they may apply again.
    Withdrawn,
}

impl ApplicationState {
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationState::Pending => "pending",
            ApplicationState::Approved => "approved",
            ApplicationState::Declined => "declined",
            ApplicationState::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            ApplicationState::Pending,
            ApplicationState::Approved,
            ApplicationState::Declined,
            ApplicationState::Withdrawn,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ApplicationState::Pending => "Waiting for a decision",
            ApplicationState::Approved => "Approved",
            ApplicationState::Declined => "Declined",
            ApplicationState::Withdrawn => "Withdrawn",
        }
    }

    /// Whether a new application may replace this one.
    pub fn may_apply_again(self) -> bool {
        matches!(
            self,
            ApplicationState::Declined | ApplicationState::Withdrawn
        )
    }
}

/// Where an address on a mailing list stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubscriptionState {
    /// Asked to join; waiting for the address's owner to confirm by the e-mailed link.
    Pending,
    /// Confirmed: gets the list's messages.
    Subscribed,
    /// Left the list (or never confirmed and asked to leave).
    Unsubscribed,
}

impl SubscriptionState {
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionState::Pending => "pending",
            SubscriptionState::Subscribed => "subscribed",
            SubscriptionState::Unsubscribed => "unsubscribed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            SubscriptionState::Pending,
            SubscriptionState::Subscribed,
            SubscriptionState::Unsubscribed,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_and_only_closed_applications_reopen() {
        for s in ["pending", "approved", "declined", "withdrawn"] {
            assert_eq!(ApplicationState::parse(s).map(|x| x.as_str()), Some(s));
        }
        assert_eq!(ApplicationState::parse("accepted"), None);
        assert!(!ApplicationState::Pending.may_apply_again());
        assert!(!ApplicationState::Approved.may_apply_again());
        assert!(ApplicationState::Declined.may_apply_again());
        assert!(ApplicationState::Withdrawn.may_apply_again());
        for s in ["pending", "subscribed", "unsubscribed"] {
            assert_eq!(SubscriptionState::parse(s).map(|x| x.as_str()), Some(s));
        }
        assert_eq!(SubscriptionState::parse(""), None);
    }
}
