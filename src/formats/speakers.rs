//! Who said each quote, read off the annotation layers the way a reviewer reads them:
//! the quote's `Speaker` mention, that mention's `Equiv` group (the entity), the entity's
//! positions (`HasRole`) and their organisations (`RoleOrg`). Used by the CSV and HTML
//! exports; nothing here changes the annotations.

use crate::annotation::{Label, RelKind, SpanAnn};
use crate::document::Document;
use std::collections::HashSet;

/// The source of one quote.
#[derive(Debug, Clone, PartialEq)]
pub struct Source<'a> {
    /// The `Speaker` relation's Arg2.
    pub mention: &'a SpanAnn,
    /// The entity's name: its longest named (PER or ORG) mention, else the mention's text.
    pub name: String,
    /// The entity's type: the label of the mention that gave the name.
    pub label: Label,
    /// Identifies the entity within its document: the first id of its `Equiv` group (or
    /// of the mention itself), so quotes of one speaker share it.
    pub entity: String,
    /// The entity's positions (distinct, in document order).
    pub roles: Vec<String>,
    /// The organisations of those positions; for an organisation speaking, itself.
    pub orgs: Vec<String>,
}

/// A quote and, when the annotations name one, its source.
#[derive(Debug, Clone, PartialEq)]
pub struct QuoteSource<'a> {
    pub quote: &'a SpanAnn,
    pub source: Option<Source<'a>>,
}

/// Every quote of the document in the order of its spans, with its source.
pub fn quote_sources(doc: &Document) -> Vec<QuoteSource<'_>> {
    doc.ann
        .quotes()
        .map(|quote| {
            let mention = doc.ann.speaker_of(&quote.id).and_then(|id| doc.ann.span(id));
            QuoteSource { quote, source: mention.map(|m| source(doc, m)) }
        })
        .collect()
}

fn source<'a>(doc: &'a Document, mention: &'a SpanAnn) -> Source<'a> {
    let ann = &doc.ann;
    // A role that a named person holds stands for that person.
    let holder = (mention.label == Label::ROLE)
        .then(|| ann.relations_of(RelKind::HasRole).find(|r| r.arg2 == mention.id).and_then(|r| ann.span(&r.arg1)))
        .flatten();
    let anchor = holder.unwrap_or(mention);
    let group: Vec<&SpanAnn> = ann.group_of(&anchor.id).into_iter().filter_map(|id| ann.span(id)).collect();
    let (name, label) = entity_name(doc, &group).unwrap_or_else(|| (text_of(doc, mention), mention.label));
    let entity = group.first().map(|s| s.id.clone()).unwrap_or_else(|| anchor.id.clone());

    let mut role_ids: Vec<&str> = vec![];
    if mention.label == Label::ROLE {
        role_ids.push(&mention.id);
    }
    for member in &group {
        match member.label {
            Label::ROLE => role_ids.push(&member.id),
            Label::PER => role_ids.extend(ann.relations_of(RelKind::HasRole).filter(|r| r.arg1 == member.id).map(|r| r.arg2.as_str())),
            _ => {}
        }
    }
    let mut role_spans: Vec<&SpanAnn> = role_ids.iter().filter_map(|id| ann.span(id)).collect();
    role_spans.sort_by_key(|s| (s.span.start, s.span.end));
    role_spans.dedup_by(|a, b| a.id == b.id);
    let roles = distinct(role_spans.iter().map(|s| text_of(doc, s)));

    let mut orgs = vec![];
    if label == Label::ORG {
        orgs.push(name.clone());
    }
    for role in &role_spans {
        for r in ann.relations_of(RelKind::RoleOrg).filter(|r| r.arg1 == role.id) {
            if let Some(org) = ann.span(&r.arg2) {
                let members: Vec<&SpanAnn> = ann.group_of(&org.id).into_iter().filter_map(|id| ann.span(id)).collect();
                orgs.push(entity_name(doc, &members).map(|(n, _)| n).unwrap_or_else(|| text_of(doc, org)));
            }
        }
    }
    Source { mention, name, label, entity, roles, orgs: distinct(orgs.into_iter()) }
}

/// The longest named mention of a group (earliest on a tie) and its label.
fn entity_name(doc: &Document, group: &[&SpanAnn]) -> Option<(String, Label)> {
    let mut best: Option<&SpanAnn> = None;
    for s in group.iter().filter(|s| matches!(s.label, Label::PER | Label::ORG)) {
        if best.is_none_or(|b| s.span.len() > b.span.len()) {
            best = Some(s);
        }
    }
    best.map(|s| (text_of(doc, s), s.label))
}

/// A mention's text on one line with single spaces.
pub fn text_of(doc: &Document, s: &SpanAnn) -> String {
    doc.slice(s.span).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Distinct strings (ignoring case), first spelling kept, in order.
fn distinct(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = HashSet::new();
    items.filter(|s| seen.insert(s.to_lowercase())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Span;

    /// `John Adler, chief executive of the CQC, said: “We are proud.” Adler added: “Yes.”`
    fn doc() -> Document {
        let mut d = Document::new("d", "John Adler, chief executive of the CQC, said: “We are proud.” Adler added: “Yes.”");
        let per = d.ann.add_span(Label::PER, Span::new(0, 10), None);
        let role = d.ann.add_span(Label::ROLE, Span::new(12, 27), None);
        let org = d.ann.add_span(Label::ORG, Span::new(35, 38), None);
        let q1 = d.ann.add_span(Label::QUOTE, Span::new(46, 61), None);
        let per2 = d.ann.add_span(Label::PER, Span::new(62, 67), None);
        let q2 = d.ann.add_span(Label::QUOTE, Span::new(75, 81), None);
        d.ann.add_relation(RelKind::Speaker, &q1, &per, None);
        d.ann.add_relation(RelKind::Speaker, &q2, &per2, None);
        d.ann.add_relation(RelKind::HasRole, &per, &role, None);
        d.ann.add_relation(RelKind::RoleOrg, &role, &org, None);
        d.ann.equivs.push(vec![per, per2]);
        d
    }

    #[test]
    fn a_short_mention_is_named_by_the_longest_mention_of_its_group() {
        let d = doc();
        let sources = quote_sources(&d);
        let s = sources[1].source.as_ref().unwrap();
        assert_eq!(d.slice(s.mention.span), "Adler");
        assert_eq!((s.name.as_str(), s.label), ("John Adler", Label::PER));
    }

    #[test]
    fn roles_and_organisations_come_through_the_group() {
        let d = doc();
        let s = quote_sources(&d)[1].source.clone().unwrap();
        assert_eq!(s.roles, ["chief executive"]);
        assert_eq!(s.orgs, ["CQC"]);
    }

    #[test]
    fn quotes_of_one_speaker_share_the_entity_key() {
        let d = doc();
        let q = quote_sources(&d);
        assert_eq!(q[0].source.as_ref().unwrap().entity, q[1].source.as_ref().unwrap().entity);
    }

    #[test]
    fn a_quote_without_speaker_has_no_source() {
        let mut d = doc();
        d.ann.relations.retain(|r| r.kind != RelKind::Speaker);
        assert!(quote_sources(&d).iter().all(|q| q.source.is_none()));
    }
}
