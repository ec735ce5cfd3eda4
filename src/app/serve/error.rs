//! What a request can fail with, as an HTTP status and the one-line
//! message the command line would print for the same error.

use axum::http::StatusCode;

use dateline::Error;

/// A failed request.
#[derive(Debug)]
pub enum ServeError {
    /// The library refused or failed (a bad date, a bad query with
    /// `strict`, no index, ...).
    Library(Error),
    /// A parameter is unknown, malformed or out of bounds.
    BadRequest(String),
    /// The query string is longer than any query needs.
    TooLong(String),
    /// No such page or article.
    NotFound(String),
    /// Every search slot stayed busy for too long.
    Busy,
    /// The work did not finish in time.
    TimedOut,
    /// A bug (a panic in a search).
    Internal(String),
}

impl From<Error> for ServeError {
    fn from(error: Error) -> ServeError {
        ServeError::Library(error)
    }
}

impl ServeError {
    /// The HTTP status: 4xx for what the request asked, 503 when the index
    /// cannot answer now, 500 for the rest.
    pub fn status(&self) -> StatusCode {
        match self {
            ServeError::Library(error) => match error {
                Error::Date(_)
                | Error::ConflictingDateFilters
                | Error::EmptyDateRange { .. }
                | Error::Query { .. }
                | Error::InvalidArgument(_)
                | Error::TooManyPeriods { .. } => StatusCode::BAD_REQUEST,
                Error::NoIndex(_)
                | Error::EmptyIndex(_)
                | Error::SchemaMismatch { .. }
                | Error::Damaged { .. } => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            },
            ServeError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ServeError::TooLong(_) => StatusCode::URI_TOO_LONG,
            ServeError::NotFound(_) => StatusCode::NOT_FOUND,
            ServeError::Busy | ServeError::TimedOut => StatusCode::SERVICE_UNAVAILABLE,
            ServeError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message, worded as `dateline` prints it (without the
    /// `dateline: ` prefix).
    pub fn message(&self) -> String {
        match self {
            ServeError::Library(error) => error.to_string(),
            ServeError::BadRequest(message)
            | ServeError::TooLong(message)
            | ServeError::NotFound(message) => message.clone(),
            ServeError::Busy => "every search slot is busy: try again in a moment".to_string(),
            ServeError::TimedOut => "the request took too long and was stopped".to_string(),
            ServeError::Internal(message) => {
                format!("internal error: {message}; this is a bug, please report it")
            }
        }
    }
}
