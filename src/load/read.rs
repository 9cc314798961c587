//! Reading a postmortem file as text: UTF-8 checked (with the line and byte offset of the first
//! bad byte), a byte-order mark dropped, NUL bytes replaced.

use std::sync::Arc;

use super::SourceEntry;
use crate::diagnostics::{Code, Diagnostic, LineIndex, Location, Mode};

/// The text of a postmortem file.
#[derive(Clone, Debug)]
pub struct SourceText {
    /// The file's text (BOM removed, NUL replaced by U+FFFD).
    pub text: Arc<str>,
    /// Line starts of `text`.
    pub lines: LineIndex,
}

/// Read `entry`'s bytes, or say why they cannot be read.
pub fn read_bytes(entry: &SourceEntry, mode: Mode) -> Result<Vec<u8>, Box<Diagnostic>> {
    let _time = crate::activity::enter(crate::activity::Activity::ReadSources);
    std::fs::read(&entry.abs).map_err(|e| {
        Box::new(
            Diagnostic::new(Code::UnreadableFile, mode, format!("cannot read the file: {e}"))
                .help("check that the file exists and is readable")
                .at(Location::whole_file(&entry.rel)),
        )
    })
}

/// A file's bytes as text (BOM dropped, NUL replaced), or, when they are not UTF-8, the
/// diagnostic (line and byte offset of the first bad byte) and the lossy decoding to print.
pub fn decode_source(
    rel: &str,
    bytes: Vec<u8>,
    mode: Mode,
) -> Result<SourceText, (Box<Diagnostic>, String)> {
    let mut text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let line = bytes[..offset].iter().filter(|b| **b == b'\n').count() + 1;
            let line_start = bytes[..offset].iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
            let column = String::from_utf8_lossy(&bytes[line_start..offset]).chars().count() + 1;
            let diagnostic = Box::new(
                Diagnostic::new(
                    Code::UnreadableFile,
                    mode,
                    format!(
                        "the file is not valid UTF-8: invalid byte at offset {offset} (line {line})"
                    ),
                )
                .help("save the file as UTF-8 (most editors have an \"encoding\" menu)")
                .at(Location {
                    file: rel.to_string(),
                    line,
                    column,
                    end_line: line,
                    end_column: column + 1,
                    // In the file's lossy decoding, which is what can be printed: the bad byte
                    // is a U+FFFD there.
                    span: offset..offset + '\u{fffd}'.len_utf8(),
                }),
            );
            return Err((diagnostic, String::from_utf8_lossy(&bytes).into_owned()));
        }
    };
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    if text.contains('\0') {
        text = text.replace('\0', "\u{fffd}");
    }
    let lines = LineIndex::new(&text);
    Ok(SourceText { text: Arc::from(text), lines })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_names_line_and_offset() {
        let (err, _) =
            decode_source("x.md", b"+++\ntitle = \"a\xff\"\n".to_vec(), Mode::Build).unwrap_err();
        assert_eq!(err.code, Code::UnreadableFile);
        let loc = err.location.unwrap();
        assert_eq!((loc.line, loc.column), (2, 11));
        assert!(err.message.contains("offset 14"), "{}", err.message);
    }

    #[test]
    fn bom_is_dropped_and_nul_replaced() {
        let source =
            decode_source("x.md", "\u{feff}+++\na\0b".as_bytes().to_vec(), Mode::Build).unwrap();
        assert_eq!(&*source.text, "+++\na\u{fffd}b");
    }
}
