//! The theme's Tera templates: the default theme is embedded in the binary (so `hindsight` works
//! from any folder), and a site's `templates/` folder overrides any single template by name.
//! Built-ins are registered twice, as `default/<name>` and as `<name>`, so an override can
//! `{% extends "default/incident.html" %}` and replace one block. Compiled once per build.

use std::path::PathBuf;

use crate::diagnostics::{Code, Diagnostic, Location, Mode};

macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../themes/default/templates/", $name)))),*]
    };
}

/// The default theme's templates: (name, source).
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = embedded![
    "base.html",
    "index.html",
    "incident.html",
    "list.html",
    "postmortems.html",
    "tag.html",
    "service.html",
    "severity.html",
    "year.html",
    "taxonomy.html",
    "tags.html",
    "services.html",
    "severities.html",
    "years.html",
    "lessons.html",
    "theme.html",
    "paths.html",
    "path.html",
    "actions.html",
    "stats.html",
    "on_this_day.html",
    "search.html",
    "404.html",
    "redirect.html",
    "atom.xml",
    "partials/card.html",
    "partials/row.html",
    "partials/pagination.html",
    "postmortem.md",
];

/// The browser search (`assets/search.js`): the Snowball runtime, the generated English
/// stemmer, the engine and the user interface, assembled by `build.rs`.
const SEARCH_JS: &str = include_str!(concat!(env!("OUT_DIR"), "/search.js"));

/// The default theme's static files: (output path, bytes).
pub const BUILTIN_STATIC: &[(&str, &[u8])] = &[
    ("assets/style.css", include_bytes!("../../themes/default/static/style.css")),
    ("assets/hindsight.js", include_bytes!("../../themes/default/static/hindsight.js")),
    ("assets/actions.js", include_bytes!("../../themes/default/static/actions.js")),
    ("assets/search.js", SEARCH_JS.as_bytes()),
    ("favicon.svg", include_bytes!("../../themes/default/static/favicon.svg")),
    ("robots.txt", include_bytes!("../../themes/default/static/robots.txt")),
];

/// Compile the theme with the site's overrides. `overrides` are (name, path) pairs from the
/// site's `templates/` folder.
pub fn load_templates(
    overrides: &[(String, PathBuf)],
    mode: Mode,
) -> Result<tera::Tera, Vec<Diagnostic>> {
    let mut sources: Vec<(String, String)> = Vec::new();
    let mut problems = Vec::new();
    let mut overridden = std::collections::HashMap::new();
    for (name, path) in overrides {
        // Only templates are compiled; other files (e.g. postmortem.md) are read by `new`.
        if !name.ends_with(".html") && !name.ends_with(".xml") {
            continue;
        }
        match std::fs::read_to_string(path) {
            Ok(text) => {
                overridden.insert(name.clone(), text);
            }
            Err(e) => problems.push(
                Diagnostic::new(Code::InvalidTemplate, mode, format!("cannot read template: {e}"))
                    .at(Location::whole_file(&format!("templates/{name}"))),
            ),
        }
    }
    for (name, source) in BUILTIN_TEMPLATES {
        if !name.ends_with(".html") && !name.ends_with(".xml") {
            continue;
        }
        sources.push((format!("default/{name}"), (*source).to_string()));
        if !overridden.contains_key(*name) {
            sources.push(((*name).to_string(), (*source).to_string()));
        }
    }
    sources.extend(overridden);
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut tera = tera::Tera::new();
    tera.autoescape_on([".html", ".xml"]);
    tera.add_raw_templates(sources).map_err(|e| {
        vec![
            Diagnostic::new(
                Code::InvalidTemplate,
                mode,
                format!("template error: {}", error_chain(&e)),
            )
            .help("fix the template in templates/ (or remove it to use the default theme's)"),
        ]
    })?;
    Ok(tera)
}

/// The source of a built-in template by name.
pub fn builtin_template(name: &str) -> Option<&'static str> {
    BUILTIN_TEMPLATES.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

/// A Tera error with its causes, on one line.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
