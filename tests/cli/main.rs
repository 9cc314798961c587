//! Integration tests: run the `hindsight` binary on small fixture knowledge bases and check
//! exit codes, messages and the built HTML (through a parser, not by grepping strings).

mod accessibility;
mod browser;
mod build_output;
mod build_pages;
mod check;
mod crawl;
mod errors;
mod hardening;
mod init;
mod markdown;
mod navigation;
mod rebuild;
mod search;
mod serve;
mod support;
mod template_docs;
