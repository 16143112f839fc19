//! Speaker attribution: links every QUOTE to the mention of its source, as an ordered
//! list of sieves (the structure of Muzny et al. 2017, "A two-stage sieve approach for
//! quote attribution"). Each sieve is a small type behind [`Sieve`], in a file of its
//! own; [`SIEVES`] is their order. For each quote the sieves are asked in turn; the
//! first that decides (a speaker, or "no speaker") wins, and its name is recorded on the
//! Speaker relation (`source`) and in `X.json`, so a wrong attribution can be traced.
//!
//! | sieve | pattern |
//! |---|---|
//! | [`after_quote`] | `“…,” said X` · `“…,” X said` · `“…,” he added` · `“…,” said Sen. Ted Cruz` · `“…,” X told Y` |
//! | [`colon`] | `X: “…”` · `Howard Kurtz, Fox News: “…”` (a name, role or outlet line introducing the quote) |
//! | [`signature`] | `“…” — Winston Churchill` · a quote paragraph followed by `- Hillary Clinton.` |
//! | [`before_quote`] | `X said: “…”` · `X, ROLE of ORG, said: “…”` · `X told Y: “…”` · `Trump called it “…”` |
//! | [`according_to`] | `according to X, “…”` |
//! | [`next_sentence`] | `“We will win.” Smith said.` (the attribution as a sentence of its own after the quote) |
//! | [`same_sentence`] | a speech verb elsewhere in the quote's sentence (`Despite this “…,” the bill stood “…,” he added`) |
//! | [`previous_sentence`] | the sentence just before, in the same paragraph, attributes speech (`…, Mr. Straw said. “…”`) |
//! | [`headline`] | a quote in a headline: the nearest named mention before it in the headline, else the first person after |
//! | [`clause_subject`] | a fragment woven into a sentence about a person with no speech verb: that person's (`Santilli expressed a desire to “try …”`) |
//! | [`continuation`] | no attribution of its own: the previous quote's speaker, when that quote is in the same or the previous paragraph and no other person is named between |
//!
//! When no sieve decides, the quote has no speaker: there is no fallback to the last
//! named mention (precision over guessing).
//!
//! The subject of a speech verb is found by the [`subject`] helpers shared by the sieves;
//! pronouns, organisation nouns and roles are resolved by [`Scene`]. Definite roles that
//! speak (`the striker said`) were linked to their holder by [`crate::relations`] before
//! attribution runs.

mod according_to;
mod after_quote;
mod before_quote;
mod clause_subject;
mod colon;
mod continuation;
mod headline;
mod next_sentence;
mod previous_sentence;
mod same_sentence;
mod scene;
mod signature;
mod subject;

pub use scene::{QuoteCtx, Scene};
pub use subject::Subject;

use crate::annotation::{Annotations, Label, RelKind};
use crate::document::{Span, Text};
use crate::mentions::View;
use crate::stage::{Layer, Stage, StageDoc};
use std::collections::HashMap;

/// What a sieve says about one quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The speaker is this mention (index into the view's mentions). `direct`: the mention
    /// itself lies in the attribution, so it is written as Arg2 as it is (else the
    /// speaker's group member nearest before the quote is).
    Speaker { mention: usize, direct: bool },
    /// The quote has a source that is not annotatable (`critics say`): no speaker, and
    /// later sieves must not guess one.
    NoSpeaker,
    /// This sieve does not apply: ask the next.
    Undecided,
}

impl Decision {
    /// The first decision of several tried in turn (a speaker, or no speaker), else
    /// [`Decision::Undecided`]: `Decision::first(verbs.map(|v| …))`.
    pub fn first(tries: impl IntoIterator<Item = Decision>) -> Decision {
        tries.into_iter().find(|d| *d != Decision::Undecided).unwrap_or(Decision::Undecided)
    }
}

/// One step of attribution.
pub trait Sieve: Sync {
    /// Recorded on the Speaker relation it makes.
    fn name(&self) -> &'static str;
    fn decide(&self, scene: &Scene, quote: &QuoteCtx) -> Decision;
}

/// The sieves, in the order they are asked.
pub static SIEVES: &[&dyn Sieve] = &[
    &according_to::AccordingTo,
    &after_quote::AfterQuote,
    &colon::Colon,
    &signature::Signature,
    &before_quote::BeforeQuote,
    &next_sentence::NextSentence,
    &same_sentence::SameSentence,
    &previous_sentence::PreviousSentence,
    &headline::Headline,
    &clause_subject::ClauseSubject,
    &continuation::Continuation,
];

/// The attribution of one quote.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribution {
    pub quote: Span,
    /// Id of the speaker mention.
    pub speaker: String,
    pub sieve: &'static str,
}

/// Finds the speaker of every quote of the view (in the view's quote order).
pub fn attribute(view: &View, ann: &Annotations) -> Vec<Option<Attribution>> {
    let scene = Scene::new(view, ann);
    let partial: HashMap<(usize, usize), bool> = ann.quotes().map(|q| ((q.span.start, q.span.end), q.partial)).collect();
    let mut out: Vec<Option<Attribution>> = Vec::with_capacity(view.quotes.len());
    let mut previous: Option<(Span, usize)> = None;
    for (index, &span) in view.quotes.iter().enumerate() {
        let q = scene.quote(index, span, partial.get(&(span.start, span.end)).copied().unwrap_or(false), previous);
        let decided = SIEVES.iter().find_map(|s| match s.decide(&scene, &q) {
            Decision::Undecided => None,
            d => Some((d, s.name())),
        });
        let att = match decided {
            Some((Decision::Speaker { mention, direct }, sieve)) => {
                let m = scene.speaker_mention(mention, span, direct);
                previous = Some((span, m));
                Some(Attribution { quote: span, speaker: view.mentions[m].id.clone(), sieve })
            }
            _ => None,
        };
        out.push(att);
    }
    out
}

/// Attribution as a pipeline stage: the sieves' Speaker relations ([`attribute_speakers_in`]).
pub struct SpeakerAttribution;

impl Stage for SpeakerAttribution {
    fn name(&self) -> &'static str {
        "attribution"
    }
    fn reads(&self) -> &'static [Layer] {
        // Groups and roles: the scene resolves a speaker to its group and a speaking role
        // to its holder.
        &[Layer::Text, Layer::Entities, Layer::Quotes, Layer::Groups, Layer::Roles]
    }
    fn writes(&self) -> &'static [Layer] {
        &[Layer::Speakers]
    }
    fn run(&self, doc: &mut StageDoc<'_>) {
        let (view, ann) = doc.view();
        attribute_speakers_in(view, ann);
    }
}

/// Adds Speaker relations (replacing any made before) for the document's quotes.
pub fn attribute_speakers(text: &Text, ann: &mut Annotations) {
    attribute_speakers_in(&View::new(text, ann), ann);
}

/// [`attribute_speakers`] on a view of the same text, mentions and quotes that the caller already built.
pub fn attribute_speakers_in(view: &View, ann: &mut Annotations) {
    ann.relations.retain(|r| r.kind != RelKind::Speaker);
    let found = attribute(view, ann);
    let quote_ids: HashMap<(usize, usize), String> =
        ann.quotes().map(|q| ((q.span.start, q.span.end), q.id.clone())).collect();
    for a in found.into_iter().flatten() {
        if let Some(qid) = quote_ids.get(&(a.quote.start, a.quote.end)) {
            let qid = qid.clone();
            ann.add_relation(RelKind::Speaker, &qid, &a.speaker, Some(a.sieve));
        }
    }
}

/// Does a role say its holder is a woman (`spokeswoman`, `actress`)?
pub(crate) fn role_is_female(text: &str) -> bool {
    scene::role_gender(text) == Some(scene::Gender::Female)
}

/// Is a label one a speaker can have?
fn speaker_label(l: Label) -> bool {
    matches!(l, Label::PER | Label::ORG | Label::ROLE)
}

#[cfg(test)]
pub(crate) mod testing {
    //! Sentences with marked mentions, run through quotes, coreference, relations and
    //! attribution, for the sieves' tests.
    use super::*;
    use crate::quotes::find_quotes;

    /// Builds a document from text with mentions marked `[PER John Adler]`, finds its
    /// quotes, links coreference and roles, and returns (quote text, speaker text, sieve).
    pub fn run(marked: &str) -> Vec<(String, String, String)> {
        let mut text = String::new();
        let mut spans = vec![];
        let mut rest = marked;
        while let Some(open) = rest.find('[') {
            text.push_str(&rest[..open]);
            let close = rest[open..].find(']').expect("closing bracket") + open;
            let inner = &rest[open + 1..close];
            let (label, name) = inner.split_once(' ').expect("label and text");
            let start = text.chars().count();
            text.push_str(name);
            spans.push((label.parse::<Label>().expect("label"), Span::new(start, text.chars().count())));
            rest = &rest[close + 1..];
        }
        text.push_str(rest);
        let t = Text::new(text);
        let mut ann = Annotations::default();
        for (l, s) in spans {
            ann.add_span(l, s, None);
        }
        let quotes = find_quotes(&t);
        ann.add_spans(quotes.into_iter().map(|q| crate::annotation::NewSpan { label: Label::QUOTE, span: q.span, score: None, partial: q.partial }));
        ann.sort_spans();
        crate::coref::group_mentions(&t, &mut ann);
        crate::relations::link_roles(&t, &mut ann);
        attribute_speakers(&t, &mut ann);
        let mut out = vec![];
        for q in ann.quotes() {
            let (sp, sieve) = match ann.relations_of(RelKind::Speaker).find(|r| r.arg1 == q.id) {
                Some(r) => (
                    ann.span(&r.arg2).map(|s| t.get(s.span).unwrap().to_string()).unwrap_or_default(),
                    r.source.clone().unwrap_or_default(),
                ),
                None => (String::new(), String::new()),
            };
            out.push((t.get(q.span).unwrap().to_string(), sp, sieve));
        }
        out
    }

    pub fn speakers(marked: &str) -> Vec<String> {
        run(marked).into_iter().map(|(_, s, _)| s).collect()
    }

    pub fn sieves(marked: &str) -> Vec<String> {
        run(marked).into_iter().map(|(_, _, s)| s).collect()
    }
}
