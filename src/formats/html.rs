//! `index.html`: one self-contained page for a corpus (inline CSS, no script, nothing
//! fetched), for reading the annotations the way a reviewer checks them.
//!
//! - a summary table: per document, the entities per type, the quotes, how many have a
//!   speaker, and the most quoted speaker; a totals row;
//! - per document, the text with coloured entity spans (type shown after each, in the
//!   brat colours) and quotes highlighted (a dashed edge for `Partial`), each quote
//!   followed by a link to its speaker's mention in the text;
//! - beside the text, the speakers (named by their `Equiv` group, with role and
//!   organisation) with their quotes, each linking to the quote.
//!
//! The text keeps its line breaks (`white-space: pre-wrap`); every piece of document
//! text is HTML-escaped.

use super::review::{label_colour, ExportOptions, Written};
use super::speakers::{quote_sources, QuoteSource};
use super::write_atomic;
use crate::annotation::{Label, SpanAnn};
use crate::document::{Document, Span};
use crate::error::Result;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

/// The default page title.
pub const DEFAULT_TITLE: &str = "whosaid review";

/// Escapes text for HTML element content and double-quoted attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Writes `OUT/index.html`.
pub fn write(docs: &[Document], out: &Path, opts: &ExportOptions) -> Result<Written> {
    let path = out.join("index.html");
    let title = opts.title.as_deref().unwrap_or(DEFAULT_TITLE);
    write_atomic(&path, page(docs, title).as_bytes())?;
    Ok(Written { files: vec![path], warnings: vec![] })
}

/// The whole page.
pub fn page(docs: &[Document], title: &str) -> String {
    let sources: Vec<Vec<QuoteSource>> = docs.iter().map(quote_sources).collect();
    let quotes: usize = sources.iter().map(Vec::len).sum();
    let attributed: usize = sources.iter().flatten().filter(|q| q.source.is_some()).count();
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{t}</title>\n<style>\n{css}</style>\n</head>\n<body>\n<header>\n<h1>{t}</h1>\n\
         <p class=\"meta\">{n} document{s} · {quotes} quotes, {attributed} with a speaker · \
         written by whosaid {v}</p>\n{legend}</header>\n",
        t = escape(title),
        css = css(),
        n = docs.len(),
        s = if docs.len() == 1 { "" } else { "s" },
        v = env!("CARGO_PKG_VERSION"),
        legend = legend(),
    );
    h.push_str(&summary(docs, &sources));
    h.push_str("<main>\n");
    for (i, (doc, qs)) in docs.iter().zip(&sources).enumerate() {
        h.push_str(&article(doc, qs, &format!("d{}", i + 1)));
    }
    h.push_str("</main>\n</body>\n</html>\n");
    h
}

fn css() -> String {
    let mut c = String::from(
        ":root { color-scheme: light; }\n\
         body { margin: 0; background: #f6f5f1; color: #1d1d1d; font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; }\n\
         header, nav, main { max-width: 76rem; margin: 0 auto; padding: 0 1.5rem; }\n\
         header { padding-top: 1.5rem; }\n\
         h1 { font-size: 1.7rem; margin: 0 0 .3rem; }\n\
         h2 { font-size: 1.25rem; margin: 0 0 .8rem; }\n\
         .meta { color: #555; margin: 0 0 .8rem; }\n\
         .legend { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; margin-bottom: 1.2rem; font-size: .9rem; }\n\
         table.summary { border-collapse: collapse; width: 100%; background: #fff; font-size: .9rem; margin-bottom: 2rem; box-shadow: 0 1px 2px rgba(0,0,0,.08); }\n\
         .summary th, .summary td { border-bottom: 1px solid #e3e1da; padding: .35rem .6rem; text-align: right; }\n\
         .summary th:first-child, .summary td:first-child, .summary .top { text-align: left; }\n\
         .summary thead th { background: #eceae3; }\n\
         .summary tfoot td { font-weight: 600; background: #f3f1ea; }\n\
         article { background: #fff; border-radius: 6px; box-shadow: 0 1px 3px rgba(0,0,0,.1); padding: 1.4rem 1.6rem; margin-bottom: 2rem; }\n\
         .cols { display: grid; grid-template-columns: minmax(0, 44rem) minmax(15rem, 1fr); gap: 2rem; }\n\
         @media (max-width: 60rem) { .cols { grid-template-columns: 1fr; } }\n\
         .text { white-space: pre-wrap; font: 17px/1.75 Georgia, 'DejaVu Serif', serif; overflow-wrap: break-word; }\n\
         .e { border-radius: 3px; padding: 0 2px; box-decoration-break: clone; -webkit-box-decoration-break: clone; }\n\
         .e::after { content: attr(data-l); font: 600 .55em/1 system-ui, sans-serif; margin-left: 2px; opacity: .65; vertical-align: .35em; }\n\
         .e.cont::after { content: none; }\n\
         .e.spk { outline: 1.5px solid #c0392b; outline-offset: 0; }\n\
         .q { background: #fff6c2; border-bottom: 2px solid #e0b400; box-decoration-break: clone; -webkit-box-decoration-break: clone; }\n\
         .q.partial { background: #fffbe2; border-bottom: 2px dashed #e0b400; }\n\
         :target { outline: 3px solid #1565c0 !important; outline-offset: 1px; }\n\
         a.who, span.who { font: 600 .72em/1 system-ui, sans-serif; margin-left: .25em; padding: 1px 5px; border-radius: 8px; vertical-align: .15em; text-decoration: none; white-space: nowrap; }\n\
         a.who { background: #c0392b; color: #fff; }\n\
         span.who { background: #ddd; color: #444; }\n\
         aside h3 { font-size: 1rem; margin: 0 0 .6rem; }\n\
         .speaker { border-left: 3px solid #c0392b; padding: .1rem 0 .1rem .7rem; margin-bottom: 1rem; }\n\
         .speaker.none { border-color: #aaa; }\n\
         .speaker h4 { margin: 0; font-size: .95rem; }\n\
         .speaker .what { color: #555; font-size: .82rem; }\n\
         .speaker ol { margin: .3rem 0 0; padding-left: 1.3rem; font-size: .85rem; }\n\
         .speaker li { margin-bottom: .25rem; }\n\
         .speaker a { color: #1d1d1d; }\n\
         .tag { display: inline-block; font: 600 .7rem/1.4 system-ui, sans-serif; padding: 0 5px; border-radius: 3px; }\n",
    );
    for label in Label::ENTITIES {
        let _ = writeln!(c, ".{label} {{ background: {}; }}", label_colour(label));
    }
    c
}

fn legend() -> String {
    let mut l = String::from("<div class=\"legend\">");
    for (label, name) in [
        (Label::PER, "person"),
        (Label::ORG, "organisation"),
        (Label::ROLE, "role"),
        (Label::LOC, "place"),
        (Label::MISC, "other"),
    ] {
        let _ = write!(l, "<span><span class=\"e {label}\" data-l=\"{label}\">{name}</span></span>");
    }
    l.push_str(
        "<span><span class=\"q\">“quotation”</span><a class=\"who\" href=\"#\">speaker</a></span>\
         <span><span class=\"q partial\">‘partial quotation’</span></span>\
         <span><span class=\"e PER spk\" data-l=\"PER\">speaker mention</span></span></div>\n",
    );
    l
}

fn summary(docs: &[Document], sources: &[Vec<QuoteSource>]) -> String {
    let mut s = String::from(
        "<nav>\n<h2>Summary</h2>\n<table class=\"summary\">\n<thead><tr><th>Document</th><th>PER</th><th>ORG</th>\
         <th>ROLE</th><th>LOC</th><th>MISC</th><th>Quotes</th><th>With speaker</th><th>Speakers</th>\
         <th class=\"top\">Most quoted</th></tr></thead>\n<tbody>\n",
    );
    let mut totals = [0usize; 8];
    for (i, (doc, qs)) in docs.iter().zip(sources).enumerate() {
        let count = |l: Label| doc.ann.spans.iter().filter(|s| s.label == l).count();
        let speakers = speaker_groups(qs);
        // The speaker with most quotes; the first one on a tie.
        let mut top = None;
        for (name, q) in speakers.iter().filter(|(name, _)| name.is_some()) {
            if top.is_none_or(|(_, n)| q.len() > n) {
                top = Some((name.as_deref().unwrap_or_default(), q.len()));
            }
        }
        let top = top.map(|(name, n)| format!("{} ({n})", escape(name))).unwrap_or_default();
        let row = [
            count(Label::PER),
            count(Label::ORG),
            count(Label::ROLE),
            count(Label::LOC),
            count(Label::MISC),
            qs.len(),
            qs.iter().filter(|q| q.source.is_some()).count(),
            speakers.iter().filter(|(n, _)| n.is_some()).count(),
        ];
        let _ = write!(s, "<tr><td><a href=\"#d{}\">{}</a></td>", i + 1, escape(&doc.id));
        for (t, v) in totals.iter_mut().zip(row) {
            *t += v;
            let _ = write!(s, "<td>{v}</td>");
        }
        let _ = writeln!(s, "<td class=\"top\">{top}</td></tr>");
    }
    s.push_str("</tbody>\n<tfoot><tr><td>Total</td>");
    for t in totals {
        let _ = write!(s, "<td>{t}</td>");
    }
    s.push_str("<td></td></tr></tfoot>\n</table>\n</nav>\n");
    s
}

/// Quotes grouped by speaker entity in order of first quote; `None` collects the quotes
/// without a speaker. The name is the speaker's.
fn speaker_groups<'a, 'b>(qs: &'b [QuoteSource<'a>]) -> Vec<(Option<String>, Vec<&'b QuoteSource<'a>>)> {
    let mut groups: Vec<(Option<String>, Option<String>, Vec<&QuoteSource>)> = vec![];
    for q in qs {
        let key = q.source.as_ref().map(|s| s.entity.clone());
        match groups.iter_mut().find(|(k, _, _)| *k == key) {
            Some(g) => g.2.push(q),
            None => groups.push((key, q.source.as_ref().map(|s| s.name.clone()), vec![q])),
        }
    }
    // The unattributed ones last.
    groups.sort_by_key(|(k, _, _)| k.is_none());
    groups.into_iter().map(|(_, name, q)| (name, q)).collect()
}

fn article(doc: &Document, qs: &[QuoteSource], anchor: &str) -> String {
    let mut a = format!("<article id=\"{anchor}\">\n<h2>{}</h2>\n<div class=\"cols\">\n", escape(&doc.id));
    a.push_str("<div class=\"text\">");
    a.push_str(&annotated_text(doc, qs, anchor));
    a.push_str("</div>\n<aside>\n<h3>Speakers</h3>\n");
    let groups = speaker_groups(qs);
    if groups.is_empty() {
        a.push_str("<p class=\"what\">No quotes in this document.</p>\n");
    }
    for (name, quotes) in groups {
        let first = quotes[0].source.as_ref();
        match (name, first) {
            (Some(name), Some(src)) => {
                let what: Vec<String> = src.roles.iter().chain(src.orgs.iter().filter(|o| **o != name)).map(|s| escape(s)).collect();
                let _ = write!(
                    a,
                    "<section class=\"speaker\">\n<h4><a href=\"#{anchor}-{}\">{}</a> <span class=\"tag {}\">{}</span></h4>\n",
                    escape(&src.mention.id),
                    escape(&name),
                    src.label,
                    src.label
                );
                if !what.is_empty() {
                    let _ = writeln!(a, "<div class=\"what\">{}</div>", what.join(" · "));
                }
            }
            _ => a.push_str("<section class=\"speaker none\">\n<h4>No speaker annotated</h4>\n"),
        }
        let _ = writeln!(a, "<ol>");
        for q in quotes {
            let _ = writeln!(
                a,
                "<li><a href=\"#{anchor}-{}\">{}</a>{}</li>",
                escape(&q.quote.id),
                escape(&excerpt(doc.text.get(q.quote.span).unwrap_or_default(), 160)),
                if q.quote.partial { " <span class=\"what\">(partial)</span>" } else { "" }
            );
        }
        a.push_str("</ol>\n</section>\n");
    }
    a.push_str("</aside>\n</div>\n</article>\n");
    a
}

/// A quote shortened to `max` characters on one line.
fn excerpt(s: &str, max: usize) -> String {
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() <= max {
        one
    } else {
        format!("{}…", one.chars().take(max).collect::<String>().trim_end())
    }
}

/// The text with quote and entity elements. Quotes are the outer layer and entities the
/// inner one; an entity that crosses a quote's edge is closed and reopened there.
fn annotated_text(doc: &Document, qs: &[QuoteSource], anchor: &str) -> String {
    let quotes: Vec<&QuoteSource> = qs.iter().filter(|q| !q.quote.span.is_empty()).collect();
    let entities: Vec<&SpanAnn> = doc.ann.entities().filter(|s| !s.span.is_empty()).collect();
    let speakers: BTreeSet<&str> =
        qs.iter().filter_map(|q| q.source.as_ref().map(|s| s.mention.id.as_str())).collect();
    let mut cuts: BTreeSet<usize> = [0, doc.text.len_chars()].into();
    for s in quotes.iter().map(|q| q.quote).chain(entities.iter().copied()) {
        cuts.insert(s.span.start);
        cuts.insert(s.span.end);
    }
    let cuts: Vec<usize> = cuts.into_iter().collect();
    let mut out = String::new();
    let mut open_q: Option<usize> = None;
    let mut open_e: Option<usize> = None;
    for w in cuts.windows(2) {
        let seg = Span::new(w[0], w[1]);
        let q = quotes.iter().position(|q| q.quote.span.contains(&seg));
        let e = entities.iter().position(|e| e.span.contains(&seg));
        if q != open_q {
            if open_e.take().is_some() {
                out.push_str("</span>");
            }
            if let Some(i) = open_q.take() {
                close_quote(&mut out, quotes[i], anchor);
            }
            if let Some(i) = q {
                let quote = quotes[i].quote;
                let title = match &quotes[i].source {
                    Some(s) => format!("{} {}: said by {}", quote.label, quote.id, s.name),
                    None => format!("{} {}: no speaker annotated", quote.label, quote.id),
                };
                let id = if seg.start == quote.span.start { format!(" id=\"{anchor}-{}\"", escape(&quote.id)) } else { String::new() };
                let class = if quote.partial { "q partial" } else { "q" };
                let _ = write!(out, "<span class=\"{class}\"{id} title=\"{}\">", escape(&title));
            }
            open_q = q;
        }
        if e != open_e {
            if open_e.take().is_some() {
                out.push_str("</span>");
            }
            if let Some(i) = e {
                let ent = entities[i];
                let starts = seg.start == ent.span.start;
                let id = if starts { format!(" id=\"{anchor}-{}\"", escape(&ent.id)) } else { String::new() };
                let mut class = format!("e {}", ent.label);
                if speakers.contains(ent.id.as_str()) {
                    class.push_str(" spk");
                }
                // The type tag goes after the entity's last piece only.
                if reopens_later(&quotes, ent, seg) {
                    class.push_str(" cont");
                }
                let _ = write!(out, "<span class=\"{class}\"{id} data-l=\"{}\" title=\"{} {}\">", ent.label, ent.label, escape(&ent.id));
            }
            open_e = e;
        }
        out.push_str(&escape(doc.text.get(seg).unwrap_or_default()));
    }
    if open_e.is_some() {
        out.push_str("</span>");
    }
    if let Some(i) = open_q {
        close_quote(&mut out, quotes[i], anchor);
    }
    out
}

/// Whether an entity element opened at `seg` is cut again by a quote edge before the
/// entity ends (so it is not the last piece, which shows the type tag).
fn reopens_later(quotes: &[&QuoteSource], ent: &SpanAnn, seg: Span) -> bool {
    quotes.iter().any(|q| [q.quote.span.start, q.quote.span.end].iter().any(|&x| x > seg.start && x < ent.span.end))
}

/// Closes a quote element and adds the link to its speaker.
fn close_quote(out: &mut String, q: &QuoteSource, anchor: &str) {
    out.push_str("</span>");
    match &q.source {
        Some(s) => {
            let _ = write!(
                out,
                "<a class=\"who\" href=\"#{anchor}-{}\" title=\"speaker: {} ({})\">{}</a>",
                escape(&s.mention.id),
                escape(&s.name),
                escape(&s.mention.id),
                escape(&s.name)
            );
        }
        None => out.push_str("<span class=\"who\">no speaker</span>"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotation::RelKind;

    fn doc() -> Document {
        let mut d = Document::new("a<b>", "Ann said: “I & <you>.” Ann Lee left.");
        let q = d.ann.add_span(Label::QUOTE, Span::new(10, 22), None);
        let p = d.ann.add_span(Label::PER, Span::new(0, 3), None);
        d.ann.add_span(Label::PER, Span::new(23, 30), None);
        d.ann.add_relation(RelKind::Speaker, &q, &p, None);
        d
    }

    #[test]
    fn document_text_and_ids_are_escaped() {
        let html = page(&[doc()], "t");
        assert!(html.contains("“I &amp; &lt;you&gt;.”"), "{html}");
        assert!(html.contains("<h2>a&lt;b&gt;</h2>"));
        assert!(!html.contains("<you>"));
    }

    #[test]
    fn a_quote_is_followed_by_a_link_to_its_speaker_mention() {
        let html = page(&[doc()], "t");
        assert!(html.contains("<span class=\"e PER spk\" id=\"d1-T2\""), "{html}");
        assert!(html.contains("</span><a class=\"who\" href=\"#d1-T2\""), "{html}");
    }

    #[test]
    fn an_entity_across_a_quote_edge_is_split_and_tagged_once() {
        let mut d = Document::new("x", "“We are the Care” Quality Commission.");
        d.ann.add_span(Label::QUOTE, Span::new(0, 17), None);
        d.ann.add_span(Label::ORG, Span::new(12, 36), None);
        let text = annotated_text(&d, &quote_sources(&d), "d1");
        assert_eq!(text.matches("class=\"e ORG").count(), 2, "{text}");
        assert_eq!(text.matches("class=\"e ORG cont\"").count(), 1, "{text}");
        assert_eq!(text.matches("id=\"d1-T2\"").count(), 1, "{text}");
    }

    #[test]
    fn the_page_fetches_nothing() {
        let html = page(&[doc()], "t");
        for needle in ["http://", "https://", "<script", "<link", "@import", "src="] {
            assert!(!html.contains(needle), "{needle}");
        }
    }
}
