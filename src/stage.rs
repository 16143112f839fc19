//! The contract of a rule stage (after spaCy's `Pipe`): a name, the annotation layers it
//! reads and the ones it writes, and one way to call it. [`crate::pipeline`] lists the
//! stages in order ([`crate::pipeline::RULE_STAGES`]) and runs them through
//! [`StageDoc::run`].
//!
//! The declarations are used, not only read: a layer that a stage writes without reading
//! is made from scratch, so the pipeline clears it before the first stage
//! ([`Layer::clear`]); and the view of mentions and quotes that several stages share
//! ([`StageDoc::view`]) is built once and built again only after a stage that writes
//! entities or quotes. A test in the pipeline checks that every layer a stage reads is made
//! before it.

use crate::annotation::{Annotations, Label, RelKind};
use crate::document::Text;
use crate::mentions::View;

/// A layer of a document that a stage reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layer {
    /// The text and its index (characters, paragraphs, sentences, words): read only.
    Text,
    /// Entity spans (PER, ORG, ROLE, LOC, MISC), with their scores.
    Entities,
    /// QUOTE spans with their `Partial` attribute.
    Quotes,
    /// Coreference (brat `Equiv`) groups.
    Groups,
    /// HasRole and RoleOrg relations.
    Roles,
    /// Speaker relations.
    Speakers,
}

impl Layer {
    /// Removes the layer from the annotations (the text and the entities are never made
    /// from scratch by a rule stage: nothing to clear).
    pub fn clear(self, ann: &mut Annotations) {
        match self {
            Layer::Text | Layer::Entities => {}
            Layer::Quotes => ann.spans.retain(|s| s.label != Label::QUOTE),
            Layer::Groups => ann.equivs.clear(),
            Layer::Roles => ann.relations.retain(|r| !matches!(r.kind, RelKind::HasRole | RelKind::RoleOrg)),
            Layer::Speakers => ann.relations.retain(|r| r.kind != RelKind::Speaker),
        }
    }
}

/// A rule stage: reads some layers of one document and writes others.
pub trait Stage: Sync {
    /// A short name (the module that holds the stage).
    fn name(&self) -> &'static str;
    /// The layers it reads.
    fn reads(&self) -> &'static [Layer];
    /// The layers it writes (a layer it also reads is changed in place, else made anew).
    fn writes(&self) -> &'static [Layer];
    /// Runs it over one document.
    fn run(&self, doc: &mut StageDoc<'_>);
}

/// One document as the stages see it: its text, its annotations, and the view of both
/// that the stages reading mentions and quotes share.
pub struct StageDoc<'t> {
    pub text: &'t Text,
    pub ann: &'t mut Annotations,
    view: Option<View<'t>>,
}

impl<'t> StageDoc<'t> {
    pub fn new(text: &'t Text, ann: &'t mut Annotations) -> StageDoc<'t> {
        StageDoc { text, ann, view: None }
    }

    /// The view of the text, its entity mentions and quotes (built on first use after the
    /// last stage that changed those), with the annotations to write to.
    pub fn view(&mut self) -> (&View<'t>, &mut Annotations) {
        let view = self.view.get_or_insert_with(|| View::new(self.text, self.ann));
        (view, &mut *self.ann)
    }

    /// Runs a stage; a stage that writes entities or quotes makes the view stale.
    pub fn run(&mut self, stage: &dyn Stage) {
        stage.run(self);
        if stage.writes().iter().any(|l| matches!(l, Layer::Entities | Layer::Quotes)) {
            self.view = None;
        }
    }
}
