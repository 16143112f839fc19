//! `“We will win.” Smith said.` · `“Have I started?” Sanders replied.` · `“It is over.”
//! Said the senator.`: a quote that ends its sentence, followed in the same paragraph by
//! a sentence that is only an attribution: a subject and a speech verb within its first six words, with
//! nothing but a subject before the verb, and no quote opening before the verb.

use super::{Decision, QuoteCtx, Scene, Sieve};

pub struct NextSentence;

/// At most this many words after an inverted verb (`Said Dana Whitfield, the organiser.`).
const MAX_INVERTED_TAIL: usize = 6;

impl Sieve for NextSentence {
    fn name(&self) -> &'static str {
        "next-sentence"
    }

    fn decide(&self, scene: &Scene, q: &QuoteCtx) -> Decision {
        let v = scene.view;
        // The sentence that starts after the quote.
        let si = v.sentence_of(q.span.end);
        let next = (si..v.sentences.len()).map(|s| v.sentences[s].2).find(|s| s.start >= q.span.end.saturating_sub(1) && s.end > q.span.end);
        let Some(sent) = next else { return Decision::Undecided };
        let end = sent.end.min(q.para.end).min(q.next_quote);
        let words = scene.clause_words(q.span.end, end);
        // `Michael Howard, asked about the remark by reporters, said …`: a participle in an
        // apposition (after a comma, before a preposition) is not the attribution's verb.
        let apposition = |n: usize| {
            let prev = n.checked_sub(1).map(|p| v.words[words[p]].lower.as_str());
            let next = words.get(n + 1).map(|&k| v.words[k].lower.as_str());
            prev == Some(",") && next.is_some_and(|w| crate::lexicon::PREPOSITIONS.contains(w) || matches!(w, "if" | "whether"))
        };
        let Some(pos) = words.iter().take(6).enumerate().position(|(n, &k)| scene.is_speech_verb_at(k) && !apposition(n)) else {
            return Decision::Undecided;
        };
        let verb = words[pos];
        if v.words[verb].lower.ends_with("ing") {
            return Decision::Undecided;
        }
        // `“…” Ms. Lee said. “…” Mr. Kim said: “…”`: an attribution that runs into the next
        // quote (a colon or comma right before it) introduces that quote, not this one.
        let into_next = q.next_quote < sent.end.min(q.para.end)
            && words.last().is_some_and(|&k| {
                let w = &v.words[k];
                matches!(w.lower.as_str(), ":" | ",") && v.chars[w.span.end..q.next_quote.min(v.chars.len())].iter().all(|c| c.is_whitespace())
            });
        if into_next {
            return Decision::Undecided;
        }
        let between = &words[..pos];
        let subject_like = scene.subject_like(between);
        if !subject_like {
            return Decision::Undecided;
        }
        let subj = if between.iter().any(|&k| !matches!(v.words[k].lower.as_str(), "," | ".")) {
            scene.subject_before(verb, q.span.end)
        } else {
            // `Said Smith.`: inverted only when the sentence is the attribution alone (a
            // few words after the verb), not a clause that opens with a participle
            // (`Asked about Mr Smith's position, Mr Johnson told …`).
            let rest = words.iter().skip(pos + 1).filter(|&&k| v.words[k].lower.chars().any(char::is_alphanumeric)).count();
            if rest > MAX_INVERTED_TAIL {
                return Decision::Undecided;
            }
            scene.subject_after(verb, end)
        };
        scene.decide(subj, true)
    }
}

#[cfg(test)]
mod tests {
    use crate::attribution::testing::{sieves, speakers};

    #[test]
    fn an_attribution_sentence_after_a_full_stop_names_the_speaker() {
        let s = "“We will win this race.” [PER Smith] said.";
        assert_eq!(speakers(s), vec!["Smith"]);
        assert_eq!(sieves(s), vec!["next-sentence"]);
    }

    #[test]
    fn an_inverted_attribution_sentence_names_the_speaker() {
        assert_eq!(speakers("“It is over for us now.” Said [PER Dana Whitfield], the organiser."), vec!["Dana Whitfield"]);
    }

    #[test]
    fn a_following_sentence_about_something_else_is_not_an_attribution() {
        let s = "[PER Lee Park] spoke first. “The vote is tomorrow.” The weather, however, said nothing good.";
        assert_ne!(sieves(s), vec!["next-sentence"]);
    }

    #[test]
    fn a_sentence_opening_with_a_participle_is_not_an_inverted_attribution() {
        let s = "“He should go now.” Asked on Monday about [PER Mr Hale]'s future, [PER Mr Cobb] told reporters he had no view.";
        assert_ne!(speakers(s), vec!["Mr Hale"]);
    }

    #[test]
    fn a_question_followed_by_its_attribution_sentence() {
        assert_eq!(speakers("“Have we started writing the speech yet?” [PER Ruth Bell] replied."), vec!["Ruth Bell"]);
    }

    #[test]
    fn a_participle_in_an_apposition_is_not_the_attribution() {
        let s = "[PER Blake] spoke. “We should move on now.” [ROLE Party leader] [PER Ana Ruiz], asked about the row by reporters, said civility mattered.";
        assert_ne!(speakers(s), vec!["Ana Ruiz"]);
    }

    #[test]
    fn an_attribution_that_introduces_the_next_quote_is_not_this_ones() {
        let s = "“We are refugees,” Ms. [PER Alawi] said. “We are not criminals.” Mr. [PER Zahir] said: “The attack was the work of criminals.”";
        assert_eq!(speakers(s), vec!["Alawi", "Alawi", "Zahir"]);
    }
}
