//! Any text as a tag, service or file name to slug, and as a written slug or alias: slugs of
//! non-empty text are never empty and always pass the slug check, and nothing accepted can
//! name a path outside the output folder.
#![no_main]

use hindsight::model::slug::{alias_output_path, check_slug, collision_key, slugify};
use libfuzzer_sys::fuzz_target;

/// Whether `path`, relative to the output folder, stays inside it.
fn stays_inside(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains(['\\', '\0'])
        && !path.split('/').any(|c| c.is_empty() || c == "." || c == "..")
        && !(path.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
            && path.as_bytes().get(1) == Some(&b':'))
}

fuzz_target!(|text: &str| {
    let slug = slugify(text);
    if !text.is_empty() {
        assert!(!slug.is_empty(), "{text:?}");
        assert_eq!(check_slug(&slug), Ok(()), "slugify({text:?}) = {slug:?}");
    }
    assert_eq!(slugify(&slug), slug, "slugs are fixed points: {text:?}");
    if check_slug(text).is_ok() {
        assert!(stays_inside(text), "accepted slug {text:?}");
    }
    if let Ok(path) = alias_output_path(text) {
        assert!(stays_inside(&path), "alias {text:?} -> {path:?}");
    }
    let _ = collision_key(text);
});
