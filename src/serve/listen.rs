//! The listening socket, with `TCP_NODELAY`, which every connection it accepts inherits
//! (Linux and the BSDs copy it to accepted sockets), since tiny_http never shows us those
//! sockets. tiny_http writes a response's head and body separately; with Nagle's algorithm on,
//! the second small write on a keep-alive connection waits for the browser's delayed ACK, about
//! 40 ms per request (benches/serve.sh measured 44 ms per GET on a kept-alive connection
//! against 0.3 ms on a new one).
//!
//! A read timeout cannot be set the same way: on the listening socket it also bounds
//! `accept`, and tiny_http stops listening at the first accept error.

use std::io;
use std::net::{SocketAddr, TcpListener};

/// Listen on `addr`, with `TCP_NODELAY` for every accepted connection.
pub fn listen(addr: SocketAddr) -> io::Result<TcpListener> {
    let listener = TcpListener::bind(addr)?;
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        let one: libc::c_int = 1;
        // SAFETY: `one` is a live c_int and its size is passed, as setsockopt requires.
        let rc = unsafe {
            libc::setsockopt(
                listener.as_raw_fd(),
                libc::IPPROTO_TCP,
                libc::TCP_NODELAY,
                (&one as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(listener)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn accepted_connections_inherit_nodelay() {
        let listener = listen("127.0.0.1:0".parse().unwrap()).unwrap();
        let _client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (accepted, _) = listener.accept().unwrap();
        assert!(accepted.nodelay().unwrap(), "TCP_NODELAY is inherited");
        assert_eq!(accepted.read_timeout().unwrap(), None, "accept must never time out");
    }
}
