//! The one CSV writer of the ward record: every CSV it writes (the request export, the
//! monthly summary) goes through here, so quoting and formula defusing are the same
//! everywhere.
//!
//! - RFC 4180 quoting: a field with `,`, `"`, CR or LF is quoted, `"` doubled.
//! - Formula defusing: a text cell a spreadsheet would run as a formula (first
//!   character `=`, `+`, `-`, `@`, TAB or CR) is prefixed with `'`. Only text is
//!   defused; a number we wrote ourselves (`-12.5`) stays a number.
//! - Documents start with a byte order mark and end rows with CRLF, so Excel opens the
//!   Japanese right.

/// The byte order mark every CSV document starts with.
pub const BOM: &str = "\u{FEFF}";
/// The end of every row.
pub const ROW_END: &str = "\r\n";

/// One cell: text (defused) or a value the ward record formatted itself (not defused).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell<'a> {
    Text(&'a str),
    Value(&'a str),
}

/// Whether a spreadsheet would read `text` as a formula.
fn looks_like_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// Appends one field to `out`, defused if it is text and quoted when it must be.
pub fn push_cell(out: &mut String, cell: Cell<'_>) {
    let (text, defuse) = match cell {
        Cell::Text(t) => (t, looks_like_formula(t)),
        Cell::Value(v) => (v, false),
    };
    let quote = text.contains([',', '"', '\n', '\r']);
    if quote {
        out.push('"');
    }
    if defuse {
        out.push('\'');
    }
    if quote {
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

/// Appends one row (fields separated by `,`, CRLF at the end).
pub fn push_row<'a>(out: &mut String, cells: impl IntoIterator<Item = Cell<'a>>) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_cell(out, cell);
    }
    out.push_str(ROW_END);
}

/// One row of text cells.
pub fn text_row(cells: &[&str]) -> String {
    let mut out = String::new();
    push_row(&mut out, cells.iter().map(|c| Cell::Text(c)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(c: Cell<'_>) -> String {
        let mut out = String::new();
        push_cell(&mut out, c);
        out
    }

    #[test]
    fn hostile_text_cells_are_defused_and_quoted() {
        for (hostile, written) in [
            ("=1+1", "'=1+1"),
            ("+81 3 1234", "'+81 3 1234"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
            ("\tcmd", "'\tcmd"),
            ("\r=1", "\"'\r=1\""),
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
            ),
            ("a,\"b\"\r\nc", "\"a,\"\"b\"\"\r\nc\""),
            ("普通の件名", "普通の件名"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(cell(Cell::Text(hostile)), written, "{hostile:?}");
        }
        // Our own numbers stay numbers.
        assert_eq!(cell(Cell::Value("-12.5")), "-12.5");
    }

    #[test]
    fn rows_end_in_crlf() {
        assert_eq!(text_row(&["a", "=b", "c,d"]), "a,'=b,\"c,d\"\r\n");
    }
}
