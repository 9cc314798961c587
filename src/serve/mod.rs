//! `hindsight serve`: a live preview. The site is built into memory (never into `public/`),
//! served over HTTP on 127.0.0.1, and rebuilt as files are saved; open pages reload by
//! themselves, and errors show as an overlay while the last good version stays online.
//! `/api/search` answers from the tantivy index with the same JSON as `hindsight search --json`.

pub mod http;
pub mod listen;
pub mod live;
pub mod watch;
pub mod workspace;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock, mpsc};
use std::time::{Duration, Instant};

use crate::diagnostics::report::{SourceTexts, json_finding};
use crate::diagnostics::{Code, Diagnostic};
use crate::search::query::synonym_table;
use crate::search::tantivy_index::{TantivySource, open_index, update_index};
use crate::{Failure, LoadOptions, search_index_dir};
use workspace::{Files, Rebuilt, Workspace};

/// How long the knowledge base must be quiet after a quick rebuild before related incidents
/// and the search indexes are brought up to date.
const SETTLE_AFTER: Duration = Duration::from_millis(250);
/// Most gzip-compressed responses kept.
const GZIP_CACHE_ENTRIES: usize = 4096;

/// What `serve` needs to know.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// The knowledge base.
    pub root: PathBuf,
    /// Which postmortems, and "today".
    pub load: LoadOptions,
    /// Address to listen on (127.0.0.1 unless `--bind`).
    pub addr: SocketAddr,
}

/// What happens while serving, for the command line to print.
pub enum ServeEvent {
    /// Listening at this URL.
    Started {
        /// `http://127.0.0.1:1111/`.
        url: String,
        /// Postmortems published.
        postmortems: usize,
        /// Files served.
        files: usize,
    },
    /// A save was applied.
    Rebuilt {
        /// The changed source files.
        changed: Vec<String>,
        /// What changed in the output.
        rebuilt: Rebuilt,
    },
    /// A save has errors: the last good version stays online.
    Failed(Failure),
    /// Related incidents, stats, feeds and search caught up with quick rebuilds.
    Settled(Rebuilt),
    /// A problem that does not stop the server (e.g. the search index cache).
    Warning(String),
}

/// What the request threads share with the rebuild loop.
pub struct Shared {
    files: RwLock<Arc<Files>>,
    status: RwLock<String>,
    /// Live-reload listeners.
    pub events: live::Broadcaster,
    search: RwLock<Option<Arc<TantivySource>>>,
    gzip_cache: Mutex<HashMap<String, Arc<Vec<u8>>>>,
}

impl Shared {
    fn new(files: Files) -> Shared {
        Shared {
            files: RwLock::new(Arc::new(files)),
            status: RwLock::new(status_json(&[], &SourceTexts::default())),
            events: live::Broadcaster::default(),
            search: RwLock::new(None),
            gzip_cache: Mutex::new(HashMap::new()),
        }
    }

    /// The files being served.
    pub fn files(&self) -> Arc<Files> {
        self.files.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The current errors, as the overlay's JSON.
    pub fn status(&self) -> String {
        self.status.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The search index, once built.
    pub fn search_source(&self) -> Option<Arc<TantivySource>> {
        self.search.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// `body` gzip-compressed, cached by its ETag.
    pub fn gzip(&self, etag: &str, body: &[u8]) -> Vec<u8> {
        if let Some(hit) = self.gzip_cache.lock().unwrap_or_else(|e| e.into_inner()).get(etag) {
            return hit.to_vec();
        }
        let compressed = Arc::new(http::gzip(body));
        let mut cache = self.gzip_cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= GZIP_CACHE_ENTRIES {
            cache.clear();
        }
        cache.insert(etag.to_string(), compressed.clone());
        compressed.to_vec()
    }

    fn publish(&self, workspace: &Workspace) {
        *self.files.write().unwrap_or_else(|e| e.into_inner()) =
            Arc::new(workspace.files().clone());
        let (errors, sources) = workspace.errors();
        self.set_status(&errors, sources);
    }

    fn set_status(&self, errors: &[Diagnostic], sources: &SourceTexts) {
        let json = status_json(errors, sources);
        let changed = *self.status.read().unwrap_or_else(|e| e.into_inner()) != json;
        if changed {
            *self.status.write().unwrap_or_else(|e| e.into_inner()) = json.clone();
            self.events.send("status", &json);
        }
    }
}

/// `{"errors": [...]}`: each error as `check --format json` prints it, with its source line.
fn status_json(errors: &[Diagnostic], sources: &SourceTexts) -> String {
    let errors: Vec<serde_json::Value> = errors
        .iter()
        .map(|d| {
            let mut value = serde_json::to_value(json_finding(d)).unwrap_or_default();
            if let Some(location) = &d.location
                && let Some(text) = sources.get(&location.file)
                && let Some(line) = text.lines().nth(location.line.saturating_sub(1))
            {
                value["source_line"] = serde_json::Value::from(line);
            }
            value
        })
        .collect();
    serde_json::json!({ "errors": errors }).to_string()
}

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

/// Serve until Ctrl-C (SIGINT) or SIGTERM. `on_event` is told what happens.
pub fn serve(options: &ServeOptions, mut on_event: impl FnMut(ServeEvent)) -> Result<(), Failure> {
    let root = crate::output::location::absolute(&options.root);
    let listener = listen::listen(options.addr);
    let server =
        listener.map_err(Into::into).and_then(|l| tiny_http::Server::from_listener(l, None));
    let server = server.map_err(|e| {
        workspace::failure(
            Code::InvalidOutput,
            format!("cannot listen on {}: {e}", options.addr),
            "choose another port with --port (0 picks a free one)",
        )
    })?;
    let addr = server.server_addr().to_ip().unwrap_or(options.addr);
    let host = match addr.ip() {
        IpAddr::V6(ip) => format!("[{ip}]"),
        IpAddr::V4(ip) => ip.to_string(),
    };
    let url = format!("http://{host}:{}/", addr.port());
    // Feeds and the sitemap point at the preview, as the page links do.
    let mut load = options.load.clone();
    load.base_url = Some(url.clone());
    let mut workspace = Workspace::open(&root, &load)?;
    let shared = Arc::new(Shared::new(workspace.files().clone()));
    shared.publish(&workspace);
    let server = Arc::new(server);
    let accepting = {
        let (server, shared) = (server.clone(), shared.clone());
        std::thread::spawn(move || {
            for request in server.incoming_requests() {
                let shared = shared.clone();
                std::thread::spawn(move || http::handle(request, &shared));
            }
        })
    };
    let (tx, rx) = mpsc::channel();
    let output_dir = root.join(&workspace.site().config.output_dir);
    let _watch =
        watch::watch(&root, vec![output_dir, crate::cache_dir(&root)], tx).map_err(|e| {
            workspace::failure(
                Code::InvalidOutput,
                format!("cannot watch {}: {e}", root.display()),
                "check the folder's permissions",
            )
        })?;
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
    }
    on_event(ServeEvent::Started {
        url,
        postmortems: workspace.site().incidents.len(),
        files: workspace.files().len(),
    });
    let index_dir = search_index_dir(&root, options.load.filter);
    let mut index_due = true;
    let mut quiet_since = Instant::now();
    while !STOP.load(Ordering::SeqCst) {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(mut changed) => {
                // Events until the files are quiet for a moment are one rebuild.
                while let Ok(more) = rx.recv_timeout(watch::DEBOUNCE) {
                    changed.extend(more);
                }
                changed.sort();
                changed.dedup();
                match workspace.update(&changed) {
                    Ok(rebuilt) => {
                        shared.publish(&workspace);
                        let data = serde_json::json!({
                            "paths": rebuilt.paths,
                            "everything": rebuilt.everything,
                        });
                        shared.events.send("reload", &data.to_string());
                        on_event(ServeEvent::Rebuilt { changed, rebuilt });
                        index_due = true;
                    }
                    Err(failure) => {
                        shared.set_status(&failure.diagnostics, &failure.sources);
                        on_event(ServeEvent::Failed(failure));
                    }
                }
                quiet_since = Instant::now();
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if quiet_since.elapsed() < SETTLE_AFTER {
                    continue;
                }
                // One step per idle moment, so a save waits for one step at most.
                let step = if workspace.unsettled() {
                    Some(workspace.settle())
                } else if workspace.index_stale() {
                    Some(workspace.reindex())
                } else {
                    None
                };
                match step {
                    Some(Ok(settled)) => {
                        shared.publish(&workspace);
                        if !settled.paths.is_empty() {
                            let data =
                                serde_json::json!({ "paths": settled.paths, "everything": false });
                            shared.events.send("reload", &data.to_string());
                        }
                        on_event(ServeEvent::Settled(settled));
                        continue;
                    }
                    Some(Err(failure)) => {
                        // Shown on every page like a failed save, until the next change.
                        shared.set_status(&failure.diagnostics, &failure.sources);
                        on_event(ServeEvent::Failed(failure));
                        continue;
                    }
                    None => {}
                }
                if index_due {
                    index_due = false;
                    match refresh_search(&workspace, &index_dir) {
                        Ok(source) => {
                            *shared.search.write().unwrap_or_else(|e| e.into_inner()) =
                                Some(Arc::new(source));
                        }
                        Err(e) => on_event(ServeEvent::Warning(format!(
                            "the search API is unavailable: cannot update {}: {e}",
                            index_dir.display()
                        ))),
                    }
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    server.unblock();
    let _ = accepting.join();
    Ok(())
}

/// Bring the tantivy index up to date with the workspace and open it.
fn refresh_search(workspace: &Workspace, dir: &std::path::Path) -> tantivy::Result<TantivySource> {
    let site = workspace.site();
    update_index(dir, site, workspace.vocabulary(), workspace.fingerprint())?;
    open_index(dir)?.source(synonym_table(&site.config.search.synonyms))
}
