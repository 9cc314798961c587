//! Stage 4: HTML. Markdown bodies are rendered while parsing ([`markdown`]); pages are
//! rendered through the theme's Tera templates ([`templates`]) from view structs ([`view`]).

pub mod highlight;
pub mod links;
pub mod markdown;
pub mod pages;
pub mod sanitize;
pub mod templates;
pub mod view;
