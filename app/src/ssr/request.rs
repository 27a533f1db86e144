//! "Who is asking": the session and client address of the current request, for server
//! functions (through the leptos request context) and REST handlers (through axum parts).

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use http::request::Parts;
use ipnet::IpNet;

use super::AppState;
use super::auth::{self, Session};
use crate::error::AppError;

/// The client's address (AU-6). The socket's peer, unless that peer is a configured trusted
/// proxy (`TUMORBOARD_TRUSTED_PROXIES`): then `X-Forwarded-For` is read from the right and the
/// first hop that is not itself a trusted proxy is the client. Hops to the left of it were
/// written by the client and are never believed. "unknown" when there is no socket
/// (in-process tests).
pub fn client_addr(state: &AppState, parts: &Parts) -> String {
    let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() else {
        return "unknown".to_string();
    };
    let hops: Vec<&str> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .collect();
    client_ip(peer.ip(), &hops, &state.config.trusted_proxies)
}

/// The client behind `peer` given the `X-Forwarded-For` hops (leftmost first); see
/// [`client_addr`].
pub fn client_ip(peer: IpAddr, hops: &[&str], trusted: &[IpNet]) -> String {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer.to_string();
    }
    let mut client = peer.to_string();
    for hop in hops.iter().rev() {
        match parse_hop(hop) {
            Some(ip) if is_trusted(&ip) => client = ip.to_string(),
            Some(ip) => return ip.to_string(),
            // Not an address: keep a short, printable trace of it, never the raw text.
            None => {
                return format!(
                    "unparsed:{}",
                    hop.chars().filter(char::is_ascii_alphanumeric).take(40).collect::<String>()
                );
            }
        }
    }
    client
}

/// An address as proxies write it: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or `[2001:db8::1]:443`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse() {
        return Some(ip);
    }
    if let Ok(sock) = hop.parse::<SocketAddr>() {
        return Some(sock.ip());
    }
    hop.strip_prefix('[').and_then(|h| h.strip_suffix(']')).and_then(|h| h.parse().ok())
}

/// Whether the session cookie must carry `Secure` for this request.
pub fn cookie_secure(state: &AppState, parts: &Parts) -> bool {
    state.config.secure_cookies || parts.headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https")
}

/// The session cookie's value, if the request carries one.
pub fn session_cookie(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(auth::session_id_from_cookie_header)
}

/// Whether a request is a person's action, which keeps a session alive (SE-3). A page's own
/// scripted requests (`Sec-Fetch-Mode: cors` or `same-origin`: refetches after live events,
/// polling) are not; a page load (`navigate`) is, and so is a client that sends no fetch
/// metadata (a script using the REST API, an old browser). A person's clicks and keys reach
/// the server as the keep-alive the page sends on activity.
pub fn is_person_activity(parts: &Parts) -> bool {
    match parts.headers.get("sec-fetch-mode").and_then(|v| v.to_str().ok()) {
        None => true,
        Some(mode) => mode == "navigate",
    }
}

/// The session of a request, if it has a live one.
pub async fn session_of(state: &AppState, parts: &Parts) -> Result<Option<Session>, AppError> {
    session_with_activity(state, parts, is_person_activity(parts)).await
}

/// The session of a request; `activity` says whether it refreshes the idle timer.
pub async fn session_with_activity(
    state: &AppState,
    parts: &Parts,
    activity: bool,
) -> Result<Option<Session>, AppError> {
    let lookup = || async {
        match session_cookie(parts) {
            Some(value) => auth::session_for(state, &value, &client_addr(state, parts), activity).await,
            None => Ok(None),
        }
    };
    match parts.extensions.get::<SessionMemo>() {
        Some(memo) => memo.0.get_or_try_init(lookup).await.cloned(),
        None => lookup().await,
    }
}

/// One session lookup per HTTP request (issue 17): a page rendered on the server calls several
/// server functions, and each asked the database again. The router puts a fresh memo in every
/// request's extensions, which every copy of the request's parts shares.
#[derive(Clone, Default)]
pub struct SessionMemo(std::sync::Arc<tokio::sync::OnceCell<Option<Session>>>);

/// For server functions: the app state and request parts from the leptos context.
pub fn context() -> Result<(AppState, Parts), AppError> {
    let state = AppState::from_context()?;
    let parts = leptos::prelude::use_context::<Parts>()
        .ok_or_else(|| AppError::internal("request parts missing from the server function context"))?;
    Ok((state, parts))
}

/// For server functions: the state and the live session, or 401.
pub async fn authenticated() -> Result<(AppState, Session), AppError> {
    let (state, parts) = context()?;
    let session = session_of(&state, &parts).await?.ok_or(AppError::Unauthorized)?;
    Ok((state, session))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().unwrap()).collect()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let peer: IpAddr = "203.0.113.9".parse().unwrap();
        assert_eq!(client_ip(peer, &["10.0.0.1"], &nets(&["10.0.0.0/8"])), "203.0.113.9");
        assert_eq!(client_ip(peer, &["10.0.0.1"], &[]), "203.0.113.9");
    }

    #[test]
    fn behind_a_trusted_proxy_the_rightmost_untrusted_hop_is_the_client() {
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        let trusted = nets(&["10.0.0.0/24", "192.168.1.7/32"]);
        // The client forged the leftmost entry; the proxies appended the rest.
        let hops = ["1.1.1.1", "198.51.100.7", "192.168.1.7"];
        assert_eq!(client_ip(proxy, &hops, &trusted), "198.51.100.7");
        assert_eq!(client_ip(proxy, &["[2001:db8::7]:443"], &trusted), "2001:db8::7");
        assert_eq!(client_ip(proxy, &["198.51.100.7:51234"], &trusted), "198.51.100.7");
    }

    #[test]
    fn a_trusted_proxy_without_a_forwarded_client_is_the_client_itself() {
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        assert_eq!(client_ip(proxy, &[], &nets(&["10.0.0.0/24"])), "10.0.0.5");
        assert_eq!(client_ip(proxy, &["10.0.0.9"], &nets(&["10.0.0.0/24"])), "10.0.0.9");
    }

    #[test]
    fn a_hop_that_is_not_an_address_is_kept_as_a_short_trace() {
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        assert_eq!(client_ip(proxy, &["<script>"], &nets(&["10.0.0.0/24"])), "unparsed:script");
    }
}
