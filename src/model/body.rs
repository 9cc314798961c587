//! A postmortem's rendered body, kept compressed between parsing and writing: a build holds
//! every body in memory at once (pages render after everything is known), and lz4 shrinks the
//! HTML and text about threefold for a fraction of a millisecond per page.

use crate::render::markdown::{RenderedBody, SourceLink, TocEntry};

/// Text stored lz4-compressed.
#[derive(Clone, Debug, Default)]
pub struct PackedText(Box<[u8]>);

impl PackedText {
    /// Compress `text`.
    pub fn pack(text: &str) -> PackedText {
        PackedText(lz4_flex::compress_prepend_size(text.as_bytes()).into_boxed_slice())
    }

    /// The text.
    pub fn unpack(&self) -> String {
        lz4_flex::decompress_size_prepended(&self.0)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .unwrap_or_default()
    }
}

/// A rendered body, as the model keeps it.
#[derive(Clone, Debug, Default)]
pub struct Body {
    html: PackedText,
    text: PackedText,
    /// h2 and h3 headings, in order.
    pub toc: Vec<TocEntry>,
    /// Links to other postmortems' files (placeholders in the HTML until resolved).
    pub source_links: Vec<SourceLink>,
}

impl Body {
    /// Keep `rendered` compressed.
    pub fn new(rendered: RenderedBody) -> Body {
        Body {
            html: PackedText::pack(&rendered.html),
            text: PackedText::pack(&rendered.plain_text),
            toc: rendered.toc,
            source_links: rendered.source_links,
        }
    }

    /// The HTML, with link placeholders.
    pub fn html(&self) -> String {
        self.html.unpack()
    }

    /// The plain text, for search.
    pub fn text(&self) -> String {
        self.text.unpack()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_and_unpacks() {
        let text = "A rollback does not undo rows already written. ".repeat(50) + "é ✓";
        let packed = PackedText::pack(&text);
        assert!(packed.0.len() < text.len() / 4);
        assert_eq!(packed.unpack(), text);
        assert_eq!(PackedText::default().unpack(), "");
    }
}
