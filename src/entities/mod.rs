//! Entity rules after the tagger, before the stages that read entities (quotes,
//! coreference, relations, speakers). Each fixes a class of tagger output the guidelines
//! define otherwise, over the whole document's spans:
//!
//! | rule | before | after |
//! |---|---|---|
//! | [`defined_acronyms`] | ORG `HDTV` after `high-definition (HDTV)` | no span |
//! | [`parties`] | MISC `Republicans`, ROLE `Tory leader` | ORG `Republicans`; ORG `Tory` + ROLE `leader` |
//! | [`abbreviated_titles`] | PER `Sen` in `Sen. Ted Cruz`, untagged `Gov.`, ROLE `Rep` | ROLE `Sen.`, ROLE `Gov.`, ROLE `Rep.` |
//! | [`speaking_seats`] | LOC `White House` in `the White House said`, `a Kremlin spokesman` | ORG |
//! | [`middle_initials`] | PER `Donald J` + PER `Trump` | PER `Donald J. Trump` |
//! | [`name_fragments`] | ORG `Lib` + MISC `Dem`; ORG `Democratic` + ORG `National Committee`; ORG `BBC Radio` + MISC `4` | one ORG each |
//! | [`role_spans`] | MISC `German` + ROLE `Chancellor`; ORG `Commerce` + `and` + ROLE `Industry Minister`; ROLE `Minister` + `for` + ORG `Children`; ROLE `chief` + LOC `UK` + `economist` | one ROLE each |
//! | [`name_cues`] | LOC `Israel` in `Mr Israel`; PER `Merck` with `shares in Merck`; ORG `Welsh Assembly` + `Government` | PER; ORG at every mention; one ORG |
//! | [`one_type_per_name`] | `Merck` PER here, ORG there (3 ORG, 1 PER) | `Merck` ORG everywhere |
//! | [`repeated_surnames`] | `Roger Stone` … untagged `Continued Stone:` | PER `Stone` |
//!
//! Each rule is one file of this folder, with its tests; this file runs them in order and
//! holds the helpers they share.
//!
//! Reads: the text and the entity spans. Writes: entity labels and offsets (a span may be
//! split, merged or added); quotes, relations and groups are made after it.

use crate::annotation::{Annotations, Label};
use crate::document::{Span, Text};
use crate::lexicon;
use crate::stage::{Layer, Stage, StageDoc};

mod defined_acronyms;
mod parties;
mod abbreviated_titles;
mod speaking_seats;
mod middle_initials;
mod name_fragments;
mod role_spans;
mod name_cues;
mod one_type_per_name;
mod repeated_surnames;

pub use defined_acronyms::defined_acronyms;
pub use parties::parties;
pub use abbreviated_titles::abbreviated_titles;
pub use speaking_seats::speaking_seats;
pub use middle_initials::middle_initials;
pub use name_fragments::name_fragments;
pub use role_spans::role_spans;
pub use name_cues::name_cues;
pub use one_type_per_name::one_type_per_name;
pub use repeated_surnames::repeated_surnames;

/// Runs every entity rule, in the order of the module's table.
pub fn normalise(text: &Text, ann: &mut Annotations) {
    defined_acronyms(text, ann);
    parties(text, ann);
    abbreviated_titles(text, ann);
    speaking_seats(text, ann);
    middle_initials(text, ann);
    name_fragments(text, ann);
    role_spans(text, ann);
    name_cues(text, ann);
    one_type_per_name(text, ann);
    repeated_surnames(text, ann);
    ann.sort_spans();
}

/// The entity rules as a pipeline stage ([`normalise`]).
pub struct EntityRules;

impl Stage for EntityRules {
    fn name(&self) -> &'static str {
        "entities"
    }
    fn reads(&self) -> &'static [Layer] {
        &[Layer::Text, Layer::Entities]
    }
    fn writes(&self) -> &'static [Layer] {
        &[Layer::Entities]
    }
    fn run(&self, doc: &mut StageDoc<'_>) {
        normalise(doc.text, doc.ann);
    }
}

/// The entity spans by start (index into `ann.spans`), for [`covering`].
fn entity_index(ann: &Annotations) -> Vec<(Span, usize)> {
    let mut v: Vec<(Span, usize)> = ann.spans.iter().enumerate().filter(|(_, s)| s.label.is_entity()).map(|(i, s)| (s.span, i)).collect();
    v.sort_by_key(|(sp, _)| (sp.start, std::cmp::Reverse(sp.end)));
    v
}

/// The entity span (index into `ann.spans`) that covers `[a, b)`, if any: a binary search,
/// then the few spans that start before `a` (entity spans seldom nest).
fn covering(index: &[(Span, usize)], a: usize, b: usize) -> Option<usize> {
    let k = index.partition_point(|(sp, _)| sp.start <= a);
    index[..k].iter().rev().take(4).find(|(sp, _)| sp.start <= a && b <= sp.end).map(|(_, i)| *i)
}

/// The labels a name may change between (ROLE is a different kind of span).
fn is_name_label(l: Label) -> bool {
    matches!(l, Label::PER | Label::ORG | Label::LOC | Label::MISC)
}

/// Is there an abbreviation's period at `pos`, followed by a space and a capital (`Sen.
/// Ted`)?
fn period_before_name(text: &Text, pos: usize) -> bool {
    text.char_at(pos) == Some('.')
        && text.char_at(pos + 1).is_some_and(|c| c == ' ')
        && text.char_at(pos + 2).is_some_and(char::is_uppercase)
}

/// The lower-cased words right after and right before a char position, outside any
/// span: (after, before), at most `n` each.
fn words_around(text: &Text, start: usize, end: usize, n: usize) -> (Vec<String>, Vec<String>) {
    let len = text.len_chars();
    // Clamped to the text, so the span is always in it.
    let split = |a: usize, b: usize| -> Vec<String> {
        text.get(Span::new(a.min(len), b.min(len)))
            .unwrap_or_default()
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | ';' | ':' | '"' | '“' | '”'))
            .filter(|w| !w.is_empty())
            .map(lexicon::norm)
            .collect()
    };
    let after = split(end, end + 60).into_iter().take(n).collect();
    let mut before = split(start.saturating_sub(60), start);
    let before = before.split_off(before.len().saturating_sub(n));
    (after, before)
}

/// Up to `n` characters of the text from `from` on.
fn text_after(text: &Text, from: usize, n: usize) -> &str {
    let len = text.len_chars();
    // Clamped to the text, so the span is always in it.
    text.get(Span::new(from.min(len), (from + n).min(len))).unwrap_or_default()
}

/// Where the run of letters that ends at `end` starts (`end` itself when none does).
fn word_start(text: &Text, end: usize) -> usize {
    let mut start = end;
    while start > 0 && text.char_at(start - 1).is_some_and(char::is_alphabetic) {
        start -= 1;
    }
    start
}

/// The score of a span joined from two: the lower, or the one there is.
fn joined_score(a: Option<f32>, b: Option<f32>) -> Option<f32> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

/// Is the word an organisation head noun (`Council`, `trusts`)?
fn has_org_head(w: &str) -> bool {
    let w = w.to_lowercase();
    lexicon::ORG_HEAD_NOUNS.contains(w.as_str()) || w.strip_suffix('s').is_some_and(|w| lexicon::ORG_HEAD_NOUNS.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;


    pub(super) fn run(text: &str, spans: &[(Label, &str)]) -> Vec<(String, String)> {
        let t = Text::new(text.to_string());
        let mut ann = Annotations::default();
        let mut from = 0;
        for (l, s) in spans {
            let byte = text[from..].find(s).expect("span text") + from;
            let start = text[..byte].chars().count();
            ann.add_span(*l, Span::new(start, start + s.chars().count()), Some(0.9));
            from = byte + s.len();
        }
        normalise(&t, &mut ann);
        ann.spans.iter().map(|s| (s.label.to_string(), t.get(s.span).unwrap().to_string())).collect()
    }

    pub(super) fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }
}
