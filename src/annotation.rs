//! The annotation model shared by every stage and every file format: typed spans
//! (entities and quotes), relations, equivalence (coreference) groups and notes.
//! It mirrors the guidelines' brat dialect, so brat I/O is a direct mapping and every
//! other format (JSON, Label Studio, doccano, CoNLL, CSV, HTML) maps from here.
//!
//! All offsets are character offsets (see [`crate::document`]).

use crate::document::Span;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

/// The label of a text-bound annotation (brat `T` line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Label {
    PER,
    ORG,
    ROLE,
    LOC,
    MISC,
    QUOTE,
}

impl Label {
    pub const ENTITIES: [Label; 5] = [Label::PER, Label::ORG, Label::ROLE, Label::LOC, Label::MISC];
    pub fn as_str(self) -> &'static str {
        match self {
            Label::PER => "PER",
            Label::ORG => "ORG",
            Label::ROLE => "ROLE",
            Label::LOC => "LOC",
            Label::MISC => "MISC",
            Label::QUOTE => "QUOTE",
        }
    }
    pub fn is_entity(self) -> bool {
        self != Label::QUOTE
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Label {
    type Err = String;
    fn from_str(s: &str) -> Result<Label, String> {
        Ok(match s {
            "PER" => Label::PER,
            "ORG" => Label::ORG,
            "ROLE" => Label::ROLE,
            "LOC" => Label::LOC,
            "MISC" => Label::MISC,
            "QUOTE" => Label::QUOTE,
            other => return Err(format!("unknown type '{other}' (expected PER, ORG, ROLE, LOC, MISC or QUOTE)")),
        })
    }
}

/// A relation type (brat `R` line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RelKind {
    /// QUOTE → PER | ORG | ROLE: the source of the quotation.
    Speaker,
    /// PER → ROLE: the person holds that position.
    HasRole,
    /// ROLE → ORG: the position is at that organisation.
    RoleOrg,
}

impl RelKind {
    pub const ALL: [RelKind; 3] = [RelKind::Speaker, RelKind::HasRole, RelKind::RoleOrg];
    pub fn as_str(self) -> &'static str {
        match self {
            RelKind::Speaker => "Speaker",
            RelKind::HasRole => "HasRole",
            RelKind::RoleOrg => "RoleOrg",
        }
    }
    /// The labels each argument may have, per the guidelines.
    pub fn allowed_args(self) -> (&'static [Label], &'static [Label]) {
        match self {
            RelKind::Speaker => (&[Label::QUOTE], &[Label::PER, Label::ORG, Label::ROLE]),
            RelKind::HasRole => (&[Label::PER], &[Label::ROLE]),
            RelKind::RoleOrg => (&[Label::ROLE], &[Label::ORG]),
        }
    }
}

impl fmt::Display for RelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RelKind {
    type Err = String;
    fn from_str(s: &str) -> Result<RelKind, String> {
        Ok(match s {
            "Speaker" => RelKind::Speaker,
            "HasRole" => RelKind::HasRole,
            "RoleOrg" => RelKind::RoleOrg,
            other => return Err(format!("unknown relation '{other}' (expected Speaker, HasRole or RoleOrg)")),
        })
    }
}

/// A text-bound annotation: an entity mention or a quotation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpanAnn {
    /// brat id, e.g. `T7`.
    pub id: String,
    pub label: Label,
    pub span: Span,
    /// Model confidence, when a model made it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
    /// brat attribute `Partial` (quotes only): a fragment quoted inside reported speech.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
}

/// A span annotation before it has an id: what a stage adds with
/// [`Annotations::add_spans`], which numbers it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NewSpan {
    pub label: Label,
    pub span: Span,
    pub score: Option<f32>,
    pub partial: bool,
}

/// A binary relation between two span annotations, by id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Relation {
    /// brat id, e.g. `R2`.
    pub id: String,
    pub kind: RelKind,
    pub arg1: String,
    pub arg2: String,
    /// Which rule made it (e.g. the attribution sieve), when the tool did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// A brat note line (`#1	AnnotatorNotes T9	text`), kept as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    pub id: String,
    pub kind: String,
    pub target: String,
    pub text: String,
}

/// All annotation layers of one document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Annotations {
    pub spans: Vec<SpanAnn>,
    pub relations: Vec<Relation>,
    /// Coreference groups (brat `*	Equiv`), each a list of span ids.
    pub equivs: Vec<Vec<String>>,
    pub notes: Vec<Note>,
}

/// Ids: every `T` and `R` id whosaid makes is numbered here, from the next free number
/// ([`next_free`]); ids read from a file are kept as written.
impl Annotations {
    /// Adds a span annotation with the next free `T` id and returns that id.
    pub fn add_span(&mut self, label: Label, span: Span, score: Option<f32>) -> String {
        self.add_spans([NewSpan { label, span, score, partial: false }]);
        self.spans.last().map(|s| s.id.clone()).unwrap_or_default()
    }

    /// Adds span annotations in order, numbered on from the next free `T` id (counted once:
    /// a stage may add thousands).
    pub fn add_spans(&mut self, spans: impl IntoIterator<Item = NewSpan>) {
        let first = next_free(self.spans.iter().map(|s| s.id.as_str()), 'T');
        for (n, s) in (first..).zip(spans) {
            self.spans.push(SpanAnn { id: format!("T{n}"), label: s.label, span: s.span, score: s.score, partial: s.partial });
        }
    }

    /// Adds a relation with the next free `R` id and returns that id.
    pub fn add_relation(&mut self, kind: RelKind, arg1: &str, arg2: &str, source: Option<&str>) -> String {
        let id = format!("R{}", next_free(self.relations.iter().map(|r| r.id.as_str()), 'R'));
        self.relations.push(Relation {
            id: id.clone(),
            kind,
            arg1: arg1.to_string(),
            arg2: arg2.to_string(),
            source: source.map(str::to_string),
        });
        id
    }

    pub fn span(&self, id: &str) -> Option<&SpanAnn> {
        self.spans.iter().find(|s| s.id == id)
    }

    pub fn span_index(&self) -> HashMap<&str, &SpanAnn> {
        self.spans.iter().map(|s| (s.id.as_str(), s)).collect()
    }

    pub fn entities(&self) -> impl Iterator<Item = &SpanAnn> {
        self.spans.iter().filter(|s| s.label.is_entity())
    }

    pub fn quotes(&self) -> impl Iterator<Item = &SpanAnn> {
        self.spans.iter().filter(|s| s.label == Label::QUOTE)
    }

    pub fn relations_of(&self, kind: RelKind) -> impl Iterator<Item = &Relation> {
        self.relations.iter().filter(move |r| r.kind == kind)
    }

    /// The Speaker relation's Arg2 for a quote id, if any.
    pub fn speaker_of(&self, quote_id: &str) -> Option<&str> {
        self.relations_of(RelKind::Speaker).find(|r| r.arg1 == quote_id).map(|r| r.arg2.as_str())
    }

    /// The coreference group containing a span id (a one-element group if none).
    pub fn group_of<'a>(&'a self, id: &'a str) -> Vec<&'a str> {
        self.equivs
            .iter()
            .find(|g| g.iter().any(|m| m == id))
            .map(|g| g.iter().map(String::as_str).collect())
            .unwrap_or_else(|| vec![id])
    }

    /// Sorts spans by position (then label), keeping ids; useful before writing.
    pub fn sort_spans(&mut self) {
        self.spans.sort_by(|a, b| (a.span.start, a.span.end, a.label).cmp(&(b.span.start, b.span.end, b.label)));
    }
}

/// The next free number after the highest `PREFIX<n>` id (1 when there is none): how every
/// id is numbered, by [`Annotations`] and by the importers that number regions of their own.
pub fn next_free<'a>(ids: impl Iterator<Item = &'a str>, prefix: char) -> usize {
    ids.filter_map(|id| id.strip_prefix(prefix)?.parse::<usize>().ok()).max().unwrap_or(0) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_follow_the_highest_existing_number() {
        let mut a = Annotations::default();
        let t1 = a.add_span(Label::PER, Span::new(0, 4), None);
        a.spans[0].id = "T9".into();
        let t2 = a.add_span(Label::ORG, Span::new(5, 8), None);
        assert_eq!(t1, "T1");
        assert_eq!(t2, "T10");
    }

    #[test]
    fn spans_added_together_are_numbered_in_order_after_the_highest_id() {
        let mut a = Annotations::default();
        a.add_span(Label::PER, Span::new(0, 4), None);
        a.spans[0].id = "T7".into();
        let q = |start| NewSpan { label: Label::QUOTE, span: Span::new(start, start + 2), score: None, partial: start == 10 };
        a.add_spans([q(10), q(20)]);
        let ids: Vec<(&str, bool)> = a.spans.iter().map(|s| (s.id.as_str(), s.partial)).collect();
        assert_eq!(ids, vec![("T7", false), ("T8", true), ("T9", false)]);
        assert_eq!(next_free(["T3", "R9", "Tx", "T10"].into_iter(), 'T'), 11);
        assert_eq!(next_free(std::iter::empty(), 'R'), 1);
    }

    #[test]
    fn group_of_a_mention_without_equiv_is_itself() {
        let mut a = Annotations::default();
        a.equivs.push(vec!["T1".into(), "T3".into()]);
        assert_eq!(a.group_of("T3"), vec!["T1", "T3"]);
        assert_eq!(a.group_of("T2"), vec!["T2"]);
    }

    #[test]
    fn labels_and_relations_parse_from_their_brat_names() {
        assert_eq!("ROLE".parse::<Label>(), Ok(Label::ROLE));
        assert!("Person".parse::<Label>().is_err());
        assert_eq!("RoleOrg".parse::<RelKind>(), Ok(RelKind::RoleOrg));
    }
}
