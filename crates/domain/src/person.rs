//! A person's own choices about how they are contacted.

named_enum!(
    /// How a person prefers to be contacted.
    ContactPreference {
        Phone = "phone": "Phone call",
        Text = "text": "Text message",
        Email = "email": "Email",
        Letter = "letter": "Letter",
    }
);
