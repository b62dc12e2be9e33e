//! Text the program shows to people, from strings it did not write itself:
//! scenario names, ids, file paths, values typed on the command line.
//!
//! - [`terminal`] makes text safe to print: a character that a terminal
//!   would act on instead of showing (ESC starting a control sequence that
//!   retitles the window, writes the clipboard or clears the screen, BEL,
//!   carriage return, the C1 controls U+0080-U+009F, bidirectional overrides
//!   that reorder what is shown) is written in a visible form such as `\x1b`
//!   or `\u{202e}`. Everything printed goes through it, so no input can
//!   reach the terminal raw; [`json_for_terminal`] does the same inside JSON
//!   strings, with escapes that JSON reads back.
//! - [`excerpt`] bounds a piece of input quoted in a message to
//!   [`EXCERPT_CHARS`] characters, and [`bound_quotes`] applies it to every
//!   quoted piece of a finished message, so that a 100 KB key or a file of
//!   secrets is never echoed whole.
//! - [`num`] writes a number as briefly as it reads back: `0.25`, `1e-320`,
//!   `1.7e308`, never 320 digits.
//!
//! Files (CSV, JSON, SVG) are not written through these: they keep their
//! bytes, and their own formats escape what they must.

use std::borrow::Cow;

/// Whether a terminal could act on `c` rather than show it: the control
/// characters (C0 but the line feed, DEL, C1), the bidirectional formatting
/// characters (marks, embeddings, overrides, isolates) and the line and
/// paragraph separators.
pub fn is_unsafe_on_terminal(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with every character a terminal could act on written visibly:
/// `\t`, `\r`, `\x1b` (C0 and DEL), `\u{9b}` (C1), `\u{202e}` (the rest).
/// Line feeds stay. Borrowed when there is nothing to escape.
pub fn terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe_on_terminal) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if is_unsafe_on_terminal(c) && (c as u32) < 0x80 => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if is_unsafe_on_terminal(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// JSON text with every character [`terminal`] would escape written as a
/// JSON escape (`\u001b`, `\u202e`), so that the result is still the same
/// JSON and safe to print. Such characters can only stand inside strings of
/// well-formed JSON, where the escape means the same character.
pub fn json_for_terminal(json: &str) -> Cow<'_, str> {
    if !json.chars().any(is_unsafe_on_terminal) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if is_unsafe_on_terminal(c) {
            // Every such character is in the Basic Multilingual Plane.
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The most characters of input a message quotes.
pub const EXCERPT_CHARS: usize = 80;

/// A piece of input as a message quotes it: whole if it has at most
/// [`EXCERPT_CHARS`] characters, otherwise its beginning and its end around
/// `…`, [`EXCERPT_CHARS`] characters in all.
pub fn excerpt(input: &str) -> Cow<'_, str> {
    excerpt_to(input, EXCERPT_CHARS)
}

/// [`excerpt`] to at most `max` characters (at least 2), for input that is
/// longer by nature, such as a dotted field path made of several ids.
pub fn excerpt_to(input: &str, max: usize) -> Cow<'_, str> {
    let max = max.max(2);
    let count = input.chars().count();
    if count <= max {
        return Cow::Borrowed(input);
    }
    let tail = (max - 1) / 4;
    let head = max - 1 - tail;
    let mut out: String = input.chars().take(head).collect();
    out.push('…');
    out.extend(input.chars().skip(count - tail));
    Cow::Owned(out)
}

/// The longest line a message keeps whole, whatever it quotes.
pub const MESSAGE_LINE_CHARS: usize = 2000;

/// A finished message with each piece quoted in backticks or double quotes
/// cut to an [`excerpt`], and each line cut to [`MESSAGE_LINE_CHARS`]
/// characters: the last guard against echoing a long input whole, whatever
/// built the message. Messages that quote nothing long are unchanged.
pub fn bound_quotes(message: &str) -> Cow<'_, str> {
    let long_quote = |q: char| {
        message
            .split(q)
            .skip(1)
            .step_by(2)
            .any(|s| s.chars().count() > EXCERPT_CHARS)
    };
    let long_line = message
        .lines()
        .any(|l| l.chars().count() > MESSAGE_LINE_CHARS);
    if !long_quote('`') && !long_quote('"') && !long_line {
        return Cow::Borrowed(message);
    }
    let mut text = message.to_string();
    for q in ['`', '"'] {
        text = text
            .split(q)
            .enumerate()
            .map(|(i, part)| {
                if i % 2 == 1 {
                    excerpt(part)
                } else {
                    Cow::Borrowed(part)
                }
            })
            .collect::<Vec<_>>()
            .join(&q.to_string());
    }
    let lines: Vec<Cow<str>> = text
        .split('\n')
        .map(|l| excerpt_to(l, MESSAGE_LINE_CHARS))
        .collect();
    Cow::Owned(lines.join("\n"))
}

/// The line and character column (both from 1) of byte `offset` of
/// `bytes`: where a message points to, for example the first byte that is
/// not UTF-8 (`offset` past the end points after the last byte).
pub fn position(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
    (line, column)
}

/// A number as a message writes it: the shortest form that reads back as the
/// same number, in scientific notation below 1e-5 and from 1e15 on
/// (`0.25`, `100000`, `1e-320`, `5e-324`, `1.7e308`, `-3e20`).
pub fn num(x: f64) -> String {
    let a = x.abs();
    if x == 0.0 || !x.is_finite() || (1e-5..1e15).contains(&a) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_what_a_terminal_acts_on() {
        let hostile = "a\u{1b}]52;c;aGk=\u{7}b\u{1b}[2Jc\u{9b}31md\u{202e}e\r\tf\u{7f}\u{2066}";
        let shown = terminal(hostile);
        assert_eq!(
            shown,
            "a\\x1b]52;c;aGk=\\x07b\\x1b[2Jc\\u{9b}31md\\u{202e}e\\r\\tf\\x7f\\u{2066}"
        );
        assert!(!shown.chars().any(is_unsafe_on_terminal));
        // Ordinary text, line feeds and other scripts are left alone.
        for fine in ["Kyrgyzstan, June 2010\n", "Åland – Ελλάδα – 日本 – مصر", ""]
        {
            assert!(matches!(terminal(fine), Cow::Borrowed(_)), "{fine}");
        }
    }

    #[test]
    fn json_escapes_read_back_as_the_same_json() {
        let value = serde_json::json!({"name": "x\u{1b}[2J\u{85}\u{202e}y\u{7f}"});
        let text = serde_json::to_string_pretty(&value).unwrap();
        let safe = json_for_terminal(&text);
        assert!(!safe.chars().any(is_unsafe_on_terminal), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn excerpts_keep_both_ends() {
        assert_eq!(excerpt("short"), "short");
        let long: String = "a.".repeat(50_000) + "end";
        let e = excerpt(&long);
        assert_eq!(e.chars().count(), EXCERPT_CHARS);
        assert!(e.starts_with("a.a.") && e.ends_with(".end") && e.contains('…'));
        let exact = "x".repeat(EXCERPT_CHARS);
        assert_eq!(excerpt(&exact), exact.as_str());
    }

    #[test]
    fn messages_are_bounded_however_they_quote() {
        let key = "k".repeat(10_000);
        let m = format!("f.toml:2:1: scenario.{key}: unknown key `{key}`; \"{key}\"");
        let b = bound_quotes(&m);
        assert!(
            b.chars().count() < 3 * EXCERPT_CHARS + MESSAGE_LINE_CHARS,
            "{b}"
        );
        assert!(b.contains("unknown key `kkk") && b.contains("…"));
        // An unpaired backtick cannot leave a long line whole.
        let odd = format!("unknown key `a`{key}`");
        assert!(bound_quotes(&odd).chars().count() <= MESSAGE_LINE_CHARS);
        let fine =
            "members.KAZ.sovreignty: unknown key `sovreignty`\n  help: did you mean `sovereignty`?";
        assert!(matches!(bound_quotes(fine), Cow::Borrowed(_)));
    }

    #[test]
    fn numbers_are_compact_and_read_back() {
        for (x, s) in [
            (0.25, "0.25"),
            (0.0, "0"),
            (1.0, "1"),
            (100_000.0, "100000"),
            (1e-320, "1e-320"),
            (5e-324, "5e-324"),
            (1.7e308, "1.7e308"),
            (-3e20, "-3e20"),
            (0.3, "0.3"),
            (1e-13, "1e-13"),
            (f64::INFINITY, "inf"),
        ] {
            assert_eq!(num(x), s);
            if x.is_finite() {
                assert_eq!(num(x).parse::<f64>().unwrap(), x);
            }
        }
        assert!(num(f64::MIN_POSITIVE).len() < 30);
    }
}
