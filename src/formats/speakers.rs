//! Who said each quote, read off the annotation layers the way a reviewer reads them:
//! the quote's `Speaker` mention, that mention's `Equiv` group (the entity), the entity's
//! positions (`HasRole`) and their organisations (`RoleOrg`). Used by the CSV and HTML
//! exports; nothing here changes the annotations.

use crate::annotation::{Annotations, Label, RelKind, SpanAnn};
use crate::document::Document;
use std::collections::{HashMap, HashSet};

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
///
/// Linear in the size of the annotations: they are indexed once (spans by id, relations by
/// argument, `Equiv` groups by member), and an entity's name, roles and organisations are
/// worked out once per entity, not once per quote (a long document's main speaker has
/// hundreds of quotes and a group of hundreds of mentions).
pub fn quote_sources(doc: &Document) -> Vec<QuoteSource<'_>> {
    let index = Index::new(&doc.ann);
    let mut entities = Entities::default();
    doc.ann
        .quotes()
        .map(|quote| {
            let mention = index.speaker.get(quote.id.as_str()).and_then(|id| index.span(id));
            QuoteSource { quote, source: mention.map(|m| source(doc, &index, &mut entities, m)) }
        })
        .collect()
}

/// Lookups [`source`] needs, built once per document. Where the annotations hold several
/// candidates (two `Speaker` relations of one quote, a span id twice), the first in file
/// order wins, as a scan from the start would find it.
struct Index<'a> {
    spans: HashMap<&'a str, &'a SpanAnn>,
    /// Quote id → the Arg2 of its first `Speaker` relation.
    speaker: HashMap<&'a str, &'a str>,
    /// Role id → the Arg1 (person) of its first `HasRole` relation.
    holder: HashMap<&'a str, &'a str>,
    /// Person id → the Arg2s (roles) of its `HasRole` relations, in file order.
    roles_of: HashMap<&'a str, Vec<&'a str>>,
    /// Role id → the Arg2s (organisations) of its `RoleOrg` relations, in file order.
    orgs_of: HashMap<&'a str, Vec<&'a str>>,
    /// Span id → the index of the first `Equiv` group that lists it.
    group: HashMap<&'a str, usize>,
    equivs: &'a [Vec<String>],
}

/// An entity: an `Equiv` group (by index), or a span without one (by id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key<'a> {
    Group(usize),
    Alone(&'a str),
}

impl<'a> Index<'a> {
    fn new(ann: &'a Annotations) -> Index<'a> {
        let mut index = Index {
            spans: HashMap::with_capacity(ann.spans.len()),
            speaker: HashMap::new(),
            holder: HashMap::new(),
            roles_of: HashMap::new(),
            orgs_of: HashMap::new(),
            group: HashMap::new(),
            equivs: &ann.equivs,
        };
        for s in &ann.spans {
            index.spans.entry(s.id.as_str()).or_insert(s);
        }
        for r in &ann.relations {
            let (a1, a2) = (r.arg1.as_str(), r.arg2.as_str());
            match r.kind {
                RelKind::Speaker => {
                    index.speaker.entry(a1).or_insert(a2);
                }
                RelKind::HasRole => {
                    index.holder.entry(a2).or_insert(a1);
                    index.roles_of.entry(a1).or_default().push(a2);
                }
                RelKind::RoleOrg => index.orgs_of.entry(a1).or_default().push(a2),
            }
        }
        for (g, members) in ann.equivs.iter().enumerate() {
            for m in members {
                index.group.entry(m.as_str()).or_insert(g);
            }
        }
        index
    }

    fn span(&self, id: &str) -> Option<&'a SpanAnn> {
        self.spans.get(id).copied()
    }

    fn key(&self, span: &'a SpanAnn) -> Key<'a> {
        match self.group.get(span.id.as_str()) {
            Some(&g) => Key::Group(g),
            None => Key::Alone(span.id.as_str()),
        }
    }

    /// The spans of an entity: its group's (or the lone span's).
    fn members(&self, key: Key<'a>) -> Vec<&'a SpanAnn> {
        match key {
            Key::Group(g) => self.equivs[g].iter().filter_map(|id| self.span(id)).collect(),
            Key::Alone(id) => self.span(id).into_iter().collect(),
        }
    }
}

/// What [`source`] works out once per entity.
#[derive(Default)]
struct Entities<'a> {
    /// The name and label of an entity's longest named mention (see [`entity_name`]), its
    /// first id, and the ids of its roles (ROLE members, the HasRole roles of its PER
    /// members), in that order.
    about: HashMap<Key<'a>, (Option<(String, Label)>, String, Vec<&'a str>, HashSet<&'a str>)>,
    /// The distinct role texts and organisation names of an entity, with one more role
    /// (the speaking ROLE mention) when it is not among the entity's own.
    positions: HashMap<(Key<'a>, Option<&'a str>), (Vec<String>, Vec<String>)>,
}

impl<'a> Entities<'a> {
    fn about(&mut self, doc: &'a Document, index: &Index<'a>, key: Key<'a>) -> &(Option<(String, Label)>, String, Vec<&'a str>, HashSet<&'a str>) {
        self.about.entry(key).or_insert_with(|| {
            let group = index.members(key);
            let name = entity_name(doc, &group);
            let first = group.first().map(|s| s.id.clone()).unwrap_or_default();
            let mut role_ids: Vec<&str> = vec![];
            for member in &group {
                match member.label {
                    Label::ROLE => role_ids.push(&member.id),
                    Label::PER => role_ids.extend(index.roles_of.get(member.id.as_str()).into_iter().flatten().copied()),
                    _ => {}
                }
            }
            let set = role_ids.iter().copied().collect();
            (name, first, role_ids, set)
        })
    }

    /// The name of an organisation: the name of its entity, else its own text.
    fn org_name(&mut self, doc: &'a Document, index: &Index<'a>, org: &'a SpanAnn) -> String {
        let key = index.key(org);
        self.about(doc, index, key).0.as_ref().map(|(n, _)| n.clone()).unwrap_or_else(|| text_of(doc, org))
    }
}

fn source<'a>(doc: &'a Document, index: &Index<'a>, entities: &mut Entities<'a>, mention: &'a SpanAnn) -> Source<'a> {
    // A role that a named person holds stands for that person.
    let holder = (mention.label == Label::ROLE).then(|| index.holder.get(mention.id.as_str()).and_then(|id| index.span(id))).flatten();
    let anchor = holder.unwrap_or(mention);
    let key = index.key(anchor);
    let (named, first, _, own_roles) = entities.about(doc, index, key);
    let (name, label) = named.clone().unwrap_or_else(|| (text_of(doc, mention), mention.label));
    let entity = if first.is_empty() { anchor.id.clone() } else { first.clone() };
    let extra = (mention.label == Label::ROLE && !own_roles.contains(mention.id.as_str())).then_some(mention.id.as_str());

    let (roles, orgs) = match entities.positions.get(&(key, extra)) {
        Some(found) => found.clone(),
        None => {
            let mut role_ids: Vec<&str> = extra.into_iter().collect();
            role_ids.extend(entities.about(doc, index, key).2.iter().copied());
            let mut role_spans: Vec<&SpanAnn> = role_ids.iter().filter_map(|id| index.span(id)).collect();
            role_spans.sort_by_key(|s| (s.span.start, s.span.end));
            role_spans.dedup_by(|a, b| a.id == b.id);
            let roles = distinct(role_spans.iter().map(|s| text_of(doc, s)));
            let mut orgs = vec![];
            if label == Label::ORG {
                orgs.push(name.clone());
            }
            for role in &role_spans {
                for org_id in index.orgs_of.get(role.id.as_str()).into_iter().flatten() {
                    if let Some(org) = index.span(org_id) {
                        orgs.push(entities.org_name(doc, index, org));
                    }
                }
            }
            let found = (roles, distinct(orgs.into_iter()));
            entities.positions.insert((key, extra), found.clone());
            found
        }
    };
    Source { mention, name, label, entity, roles, orgs }
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
    doc.text.get(s.span).unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" ")
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
        assert_eq!(d.text.get(s.mention.span), Some("Adler"));
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
    fn a_role_speaking_for_its_holder_gets_the_holders_name_roles_and_organisations() {
        let mut d = doc();
        let q3 = d.ann.add_span(Label::QUOTE, Span::new(75, 81), None);
        d.ann.add_relation(RelKind::Speaker, &q3, "T2", None);
        let q = quote_sources(&d);
        let (by_name, by_role) = (q[0].source.as_ref().unwrap(), q[2].source.as_ref().unwrap());
        assert_eq!(d.text.get(by_role.mention.span), Some("chief executive"));
        assert_eq!((by_role.name.as_str(), &by_role.entity), ("John Adler", &by_name.entity));
        assert_eq!((&by_role.roles, &by_role.orgs), (&by_name.roles, &by_name.orgs));
    }

    #[test]
    fn many_quotes_of_one_large_group_all_get_its_source() {
        let mut text = String::new();
        let mut d = Document::new("d", "");
        let mut members = vec![];
        let mut speakers = vec![];
        for _ in 0..300 {
            let at = text.chars().count();
            text += "Adler said: “Yes.” ";
            speakers.push((Span::new(at, at + 5), Span::new(at + 12, at + 18)));
        }
        d.text = crate::document::Text::new(text);
        for (who, what) in speakers {
            let per = d.ann.add_span(Label::PER, who, None);
            let quote = d.ann.add_span(Label::QUOTE, what, None);
            d.ann.add_relation(RelKind::Speaker, &quote, &per, None);
            members.push(per);
        }
        d.ann.equivs.push(members.clone());
        let q = quote_sources(&d);
        assert_eq!(q.len(), 300);
        assert!(q.iter().all(|q| q.source.as_ref().is_some_and(|s| s.name == "Adler" && s.entity == members[0])));
    }

    #[test]
    fn a_quote_without_speaker_has_no_source() {
        let mut d = doc();
        d.ann.relations.retain(|r| r.kind != RelKind::Speaker);
        assert!(quote_sources(&d).iter().all(|q| q.source.is_none()));
    }
}
