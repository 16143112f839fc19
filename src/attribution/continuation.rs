//! A quote with no attribution of its own continues the previous quote's speaker, when
//! that quote is in the same paragraph or ends in the paragraph just before, and no sentence
//! between the two has another person (or a role not held by the speaker) as its subject.

use super::{Decision, QuoteCtx, Scene, Sieve};

pub struct Continuation;

impl Sieve for Continuation {
    fn name(&self) -> &'static str {
        "continuation"
    }

    fn decide(&self, scene: &Scene, q: &QuoteCtx) -> Decision {
        let v = scene.view;
        let Some((pq, m)) = q.previous else { return Decision::Undecided };
        let prev_para = v.paragraph_of(pq.end.saturating_sub(1));
        let gap_para = v.paragraph_of(q.para.start.saturating_sub(2));
        let near = prev_para.start == q.para.start || (prev_para.start == gap_para.start && pq.end <= q.span.start);
        if !near || scene.other_person_between(pq.end, q.span.start, m) {
            return Decision::Undecided;
        }
        Decision::Speaker { mention: m, direct: false }
    }
}

#[cfg(test)]
mod tests {
    use crate::attribution::testing::speakers;

    #[test]
    fn a_continuation_paragraph_keeps_the_previous_speaker() {
        let s = "[PER Jeff Worrall] said: “The trust has made progress this year.\n\n“More is needed.”\n\n“We will keep going, though.”";
        let sp = speakers(s);
        assert!(sp.iter().all(|x| x == "Jeff Worrall"), "{sp:?}");
    }

    #[test]
    fn another_person_named_between_stops_the_continuation() {
        let s = "[PER Jeff Worrall] said: “The trust has made progress this year.” [PER Ann Lee] nodded. “More is needed.”";
        assert_eq!(speakers(s), vec!["Jeff Worrall", ""]);
    }

    #[test]
    fn a_person_named_as_an_object_between_keeps_the_continuation() {
        let s = "“We will play him for a few games,” said [PER Ray Boyd]. [PER Boyd] has faith in [PER Tom Lutz], who joined in May.\n\n“He is a great keeper and I trust him.”";
        assert_eq!(speakers(s)[1], "Boyd");
    }
}
