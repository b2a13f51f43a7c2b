//! The access check: who is asking (session cookie or API token), whether the route allows
//! them, CSRF on every form post, and the audit of refusals.

use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use services::RequestMeta;
use services::audit::{self, Event, Outcome};
use services::identity::{
    self,
    session::{Current, Lookup},
};
use std::net::SocketAddr;

use super::{RouteLabel, Viewer, cookie, set_cookie};
use crate::AppState;
use crate::error::{ApiError, Refused, page_error};
use crate::routes::{Need, catalogue};

fn request_meta(state: &AppState, req: &Request) -> RequestMeta {
    let h = req.headers();
    let forwarded = state
        .cfg
        .trust_proxy
        .then(|| h.get("x-forwarded-for").and_then(|v| v.to_str().ok()))
        .flatten()
        .and_then(|v| v.split(',').next())
        .map(|s| s.trim().to_owned());
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    RequestMeta {
        request_id: h
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        ip: forwarded.or(peer),
        user_agent: h
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(300).collect()),
    }
}

fn is_api(route: &str) -> bool {
    route.starts_with("/api/v1")
}

fn safe_next(uri: &axum::http::Uri) -> String {
    let pq = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    if pq.starts_with('/') && !pq.starts_with("//") {
        pq.to_owned()
    } else {
        "/".into()
    }
}

/// Resolves the viewer, enforces the route's need and CSRF, and audits refusals.
pub async fn access(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_default();
    let method = req.method().clone();
    let mut resp = access_inner(&state, &route, req, next).await;
    resp.extensions_mut().insert(RouteLabel(route.clone()));
    if let Some(Refused {
        what,
        actor_id,
        actor_label,
        meta,
    }) = resp.extensions_mut().remove::<Refused>()
    {
        let ev = Event::new("access_refused", Outcome::Refused)
            .by_label(actor_id, actor_label)
            .detail(format!("{method} {route}: {what}"));
        if let Err(e) = audit::log(&state.svc, state.svc.now(), &meta, ev).await {
            tracing::error!(error = %e, "could not audit a refusal");
        }
    }
    resp
}

async fn access_inner(state: &AppState, route: &str, mut req: Request, next: Next) -> Response {
    let api = is_api(route);
    let Some(need) = catalogue().need(req.method(), route) else {
        if catalogue().declares(route) {
            // A method the route does not answer: the router says 405, no handler runs.
            return next.run(req).await;
        }
        tracing::error!(route, "route was not declared with its need; refusing");
        return page_error(StatusCode::INTERNAL_SERVER_ERROR, None);
    };
    if need == Need::Open {
        return next.run(req).await;
    }
    let meta = request_meta(state, &req);
    let mut current = None;
    let mut expired = false;
    let mut new_csrf_cookie = None;
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    if let (true, Some(token)) = (api, bearer) {
        match identity::token::authenticate(&state.svc, token.trim(), &meta).await {
            Ok(Some(actor)) => {
                current = Some(Current {
                    actor,
                    csrf_token: String::new(),
                    id_hash: String::new(),
                })
            }
            Ok(None) => {
                return ApiError::unauthorised(
                    "The API token is not valid: it may be mistyped, expired or revoked",
                )
                .into_response();
            }
            Err(e) => return ApiError::from(e).into_response(),
        }
    } else if let Some(token) = cookie(req.headers(), state.session_cookie()) {
        match identity::session::lookup(&state.svc, &token, &meta).await {
            Ok(Lookup::Found(c)) => current = Some(c),
            Ok(Lookup::Expired) => expired = true,
            Ok(Lookup::Missing) => {}
            Err(e) => {
                tracing::error!(error = %e, "session lookup failed");
                return if api {
                    ApiError::from(e).into_response()
                } else {
                    page_error(StatusCode::INTERNAL_SERVER_ERROR, None)
                };
            }
        }
        // A browser session may read the API, but changes through the API need a token.
        if api
            && req.method() != Method::GET
            && req.method() != Method::HEAD
            && let Some(c) = &current
        {
            let mut r = ApiError::unauthorised("Changes through the API need an API token (Authorization: Bearer …), not a browser session").into_response();
            r.extensions_mut().insert(Refused {
                what: "an API change sent with a browser session instead of an API token".into(),
                actor_id: Some(c.actor.user_id),
                actor_label: c.actor.email.clone(),
                meta,
            });
            return r;
        }
    }
    let csrf = match &current {
        Some(c) if !c.csrf_token.is_empty() => c.csrf_token.clone(),
        _ => match cookie(req.headers(), state.csrf_cookie()) {
            Some(v) if v.len() >= 32 => v,
            _ => {
                let t = identity::random_token();
                new_csrf_cookie = Some(t.clone());
                t
            }
        },
    };

    // Is the viewer allowed here at all? (Which records they may touch is the use case's check.)
    let refusal = match (need, &current) {
        (Need::Open | Need::Public, _) => None,
        (_, None) => {
            if api {
                return ApiError::unauthorised(
                    "Sign in or send an API token (Authorization: Bearer …)",
                )
                .into_response();
            }
            let next_url = safe_next(req.uri());
            let q = serde_urlencoded::to_string([("next", next_url.as_str())]).unwrap_or_default();
            let to = if expired {
                format!("/sign-in?expired=1&{q}")
            } else {
                format!("/sign-in?{q}")
            };
            let mut r = axum::response::Redirect::to(&to).into_response();
            if expired {
                r.headers_mut().append(
                    header::SET_COOKIE,
                    set_cookie(state, state.session_cookie(), "", Some(0)),
                );
            }
            return r;
        }
        (Need::SignedIn, Some(_)) => None,
        (Need::Permission(p), Some(c)) => {
            (!c.actor.can(p)).then(|| format!("needs permission {}", p.as_str()))
        }
    };
    if let Some(what) = refusal {
        let c = current.as_ref();
        let mut r = if api {
            ApiError::forbidden("You do not have permission to do this").into_response()
        } else {
            page_error(StatusCode::FORBIDDEN, c.map(|c| &c.actor))
        };
        r.extensions_mut().insert(Refused {
            what,
            actor_id: c.map(|c| c.actor.user_id),
            actor_label: c.map(|c| c.actor.email.clone()).unwrap_or_default(),
            meta,
        });
        return r;
    }

    // CSRF: every form post must carry the token of its session (or of its pre-sign-in cookie).
    if !api && req.method() == Method::POST {
        let (parts, body) = req.into_parts();
        let bytes = match axum::body::to_bytes(body, 2 * 1024 * 1024).await {
            Ok(b) => b,
            Err(_) => {
                return page_error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    current.as_ref().map(|c| &c.actor),
                );
            }
        };
        let sent = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .ok()
            .and_then(|kv| {
                kv.into_iter()
                    .find(|(k, _)| k == "csrf_token")
                    .map(|(_, v)| v)
            });
        let ok = new_csrf_cookie.is_none()
            && sent
                .as_deref()
                .is_some_and(|s| identity::constant_time_eq(s, &csrf));
        if !ok {
            let c = current.as_ref();
            let ev = Event::new("csrf_rejected", Outcome::Refused)
                .by_label(
                    c.map(|c| c.actor.user_id),
                    c.map(|c| c.actor.email.clone())
                        .unwrap_or_else(|| "anonymous".into()),
                )
                .detail(format!(
                    "POST {route}: {}",
                    if sent.is_some() {
                        "token did not match"
                    } else {
                        "no token"
                    }
                ));
            let _ = audit::log(&state.svc, state.svc.now(), &meta, ev).await;
            return crate::pages::errors::csrf_failed(c.map(|c| &c.actor));
        }
        req = Request::from_parts(parts, Body::from(bytes));
    }

    let saved = (req.method() == Method::GET)
        .then(|| req.uri().query())
        .flatten()
        .and_then(|q| {
            serde_urlencoded::from_str::<Vec<(String, String)>>(q)
                .ok()?
                .into_iter()
                .find(|(k, _)| k == "saved")
                .map(|(_, v)| v)
        });
    req.extensions_mut().insert(Viewer {
        current,
        csrf,
        meta,
        expired,
        saved,
    });
    let mut resp = next.run(req).await;
    if let Some(t) = new_csrf_cookie {
        resp.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(state, state.csrf_cookie(), &t, None),
        );
    }
    resp
}
