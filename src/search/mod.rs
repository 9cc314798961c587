//! Stage 6: search. One analyzer ([`analyzer`]) shared by the browser index, `hindsight search`
//! and related-incident scoring.

pub mod analyzer;
