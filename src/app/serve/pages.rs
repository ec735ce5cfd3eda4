//! The HTML pages: the search page (`/`), the article view
//! (`/article/{id}`), the stylesheet and script, and the error pages. Each
//! page is one request to the library on one snapshot of the index, then
//! one printer call.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use dateline::output::html::{
    ArticlePage, PageState, SCRIPT, SEARCH_PAGE_PARAMS, STYLE, SearchPage, write_article_page,
    write_error_page, write_search_page,
};
use dateline::search::article::{article, neighbours, parse_article_id};
use dateline::search::facets::facets;
use dateline::search::search;
use dateline::search::timeline::timeline;

use crate::app::serve::api::not_an_article;
use crate::app::serve::error::ServeError;
use crate::app::serve::params::Params;
use crate::app::serve::state::AppState;

/// Passages per page of results.
const PER_PAGE: usize = 20;
/// Articles listed on each side of the article view.
const NEIGHBOURS: usize = 3;

/// The parameters the article view takes: the search it came from and the
/// passage to mark.
const ARTICLE_PARAMS: &[&str] = &[
    "q", "since", "until", "on", "sort", "format", "outlet", "author", "p",
];

/// `GET /`: the search page.
pub async fn search_page(State(state): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let params = match Params::parse(raw.as_deref(), SEARCH_PAGE_PARAMS) {
        Ok(params) => params,
        Err(error) => return error_page(&PageState::default(), &error),
    };
    let form = page_state(&params);
    let view = form.clone();
    let rendered = state
        .run(move |state, index| {
            let stats = state.stats(index)?;
            let mut out = Vec::new();
            if params.query().is_none() {
                let page = SearchPage {
                    state: &view,
                    stats: Some(&stats),
                    results: None,
                    per_page: PER_PAGE,
                    more: false,
                    timeline: None,
                    facets: None,
                    error: None,
                };
                write_search_page(&mut out, &page).map_err(printing)?;
                return Ok((StatusCode::OK, out));
            }
            // A bad date or query is shown on the page, with the form to
            // fix it, not as a bare error.
            let answer = (|| -> Result<_, ServeError> {
                let (request, page) = params.search_request(PER_PAGE)?;
                let mut results = search(index, &request)?;
                let more = results.hits.len() == request.limit && page < super::params::MAX_PAGE;
                results
                    .hits
                    .drain(..((page - 1) * PER_PAGE).min(results.hits.len()));
                let mut timeline_request = params.timeline_request(false)?;
                timeline_request.queries.truncate(2);
                let timeline = timeline(index, &timeline_request)?;
                let facets = facets(index, &request)?;
                Ok((results, more, timeline, facets))
            })();
            let (results, more, timeline, facets, error) = match answer {
                Ok((r, m, t, f)) => (Some(r), m, Some(t), Some(f), None),
                Err(error) => (None, false, None, None, Some(error)),
            };
            let message = error.as_ref().map(ServeError::message);
            let page = SearchPage {
                state: &view,
                stats: Some(&stats),
                results: results.as_ref(),
                per_page: PER_PAGE,
                more,
                timeline: timeline.as_ref(),
                facets: facets.as_ref(),
                error: message.as_deref(),
            };
            write_search_page(&mut out, &page).map_err(printing)?;
            let status = error.map_or(StatusCode::OK, |e| e.status());
            Ok((status, out))
        })
        .await;
    match rendered {
        Ok((status, body)) => html_response(status, body),
        Err(error) => error_page(&form, &error),
    }
}

/// `GET /article/{id}`: the whole article, the hit passage marked.
pub async fn article_page(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let params = match Params::parse(raw.as_deref(), ARTICLE_PARAMS) {
        Ok(params) => params,
        Err(error) => return error_page(&PageState::default(), &error),
    };
    let form = page_state(&params);
    let Some(article_id) = parse_article_id(&id) else {
        return error_page(&form, &not_an_article(&id));
    };
    let view = form.clone();
    let rendered = state
        .run(move |_, index| {
            let hit = params
                .get("p")
                .map(|p| {
                    p.parse::<u64>().map_err(|_| {
                        ServeError::BadRequest(format!(
                            "parameter 'p' must be a passage number, not '{p}'"
                        ))
                    })
                })
                .transpose()?;
            let found = article(index, article_id, &view.q)?.ok_or_else(|| not_an_article(&id))?;
            let around = neighbours(index, &view.q, &found, NEIGHBOURS)?;
            let mut out = Vec::new();
            let page = ArticlePage {
                state: &view,
                article: &found,
                hit: hit.or_else(|| found.first_match()),
                neighbours: &around,
            };
            write_article_page(&mut out, &page).map_err(printing)?;
            Ok(out)
        })
        .await;
    match rendered {
        Ok(body) => html_response(StatusCode::OK, body),
        Err(error) => error_page(&form, &error),
    }
}

/// `GET /assets/style-VERSION.css`.
pub async fn style() -> Response {
    asset("text/css; charset=utf-8", STYLE)
}

/// `GET /assets/app-VERSION.js`.
pub async fn script() -> Response {
    asset("text/javascript; charset=utf-8", SCRIPT)
}

/// Any other path.
pub async fn not_found() -> Response {
    error_page(
        &PageState::default(),
        &ServeError::NotFound("no such page: the search page is at /".to_string()),
    )
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            // The path carries the version, so it never changes.
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        body,
    )
        .into_response()
}

/// The form's state as the URL gives it.
fn page_state(params: &Params) -> PageState {
    let get = |name: &str| params.get(name).unwrap_or("").to_string();
    PageState {
        q: get("q"),
        vs: get("vs"),
        since: get("since"),
        until: get("until"),
        on: get("on"),
        sort: get("sort"),
        by: get("by"),
        per_article: get("per_article"),
        format: get("format"),
        outlet: get("outlet"),
        author: get("author"),
        page: params.number("page", 1, 1..=usize::MAX).unwrap_or(1),
    }
}

fn printing(error: std::io::Error) -> ServeError {
    ServeError::Internal(format!("rendering the page: {error}"))
}

fn error_page(state: &PageState, error: &ServeError) -> Response {
    let status = error.status();
    let mut out = Vec::new();
    if write_error_page(&mut out, state, status.as_u16(), &error.message()).is_err() {
        return status.into_response();
    }
    html_response(status, out)
}

fn html_response(status: StatusCode, body: Vec<u8>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}
