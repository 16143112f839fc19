//! Quotation detection: QUOTE spans (marks included) and the `Partial` attribute, per the
//! guidelines.
//!
//! Three steps, each small enough to test on its own:
//!
//! 1. **Marks.** Every `"` `“` `”` `„` `'` `‘` `’` `` ` `` `«` `»` `‹` `›` is classified as
//!    an opening mark, a closing mark or an apostrophe from its neighbours ([`classify`]).
//!    House styles:
//!    - **doubled** marks (`''We will,'' he said`, TeX-style ` ``…'' `, also `‘‘` `’’`) are
//!      one double mark two characters wide, so the span ends after both; three in a row
//!      are a single mark beside a doubled one (`'Never,'''`: the single closes first);
//!    - **curly** marks say what they are, unless written the wrong way round: `”` at the
//!      start or after a space and before a word (`”Mr. Smith is right,”`), or before a
//!      space and an ellipsis (`” … and then`), opens; `“` after a word or punctuation and
//!      before a space (`yet,“ he said`) closes; likewise `»` `«` (both orders pair);
//!    - **straight** marks open after whitespace or an opening bracket and close before
//!      whitespace or punctuation; one that the neighbours leave open (alone between
//!      spaces: `'Well done,' " she said`; or between a sentence end and a word, the
//!      space lost: `named."We`) is decided by pairing: it closes an open quote, opens
//!      otherwise;
//!    - **apostrophes**: a single mark between two letters (`I’m`, `trust’s`), before a
//!      decade or year (`’90s`, `in ‘08`), in `rock 'n' roll` or an elision (`’em`) is an
//!      apostrophe; a single mark after a word with no single quote open (`patients’
//!      needs`, `CBS‘ show`) is a plural possessive.
//! 2. **Pairing**, paragraph by paragraph ([`pair`]). A double-quoted span may hold
//!    single marks (nested quotes, not separate QUOTEs), and double marks of another style
//!    that its own style closes later in the paragraph (`"… “nested,” …"`). A single mark
//!    opens only when a single mark closes later in its paragraph or the next paragraph
//!    re-opens with one (otherwise it is an apostrophe, `Sophie in 't Veld`). Two opening
//!    marks side by side (`““We`) open at the inner one. A paragraph that ends inside a
//!    quote continues it when the next paragraph re-opens with the same kind and style of
//!    mark (a multi-paragraph quote is one span; a paragraph re-opened in another style,
//!    `“…,” he said."` inside a block quoted in straight marks, is a quote of its own); a
//!    mark that re-opens mid-line while a quote is open continues it too (paragraph breaks
//!    lost in the source). A quote still open at the end of its paragraph and not
//!    continued runs to the end of that paragraph (best effort; never a refusal), except
//!    one opened by a guillemet (`« Back`, an arrow). Stray closing marks are ignored.
//! 3. **Is it a quotation?** ([`judge`]) Scare quotes, labels, ratings and titles are not.
//!    The rule, in order:
//!    - rejected: a short quote (at most three words, no punctuation of its own) right
//!      after a rating or naming cue (`rated`, `rating of`, `so-called`, `dubbed`,
//!      `entitled`, `known as`) or used as a modifier (`a "yes" vote`: a lower-case word
//!      follows the closing mark that is not a speech verb or pronoun);
//!    - rejected: a title (every content word capitalised, no sentence punctuation);
//!    - accepted: four or more words, or any quote that carries its own punctuation
//!      (`"balanced,"`, `"underhand trick,"`), or a short quote with a speech or report
//!      verb in its sentence before it or in the six words after it
//!      (`he said the question sounded "very neutral"`);
//!    - otherwise rejected (a short quote with no speech cue is a scare quote).
//!
//!    An accepted quote is `Partial` when it is embedded in a clause: the character before
//!    its opening mark (skipping spaces) is a letter, digit or apostrophe (`said the trust
//!    “can be proud” of`, the headline `Ebbers 'aware' of fraud`). After a colon, a comma,
//!    a sentence end or a line break it is a full quotation.

//!
//! | file | holds |
//! |---|---|
//! | `mod.rs` | the types ([`Quote`], [`Mark`]), [`find_quotes`] and the pipeline stage ([`QuoteFinding`]) |
//! | `marks.rs` | step 1: the quotation-mark characters and [`classify`] |
//! | `pairing.rs` | step 2: typographic styles and [`pair`] |
//! | `judge.rs` | step 3: [`judge`] (scare quotes, labels and titles out; `Partial`), [`is_cue`] |
//! | `tests.rs` | [`find_quotes`] on sentences in every house style |
//!
//! The text's characters and paragraphs come from its index ([`Text`]).

mod judge;
mod marks;
mod pairing;
#[cfg(test)]
mod tests;

pub use judge::{is_cue, judge};
pub use marks::classify;
pub use pairing::pair;

use crate::annotation::{Label, NewSpan};
use crate::document::{Span, Text};
use crate::stage::{Layer, Stage, StageDoc};

/// What a quotation-mark character is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkRole {
    Open,
    Close,
    Apostrophe,
}

/// Double (`"` `“` `”`) or single (`'` `‘` `’`) marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkKind {
    Double,
    Single,
}

/// A quotation mark at a character position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    pub pos: usize,
    pub kind: MarkKind,
    pub role: MarkRole,
    /// Characters the mark takes: 2 for a doubled mark (`''`, ` `` `), 1 otherwise.
    pub width: usize,
}

/// A quotation found in a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// From the opening mark to the closing mark, both included (character offsets).
    pub span: Span,
    /// A fragment quoted inside reported speech.
    pub partial: bool,
    /// Why the quote was kept (for debugging and the JSON output).
    pub reason: &'static str,
}

/// Finds the quotations of a text.
pub fn find_quotes(text: &Text) -> Vec<Quote> {
    let marks = classify(text);
    pair(text, &marks).into_iter().filter_map(|s| judge(text, s)).collect()
}

/// Quotation detection as a pipeline stage: the text's quotations become QUOTE spans
/// (with `Partial`), numbered after the entities.
pub struct QuoteFinding;

impl Stage for QuoteFinding {
    fn name(&self) -> &'static str {
        "quotes"
    }
    fn reads(&self) -> &'static [Layer] {
        &[Layer::Text]
    }
    fn writes(&self) -> &'static [Layer] {
        &[Layer::Quotes]
    }
    fn run(&self, doc: &mut StageDoc<'_>) {
        let quotes = find_quotes(doc.text);
        doc.ann.add_spans(quotes.into_iter().map(|q| NewSpan { label: Label::QUOTE, span: q.span, score: None, partial: q.partial }));
        doc.ann.sort_spans();
    }
}
