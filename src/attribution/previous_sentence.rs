//! The sentence just before the quote, in the same paragraph, attributes speech: its
//! last speech verb's subject (`Patriots wanted a strong UK, Mr Straw said. “Our role …”`).

use super::{Decision, QuoteCtx, Scene, Sieve};

pub struct PreviousSentence;

impl Sieve for PreviousSentence {
    fn name(&self) -> &'static str {
        "previous-sentence"
    }

    fn decide(&self, scene: &Scene, q: &QuoteCtx) -> Decision {
        let v = scene.view;
        let si = v.sentence_of(q.span.start);
        if si == 0 {
            return Decision::Undecided;
        }
        let (_, _, ps) = v.sentences[si - 1];
        if ps.start < q.para.start || ps.end > q.span.start {
            return Decision::Undecided;
        }
        let words = scene.clause_words(ps.start, ps.end);
        let Some(verb) = scene.verbs(&words).last().copied() else { return Decision::Undecided };
        scene.decide(scene.subject_of(verb, ps.start, ps.end), false)
    }
}

#[cfg(test)]
mod tests {
    use crate::attribution::testing::{sieves, speakers};

    #[test]
    fn a_quote_after_a_sentence_that_attributes_speech_takes_its_subject() {
        let s = "Patriots wanted a strong UK, [PER Mr Straw] said. \"Our role in the EU is crucial to that.\"";
        assert_eq!(speakers(s), vec!["Mr Straw"]);
        assert_eq!(sieves(s), vec!["previous-sentence"]);
    }
}
