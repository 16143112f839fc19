//! `“…,” said X` · `“…,” X said` · `“…?” he asked` · `“…,” said Foreign Secretary Jack
//! Straw`: a speech verb within six words after the closing mark, in the quote's clause,
//! with nothing but a subject (mentions, pronouns, determiners, honorifics, auxiliaries,
//! commas) between. A quote that ends a sentence (`.` inside the marks) is followed by
//! an attribution only when the next word is in lower case (`“… today.” he said` is
//! mis-punctuated but attributed; `“… today.” Smith said` is the next sentence's job).

use super::{Decision, QuoteCtx, Scene, Sieve};

pub struct AfterQuote;

impl Sieve for AfterQuote {
    fn name(&self) -> &'static str {
        "after-quote"
    }

    fn decide(&self, scene: &Scene, q: &QuoteCtx) -> Decision {
        let v = scene.view;
        let after_end = q.after_end();
        let after: Vec<usize> = scene.clause_words(q.span.end, after_end);
        let first_lower = after.first().map(|&k| v.words[k].lower.as_str());
        let after_ok = !q.ends_sentence || first_lower.is_some_and(|w| w.chars().next().is_some_and(char::is_lowercase));
        if !after_ok {
            return Decision::Undecided;
        }
        let Some(pos) = after.iter().take(6).position(|&k| scene.is_speech_verb_at(k)) else {
            // The quote's sentence goes on, then ends in an inverted attribution (`“…”
            // about fixing inequality, said Ann Ruiz, a teacher.`).
            // Only when the sentence runs on in lower case right after the quote, and the
            // verb's next word is its subject, not its object (`told CBS`).
            let runs_on = first_lower.is_some_and(|w| w.chars().next().is_some_and(char::is_lowercase));
            let far = after.windows(2).position(|w| {
                let verb = v.words[w[1]].lower.as_str();
                v.words[w[0]].lower == "," && scene.is_speech_verb_at(w[1]) && crate::lexicon::is_past_speech_verb(verb) && !crate::lexicon::ADDRESSEE_VERBS.contains(verb)
            });
            let far = far.filter(|_| runs_on);
            let Some(c) = far else { return Decision::Undecided };
            return match scene.subject_after(after[c + 1], after_end) {
                s @ Some(super::Subject::Mention(_)) => scene.decide(s, true),
                _ => Decision::Undecided,
            };
        };
        let verb = after[pos];
        let between = &after[..pos];
        let subject_like = scene.subject_like(between);
        if !subject_like || v.words[verb].lower.ends_with("ing") {
            return Decision::Undecided;
        }
        let vw = &v.words[verb].lower;
        // `the newspaper quotes a source`: the object is the speaker.
        let subj = if vw.starts_with("quot") {
            scene.subject_after(verb, after_end)
        } else if between.iter().any(|&k| !matches!(v.words[k].lower.as_str(), "," | ".")) {
            scene.subject_before(verb, q.span.end)
        } else {
            scene.subject_after(verb, after_end)
        };
        scene.decide(subj, true)
    }
}

#[cfg(test)]
mod tests {
    use crate::attribution::testing::{sieves, speakers};

    #[test]
    fn said_then_the_speaker() {
        let s = "\"If we reject this treaty, Britain will be weak,\" said [ROLE Foreign Secretary] [PER Jack Straw].";
        assert_eq!(speakers(s), vec!["Jack Straw"]);
        assert_eq!(sieves(s), vec!["after-quote"]);
    }

    #[test]
    fn the_speaker_then_said() {
        assert_eq!(speakers("“We are proud of them,” [PER Adler] said."), vec!["Adler"]);
    }

    #[test]
    fn a_pronoun_after_the_quote_resolves_to_the_person_before() {
        let s = "[PER Sarah Dugan] spoke. “We are proud,” she said, “and we will go on.”";
        assert_eq!(speakers(s), vec!["Sarah Dugan", "Sarah Dugan"]);
    }

    #[test]
    fn a_newspaper_quoting_a_source_gives_the_source() {
        let s = "\"The money must be invested in the business,\" the newspaper quotes a [ROLE source] close to the firm.";
        assert_eq!(speakers(s), vec!["source"]);
    }

    #[test]
    fn a_role_that_speaks_resolves_through_hasrole() {
        let s = "[PER John Adler], [ROLE chief executive] of the trust, spoke.\n\n\"We have much to do here,\" the [ROLE chief executive] added.";
        assert_eq!(speakers(s), vec!["John Adler"]);
    }

    #[test]
    fn an_honorific_with_a_period_before_the_name() {
        assert_eq!(speakers("“The budget is not balanced,” Ms. [PER Okafor] said."), vec!["Okafor"]);
    }

    #[test]
    fn an_inverted_verb_before_an_abbreviated_title_and_a_name() {
        let s = "“We marched for the children,” said the Rev. [PER Lionel Gaines].";
        assert_eq!(speakers(s), vec!["Lionel Gaines"]);
    }

    #[test]
    fn a_role_abbreviation_tagged_without_its_period_still_leads_to_the_name() {
        let s = "“The bill is dead in committee,” said [ROLE Sen] . [PER Ted Marsh].".replace(" . ", ". ");
        assert_eq!(speakers(&s), vec!["Ted Marsh"]);
    }

    #[test]
    fn told_an_outlet_after_the_quote_is_the_subjects() {
        let s = "“We will not back down on this,” the lawmaker told [ORG Channel Five] on Sunday.";
        assert_eq!(speakers(s), vec![""]);
        let s = "“We will not back down on this,” [PER Dale Moss] told [ORG Channel Five] on Sunday.";
        assert_eq!(speakers(s), vec!["Dale Moss"]);
    }

    #[test]
    fn a_pronoun_resolves_to_a_person_of_matching_gender() {
        let s = "Mrs [PER Quinn] met Mr [PER Smith]. \"It was a long day for everyone,\" she said.";
        assert_eq!(speakers(s), vec!["Quinn"]);
    }

    #[test]
    fn a_gendered_honorific_with_a_period_gives_the_pronoun_its_person() {
        let s = "Ms. [PER Quinn] met Mr. [PER Smith] at noon. \"It was a long day for everyone,\" he said.";
        assert_eq!(speakers(s), vec!["Smith"]);
    }

    #[test]
    fn an_inverted_attribution_closing_a_long_sentence_after_the_quote() {
        let s = "“For most teachers he is saying the right things” about pay and pensions and the hours they work, said [PER Marla Quist], a union leader.";
        assert_eq!(speakers(s), vec!["Marla Quist"]);
    }

    #[test]
    fn said_of_is_an_attribution_verb() {
        let s = "“It was a fair result,” [PER Ann Ruiz] said of the vote. “We will accept it.”";
        assert_eq!(speakers(s), vec!["Ann Ruiz", "Ann Ruiz"]);
    }

    #[test]
    fn a_quantified_party_member_is_the_speaker_through_the_party() {
        let s = "“The race is far from over,” one Ohio [ORG Democrat] said.";
        assert_eq!(speakers(s), vec!["Democrat"]);
        let s = "“The race is far from over,” added another Ohio [ORG Republican].";
        assert_eq!(speakers(s), vec!["Republican"]);
    }

    #[test]
    fn a_mention_after_a_preposition_following_the_verb_is_not_the_subject() {
        let s = "He rejected “the gloom and fear” offered at the [ORG Unity Party] rally.";
        assert_eq!(speakers(s), vec![""]);
    }

    #[test]
    fn a_speech_verb_from_the_derived_lexicon_attributes() {
        assert_eq!(speakers("“That was the easy part,” [PER Rosa Diaz] quipped."), vec!["Rosa Diaz"]);
    }
}
