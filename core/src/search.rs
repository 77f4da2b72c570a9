//! Searching text typed on the device: Japanese as it is, Latin letters and digits
//! without regard to case or width, so that 「ＡＢＣ１２」, "ABC12" and "abc12" are the same.
//!
//! Only the full-width forms of ASCII (U+FF01–U+FF5E) and the ideographic space are folded,
//! plus ASCII case; kana and kanji are compared as typed.

/// Folds `text` for comparing: full-width ASCII forms to ASCII, the ideographic space to a
/// space, ASCII letters to lowercase. Everything else stays as it is.
pub fn normalize(text: &str) -> String {
    text.chars().map(fold).collect()
}

fn fold(c: char) -> char {
    let c = match c {
        // Ｆｕｌｌ-width ASCII: the same character, 0xFEE0 higher.
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    };
    c.to_ascii_lowercase()
}

/// A search as typed: words separated by spaces (either width), each of which must occur
/// somewhere in the searched text. An empty search matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    terms: Vec<String>,
}

impl Query {
    pub fn new(typed: &str) -> Self {
        Self {
            terms: normalize(typed)
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether every word occurs in `haystack`, which must already be [`normalize`]d
    /// (see [`haystack`]).
    pub fn matches(&self, haystack: &str) -> bool {
        self.terms.iter().all(|t| haystack.contains(t.as_str()))
    }
}

/// The searchable text of several fields, normalised once, kept apart by a line break so
/// that no word matches across two fields.
pub fn haystack<'a>(fields: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for field in fields {
        if field.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.extend(field.chars().map(fold));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_latin_and_digits_match_ascii_in_any_case() {
        assert_eq!(normalize("ＡＢＣ１２"), "abc12");
        assert_eq!(normalize("AbC12"), "abc12");
        assert_eq!(normalize("ｘ－１"), "x-1");
        let q = Query::new("ＡＢＣ１２");
        assert!(q.matches(&haystack(["街灯 abc12 番"])));
        assert!(Query::new("abc12").matches(&haystack(["街灯 ＡＢＣ１２ 番"])));
        assert!(!Query::new("abd12").matches(&haystack(["ＡＢＣ１２"])));
    }

    #[test]
    fn japanese_is_compared_as_typed() {
        let h = haystack(["歩道の段差", "高津区下作延2-8", "郵便局の前"]);
        assert!(Query::new("段差").matches(&h));
        assert!(Query::new("郵便局").matches(&h));
        // Hiragana and katakana are different words here.
        assert!(!Query::new("だんさ").matches(&h));
        assert!(!Query::new("ダンサ").matches(&h));
        // Full-width digits in the query find half-width ones in the address.
        assert!(Query::new("下作延２－８").matches(&h));
    }

    #[test]
    fn every_word_must_occur_and_spaces_of_either_width_separate_words() {
        let h = haystack(["街路灯が消えている", "溝口駅前"]);
        assert!(Query::new("街路灯\u{3000}溝口").matches(&h));
        assert!(Query::new("  街路灯   溝口 ").matches(&h));
        assert!(!Query::new("街路灯 公園").matches(&h));
    }

    #[test]
    fn an_empty_search_matches_everything() {
        let q = Query::new(" \u{3000} ");
        assert!(q.is_empty());
        assert!(q.matches(""));
        assert!(q.matches("何でも"));
    }

    #[test]
    fn words_do_not_match_across_fields() {
        let h = haystack(["abc", "", "def"]);
        assert_eq!(h, "abc\ndef");
        assert!(!Query::new("cd").matches(&h));
        assert!(Query::new("abc def").matches(&h));
    }
}
