//! The password policy for local accounts (NCSC: length over complexity).

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PasswordPolicyError {
    #[error("Password must be 12 characters or more")]
    TooShort,
    #[error("Password must be 128 characters or fewer")]
    TooLong,
    #[error("Password must not contain your email address")]
    ContainsEmail,
}

pub const MIN_LEN: usize = 12;

pub fn check(password: &str, email: &str) -> Result<(), PasswordPolicyError> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(PasswordPolicyError::TooShort);
    }
    if n > 128 {
        return Err(PasswordPolicyError::TooLong);
    }
    let local = email.split('@').next().unwrap_or_default().to_lowercase();
    if local.len() >= 4 && password.to_lowercase().contains(&local) {
        return Err(PasswordPolicyError::ContainsEmail);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_policy_rules() {
        assert_eq!(check("short", "a@b.uk"), Err(PasswordPolicyError::TooShort));
        assert_eq!(
            check("amira.khan-is-great", "amira.khan@x.uk"),
            Err(PasswordPolicyError::ContainsEmail)
        );
        assert!(check("correct horse battery", "amira@x.uk").is_ok());
    }
}
