//! `X said: “…”` · `X, ROLE of ORG, said: “…”` · `ROLE X told …: “…”` · `X said the trust
//! “…”`: the last speech verb before the opening mark in the quote's sentence (unless it
//! sits in a subordinate clause opened after an earlier speech verb: `said that when
//! Johnson had announced …`), or in the last sentence of the previous paragraph when
//! that paragraph ends with a colon. For a fragment (`Partial`) the first speech verb:
//! the reporting clause's (`Clinton says Sanders accepted donations and “there's
//! nothing wrong with that”` is Clinton's).

use super::{Decision, QuoteCtx, Scene, Sieve};
use crate::lexicon::SUBORDINATORS;

pub struct BeforeQuote;

impl Sieve for BeforeQuote {
    fn name(&self) -> &'static str {
        "before-quote"
    }

    fn decide(&self, scene: &Scene, q: &QuoteCtx) -> Decision {
        let v = scene.view;
        let mut start = q.sent_before;
        let mut before: Vec<usize> = scene.clause_words(start, q.span.start);
        let ends_with_colon = v.chars[..q.para.start].iter().rev().find(|c| !c.is_whitespace()) == Some(&':');
        if before.is_empty() && q.para.start > 0 && ends_with_colon {
            let pp = v.paragraph_of(q.para.start.saturating_sub(2));
            let ps = v.sentences[v.sentence_of(pp.end.saturating_sub(1))].2.start.max(pp.start);
            start = ps;
            before = scene.clause_words(ps, pp.end);
        }
        let verbs = scene.verbs(&before);
        // A fragment inside reported speech is the reporting clause's: the first speech
        // verb (`Kasich says he'd sit Putin down and tell him “no more nonsense”`).
        if q.partial {
            // A participle opening the sentence (`Asked about X, Mr Johnson told …`) is not
            // the reporting clause.
            let opening = |k: usize| before.first() == Some(&k) && (v.words[k].lower.ends_with("ed") || v.words[k].lower.ends_with("ing"));
            // A later speech verb in a relative clause (`visited Pullman, who had told him
            // that …`) reports the fragment itself: the usual last-verb rule decides.
            let relative = verbs.iter().any(|&k| (k.saturating_sub(3)..k).any(|j| matches!(v.words[j].lower.as_str(), "who" | "whom")));
            // A verb in a subordinate clause that opens the sentence (`While not all Lee
            // says is true, Ruiz said Lee is “…”`) is not the reporting clause either.
            let fronted = |k: usize| {
                before.first().is_some_and(|&f| SUBORDINATORS.contains(v.words[f].lower.as_str()))
                    && before.iter().any(|&w| w > k && v.words[w].lower == ",")
                    && verbs.iter().any(|&later| later > k)
            };
            // After an earlier quote of the sentence, the verbs between the two quotes
            // report this one (`Lee accuses Ruiz of “…” and Kim says he is “…”`).
            let after = |e: usize, k: usize| v.words[k].span.start >= e;
            let previous_end = q.index.checked_sub(1).map(|p| v.quotes[p].end).filter(|&e| e > start);
            // When some verb follows that quote, only those count.
            let own = |k: usize| previous_end.is_none_or(|e| after(e, k) || !verbs.iter().any(|&w| after(e, w)));
            if let Some(&verb) = verbs.iter().find(|&&k| !opening(k) && !fronted(k) && own(k)).filter(|_| !relative) {
                // An unannotatable subject there (`sources tell the FT`) does not stop the
                // search: the last verb may still name the speaker.
                if let d @ Decision::Speaker { .. } = scene.decide(scene.subject_of(verb, start, q.span.start), true) {
                    return d;
                }
            }
        }
        let verb = verbs
            .iter()
            .enumerate()
            .rev()
            .find(|(n, &k)| {
                *n == 0 || {
                    let lo = verbs[n - 1];
                    !before.iter().any(|&w| w > lo && w < k && SUBORDINATORS.contains(v.words[w].lower.as_str()))
                }
            })
            .map(|(_, k)| *k);
        let Some(verb) = verb else { return Decision::Undecided };
        scene.decide(scene.subject_of(verb, start, q.span.start), true)
    }
}

#[cfg(test)]
mod tests {
    use crate::attribution::testing::{sieves, speakers};

    #[test]
    fn an_apposition_between_the_name_and_said() {
        let s = "[PER John Adler], [ROLE chief executive] of the trust, said: “I’m immensely proud of our staff.”";
        assert_eq!(speakers(s), vec!["John Adler"]);
        assert_eq!(sieves(s), vec!["before-quote"]);
    }

    #[test]
    fn a_role_before_the_name_then_said() {
        assert_eq!(speakers("[ROLE Trust chairman], [PER Karamjit Singh] CBE, said: “We are committed to this.”"), vec!["Karamjit Singh"]);
    }

    #[test]
    fn told_an_outlet_before_a_colon_is_the_subjects() {
        assert_eq!(speakers("[PER Mr Blair] told [ORG Five]'s show: \"Let's just apologise and move on.\""), vec!["Mr Blair"]);
    }

    #[test]
    fn a_phrasal_speech_verb_attributes() {
        let s = "After [PER Ned Brown] criticised her husband, [PER Hilda] shot back, “I could have stayed home and baked cookies.”";
        assert_eq!(speakers(s), vec!["Hilda"]);
    }

    #[test]
    fn a_persons_campaign_speaks_for_the_person() {
        let s = "[PER Ryan]’s campaign shrugged off [PER Trump]’s comments, telling reporters, “Nobody on his team has ever asked for it.”";
        assert_eq!(speakers(s), vec!["Ryan"]);
        assert_eq!(speakers("[PER Dale Moss]'s office said: “The senator will vote no.”"), vec!["Dale Moss"]);
    }

    #[test]
    fn a_participle_after_an_attribution_takes_that_attributions_subject() {
        let s = "[PER Ann Ruiz] and [PER Ben Cole] will meet next week, [PER Dan Pryor] said, adding, “They need to sit down and talk.”";
        assert_eq!(speakers(s), vec!["Dan Pryor"]);
    }

    #[test]
    fn an_unnamed_spokesman_is_the_speaker() {
        assert_eq!(speakers("A [ROLE spokesman] said: \"The talks will go on for now.\""), vec!["spokesman"]);
    }

    #[test]
    fn an_organisation_is_the_speaker() {
        assert_eq!(speakers("The [ORG UK Independence Party] said: \"They should just ask us about it.\""), vec!["UK Independence Party"]);
    }

    #[test]
    fn a_publication_resolves_to_the_organisation() {
        let s = "In an interview with the [ORG Financial Times], [PER Mr Blair] spoke. The paper said the prime minister \"claimed ignorance\" of it.";
        assert_eq!(speakers(s), vec!["Financial Times"]);
    }

    #[test]
    fn a_plural_noun_subject_gives_no_speaker() {
        let s = "[PER Jo Brown] left. The government said it was addressing \"the difficult issue\" of returns.";
        assert_eq!(speakers(s), vec![""]);
    }

    #[test]
    fn an_org_premodified_plural_subject_gives_the_org() {
        assert_eq!(speakers("[ORG Rover] bosses have said they are \"confident\" the deal will be signed."), vec!["Rover"]);
    }

    #[test]
    fn the_speaker_mention_is_the_one_in_the_attribution() {
        let s = "[PER Tony Blair] arrived. Later [PER Blair] said: \"We will win this.\"";
        assert_eq!(speakers(s), vec!["Blair"]);
    }

    #[test]
    fn told_an_outlet_is_never_the_outlets_even_when_the_subject_is_untagged() {
        let s = "The lawmaker told [ORG Channel Five]: “We will not back down on this.”";
        assert_eq!(speakers(s), vec![""]);
    }

    #[test]
    fn asked_someone_is_the_askers() {
        let s = "[PER Jo Marsh] asked [PER Tim Reed] in the hall: “Where were you on the night of the vote?”";
        assert_eq!(speakers(s), vec!["Jo Marsh"]);
    }

    #[test]
    fn a_partial_quote_after_called_it_is_the_callers() {
        let s = "[PER Vera Holt] called it “a reckless and dangerous plan” on Monday.";
        assert_eq!(speakers(s), vec!["Vera Holt"]);
    }

    #[test]
    fn said_of_someone_is_the_subjects() {
        let s = "[PER Ray Tull] said of [PER Nina Park]: “She has never once let the party down.”";
        assert_eq!(speakers(s), vec!["Ray Tull"]);
    }

    #[test]
    fn said_in_a_statement_is_the_subjects() {
        let s = "[ORG Brightwater Energy] said in a statement that it was “deeply sorry for the outage”.";
        assert_eq!(speakers(s), vec!["Brightwater Energy"]);
    }

    #[test]
    fn wrote_on_social_media_is_the_writers() {
        let s = "[PER Glen Hart] wrote on [ORG Twitter]: “Nobody will remember this debate by Friday.”";
        assert_eq!(speakers(s), vec!["Glen Hart"]);
    }

    #[test]
    fn an_inverted_verb_at_the_start_of_the_clause_takes_the_subject_after_it() {
        assert_eq!(speakers("Said [PER Ruth Cole]: “We have never seen a crowd like this one.”"), vec!["Ruth Cole"]);
    }

    #[test]
    fn a_fragment_in_reported_speech_is_the_reporting_clauses() {
        let s = "[PER Lena Ortiz] says [PER Tom Reyes] accepted the money and “there is nothing wrong with that” at all.";
        assert_eq!(speakers(s), vec!["Lena Ortiz"]);
        let s = "[PER Ann Kerr] says she would sit [PER Boris Volkov] down and tell him “no more games”.";
        assert_eq!(speakers(s), vec!["Ann Kerr"]);
    }

    #[test]
    fn a_participle_opening_the_sentence_is_not_the_reporting_clause() {
        let s = "Asked about [PER Mr Dale]'s future, [PER Mr Ross] told reporters it was “a non-story from the very start” then.";
        assert_eq!(speakers(s), vec!["Mr Ross"]);
    }

    #[test]
    fn a_fragment_reported_in_a_relative_clause_is_that_clauses() {
        let s = "[PER Weir] said he had met [PER Pullen], who had told him that the board could “ban every one of us”.";
        assert_eq!(speakers(s), vec!["Pullen"]);
    }
}
