//! Middleware: who is asking (session cookie or API token), whether the route allows them,
//! CSRF on every form, audit of refusals, metrics, and security headers. The access check is in
//! `access`; what is done to every response (error shape, metrics, headers) in `response`.

mod access;
mod response;

use axum::http::{HeaderMap, HeaderValue, header};

use crate::AppState;
pub use crate::viewer::Viewer;
pub use access::access;
pub use response::{is_api_path, observe, security_headers, shape_errors};

/// The route template that matched, copied onto the response for metrics.
#[derive(Clone, Debug)]
pub struct RouteLabel(pub String);

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
    let secure = if state.cfg.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let age = max_age
        .map(|a| format!("; Max-Age={a}"))
        .unwrap_or_default();
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax{secure}{age}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}
