//! The JSON API: the same library calls as `search`, `timeline`, `stats`
//! with `--format json`, printed by the same printers, so the answers have
//! the same shape (and bytes) as the command line's. Errors are
//! `{"error": MESSAGE, "status": CODE}` with the HTTP status.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use dateline::output::{write_article_json, write_json, write_stats_json, write_timeline_json};
use dateline::search::article::{article, parse_article_id};
use dateline::search::search;
use dateline::search::timeline::timeline;

use crate::app::serve::error::ServeError;
use crate::app::serve::params::Params;
use crate::app::serve::state::AppState;

/// The parameters `/api/search` takes.
const SEARCH_PARAMS: &[&str] = &[
    "q",
    "since",
    "until",
    "on",
    "sort",
    "limit",
    "page",
    "per_article",
    "context",
    "strict",
    "recency",
    "format",
    "outlet",
    "author",
];
/// The parameters `/api/timeline` takes.
const TIMELINE_PARAMS: &[&str] = &[
    "q", "vs", "by", "since", "until", "on", "strict", "format", "outlet", "author",
];

/// `GET /api/search`: ranked passages, as `dateline search --format json`.
pub async fn api_search(State(state): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let answer = async {
        let params = Params::parse(raw.as_deref(), SEARCH_PARAMS)?;
        let (request, page) = params.search_request(10)?;
        let per_page = request.limit / page;
        state
            .run(move |_, index| {
                let mut results = search(index, &request)?;
                results
                    .hits
                    .drain(..((page - 1) * per_page).min(results.hits.len()));
                json_bytes(|out| write_json(out, &results))
            })
            .await
    };
    json_response(answer.await)
}

/// `GET /api/timeline`: articles per period, as `dateline timeline
/// --format json` (with each period's best passage).
pub async fn api_timeline(State(state): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let answer = async {
        let params = Params::parse(raw.as_deref(), TIMELINE_PARAMS)?;
        let request = params.timeline_request(true)?;
        state
            .run(move |_, index| {
                let timeline = timeline(index, &request)?;
                json_bytes(|out| write_timeline_json(out, &timeline))
            })
            .await
    };
    json_response(answer.await)
}

/// `GET /api/stats`: what the index holds, as `dateline stats --format json`.
pub async fn api_stats(State(state): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let answer = async {
        Params::parse(raw.as_deref(), &[])?;
        state
            .run(|state, index| {
                let stats = state.stats(index)?;
                json_bytes(|out| write_stats_json(out, &stats))
            })
            .await
    };
    json_response(answer.await)
}

/// `GET /api/article/{id}`: a whole article by its id, with `q`'s words
/// marked.
pub async fn api_article(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let answer = async {
        let params = Params::parse(raw.as_deref(), &["q"])?;
        let query = params.query().unwrap_or("").to_string();
        let article_id = parse_article_id(&id).ok_or_else(|| not_an_article(&id))?;
        state
            .run(move |_, index| {
                let found =
                    article(index, article_id, &query)?.ok_or_else(|| not_an_article(&id))?;
                json_bytes(|out| write_article_json(out, &found))
            })
            .await
    };
    json_response(answer.await)
}

/// Any other path under `/api/`.
pub async fn api_not_found() -> Response {
    json_response(Err(ServeError::NotFound(
        "no such endpoint: the API has /api/search, /api/timeline, /api/stats and /api/article/ID"
            .to_string(),
    )))
}

/// The 404 for an article id that is malformed or not in the index.
pub fn not_an_article(id: &str) -> ServeError {
    let shown: String = id.chars().take(40).collect();
    ServeError::NotFound(format!(
        "no article with id '{shown}' in the index (ids are 16 hex digits, as in search results)"
    ))
}

fn json_bytes(
    print: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>,
) -> Result<Vec<u8>, ServeError> {
    let mut out = Vec::new();
    print(&mut out).map_err(|e| ServeError::Internal(e.to_string()))?;
    Ok(out)
}

/// A JSON answer, or the error as JSON with its status.
pub fn json_response(answer: Result<Vec<u8>, ServeError>) -> Response {
    let (status, body) = match answer {
        Ok(body) => (StatusCode::OK, body),
        Err(error) => {
            let status = error.status();
            let body = serde_json::json!({ "error": error.message(), "status": status.as_u16() });
            (status, format!("{body}\n").into_bytes())
        }
    };
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}
