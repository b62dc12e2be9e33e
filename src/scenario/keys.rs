//! Keys as a TOML file spells them. Messages name a key the way it would be
//! written in a file: bare (`KAZ`) when it is made of letters, digits, `_` and
//! `-`, and otherwise as a quoted string with escapes (`"A\"B"`, `"a\nb"`),
//! so that a key holding a quote, a dot or a newline can neither break a
//! message over lines nor be mistaken for another path. The other way round,
//! [`read_path`] reads the dotted key path of a `[heading]` or of a
//! `key = value` line as the parser does, quotes and escapes included, so that
//! a key can be found where it was written.

use std::fmt::Write;
use std::ops::Range;

/// Whether `key` can be written without quotes.
fn is_bare(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Writes `c` to `out` as a basic-string escape if it needs one: the quote,
/// the backslash and every control character.
fn push_escaped(out: &mut String, c: char, quote: bool) {
    match c {
        '"' if quote => out.push_str("\\\""),
        '\\' if quote => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        c if c.is_control() => {
            let _ = write!(out, "\\u{:04X}", c as u32);
        }
        c => out.push(c),
    }
}

/// `key` as it would be written in a TOML file: bare if it can be, otherwise
/// a basic string with `"`, `\` and control characters escaped.
pub fn quote(key: &str) -> String {
    if is_bare(key) {
        key.to_string()
    } else {
        quoted(key)
    }
}

/// `key` as a basic string, quoted even where it could be bare (the form
/// `[set]` paths are written in: `"noise" = 0.2`).
pub fn quoted(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 2);
    out.push('"');
    for c in key.chars() {
        push_escaped(&mut out, c, true);
    }
    out.push('"');
    out
}

/// A dotted path of keys, each written as [`quote`] writes it.
pub fn join<'a>(keys: impl IntoIterator<Item = &'a str>) -> String {
    keys.into_iter().map(quote).collect::<Vec<_>>().join(".")
}

/// `text` with every control character written as its escape (`\n`, `\t`,
/// `\u001B`, ...), so that it stays on one line and cannot drive a terminal.
/// Other characters, quotes and backslashes included, are kept.
pub fn one_line(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_escaped(&mut out, c, false);
    }
    out
}

/// One key of a path, as read from the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// The key's value, quotes removed and escapes decoded.
    pub name: String,
    /// Byte range of the key as written (quotes included), relative to the
    /// text given to [`read_path`].
    pub span: Range<usize>,
}

/// Reads one key at the start of `s`: bare, a basic string (escapes decoded)
/// or a literal string. Returns the key and the bytes it takes, or `None` if
/// no well-formed key starts there.
fn read_key(s: &str) -> Option<(String, usize)> {
    let mut chars = s.char_indices();
    match chars.next()? {
        (_, '"') => {
            let mut name = String::new();
            while let Some((i, c)) = chars.next() {
                match c {
                    '"' => return Some((name, i + 1)),
                    '\\' => {
                        let (_, e) = chars.next()?;
                        let hex = |n: usize, chars: &mut std::str::CharIndices| {
                            let digits: String = chars.by_ref().take(n).map(|(_, c)| c).collect();
                            (digits.len() == n)
                                .then(|| u32::from_str_radix(&digits, 16).ok())
                                .flatten()
                                .and_then(char::from_u32)
                        };
                        name.push(match e {
                            'b' => '\u{8}',
                            't' => '\t',
                            'n' => '\n',
                            'f' => '\u{c}',
                            'r' => '\r',
                            'e' => '\u{1b}',
                            '"' => '"',
                            '\\' => '\\',
                            'x' => hex(2, &mut chars)?,
                            'u' => hex(4, &mut chars)?,
                            'U' => hex(8, &mut chars)?,
                            _ => return None,
                        });
                    }
                    '\n' => return None,
                    c => name.push(c),
                }
            }
            None
        }
        (_, '\'') => {
            let end = s[1..].find(['\'', '\n'])? + 1;
            (s.as_bytes()[end] == b'\'').then(|| (s[1..end].to_string(), end + 1))
        }
        _ => {
            let end = s
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                .unwrap_or(s.len());
            (end > 0).then(|| (s[..end].to_string(), end))
        }
    }
}

/// Reads the dotted key path at the start of `s` (`members."A\"B".threat`,
/// with blanks allowed around the dots) and returns its keys and the bytes it
/// takes, or `None` if no well-formed key starts there.
pub fn read_path(s: &str) -> Option<(Vec<Key>, usize)> {
    let mut keys = Vec::new();
    let mut at = 0;
    loop {
        let start = at + blank(&s[at..]);
        let (name, len) = read_key(&s[start..])?;
        keys.push(Key {
            name,
            span: start..start + len,
        });
        let after = start + len;
        let next = after + blank(&s[after..]);
        if s[next..].starts_with('.') {
            at = next + 1;
        } else {
            return Some((keys, after));
        }
    }
}

/// Length of the spaces and tabs at the start of `s`.
fn blank(s: &str) -> usize {
    s.len() - s.trim_start_matches([' ', '\t']).len()
}

/// The key path of a table heading line (`[a.b]` or `[[a.b]]`, leading
/// blanks allowed), with spans relative to the line; `None` if the line is
/// not a heading.
pub fn heading(line: &str) -> Option<Vec<Key>> {
    let start = blank(line);
    let rest = &line[start..];
    let open = if rest.starts_with("[[") {
        2
    } else if rest.starts_with('[') {
        1
    } else {
        return None;
    };
    let (mut keys, len) = read_path(&rest[open..])?;
    let after = &rest[open + len..];
    if !after.trim_start_matches([' ', '\t']).starts_with(']') {
        return None;
    }
    for k in &mut keys {
        k.span = k.span.start + start + open..k.span.end + start + open;
    }
    Some(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_keys_stay_bare_and_others_are_quoted_with_escapes() {
        assert_eq!(quote("KAZ"), "KAZ");
        assert_eq!(quote("domestic_unrest-2"), "domestic_unrest-2");
        assert_eq!(quote(""), "\"\"");
        assert_eq!(quote("A\"B"), "\"A\\\"B\"");
        assert_eq!(quote("a\nb"), "\"a\\nb\"");
        assert_eq!(quote("a\\b"), "\"a\\\\b\"");
        assert_eq!(quote("members.KAZ.x"), "\"members.KAZ.x\"");
        assert_eq!(quote("esc\u{1b}]0;t\u{7}"), "\"esc\\u001B]0;t\\u0007\"");
        assert_eq!(
            join(["members", "a\nb", "threat"]),
            "members.\"a\\nb\".threat"
        );
        assert_eq!(quoted("noise"), "\"noise\"");
    }

    #[test]
    fn one_line_escapes_only_control_characters() {
        assert_eq!(one_line("plain \"text\" \\ é"), "plain \"text\" \\ é");
        assert_eq!(one_line("a\nb\tc\u{9b}"), "a\\nb\\tc\\u009B");
    }

    #[test]
    fn paths_are_read_as_the_parser_reads_them() {
        let names = |s: &str| -> Vec<String> {
            read_path(s)
                .unwrap()
                .0
                .into_iter()
                .map(|k| k.name)
                .collect()
        };
        assert_eq!(names("members.KAZ = 1"), ["members", "KAZ"]);
        assert_eq!(names("members . \"A\\\"B\" . x"), ["members", "A\"B", "x"]);
        assert_eq!(names("'a.b'.\"c]d\""), ["a.b", "c]d"]);
        assert_eq!(names("\"a\\nb\\u00e9\\x41\""), ["a\nbéA"]);
        assert_eq!(read_path("\"unclosed"), None);
        assert_eq!(read_path("\"bad \\q escape\""), None);
        assert_eq!(read_path("= 1"), None);
        let (keys, len) = read_path("a.\"b\" = 2").unwrap();
        assert_eq!(len, 5);
        assert_eq!(keys[1].span, 2..5);
    }

    #[test]
    fn headings_give_their_keys_where_written() {
        let line = "  [members.\"A\\\"B\"]   # a comment";
        let keys = heading(line).unwrap();
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[1].name, "A\"B");
        assert_eq!(&line[keys[1].span.clone()], "\"A\\\"B\"");
        assert_eq!(heading("[[options]]").unwrap()[0].name, "options");
        assert_eq!(heading("key = [1]"), None);
        assert_eq!(heading("[members.\"x\" y]"), None);
    }
}
