//! The spreadsheet dialect of the CSV files a command writes.
//!
//! Every CSV file is first written in the standard dialect (comma between
//! fields, a point before decimals: what spreadsheets in English locales and
//! every data tool read). [`Dialect::DecimalComma`] is the dialect of
//! spreadsheets in locales that write a comma before decimals (German,
//! French, Russian, ...): a semicolon between fields and a comma before
//! decimals. Its files are a pure function of the standard ones
//! ([`convert`]), made by streaming one record at a time when a results
//! folder is put in place, so they are as reproducible as the standard files
//! and a file of any size converts in little memory.
//!
//! Only numbers change: an unquoted field that is a decimal number (`0.25`,
//! `-1.5`, `1.5e-7`) in a column that does not hold text gets a comma for
//! its point. Integers, text (labels such as `qualified_majority:0.67`,
//! names, quoted fractions such as `"1/7"`), header names and line ends stay
//! byte for byte; a field is quoted as it was, and also when it holds a
//! semicolon.

use std::fmt;
use std::io::{self, BufRead, Write};
use std::str::FromStr;

/// The environment variable that sets the dialect for every command that
/// writes CSV files, as `--decimal-comma` does for one: `1` (also `true`,
/// `yes`, `on`) for the decimal comma, `0` (also `false`, `no`, `off`) for
/// the standard dialect.
pub const ENV: &str = "ALLIANCE_SIM_DECIMAL_COMMA";

/// The manifest key that records a dialect other than the standard one.
pub const MANIFEST_KEY: &str = "csv_dialect";

/// Columns that hold text in the tool's CSV files, whatever their values
/// look like (a scenario or case named `2.5`, an option id `1.5`): their
/// fields are never converted.
const TEXT_COLUMNS: [&str; 14] = [
    "scenario",
    "rule",
    "option",
    "member",
    "blockers",
    "expected",
    "alliance",
    "modal_option",
    "expected_blockers",
    "parameter",
    "response",
    "case",
    "forecaster",
    "held_out",
];

/// How CSV files separate fields and write decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Dialect {
    /// Comma between fields, point before decimals (RFC 4180; the default).
    #[default]
    Standard,
    /// Semicolon between fields, comma before decimals: spreadsheets in
    /// comma-decimal locales read the numbers as numbers.
    DecimalComma,
}

impl Dialect {
    /// The field separator.
    pub fn separator(self) -> u8 {
        match self {
            Dialect::Standard => b',',
            Dialect::DecimalComma => b';',
        }
    }

    /// The decimal mark.
    pub fn decimal(self) -> u8 {
        match self {
            Dialect::Standard => b'.',
            Dialect::DecimalComma => b',',
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dialect::Standard => "standard",
            Dialect::DecimalComma => "decimal-comma",
        })
    }
}

impl FromStr for Dialect {
    type Err = String;

    fn from_str(s: &str) -> Result<Dialect, String> {
        match s {
            "standard" => Ok(Dialect::Standard),
            "decimal-comma" => Ok(Dialect::DecimalComma),
            other => Err(format!(
                "unknown CSV dialect `{other}`; expected `standard` or `decimal-comma`"
            )),
        }
    }
}

/// Whether `field` is a decimal number as the tool writes them: an optional
/// minus, digits, a point, digits, and optionally an exponent.
fn is_decimal(field: &[u8], point: u8) -> bool {
    let body = field.strip_prefix(b"-").unwrap_or(field);
    let (mantissa, exponent) = match body.iter().position(|&b| b == b'e' || b == b'E') {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let Some(dot) = mantissa.iter().position(|&b| b == point) else {
        return false;
    };
    let digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e
            .strip_prefix(b"-")
            .or_else(|| e.strip_prefix(b"+"))
            .unwrap_or(e);
        digits(e)
    });
    digits(&mantissa[..dot]) && digits(&mantissa[dot + 1..]) && exponent_ok
}

/// One field of a record: its bytes (unescaped) and whether it was quoted.
struct Field {
    bytes: Vec<u8>,
    quoted: bool,
}

/// Splits one complete record (without its line end) into fields.
fn split(record: &[u8], separator: u8, fields: &mut Vec<Field>) -> io::Result<()> {
    fields.clear();
    let mut i = 0;
    loop {
        let mut field = Field {
            bytes: Vec::new(),
            quoted: false,
        };
        if record.get(i) == Some(&b'"') {
            field.quoted = true;
            i += 1;
            loop {
                match record.get(i) {
                    None => return Err(bad("a quoted field does not end")),
                    Some(b'"') if record.get(i + 1) == Some(&b'"') => {
                        field.bytes.push(b'"');
                        i += 2;
                    }
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(&b) => {
                        field.bytes.push(b);
                        i += 1;
                    }
                }
            }
            match record.get(i) {
                None => {}
                Some(&b) if b == separator => {}
                Some(_) => return Err(bad("text after a quoted field")),
            }
        } else {
            let end = record[i..]
                .iter()
                .position(|&b| b == separator)
                .map_or(record.len(), |n| i + n);
            field.bytes.extend_from_slice(&record[i..end]);
            i = end;
        }
        fields.push(field);
        if i >= record.len() {
            return Ok(());
        }
        i += 1; // the separator
    }
}

fn bad(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("not a CSV file: {what}"),
    )
}

/// Reads one record, quoted line breaks included, into `buf` (line end
/// included); false at the end of the input.
fn read_record<R: BufRead>(input: &mut R, buf: &mut Vec<u8>) -> io::Result<bool> {
    buf.clear();
    loop {
        if input.read_until(b'\n', buf)? == 0 {
            return Ok(!buf.is_empty());
        }
        // An odd number of quotes so far: a quoted field goes on.
        if buf.iter().filter(|&&b| b == b'"').count() % 2 == 0 {
            return Ok(true);
        }
    }
}

/// Writes one field in `to`'s dialect.
fn write_field<W: Write>(out: &mut W, field: &Field, separator: u8) -> io::Result<()> {
    let needs_quotes = field.quoted
        || field
            .bytes
            .iter()
            .any(|&b| b == separator || b == b'"' || b == b'\n' || b == b'\r');
    if !needs_quotes {
        return out.write_all(&field.bytes);
    }
    out.write_all(b"\"")?;
    for chunk in field.bytes.split_inclusive(|&b| b == b'"') {
        out.write_all(chunk)?;
        if chunk.last() == Some(&b'"') {
            out.write_all(b"\"")?;
        }
    }
    out.write_all(b"\"")
}

/// Writes a record without quotes (the common case, and the fast one: no
/// copy of its fields) in `to`'s dialect.
fn plain_record<W: Write>(
    record: &[u8],
    text_columns: &[bool],
    from: Dialect,
    to: Dialect,
    out: &mut W,
) -> io::Result<()> {
    for (c, field) in record.split(|&b| b == from.separator()).enumerate() {
        if c > 0 {
            out.write_all(&[to.separator()])?;
        }
        let text = text_columns.get(c).copied().unwrap_or(false);
        if !text && is_decimal(field, from.decimal()) {
            let dot = field.iter().position(|&b| b == from.decimal()).unwrap_or(0);
            out.write_all(&field[..dot])?;
            out.write_all(&[to.decimal()])?;
            out.write_all(&field[dot + 1..])?;
        } else if field.iter().any(|&b| b == to.separator() || b == b'\r') {
            let field = Field {
                bytes: field.to_vec(),
                quoted: false,
            };
            write_field(out, &field, to.separator())?;
        } else {
            out.write_all(field)?;
        }
    }
    Ok(())
}

/// Copies a CSV file written in the `from` dialect to `out` in the `to`
/// dialect, one record at a time. The first record is the header: its names
/// decide which columns hold text. Converting to the same dialect copies the
/// bytes unchanged.
pub fn convert<R: BufRead, W: Write>(
    mut input: R,
    mut out: W,
    from: Dialect,
    to: Dialect,
) -> io::Result<()> {
    if from == to {
        io::copy(&mut input, &mut out)?;
        return out.flush();
    }
    let mut buf = Vec::new();
    let mut fields = Vec::new();
    let mut text_columns: Vec<bool> = Vec::new();
    let mut header = true;
    while read_record(&mut input, &mut buf)? {
        let body_len = if buf.ends_with(b"\r\n") {
            buf.len() - 2
        } else if buf.ends_with(b"\n") {
            buf.len() - 1
        } else {
            buf.len()
        };
        if !header && !buf[..body_len].contains(&b'"') {
            plain_record(&buf[..body_len], &text_columns, from, to, &mut out)?;
            out.write_all(&buf[body_len..])?;
            continue;
        }
        split(&buf[..body_len], from.separator(), &mut fields)?;
        if header {
            text_columns = fields
                .iter()
                .map(|f| TEXT_COLUMNS.iter().any(|t| t.as_bytes() == f.bytes))
                .collect();
        }
        for (c, field) in fields.iter_mut().enumerate() {
            if c > 0 {
                out.write_all(&[to.separator()])?;
            }
            let number = !header
                && !field.quoted
                && !text_columns.get(c).copied().unwrap_or(false)
                && is_decimal(&field.bytes, from.decimal());
            if number {
                for b in field.bytes.iter_mut() {
                    if *b == from.decimal() {
                        *b = to.decimal();
                    }
                }
            }
            write_field(&mut out, field, to.separator())?;
        }
        out.write_all(&buf[body_len..])?;
        header = false;
    }
    out.flush()
}

/// Adds `"csv_dialect": "<dialect>"` as the first key of a pretty-printed
/// JSON object (a manifest), leaving every other byte as it was; `None`
/// when `json` is not such an object.
pub fn record_in_manifest(json: &str, dialect: Dialect) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(json).ok()?;
    let rest = json.strip_prefix("{\n")?;
    if !value.is_object() {
        return None;
    }
    let indent: String = rest.chars().take_while(|c| *c == ' ').collect();
    let separator = if value.as_object().is_some_and(|o| o.is_empty()) {
        ""
    } else {
        ","
    };
    let out = format!("{{\n{indent}\"{MANIFEST_KEY}\": \"{dialect}\"{separator}\n{rest}");
    serde_json::from_str::<serde_json::Value>(&out).ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to_comma(s: &str) -> String {
        let mut out = Vec::new();
        convert(
            s.as_bytes(),
            &mut out,
            Dialect::Standard,
            Dialect::DecimalComma,
        )
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn numbers_take_a_comma_and_text_stays() {
        let standard = "scenario,rule,option,level,probability,ci_low\n\
                        k_2010,qualified_majority:0.67,no_action,0,0.102000,-0.5\n";
        assert_eq!(
            to_comma(standard),
            "scenario;rule;option;level;probability;ci_low\n\
             k_2010;qualified_majority:0.67;no_action;0;0,102000;-0,5\n"
        );
    }

    #[test]
    fn quoted_fields_stay_quoted_and_semicolons_are_quoted() {
        let standard = "member,blockers,exact,x\nRUS,RUS;KAZ,\"1/7\",\"a, b\"\n";
        assert_eq!(
            to_comma(standard),
            "member;blockers;exact;x\nRUS;\"RUS;KAZ\";\"1/7\";\"a, b\"\n"
        );
    }

    #[test]
    fn text_columns_keep_numbers_that_are_names() {
        assert_eq!(
            to_comma("scenario,alliance,noise\n2.5,1.5,0.1\n"),
            "scenario;alliance;noise\n2.5;1.5;0,1\n"
        );
    }

    #[test]
    fn quotes_inside_fields_and_line_breaks_survive() {
        let standard = "alliance,p\r\n\"say \"\"hi\"\"\nthere\",0.5\r\n";
        assert_eq!(
            to_comma(standard),
            "alliance;p\r\n\"say \"\"hi\"\"\nthere\";0,5\r\n"
        );
    }

    #[test]
    fn only_decimal_numbers_are_numbers() {
        for yes in ["0.5", "-0.000000", "12.25", "1.5e-7", "2.0E+10"] {
            assert!(is_decimal(yes.as_bytes(), b'.'), "{yes}");
        }
        for no in [
            "5", "inf", "NaN", ".5", "5.", "1.2.3", "a0.5", "1e5", "", "-",
        ] {
            assert!(!is_decimal(no.as_bytes(), b'.'), "{no}");
        }
    }

    #[test]
    fn the_same_dialect_copies_bytes() {
        let mut out = Vec::new();
        convert(
            &b"a,b\n1.5,x\n"[..],
            &mut out,
            Dialect::Standard,
            Dialect::Standard,
        )
        .unwrap();
        assert_eq!(out, b"a,b\n1.5,x\n");
    }

    #[test]
    fn a_broken_quote_is_an_error_not_a_panic() {
        let mut out = Vec::new();
        let e = convert(
            &b"a,b\n\"x\"y,1\n"[..],
            &mut out,
            Dialect::Standard,
            Dialect::DecimalComma,
        )
        .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
    }

    #[test]
    fn the_manifest_gets_one_key_in_front() {
        let json = "{\n  \"tool\": \"alliance-sim\",\n  \"runs\": 5\n}\n";
        let out = record_in_manifest(json, Dialect::DecimalComma).unwrap();
        assert_eq!(
            out,
            "{\n  \"csv_dialect\": \"decimal-comma\",\n  \"tool\": \"alliance-sim\",\n  \"runs\": 5\n}\n"
        );
        assert!(record_in_manifest("[1]", Dialect::DecimalComma).is_none());
    }
}
