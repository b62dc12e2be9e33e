//! The one check for every SVG chart and HTML page the tests read: each is
//! parsed with a real XML parser (`roxmltree`), so that a page a browser or an
//! XML tool would reject (a stray `<`, an unknown entity, a character XML
//! forbids such as U+FFFF, an unclosed element) fails the test that produced
//! it. `report.html` is polyglot HTML5: well-formed XML as well as valid HTML,
//! which is what makes it parseable here.
//!
//! Beyond well-formedness, the checks hold the tool's own rules: only the
//! elements the chart and report code writes, numbers that are finite (and
//! sizes that are not negative), no scripts and no links, and in the HTML
//! part of a page, `/>` only on void elements (an HTML parser reads `<div/>`
//! as an open tag).
//!
//! The file is shared: the integration tests use it as a module, and the
//! library's unit tests include it with `#[path]`.

#![allow(dead_code)]

use std::path::Path;

use roxmltree::{Document, Node, ParsingOptions};

/// The elements chart code writes inside `<svg>`.
const SVG_ELEMENTS: [&str; 7] = ["svg", "title", "rect", "line", "polyline", "circle", "text"];

/// The elements report code writes outside an `<svg>`.
const HTML_ELEMENTS: [&str; 19] = [
    "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "section", "p", "div",
    "table", "thead", "tbody", "tr", "th", "td", "pre",
];

/// HTML elements that have no content and may be written `<x/>`.
const VOID_ELEMENTS: [&str; 1] = ["meta"];

/// Attributes that hold one number.
const NUMBERS: [&str; 13] = [
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "width",
    "height",
    "font-size",
    "stroke-width",
];

/// Attributes that must not be negative.
const SIZES: [&str; 4] = ["width", "height", "r", "font-size"];

const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// Parses `text` as XML, or fails the test with the parser's message and
/// the text around the place it names.
fn parse<'a>(text: &'a str, what: &str) -> Document<'a> {
    let options = ParsingOptions {
        allow_dtd: true,
        ..ParsingOptions::default()
    };
    Document::parse_with_options(text, options).unwrap_or_else(|e| {
        let pos = e.pos();
        let line = text.lines().nth(pos.row as usize - 1).unwrap_or("");
        panic!(
            "{what} is not well-formed XML: {e}\n  line {}: {}",
            pos.row,
            line.chars().take(200).collect::<String>()
        )
    })
}

/// `value` as a finite number, or fails the test naming the element.
fn number(node: Node, name: &str, value: &str, what: &str) -> f64 {
    let v: f64 = value.trim().parse().unwrap_or_else(|_| {
        panic!(
            "{what}: <{} {name}=\"{value}\"> is not a number",
            node.tag_name().name()
        )
    });
    assert!(
        v.is_finite(),
        "{what}: <{} {name}=\"{value}\"> is not finite",
        node.tag_name().name()
    );
    v
}

/// The checks for one `<svg>` element and everything inside it.
fn check_svg_element(svg: Node, what: &str) {
    for name in ["width", "height"] {
        let v = svg
            .attribute(name)
            .unwrap_or_else(|| panic!("{what}: <svg> has no {name}"));
        assert!(number(svg, name, v, what) > 0.0, "{what}: <svg {name}={v}>");
    }
    let view_box = svg
        .attribute("viewBox")
        .unwrap_or_else(|| panic!("{what}: <svg> has no viewBox"));
    let corners: Vec<f64> = view_box
        .split_whitespace()
        .map(|v| number(svg, "viewBox", v, what))
        .collect();
    assert_eq!(corners.len(), 4, "{what}: viewBox=\"{view_box}\"");
    assert!(
        svg.children().any(|c| c.has_tag_name("title")),
        "{what}: <svg> has no <title>"
    );
    for node in svg.descendants().filter(Node::is_element) {
        let tag = node.tag_name().name();
        assert!(
            SVG_ELEMENTS.contains(&tag),
            "{what}: unexpected element <{tag}> in a chart"
        );
        for a in node.attributes() {
            assert!(
                !matches!(a.name(), "href" | "src") && !a.name().starts_with("on"),
                "{what}: <{tag} {}> in a chart",
                a.name()
            );
            if NUMBERS.contains(&a.name()) {
                let v = number(node, a.name(), a.value(), what);
                if SIZES.contains(&a.name()) {
                    assert!(v >= 0.0, "{what}: <{tag} {}={v}>", a.name());
                }
            }
            if a.name() == "points" {
                for pair in a.value().split_whitespace() {
                    let xy: Vec<&str> = pair.split(',').collect();
                    assert_eq!(xy.len(), 2, "{what}: polyline point `{pair}`");
                    for v in xy {
                        number(node, "points", v, what);
                    }
                }
            }
        }
    }
}

/// Parses a standalone SVG chart (as written to `NAME.svg`) and checks it;
/// returns the parsed document for further checks of its geometry.
pub fn svg<'a>(text: &'a str, what: &str) -> Document<'a> {
    assert!(
        text.starts_with("<svg "),
        "{what}: a chart starts with <svg>"
    );
    let doc = parse(text, what);
    let root = doc.root_element();
    assert!(
        root.has_tag_name((SVG_NS, "svg")),
        "{what}: the root is <{}> in namespace {:?}, not an SVG <svg>",
        root.tag_name().name(),
        root.tag_name().namespace()
    );
    check_svg_element(root, what);
    doc
}

/// Parses a `report.html` page and checks it as polyglot HTML5: the HTML5
/// doctype, `<html lang>` with a `<head>` (`<meta charset="utf-8"/>` and a
/// `<title>`) and a `<body>`, only the elements the report writes, `/>` on
/// void elements only, no scripts and no links, and every inline chart as
/// [`svg`] checks a standalone one (without the namespace, which an HTML
/// parser supplies). Returns the parsed document.
pub fn html<'a>(text: &'a str, what: &str) -> Document<'a> {
    assert!(
        text.starts_with("<!DOCTYPE html>\n"),
        "{what}: a page starts with the HTML5 doctype"
    );
    let doc = parse(text, what);
    let root = doc.root_element();
    assert!(root.has_tag_name("html"), "{what}: the root is not <html>");
    assert!(
        root.attribute("lang").is_some(),
        "{what}: <html> has no lang"
    );
    let parts: Vec<&str> = root
        .children()
        .filter(Node::is_element)
        .map(|n| n.tag_name().name())
        .collect();
    assert_eq!(parts, ["head", "body"], "{what}: <html> holds {parts:?}");
    let head = root.first_element_child().expect("head");
    assert!(
        head.children()
            .any(|n| n.has_tag_name("meta") && n.attribute("charset") == Some("utf-8")),
        "{what}: no <meta charset=\"utf-8\"/>"
    );
    assert!(
        head.children().any(|n| n.has_tag_name("title")),
        "{what}: no <title>"
    );
    let mut charts = 0;
    for node in root.descendants().filter(Node::is_element) {
        if node.ancestors().skip(1).any(|a| a.has_tag_name("svg")) {
            continue;
        }
        let tag = node.tag_name().name();
        if tag == "svg" {
            charts += 1;
            check_svg_element(node, &format!("{what}, chart {charts}"));
            continue;
        }
        assert!(
            HTML_ELEMENTS.contains(&tag),
            "{what}: unexpected element <{tag}>"
        );
        for a in node.attributes() {
            assert!(
                !matches!(a.name(), "href" | "src") && !a.name().starts_with("on"),
                "{what}: <{tag} {}>",
                a.name()
            );
        }
        let written = &text[node.range()];
        if VOID_ELEMENTS.contains(&tag) {
            assert!(
                written.ends_with("/>") && !node.has_children(),
                "{what}: void element written as {written}"
            );
        } else {
            assert!(
                !written.ends_with("/>"),
                "{what}: <{tag}/> is an open tag to an HTML parser"
            );
        }
    }
    doc
}

/// Reads and checks an SVG chart file; returns its text.
pub fn read_svg(path: &Path) -> String {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    svg(&text, &path.display().to_string());
    text
}

/// Reads and checks a `report.html`; returns its text.
pub fn read_html(path: &Path) -> String {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    html(&text, &path.display().to_string());
    text
}

/// Checks every `.svg` and `.html` file in `dir`; returns how many there were.
pub fn check_folder(dir: &Path) -> usize {
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        match path.extension().and_then(|x| x.to_str()) {
            Some("svg") => {
                read_svg(&path);
            }
            Some("html") => {
                read_html(&path);
            }
            _ => continue,
        }
        checked += 1;
    }
    checked
}

/// The text inside an element and all its descendants.
pub fn text_of(node: Node) -> String {
    node.descendants()
        .filter(Node::is_text)
        .filter_map(|n| n.text())
        .collect()
}

/// A number attribute of an element; fails the test if it is missing.
pub fn attr(node: Node, name: &str) -> f64 {
    let v = node
        .attribute(name)
        .unwrap_or_else(|| panic!("<{}> has no {name}", node.tag_name().name()));
    number(node, name, v, "chart")
}
