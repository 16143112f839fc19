//! A fragment (`Partial`) in a sentence with no speech verb that decided: the subject of
//! the clause it is embedded in, when that is a person or he/she (`Santilli expressed a
//! desire to “try …”`, `Cruz recently promising to “carpet bomb …”`): a quoted fragment
//! woven into a sentence about someone is, in news, that someone's words. Organisations
//! and roles are not taken (a fragment after them is as often a title or a label).

use super::{Decision, QuoteCtx, Scene, Sieve, Subject};
use crate::annotation::Label;

pub struct ClauseSubject;

impl Sieve for ClauseSubject {
    fn name(&self) -> &'static str {
        "clause-subject"
    }

    fn decide(&self, scene: &Scene, q: &QuoteCtx) -> Decision {
        if !q.partial {
            return Decision::Undecided;
        }
        let words = scene.clause_words(q.sent_before, q.span.start);
        let subj = scene.leftmost_subject(&words);
        match &subj {
            Some(Subject::Mention(i)) if scene.mention(*i).label == Label::PER => scene.decide(subj, true),
            Some(Subject::Pronoun(..)) => scene.decide(subj, true),
            _ => Decision::Undecided,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::attribution::testing::{sieves, speakers};

    #[test]
    fn a_fragment_woven_into_a_sentence_about_a_person_is_theirs() {
        let s = "[PER Walt Price] expressed a wish to “hold every one of them to account” last week.";
        assert_eq!(speakers(s), vec!["Walt Price"]);
        assert_eq!(sieves(s), vec!["clause-subject"]);
    }

    #[test]
    fn a_full_quote_is_never_given_to_the_clause_subject() {
        let s = "[PER Walt Price] stood up. Then: “We hold every one of them to account.”";
        assert_ne!(sieves(s), vec!["clause-subject"]);
    }
}
