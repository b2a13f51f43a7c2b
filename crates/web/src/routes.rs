//! One declaration per route: each context's router module registers its pages and API
//! operations here, naming with each route who may use it. API operations are registered with
//! utoipa-axum's `routes!`, so a handler, its route and its OpenAPI entry are one declaration.
//!
//! What is registered becomes the [`Catalogue`]: the table the access middleware consults (a
//! route missing from it is refused, so nothing can be reachable without a decision), and the
//! OpenAPI document (built from the same registrations, so the API and its document agree).

use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, MethodRouter, on};
use domain::Permission;
use std::collections::HashMap;
use std::sync::OnceLock;
use utoipa::openapi::PathItem;
use utoipa::openapi::path::HttpMethod;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};

use crate::AppState;

/// Who may use a route. The use case then checks the record itself (relationship, scope).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// Anyone, and who is asking is never looked up (health, metrics, assets, the API document).
    Open,
    /// Anyone, signed in or not; the page may differ for someone signed in.
    Public,
    /// Any signed-in user (or API token).
    SignedIn,
    /// A signed-in user holding this permission somewhere.
    Permission(Permission),
}

/// Shorthand for [`Need::Permission`].
pub const fn permission(p: Permission) -> Need {
    Need::Permission(p)
}

/// One registered method on one route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declared {
    pub method: Method,
    /// The route template, as axum matches it (`/people/{id}`).
    pub path: String,
    pub need: Need,
    /// Registered as an API operation (so it is in the OpenAPI document).
    pub documented: bool,
}

/// Routes being declared: the axum router and OpenAPI paths, with what each route needs.
pub struct Routes {
    router: OpenApiRouter<AppState>,
    declared: Vec<Declared>,
}

impl Default for Routes {
    fn default() -> Self {
        Self::new()
    }
}

impl Routes {
    pub fn new() -> Self {
        Routes {
            router: OpenApiRouter::default(),
            declared: Vec::new(),
        }
    }

    /// A page (or other non-API endpoint) answering GET.
    pub fn get<H, T>(self, path: &'static str, need: Need, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.on(MethodFilter::GET, Method::GET, path, need, handler)
    }

    /// A form target (or other non-API endpoint) answering POST.
    pub fn post<H, T>(self, path: &'static str, need: Need, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.on(MethodFilter::POST, Method::POST, path, need, handler)
    }

    fn on<H, T>(
        mut self,
        filter: MethodFilter,
        method: Method,
        path: &'static str,
        need: Need,
        handler: H,
    ) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let route: MethodRouter<AppState> = on(filter, handler);
        self.router = self.router.route(path, route);
        self.declared.push(Declared {
            method,
            path: path.to_owned(),
            need,
            documented: false,
        });
        self
    }

    /// API operations, each declared once by its handler's `#[utoipa::path]` and registered with
    /// `utoipa_axum::routes!`; all of them need `need`.
    ///
    /// One `routes!` per path: utoipa-axum would give every path of a multi-path `routes!` the
    /// handlers of all of them.
    pub fn api(mut self, need: Need, operations: UtoipaMethodRouter<AppState>) -> Self {
        assert_eq!(
            operations.1.paths.len(),
            1,
            "one routes!() per path: {:?}",
            operations.1.paths.keys().collect::<Vec<_>>()
        );
        for (path, item) in &operations.1.paths {
            for method in methods_of(item) {
                self.declared.push(Declared {
                    method,
                    path: path.clone(),
                    need,
                    documented: true,
                });
            }
        }
        self.router = self.router.routes(operations);
        self
    }

    /// Adds another context's routes.
    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.declared.extend(other.declared);
        self
    }

    /// The axum router, and the catalogue of what it serves.
    pub fn finish(self) -> (axum::Router<AppState>, Catalogue) {
        let (router, mut openapi) = self.router.split_for_parts();
        let base = crate::openapi::base();
        openapi.info = base.info;
        openapi.tags = base.tags;
        openapi.security = base.security;
        let components = openapi.components.get_or_insert_with(Default::default);
        if let Some(b) = base.components {
            components.schemas.extend(b.schemas);
            components.security_schemes.extend(b.security_schemes);
        }
        crate::openapi::finish(&mut openapi);
        let mut by_route: HashMap<String, Vec<(Method, Need)>> = HashMap::new();
        for d in &self.declared {
            by_route
                .entry(d.path.clone())
                .or_default()
                .push((d.method.clone(), d.need));
        }
        (
            router,
            Catalogue {
                declared: self.declared,
                by_route,
                openapi,
            },
        )
    }
}

/// What the service serves: every route with its need, and the OpenAPI document.
pub struct Catalogue {
    pub declared: Vec<Declared>,
    by_route: HashMap<String, Vec<(Method, Need)>>,
    pub openapi: utoipa::openapi::OpenApi,
}

impl Catalogue {
    /// The need of a route template and method; None for a route nobody declared. HEAD is
    /// answered by GET handlers, so it needs what GET needs.
    pub fn need(&self, method: &Method, route: &str) -> Option<Need> {
        let method = if method == Method::HEAD {
            &Method::GET
        } else {
            method
        };
        self.by_route
            .get(route)?
            .iter()
            .find(|(m, _)| m == method)
            .map(|(_, n)| *n)
    }
}

impl Catalogue {
    /// Whether any method of this route template was declared.
    pub fn declares(&self, route: &str) -> bool {
        self.by_route.contains_key(route)
    }
}

/// The catalogue of the service's routes, built once from the same declarations as the router.
pub fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| crate::all_routes().finish().1)
}

fn methods_of(item: &PathItem) -> Vec<Method> {
    [
        (HttpMethod::Get, &item.get, Method::GET),
        (HttpMethod::Put, &item.put, Method::PUT),
        (HttpMethod::Post, &item.post, Method::POST),
        (HttpMethod::Delete, &item.delete, Method::DELETE),
        (HttpMethod::Patch, &item.patch, Method::PATCH),
    ]
    .into_iter()
    .filter(|(_, op, _)| op.is_some())
    .map(|(_, _, m)| m)
    .collect()
}
