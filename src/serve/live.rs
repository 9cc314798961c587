//! Live reload: a script injected into every HTML page `serve` sends (never into `build`
//! output) that listens to server-sent events, reloads the page when its own file changed,
//! and shows the current errors as an overlay.

use std::sync::Mutex;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};

/// URL prefix of `serve`'s own resources; no page of a site lives under it.
pub const PREFIX: &str = "/__hindsight/";

/// What is injected before `</body>` of every HTML page.
pub const TAG: &str = "<link rel=\"stylesheet\" href=\"/__hindsight/live.css\"><script src=\"/__hindsight/live.js\" defer></script>";

/// The live-reload and error-overlay script.
pub const SCRIPT: &str = r#"// hindsight serve: reload on change, show build errors. Injected by `serve` only.
(function () {
  "use strict";
  var here = decodeURIComponent(location.pathname).replace(/^\//, "");
  if (here === "" || here.slice(-1) === "/") here += "index.html";
  var box = null;
  function overlay(status) {
    if (box) { box.remove(); box = null; }
    if (!status.errors || !status.errors.length) return;
    box = document.createElement("aside");
    box.className = "hs-overlay";
    box.setAttribute("role", "alert");
    var h = document.createElement("h2");
    h.textContent = status.errors.length === 1 ? "1 error: the last good version is shown"
      : status.errors.length + " errors: the last good version is shown";
    box.appendChild(h);
    status.errors.forEach(function (e) {
      var item = document.createElement("div");
      item.className = "hs-error";
      var where = document.createElement("div");
      where.className = "hs-where";
      where.textContent = (e.file || "") + (e.line ? ":" + e.line + ":" + e.column : "") + "  " + e.code + " " + e.name;
      var what = document.createElement("div");
      what.className = "hs-message";
      what.textContent = e.message;
      item.appendChild(where);
      item.appendChild(what);
      if (e.source_line) {
        var pre = document.createElement("pre");
        pre.textContent = e.source_line;
        item.appendChild(pre);
      }
      if (e.help) {
        var help = document.createElement("div");
        help.className = "hs-help";
        help.textContent = "help: " + e.help;
        item.appendChild(help);
      }
      box.appendChild(item);
    });
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Dismiss";
    close.addEventListener("click", function () { box.remove(); box = null; });
    box.appendChild(close);
    document.body.appendChild(box);
  }
  var events = new EventSource("/__hindsight/events");
  events.addEventListener("reload", function (e) {
    var d = JSON.parse(e.data);
    if (d.everything || d.paths.indexOf(here) >= 0) location.reload();
  });
  events.addEventListener("status", function (e) { overlay(JSON.parse(e.data)); });
  window.hindsightLive = { events: events };
})();
"#;

/// The overlay's style.
pub const STYLE: &str = ".hs-overlay{position:fixed;inset:auto 1rem 1rem 1rem;max-height:60vh;overflow:auto;z-index:1000;background:#2b0d0d;color:#ffe9e9;border:2px solid #ff6b6b;border-radius:8px;padding:1rem 1.25rem;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;box-shadow:0 8px 30px rgba(0,0,0,.4)}
.hs-overlay h2{margin:0 0 .5rem;font-size:15px;color:#ffb3b3}
.hs-error{margin:.75rem 0;padding-top:.5rem;border-top:1px solid #6b2a2a}
.hs-where{color:#ffd479}.hs-help{color:#b8e0ff}
.hs-overlay pre{margin:.25rem 0;padding:.25rem .5rem;background:#1a0707;white-space:pre-wrap}
.hs-overlay button{font:inherit;background:#ff6b6b;color:#2b0d0d;border:0;border-radius:4px;padding:.25rem .75rem;cursor:pointer}
.hs-overlay button:focus-visible{outline:2px solid #fff;outline-offset:2px}
";

/// Put the live-reload tag into an HTML page (before `</body>`, else at the end).
pub fn inject(html: &[u8]) -> Vec<u8> {
    let at = find_last(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + TAG.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(TAG.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w.eq_ignore_ascii_case(needle))
}

/// Server-sent events to every open page.
#[derive(Default)]
pub struct Broadcaster {
    clients: Mutex<Vec<SyncSender<String>>>,
}

impl Broadcaster {
    /// A new listener; it gets every event sent from now on.
    pub fn subscribe(&self) -> Receiver<String> {
        let (tx, rx) = sync_channel(64);
        self.clients.lock().unwrap_or_else(|e| e.into_inner()).push(tx);
        rx
    }

    /// Send `event` with `data` (one line of JSON) to every listener, forgetting closed ones.
    pub fn send(&self, event: &str, data: &str) {
        let message = format!("event: {event}\ndata: {data}\n\n");
        self.clients.lock().unwrap_or_else(|e| e.into_inner()).retain(|tx| {
            !matches!(tx.try_send(message.clone()), Err(TrySendError::Disconnected(_)))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tag_goes_before_the_last_body_end() {
        let page = inject(b"<html><body><p>&lt;/body&gt;</p></BODY></html>");
        let page = String::from_utf8(page).unwrap();
        assert!(page.ends_with(&format!("{TAG}</BODY></html>")), "{page}");
        assert!(String::from_utf8(inject(b"plain")).unwrap().ends_with(TAG));
    }
}
