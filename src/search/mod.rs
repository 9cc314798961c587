//! Stage 6: search. One analyzer ([`analyzer`]) and one document model ([`document`]) shared
//! by the browser index, `hindsight search` and related-incident scoring.

pub mod analyzer;
pub mod answer;
pub mod document;
pub mod engine;
pub mod query;
pub mod snippet;
pub mod static_index;
pub mod tantivy_index;
