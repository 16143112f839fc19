//! A speech verb elsewhere in the quote's sentence, outside quotes, whose subject is
//! found before or after it (`Despite this “underhand trick,” the bill stood “no chance,”
//! he added`).

use super::{Decision, QuoteCtx, Scene, Sieve};

pub struct SameSentence;

impl Sieve for SameSentence {
    fn name(&self) -> &'static str {
        "same-sentence"
    }

    fn decide(&self, scene: &Scene, q: &QuoteCtx) -> Decision {
        let end = q.sent_after.min(q.para.end);
        let words = scene.clause_words(q.sent_before, end);
        Decision::first(scene.verbs(&words).into_iter().map(|verb| scene.decide(scene.subject_of(verb, q.sent_before, end), true)))
    }
}

#[cfg(test)]
mod tests {
    use crate::attribution::testing::speakers;

    #[test]
    fn a_speech_verb_later_in_the_sentence_attributes_an_earlier_fragment() {
        let s = "[PER Michael Ancram] spoke. Despite this \"underhand trick,\" the bill stood \"no chance of becoming law,\" he added.";
        assert_eq!(speakers(s), vec!["Michael Ancram", "Michael Ancram"]);
    }
}
