//! Parsing of form fields that arrive as text.

use services::FieldError;

/// An optional whole number typed into a form; blank is None.
pub fn optional_int(
    field: &str,
    label: &str,
    value: &str,
    errors: &mut Vec<FieldError>,
) -> Option<i64> {
    let v = value.trim().replace(',', "");
    if v.is_empty() {
        return None;
    }
    match v.parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.push(FieldError::new(
                field,
                format!("{label} must be a whole number, like 8200"),
            ));
            None
        }
    }
}
