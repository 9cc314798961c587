//! Byte offsets to 1-based line and column numbers.

/// The byte offsets at which each line of a text starts.
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
    text_len: usize,
    /// Only kept when the text has non-ASCII bytes, to count columns in characters.
    text: Option<String>,
}

impl LineIndex {
    /// Index the line starts of `text`.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr_newlines(text.as_bytes()).map(|i| i + 1));
        let text_owned = if text.is_ascii() { None } else { Some(text.to_string()) };
        LineIndex { starts, text_len: text.len(), text: text_owned }
    }

    /// 1-based line and 1-based column (in characters) of byte offset `offset`.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text_len);
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.starts[line];
        let column = match &self.text {
            Some(text) => {
                let mut end = offset;
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                text[start..end].chars().count()
            }
            None => offset - start,
        };
        (line + 1, column + 1)
    }

    /// Byte offset of the start of 1-based `line` (clamped to the text).
    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line.saturating_sub(1)).copied().unwrap_or(self.text_len)
    }

    /// Byte offset of 1-based `line` and 0-based character `column` (as YAML markers give).
    pub fn offset_of(&self, line: usize, column: usize) -> usize {
        let start = self.line_start(line);
        match &self.text {
            Some(text) => {
                text[start..].char_indices().nth(column).map_or(self.text_len, |(i, _)| start + i)
            }
            None => (start + column).min(self.text_len),
        }
    }
}

fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let index = LineIndex::new("ab\ncd\n\nxyz");
        assert_eq!(index.line_col(0), (1, 1));
        assert_eq!(index.line_col(1), (1, 2));
        assert_eq!(index.line_col(3), (2, 1));
        assert_eq!(index.line_col(6), (3, 1));
        assert_eq!(index.line_col(9), (4, 3));
        assert_eq!(index.line_col(100), (4, 4));
    }

    #[test]
    fn columns_count_characters() {
        let index = LineIndex::new("é = 1\nß");
        assert_eq!(index.line_col(3), (1, 3));
        assert_eq!(index.offset_of(1, 2), 3);
        assert_eq!(index.offset_of(2, 0), 7);
    }
}
