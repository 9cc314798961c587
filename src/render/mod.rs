//! Stage 5: HTML. Markdown bodies are rendered while parsing ([`markdown`]); pages are
//! rendered through the theme's Tera templates ([`templates`]) from view structs ([`view`]),
//! one [`pages::Page`] at a time ([`page_views`]); after a change, only the pages it affects
//! ([`affected`]).

pub mod affected;
pub mod charts;
pub mod highlight;
pub mod links;
pub mod machine;
pub mod markdown;
pub mod page_views;
pub mod pages;
pub mod sanitize;
pub mod stats_view;
pub mod templates;
pub mod view;
