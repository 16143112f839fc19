//! A signature after a quote: a dash and a name closing the quote's paragraph (`“…” —
//! Winston Churchill`) or forming the next paragraph on its own (`“…”` / `- Hillary
//! Clinton.`), the way epigraphs, pull quotes and debate fact-checks credit their source.

use super::{Decision, QuoteCtx, Scene, Sieve};
use crate::annotation::Label;

pub struct Signature;

/// Words a signature holds at most (`- Sen. Ann Ruiz, chair of the committee.`).
const MAX_WORDS: usize = 12;

fn is_dash(w: &str) -> bool {
    matches!(w, "-" | "–" | "—" | "--")
}

impl Sieve for Signature {
    fn name(&self) -> &'static str {
        "signature"
    }

    fn decide(&self, scene: &Scene, q: &QuoteCtx) -> Decision {
        let v = scene.view;
        // The quote opens its paragraph (a byline after a quote inside a sentence is not
        // its source: `… was "still the No. 1 force."--Kim Lee.`).
        if !scene.clause_words(q.para.start, q.span.start).is_empty() {
            return Decision::Undecided;
        }
        let para = v.paragraph_of(q.span.end.saturating_sub(1));
        let rest = scene.clause_words(q.span.end, para.end);
        let words = if rest.is_empty() {
            // The quote ends its paragraph: the signature is the next non-empty one.
            let mut start = para.end;
            while start < v.chars.len() && v.chars[start].is_whitespace() {
                start += 1;
            }
            if start >= v.chars.len() {
                return Decision::Undecided;
            }
            let next = v.paragraph_of(start);
            scene.clause_words(next.start, next.end)
        } else {
            rest
        };
        let Some((&dash, name)) = words.split_first() else { return Decision::Undecided };
        if !is_dash(&v.words[dash].lower) || name.is_empty() || name.len() > MAX_WORDS || !scene.verbs(name).is_empty() {
            return Decision::Undecided;
        }
        // The first person, else organisation, right after the dash (a title may come first).
        let mention = name.iter().take(4).find_map(|&k| {
            let i = scene.mention_at(v.words[k].span.start)?;
            matches!(scene.mention(i).label, Label::PER | Label::ORG).then_some(i)
        });
        match mention {
            Some(i) => Decision::Speaker { mention: i, direct: true },
            None => Decision::Undecided,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::attribution::testing::{sieves, speakers};

    #[test]
    fn a_dash_and_a_name_in_the_next_paragraph_sign_the_quote() {
        let s = "The claim was checked.\n\n“I voted against the war from the start.”\n\n- [PER Ann Ruiz].\n\nShe did not.";
        assert_eq!(speakers(s), vec!["Ann Ruiz"]);
        assert_eq!(sieves(s), vec!["signature"]);
    }

    #[test]
    fn a_dash_and_a_name_after_the_quote_in_its_paragraph_sign_it() {
        assert_eq!(speakers("“Never give in, never, never, never.” — [PER Winston Churchill]"), vec!["Winston Churchill"]);
    }

    #[test]
    fn a_byline_after_a_quote_inside_a_sentence_is_no_signature() {
        let s = "[PER Ruiz] said her party was “still the first force in the country.”--[PER Kim Lee].";
        assert_eq!(speakers(s), vec!["Ruiz"]);
    }

    #[test]
    fn a_dash_that_opens_a_sentence_with_a_verb_is_no_signature() {
        let s = "“We lost the vote.”\n\n- [PER Ann Ruiz] said later that the count was wrong and asked for a recount.";
        assert_ne!(sieves(s), vec!["signature"]);
    }
}
