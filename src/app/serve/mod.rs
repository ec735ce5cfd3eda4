//! `dateline serve`: a search page and a JSON API over one index, in one
//! process.
//!
//! The server is axum on tokio: connections are served by async tasks,
//! while searching (CPU work on memory-mapped files) runs on blocking
//! threads behind a bound ([`state`]). The routes, the security headers and
//! CORS are in [`routes`]; the page handlers in [`pages`], the JSON in
//! [`api`], the parameters in [`params`]. It only reads the index, and
//! each request sees the index's last commit ([`dateline::index::LiveIndex`]).

mod api;
mod error;
mod pages;
mod params;
mod routes;
mod state;

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderValue;

use dateline::error::{Error, Result};
use dateline::index::LiveIndex;

use crate::app::cli::ServeArgs;
use crate::app::run::Outcome;
use crate::app::serve::state::AppState;

/// How long open connections get to finish after Ctrl-C or SIGTERM.
const DRAIN_TIME: Duration = Duration::from_secs(5);

/// Serves the index until Ctrl-C or SIGTERM; says where on `err`.
pub fn run_serve<E: Write>(args: &ServeArgs, err: &mut E) -> Result<Outcome> {
    let index = LiveIndex::open(&args.index)?;
    let cors = args
        .cors
        .as_deref()
        .map(|origin| {
            HeaderValue::from_str(origin.trim_end_matches('/')).map_err(|_| {
                Error::InvalidArgument(format!(
                    "--cors {origin}: not an origin such as http://localhost:3000"
                ))
            })
        })
        .transpose()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::Output)?;
    let loopback = args.addr.ip().is_loopback();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(args.addr))
        .map_err(|e| {
            Error::InvalidArgument(format!(
                "cannot listen on {}: {e}; choose another port with --addr 127.0.0.1:PORT",
                args.addr
            ))
        })?;
    let bound = listener.local_addr().map_err(Error::Output)?;
    let url = page_url(bound);
    if !loopback {
        writeln!(
            err,
            "dateline: warning: listening on {bound}, which is not a loopback address: anyone who can reach this machine can read the whole index"
        )?;
    }
    writeln!(
        err,
        "dateline: serving {} at {url} (Ctrl-C stops)",
        args.index.display()
    )?;
    err.flush()?;
    if args.open {
        if let Err(e) = open::that_detached(&url) {
            writeln!(
                err,
                "dateline: could not open a browser ({e}); open {url} yourself"
            )?;
        }
    }
    let state = Arc::new(AppState::new(index, loopback));
    let app = routes::router(state, cors);
    runtime
        .block_on(async move {
            let (stop, stopped) = tokio::sync::watch::channel(());
            let server = axum::serve(listener, app).with_graceful_shutdown(async move {
                let mut stopped = stopped;
                let _ = stopped.changed().await;
            });
            tokio::select! {
                served = server => served,
                () = async {
                    shutdown_signal().await;
                    let _ = stop.send(());
                    // Connections still open after this are dropped.
                    tokio::time::sleep(DRAIN_TIME).await;
                } => Ok(()),
            }
        })
        .map_err(Error::Output)?;
    runtime.shutdown_timeout(Duration::from_secs(1));
    writeln!(err, "dateline: stopped")?;
    Ok(Outcome::Success)
}

/// The search page's address: loopback for a wildcard bind, so it can be
/// opened on this machine.
fn page_url(bound: SocketAddr) -> String {
    let ip = bound.ip();
    let shown = if ip.is_unspecified() {
        "127.0.0.1".to_string()
    } else if ip.is_ipv6() {
        format!("[{ip}]")
    } else {
        ip.to_string()
    };
    format!("http://{shown}:{}/", bound.port())
}

/// Ctrl-C, or SIGTERM (what `kill` and service managers send).
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
