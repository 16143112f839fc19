//! `according to X, “…”` · `“…”, according to X`: the subject after `according to`
//! anywhere in the quote's sentence, outside quotes.

use super::{Decision, QuoteCtx, Scene, Sieve};

pub struct AccordingTo;

impl Sieve for AccordingTo {
    fn name(&self) -> &'static str {
        "according-to"
    }

    fn decide(&self, scene: &Scene, q: &QuoteCtx) -> Decision {
        let v = scene.view;
        let end = q.sent_after.min(q.para.end);
        let words = scene.clause_words(q.sent_before, end);
        for w in words.windows(2) {
            if v.words[w[0]].lower == "according" && v.words[w[1]].lower == "to" {
                match scene.decide(scene.subject_after(w[1], end), true) {
                    Decision::Undecided => {}
                    d => return d,
                }
            }
        }
        Decision::Undecided
    }
}

#[cfg(test)]
mod tests {
    use crate::attribution::testing::{sieves, speakers};

    #[test]
    fn according_to_before_the_quote() {
        let s = "According to [PER Jane Smith], \"the market is weak and will stay so\".";
        assert_eq!(speakers(s), vec!["Jane Smith"]);
        assert_eq!(sieves(s), vec!["according-to"]);
    }
}
