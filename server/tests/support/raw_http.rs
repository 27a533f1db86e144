//! HTTP/1.1 by hand over a fresh TCP connection, for the harnesses that talk to a real socket
//! (the SIGKILL test, the live-event bench, the command-line tests): the request text and the
//! status of a response. Each includer uses what it needs.
#![allow(dead_code)]

/// A request that closes its connection after the answer; `body` is sent as JSON.
pub fn request(addr: &str, method: &str, path: &str, cookie: Option<&str>, body: Option<&str>) -> String {
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(c) = cookie {
        req.push_str(&format!("Cookie: {c}\r\n"));
    }
    if let Some(b) = body {
        req.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n", b.len()));
    }
    req.push_str("\r\n");
    req.push_str(body.unwrap_or(""));
    req
}

/// The status code of a whole response (`HTTP/1.1 201 Created…` → 201; 0 if there is none).
pub fn status(response: &str) -> u16 {
    response.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0)
}
