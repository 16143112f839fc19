//! `according to X, “…”` · `“…”, according to X` · `“…,” said Y, reports X`: the source
//! after `according to` (or an outlet after a trailing `, reports`) anywhere in the
//! quote's sentence, outside quotes. It is asked first: the dev set credits a quote to
//! the outlet or document that relays it (`Y said, according to the Times` is the
//! Times's).

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
            // `…, reports USA Today.` · `…, reported the Washington Examiner.`
            if v.words[w[0]].lower == "," && matches!(v.words[w[1]].lower.as_str(), "reports" | "reported") {
                if let Some(super::Subject::Mention(i)) = scene.subject_after(w[1], end) {
                    if scene.mention(i).label == crate::annotation::Label::ORG {
                        return Decision::Speaker { mention: i, direct: true };
                    }
                }
            }
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
    fn the_outlet_relaying_an_attribution_is_the_source() {
        let s = "“We will not back down,” said [PER Kay Dorn], the group's director, reports [ORG City Herald].";
        assert_eq!(speakers(s), vec!["City Herald"]);
        let s = "“We will not back down,” [PER Kay Dorn] said, according to the [ORG City Herald].";
        assert_eq!(speakers(s), vec!["City Herald"]);
    }

    #[test]
    fn according_to_before_the_quote() {
        let s = "According to [PER Jane Smith], \"the market is weak and will stay so\".";
        assert_eq!(speakers(s), vec!["Jane Smith"]);
        assert_eq!(sieves(s), vec!["according-to"]);
    }
}
