//! Who is asking: the viewer the access middleware found, as handlers receive it. A leaf
//! module (it depends on nothing else in this crate), so pages, the API and the middleware can
//! all use it without depending on each other.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use services::RequestMeta;
use services::identity::session::Current;

/// Who is asking, as the access middleware found them. Handlers read it through [`Viewer`].
#[derive(Clone, Debug)]
pub struct Viewer {
    pub current: Option<Current>,
    /// The CSRF token this request's forms must carry.
    pub csrf: String,
    pub meta: RequestMeta,
    /// A session cookie came with the request but its session had timed out.
    pub expired: bool,
    /// What the action before this page did (`?saved=…` after a form's redirect), confirmed
    /// on the page with a success banner (see [`crate::view::confirmation`]).
    pub saved: Option<String>,
}

impl Viewer {
    pub fn actor(&self) -> Option<&services::Actor> {
        self.current.as_ref().map(|c| &c.actor)
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Viewer {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Viewer>()
            .cloned()
            .ok_or_else(|| StatusCode::INTERNAL_SERVER_ERROR.into_response())
    }
}

/// The signed-in actor, for handlers that need one. Without one the request goes no further:
/// a page sends the visitor to sign in (and back afterwards), the API answers 401 in the error
/// envelope. (The access check already does this for routes that need more than
/// [`crate::routes::Need::Public`]; this makes the handler's assumption explicit and typed.)
pub struct CurrentActor(pub services::Actor);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for CurrentActor {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        if let Some(a) = parts.extensions.get::<Viewer>().and_then(Viewer::actor) {
            return Ok(CurrentActor(a.clone()));
        }
        if parts.uri.path().starts_with("/api/") {
            return Err(crate::error::ApiError::unauthorised(
                "Sign in or send an API token (Authorization: Bearer …)",
            )
            .into_response());
        }
        let next = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .filter(|p| p.starts_with('/') && !p.starts_with("//"))
            .unwrap_or("/");
        let q = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
        Err(axum::response::Redirect::to(&format!("/sign-in?{q}")).into_response())
    }
}
