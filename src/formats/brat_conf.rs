//! The brat export: `X.txt` + `X.ann` pairs under one folder with the `annotation.conf`
//! and `visual.conf` that declare the guidelines' scheme, so the folder opens in brat (and
//! imports into INCEpTION) without edits.
//!
//! `annotation.conf` declares the entity types ([`Label`]), the relations with their
//! argument types ([`RelKind::allowed_args`]), `Equiv` as a symmetric-transitive relation,
//! the `Partial` attribute on QUOTE, and entities nested inside quotes as the one allowed
//! overlap. [`AnnotationConf`] reads such a file back and lists what a document uses that
//! the file does not declare.

use super::review::{label_colour, relation_colour, write_brat, Written, EQUIV, PARTIAL};
use super::write_atomic;
use crate::annotation::{Annotations, Label, RelKind};
use crate::document::Document;
use crate::error::{Error, Result};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::Path;

/// The entity types that can be in an `Equiv` group or inside a quote.
const ENTITY_TYPES: [Label; 5] = Label::ENTITIES;

fn alternatives(labels: &[Label]) -> String {
    labels.iter().map(|l| l.as_str()).collect::<Vec<_>>().join("|")
}

/// `annotation.conf` for the guidelines' scheme.
pub fn annotation_conf() -> String {
    let mut out = String::from(
        "# whosaid annotation scheme (ANNOTATION_GUIDELINES.md), written by `whosaid export --format brat`.\n\n[entities]\n",
    );
    for label in ENTITY_TYPES.iter().chain([Label::QUOTE].iter()) {
        let _ = writeln!(out, "{label}");
    }
    out.push_str("\n[relations]\n");
    for kind in RelKind::ALL {
        let (a1, a2) = kind.allowed_args();
        let _ = writeln!(out, "{kind}\tArg1:{}, Arg2:{}", alternatives(a1), alternatives(a2));
    }
    let any = alternatives(&ENTITY_TYPES);
    let _ = writeln!(out, "{EQUIV}\tArg1:{any}, Arg2:{any}, <REL-TYPE>:symmetric-transitive");
    out.push_str("# Entities may lie inside a quotation; no other overlap is allowed.\n");
    let _ = writeln!(out, "<OVERLAP>\tArg1:{any}, Arg2:QUOTE, <OVL-TYPE>:contain");
    out.push_str("\n[events]\n\n[attributes]\n");
    let _ = writeln!(out, "{PARTIAL}\tArg:QUOTE");
    out
}

/// `visual.conf`: label names and the colours used by every whosaid export.
pub fn visual_conf() -> String {
    let mut out = String::from("[labels]\n");
    for (label, long) in [
        (Label::PER, "Person"),
        (Label::ORG, "Organisation"),
        (Label::ROLE, "Role"),
        (Label::LOC, "Location"),
        (Label::MISC, "Miscellaneous"),
        (Label::QUOTE, "Quotation"),
    ] {
        let _ = writeln!(out, "{label} | {long} | {label}");
    }
    for (kind, long) in [(RelKind::Speaker, "Speaker"), (RelKind::HasRole, "Has role"), (RelKind::RoleOrg, "Role at")] {
        let _ = writeln!(out, "{kind} | {long}");
    }
    let _ = writeln!(out, "{EQUIV} | Same entity | Equiv");
    let _ = writeln!(out, "{PARTIAL} | Partial quote | Partial");
    out.push_str("\n[drawing]\nSPAN_DEFAULT\tfgColor:black, bgColor:lightgreen, borderColor:darken\n");
    out.push_str("ARC_DEFAULT\tcolor:black, arrowHead:triangle-5\n");
    for label in ENTITY_TYPES.iter().chain([Label::QUOTE].iter()) {
        let _ = writeln!(out, "{label}\tbgColor:{}, borderColor:darken", label_colour(*label));
    }
    for kind in RelKind::ALL {
        let _ = writeln!(out, "{kind}\tcolor:{}, arrowHead:triangle-5", relation_colour(kind));
    }
    let _ = writeln!(out, "{EQUIV}\tcolor:#7f7f7f, dashArray:3-3, arrowHead:none");
    let _ = writeln!(out, "{PARTIAL}\tdashArray:3-3, glyph:<NONE>");
    out
}

/// Writes every document as `OUT/<id>.txt` + `OUT/<id>.ann`, then `annotation.conf` and
/// `visual.conf` in `OUT` (brat reads them for the folder and every folder below). A
/// document that cannot be written (an id that is no file name here) fails it, after
/// the others and the configs are written; [`write_corpus_each`] goes on instead.
pub fn write_corpus(docs: &[Document], out: &Path) -> Result<Written> {
    let (written, mut failed) = write_corpus_each(docs, out)?;
    match failed.is_empty() {
        true => Ok(written),
        false => Err(failed.remove(0)),
    }
}

/// [`write_corpus`], with each document that cannot be written returned as an error and
/// the rest written; an `Err` is a config that could not be written.
pub fn write_corpus_each(docs: &[Document], out: &Path) -> Result<(Written, Vec<Error>)> {
    let mut written = Written::default();
    let mut failed = vec![];
    for doc in docs {
        match write_brat(doc, out) {
            Ok(files) => written.files.extend(files),
            Err(e) => failed.push(e),
        }
    }
    for (name, text) in [("annotation.conf", annotation_conf()), ("visual.conf", visual_conf())] {
        let path = out.join(name);
        write_atomic(&path, text.as_bytes())?;
        written.files.push(path);
    }
    Ok((written, failed))
}

/// What an `annotation.conf` declares (the parts whosaid uses).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnnotationConf {
    pub entities: BTreeSet<String>,
    /// Relation name → allowed (Arg1 types, Arg2 types); a name may be declared twice.
    pub relations: BTreeMap<String, Vec<(BTreeSet<String>, BTreeSet<String>)>>,
    /// Attribute name → the types it applies to.
    pub attributes: BTreeMap<String, BTreeSet<String>>,
    /// Allowed overlaps: (contained type, containing type).
    pub contain: BTreeSet<(String, String)>,
}

impl AnnotationConf {
    /// Reads the `[entities]`, `[relations]` and `[attributes]` sections (comments, blank
    /// lines and `[events]` are skipped; `<ENTITY>` stands for every declared entity).
    pub fn parse(source: &str) -> AnnotationConf {
        let mut conf = AnnotationConf::default();
        let mut section = "";
        let mut relation_lines = vec![];
        for line in source.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line.starts_with('[') && line.ends_with(']') {
                section = match line {
                    "[entities]" => "entities",
                    "[relations]" => "relations",
                    "[attributes]" => "attributes",
                    _ => "other",
                };
                continue;
            }
            let (name, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            match section {
                "entities" => {
                    conf.entities.insert(name.trim_start_matches('!').to_string());
                }
                "relations" => relation_lines.push((name.to_string(), args(rest))),
                "attributes" => {
                    let targets = args(rest).remove("Arg").unwrap_or_default();
                    conf.attributes.insert(name.to_string(), targets);
                }
                _ => {}
            }
        }
        let expand = |types: BTreeSet<String>| -> BTreeSet<String> {
            if types.contains("<ENTITY>") {
                conf.entities.clone()
            } else {
                types
            }
        };
        for (name, mut a) in relation_lines {
            let a1 = expand(a.remove("Arg1").unwrap_or_default());
            let a2 = expand(a.remove("Arg2").unwrap_or_default());
            if name == "<OVERLAP>" {
                if a.get("<OVL-TYPE>").is_some_and(|t| t.contains("contain") || t.contains("<ANY>")) {
                    for inner in &a1 {
                        for outer in &a2 {
                            conf.contain.insert((inner.clone(), outer.clone()));
                        }
                    }
                }
            } else {
                conf.relations.entry(name).or_default().push((a1, a2));
            }
        }
        conf
    }

    fn allows(&self, relation: &str, arg1: Label, arg2: Label) -> bool {
        self.allows_types(relation, arg1.as_str(), arg2.as_str())
    }

    /// Is `relation` declared from type `arg1` to type `arg2` (types by name)?
    pub fn allows_types(&self, relation: &str, arg1: &str, arg2: &str) -> bool {
        self.relations
            .get(relation)
            .is_some_and(|alts| alts.iter().any(|(a1, a2)| a1.contains(arg1) && a2.contains(arg2)))
    }

    /// Everything in `ann` that this configuration does not declare, one line each:
    /// span types, relations and their argument types, `Equiv` members, the `Partial`
    /// attribute, and overlaps other than one span inside another of an allowed pair.
    pub fn undeclared(&self, ann: &Annotations) -> Vec<String> {
        let mut out = vec![];
        let labels: HashMap<&str, Label> = ann.spans.iter().map(|s| (s.id.as_str(), s.label)).collect();
        for s in &ann.spans {
            if !self.entities.contains(s.label.as_str()) {
                out.push(format!("{}: type {} is not declared", s.id, s.label));
            }
            if s.partial && !self.attributes.get(PARTIAL).is_some_and(|t| t.contains(s.label.as_str())) {
                out.push(format!("{}: attribute {PARTIAL} on {} is not declared", s.id, s.label));
            }
        }
        for r in &ann.relations {
            if let (Some(&a1), Some(&a2)) = (labels.get(r.arg1.as_str()), labels.get(r.arg2.as_str())) {
                if !self.allows(r.kind.as_str(), a1, a2) {
                    out.push(format!("{}: {} from {a1} to {a2} is not declared", r.id, r.kind));
                }
            }
        }
        for group in &ann.equivs {
            for pair in group.windows(2) {
                if let (Some(&a1), Some(&a2)) = (labels.get(pair[0].as_str()), labels.get(pair[1].as_str())) {
                    if !self.allows(EQUIV, a1, a2) {
                        out.push(format!("{EQUIV} {} {}: between {a1} and {a2} is not declared", pair[0], pair[1]));
                    }
                }
            }
        }
        for (i, a) in ann.spans.iter().enumerate() {
            for b in &ann.spans[i + 1..] {
                if !a.span.overlaps(&b.span) {
                    continue;
                }
                let allowed = |inner: &crate::annotation::SpanAnn, outer: &crate::annotation::SpanAnn| {
                    outer.span.contains(&inner.span)
                        && self.contain.contains(&(inner.label.to_string(), outer.label.to_string()))
                };
                if !allowed(a, b) && !allowed(b, a) {
                    out.push(format!("{} ({}) and {} ({}) overlap, which is not declared", a.id, a.label, b.id, b.label));
                }
            }
        }
        out
    }
}

/// `Arg1:PER|ORG, Arg2:ROLE, <REL-TYPE>:x` → role → types.
fn args(rest: &str) -> BTreeMap<String, BTreeSet<String>> {
    rest.split(',')
        .filter_map(|part| {
            let (role, types) = part.trim().split_once(':')?;
            Some((role.trim().to_string(), types.split('|').map(|t| t.trim().to_string()).collect()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_conf_parses_back_with_every_label_and_relation() {
        let conf = AnnotationConf::parse(&annotation_conf());
        for label in ["PER", "ORG", "ROLE", "LOC", "MISC", "QUOTE"] {
            assert!(conf.entities.contains(label), "{label}");
        }
        assert!(conf.allows("Speaker", Label::QUOTE, Label::ROLE));
        assert!(!conf.allows("Speaker", Label::PER, Label::QUOTE));
        assert!(conf.allows("RoleOrg", Label::ROLE, Label::ORG));
        assert!(conf.allows(EQUIV, Label::PER, Label::ROLE));
        assert!(conf.attributes[PARTIAL].contains("QUOTE"));
        assert!(conf.contain.contains(&("PER".to_string(), "QUOTE".to_string())));
    }

    #[test]
    fn a_conf_without_a_relation_reports_its_use() {
        let conf = AnnotationConf::parse("[entities]\nPER\nROLE\n[relations]\n");
        let mut ann = Annotations::default();
        let p = ann.add_span(Label::PER, crate::document::Span::new(0, 4), None);
        let r = ann.add_span(Label::ROLE, crate::document::Span::new(5, 9), None);
        ann.add_relation(RelKind::HasRole, &p, &r, None);
        assert_eq!(conf.undeclared(&ann), ["R1: HasRole from PER to ROLE is not declared"]);
    }
}
