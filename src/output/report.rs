//! `report.html`: one self-contained page per result folder, with inline CSS,
//! the charts as inline SVG, the summary tables, the scenario text and the
//! manifest. No scripts, no external links: it opens from disk in any browser.
//! The page is polyglot HTML5: valid HTML that is also well-formed XML (void
//! elements closed with `/>`, only XML's five named entities), so XML tools
//! can read it too.

use std::collections::HashSet;

use super::charts::escape;

/// One section of a report: a heading and its HTML body (already escaped).
pub struct Section {
    pub heading: String,
    pub body_html: String,
}

const STYLE: &str = "body{font-family:sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#222}\
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}\
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}\
th,td{border:1px solid #ccc;padding:.2em .6em;text-align:left}\
td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f2f2f2}\
pre{background:#f7f7f7;border:1px solid #ddd;padding:.6em;overflow:auto;font-size:.85em}\
svg{max-width:100%;height:auto}.chart{margin:.5em 0}div.table{overflow-x:auto;max-width:100%}\
p.lead{font-size:1.1em;line-height:1.45;background:#f4f8fc;border-left:4px solid #1f77b4;padding:.5em .8em}\
p.note{font-size:.9em;color:#444}";

/// The whole page.
pub fn report_html(title: &str, sections: &[Section]) -> String {
    report_with_lead(title, &[], sections)
}

/// The whole page, opening with its answer: each sentence group in `lead` is
/// a paragraph (escaped here) directly under the `<h1>`, before any chart, so
/// that a reader learns the result before the evidence.
pub fn report_with_lead(title: &str, lead: &[String], sections: &[Section]) -> String {
    let mut s = String::new();
    s.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
    s.push_str(&format!("<title>{}</title>\n", escape(title)));
    s.push_str(&format!("<style>{STYLE}</style>\n</head>\n<body>\n"));
    s.push_str(&format!("<h1>{}</h1>\n", escape(title)));
    for paragraph in lead {
        s.push_str(&format!("<p class=\"lead\">{}</p>\n", escape(paragraph)));
    }
    for sec in sections {
        s.push_str(&format!("<section>\n<h2>{}</h2>\n", escape(&sec.heading)));
        s.push_str(&sec.body_html);
        if !sec.body_html.ends_with('\n') {
            s.push('\n');
        }
        s.push_str("</section>\n");
    }
    s.push_str("</body>\n</html>\n");
    s
}

/// A table; every cell escaped. Cells that parse as numbers are right-aligned.
/// A table wider than the page scrolls inside its own box, so that the page
/// never grows wider than the window.
pub fn table_html(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = String::from("<div class=\"table\">\n<table>\n<thead><tr>");
    for h in header {
        s.push_str(&format!("<th>{}</th>", escape(h)));
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        s.push_str("<tr>");
        for cell in row {
            if !cell.is_empty() && cell.parse::<f64>().is_ok() {
                s.push_str(&format!("<td class=\"n\">{}</td>", escape(cell)));
            } else {
                s.push_str(&format!("<td>{}</td>", escape(cell)));
            }
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody>\n</table>\n</div>\n");
    s
}

/// Preformatted text, escaped (for scenario files and the manifest JSON).
pub fn pre_html(text: &str) -> String {
    format!("<pre>{}</pre>\n", escape(text))
}

/// A paragraph of escaped text.
pub fn p_html(text: &str) -> String {
    format!("<p>{}</p>\n", escape(text))
}

/// A note in smaller type (how to read a chart, what a column means),
/// escaped.
pub fn note_html(text: &str) -> String {
    format!("<p class=\"note\">{}</p>\n", escape(text))
}

/// An SVG chart for inlining in the page: without an XML declaration and
/// without the `xmlns` attribute (an HTML parser puts `<svg>` in the SVG
/// namespace itself), so that the page holds no link.
pub fn svg_html(svg: &str) -> String {
    let mut body = svg.trim_start();
    if body.starts_with("<?xml") {
        if let Some(end) = body.find("?>") {
            body = body[end + 2..].trim_start();
        }
    }
    let body = body.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1);
    format!("<div class=\"chart\">\n{}</div>\n", body)
}

/// A table of CSV text (first record the header), every cell escaped.
/// Text that does not parse as CSV is shown as preformatted text.
pub fn csv_table_html(csv_text: &str) -> String {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv_text.as_bytes());
    let mut records = Vec::new();
    for r in reader.records() {
        match r {
            Ok(r) => records.push(r.iter().map(str::to_string).collect::<Vec<_>>()),
            Err(_) => return pre_html(csv_text),
        }
    }
    if records.is_empty() {
        return String::new();
    }
    let header = records.remove(0);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    table_html(&header, &records)
}

/// The text of every scenario file read, each under its path.
pub fn sources_html(sources: &[crate::scenario::SourceFile]) -> String {
    sources_html_once(sources, &mut HashSet::new())
}

/// [`sources_html`] for one of several scenarios on a page: a file whose path
/// and text are in `shown` (filled here) is named but not repeated, so that
/// a roster included by every case appears once.
pub fn sources_html_once<'a>(
    sources: &'a [crate::scenario::SourceFile],
    shown: &mut HashSet<(&'a std::path::Path, &'a str)>,
) -> String {
    let mut s = String::new();
    for f in sources {
        s.push_str(&format!(
            "<h3>{}</h3>\n",
            escape(&f.path.display().to_string())
        ));
        if shown.insert((f.path.as_path(), f.text.as_str())) {
            s.push_str(&pre_html(&f.text));
        } else {
            s.push_str(&p_html("The same file as above."));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{charts, markup};

    #[test]
    fn table_cells_are_escaped() {
        let t = table_html(&["a<b", "n"], &[vec!["x&y".into(), "0.5".into()]]);
        assert!(t.contains("<th>a&lt;b</th>"));
        assert!(t.contains("<td>x&amp;y</td>"));
        assert!(t.contains("<td class=\"n\">0.5</td>"));
    }

    #[test]
    fn csv_tables_are_escaped() {
        let t = csv_table_html("a,b\n\"x<y\",0.5\n");
        assert!(t.contains("<th>a</th><th>b</th>"));
        assert!(t.contains("<td>x&lt;y</td><td class=\"n\">0.5</td>"));
    }

    #[test]
    fn pre_is_escaped() {
        assert_eq!(pre_html("<script>&"), "<pre>&lt;script&gt;&amp;</pre>\n");
    }

    #[test]
    fn report_is_self_contained() {
        let svg = charts::outcome_bars("c", &["a".to_string()], &[0.5], &[0.4], &[0.6]);
        let with_decl = format!("<?xml version=\"1.0\"?>\n{svg}");
        let page = report_html(
            "T <x>",
            &[
                Section {
                    heading: "chart & more".into(),
                    body_html: svg_html(&with_decl),
                },
                Section {
                    heading: "text".into(),
                    body_html: pre_html("see https://example.org <script>alert(1)</script>"),
                },
                Section {
                    heading: "table".into(),
                    body_html: csv_table_html("a,b\n\"x<y\",0.5\n") + &p_html("a & b"),
                },
            ],
        );
        let doc = markup::html(&page, "report");
        assert!(!page.contains("<?xml"));
        assert!(page.contains("&lt;script&gt;"));
        let title = doc.descendants().find(|n| n.has_tag_name("title")).unwrap();
        assert_eq!(title.text(), Some("T <x>"));
        let headings: Vec<String> = doc
            .descendants()
            .filter(|n| n.has_tag_name("h2"))
            .map(markup::text_of)
            .collect();
        assert_eq!(headings, ["chart & more", "text", "table"]);
        assert_eq!(
            doc.descendants().filter(|n| n.has_tag_name("svg")).count(),
            1
        );
        let pre = doc.descendants().find(|n| n.has_tag_name("pre")).unwrap();
        assert_eq!(
            markup::text_of(pre),
            "see https://example.org <script>alert(1)</script>"
        );
        // The only "http" is inside the escaped user text.
        assert_eq!(page.matches("http").count(), 1);
    }
}
