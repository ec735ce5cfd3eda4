//! The routes and what wraps every response: security headers, the host
//! check, the overall timeout and, only when asked for, CORS.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::timeout::TimeoutLayer;

use dateline::output::html::{SCRIPT_PATH, STYLE_PATH};

use crate::app::serve::api::{api_article, api_not_found, api_search, api_stats, api_timeline};
use crate::app::serve::pages::{article_page, not_found, script, search_page, style};
use crate::app::serve::state::AppState;

/// The longest a request may take, whatever it is.
const REQUEST_TIME: Duration = Duration::from_secs(30);

/// Scripts and styles only from the server itself (no inline script, no
/// CDN), no frames, forms only to the server.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Every route of the server; `cors` names the one origin whose pages may
/// call the API.
pub fn router(state: Arc<AppState>, cors: Option<HeaderValue>) -> Router {
    let mut router = Router::new()
        .route("/", get(search_page))
        .route("/article/{id}", get(article_page))
        .route(STYLE_PATH, get(style))
        .route(SCRIPT_PATH, get(script))
        .route("/api/search", get(api_search))
        .route("/api/timeline", get(api_timeline))
        .route("/api/stats", get(api_stats))
        .route("/api/article/{id}", get(api_article))
        .route("/api/{*rest}", get(api_not_found))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(Arc::clone(&state), guard))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIME,
        ))
        .with_state(state);
    if let Some(origin) = cors {
        // A list, not an exact origin: the header is sent only to the named
        // origin, so other sites are not even told which one is allowed.
        router = router.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list([origin]))
                .allow_methods([Method::GET, Method::HEAD]),
        );
    }
    router
}

/// Refuses requests for another host while listening on loopback only
/// (DNS rebinding), and adds the security headers to every response.
async fn guard(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    if state.loopback_only {
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        if !is_loopback_host(host) {
            let mut response = (
                StatusCode::MISDIRECTED_REQUEST,
                "dateline serves this index to this machine only (Host must be localhost or a loopback address)\n",
            )
                .into_response();
            add_security_headers(&mut response);
            return response;
        }
    }
    let mut response = next.run(request).await;
    add_security_headers(&mut response);
    response
}

fn add_security_headers(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        // Answers change with each commit of the index.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

/// Whether a `Host` header names this machine: `localhost` or a loopback
/// address, with or without a port.
fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        // [::1]:7700
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(name, _)| name)
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_hosts_pass() {
        for host in [
            "localhost",
            "localhost:7700",
            "127.0.0.1:7700",
            "127.1.2.3",
            "[::1]:80",
            "LOCALHOST.",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "",
            "evil.example",
            "evil.example:7700",
            "192.168.1.2:7700",
            "[::2]:80",
            "localhost.evil.example",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }
}
