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
        // The last speech verb whose subject decides (`X noted …, as reported by BuzzFeed
        // News.` is X's: the passive adjunct has no subject).
        Decision::first(scene.verbs(&words).into_iter().rev().map(|verb| scene.decide(scene.subject_of(verb, ps.start, ps.end), false)))
    }
}

#[cfg(test)]
mod tests {
    use crate::attribution::testing::{sieves, speakers};

    #[test]
    fn a_verb_without_a_subject_at_the_end_gives_way_to_an_earlier_one() {
        let s = "“We will fix it,” [PER Ben Carr] noted in an interview, as reported by [ORG City News]. “And I would act at once.”";
        assert_eq!(speakers(s), vec!["Ben Carr", "Ben Carr"]);
    }

    #[test]
    fn a_quote_after_a_sentence_that_attributes_speech_takes_its_subject() {
        let s = "Patriots wanted a strong UK, [PER Mr Straw] said. \"Our role in the EU is crucial to that.\"";
        assert_eq!(speakers(s), vec!["Mr Straw"]);
        assert_eq!(sieves(s), vec!["previous-sentence"]);
    }
}
