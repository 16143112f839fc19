//! A quote in a headline (the first paragraph of a longer document, at most 20 words):
//! the nearest PER or ORG before it in the headline, else the first person after it.

use super::{Decision, QuoteCtx, Scene, Sieve};
use crate::annotation::Label;

pub struct Headline;

impl Sieve for Headline {
    fn name(&self) -> &'static str {
        "headline"
    }

    fn decide(&self, scene: &Scene, q: &QuoteCtx) -> Decision {
        let v = scene.view;
        let para = q.para;
        if para.start != v.paragraph_of(0).start || v.lower_words(para.start, para.end).len() > 20 || para.end >= v.chars.len() {
            return Decision::Undecided;
        }
        let ms = &v.mentions;
        let before = (0..ms.len()).rev().find(|&i| ms[i].span.end <= q.span.start && ms[i].span.start >= para.start && matches!(ms[i].label, Label::PER | Label::ORG));
        if let Some(i) = before {
            return Decision::Speaker { mention: i, direct: true };
        }
        if let Some(i) = (0..ms.len()).find(|&i| ms[i].span.start >= para.end && ms[i].label == Label::PER) {
            return Decision::Speaker { mention: i, direct: true };
        }
        Decision::Undecided
    }
}

#[cfg(test)]
mod tests {
    use crate::attribution::testing::{sieves, speakers};

    #[test]
    fn a_headline_fragment_takes_the_named_person_before_it() {
        let s = "[PER Ebbers] 'knew nothing of the fraud'\n\nFormer boss [PER Bernie Ebbers] was in court on Monday.";
        assert_eq!(speakers(s), vec!["Ebbers"]);
        assert_eq!(sieves(s), vec!["headline"]);
    }
}
