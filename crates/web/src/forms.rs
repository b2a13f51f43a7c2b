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

/// The parts of a date typed into the NHS.UK date input: a field `X` is sent as `X-day`,
/// `X-month` and `X-year`.
const DATE_PARTS: [&str; 3] = ["-day", "-month", "-year"];

/// Joins each date typed as day, month and year into one field, written `D/M/YYYY` as people
/// write it (which the services read, as they read the API's `YYYY-MM-DD`); a date left blank is
/// an empty field, and one with a part missing or mistyped keeps what was typed, so it is refused
/// as not a real date and shown again as typed. Other fields pass through unchanged.
pub fn join_dates(pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::with_capacity(pairs.len());
    let mut dates: Vec<(String, [String; 3])> = Vec::new();
    for (k, v) in pairs {
        let part = DATE_PARTS
            .iter()
            .position(|p| k.len() > p.len() && k.ends_with(p));
        match part {
            Some(i) => {
                let base = k[..k.len() - DATE_PARTS[i].len()].to_owned();
                match dates.iter_mut().find(|(b, _)| *b == base) {
                    Some((_, parts)) => parts[i] = v,
                    None => {
                        let mut parts: [String; 3] = Default::default();
                        parts[i] = v;
                        dates.push((base, parts));
                    }
                }
            }
            None => out.push((k, v)),
        }
    }
    for (base, [d, m, y]) in dates {
        let (d, m, y) = (d.trim(), m.trim(), y.trim());
        let joined = if d.is_empty() && m.is_empty() && y.is_empty() {
            String::new()
        } else {
            format!("{d}/{m}/{y}")
        };
        out.retain(|(k, _)| *k != base);
        out.push((base, joined));
    }
    out
}

/// The day, month and year of a date field's value, to show in the date input again: a date
/// as stored (`YYYY-MM-DD`) or as typed (`D/M/YYYY`, parts possibly missing).
pub fn date_parts(value: &str) -> (String, String, String) {
    let v = value.trim();
    if let Some(d) = domain::dates::parse_iso(v) {
        use chrono::Datelike;
        return (
            d.day().to_string(),
            d.month().to_string(),
            d.year().to_string(),
        );
    }
    let mut parts = v.splitn(3, '/').map(|p| p.trim().to_owned());
    match (parts.next(), parts.next(), parts.next()) {
        (Some(d), Some(m), Some(y)) => (d, m, y),
        _ => (String::new(), String::new(), v.to_owned()),
    }
}

/// A form body (`application/x-www-form-urlencoded`), with dates typed in the date input joined
/// (see [`join_dates`]) before it is read into `T`.
pub struct Form<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for Form<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = axum::response::Response;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        let body = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        read(&body).map(Form).ok_or_else(unusable)
    }
}

/// A query string, with dates typed in the date input joined (see [`join_dates`]).
pub struct Query<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for Query<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = axum::response::Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        read(parts.uri.query().unwrap_or_default().as_bytes())
            .map(Query)
            .ok_or_else(unusable)
    }
}

fn read<T: serde::de::DeserializeOwned>(encoded: &[u8]) -> Option<T> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(encoded).ok()?;
    let joined = serde_urlencoded::to_string(join_dates(pairs)).ok()?;
    serde_urlencoded::from_str(&joined).ok()
}

/// What could not be read as the form: the NHS error page says so (see `shape_errors`).
fn unusable() -> axum::response::Response {
    use axum::response::IntoResponse;
    axum::http::StatusCode::UNPROCESSABLE_ENTITY.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn dates_typed_in_parts_are_joined() {
        let joined = join_dates(pairs(&[
            ("given_name", "Jack"),
            ("date_of_birth-day", " 7"),
            ("date_of_birth-month", "3 "),
            ("date_of_birth-year", "1958"),
            ("review-day", ""),
            ("review-month", ""),
            ("review-year", ""),
            ("seen-day", "31"),
            ("seen-year", "2026"),
        ]));
        assert_eq!(
            joined,
            pairs(&[
                ("given_name", "Jack"),
                ("date_of_birth", "7/3/1958"),
                ("review", ""),
                ("seen", "31//2026"),
            ])
        );
        assert_eq!(
            domain::dates::parse("7/3/1958"),
            chrono::NaiveDate::from_ymd_opt(1958, 3, 7)
        );
        assert_eq!(domain::dates::parse("31//2026"), None);
    }

    #[test]
    fn dates_are_shown_again_as_parts() {
        let p = |d: &str, m: &str, y: &str| (d.to_owned(), m.to_owned(), y.to_owned());
        assert_eq!(date_parts("1958-03-07"), p("7", "3", "1958"));
        assert_eq!(date_parts("31//2026"), p("31", "", "2026"));
        assert_eq!(date_parts(""), p("", "", ""));
    }
}
