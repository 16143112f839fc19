//! `Howard Kurtz, Fox News: “…”` · `Sen. Ted Cruz (R-Texas): “…”` · `Trump on Twitter:
//! “…”`: a line or sentence that names a source and ends with a colon right before the
//! quote (in the same paragraph, or as the whole previous paragraph), with no speech verb
//! of its own (`X said: “…”` is [`super::before_quote`]'s). The source is the first
//! person named there, else the first role, else the first organisation: in a list of
//! pundits the outlet follows the person (`Name, Outlet:`).

use super::{Decision, QuoteCtx, Scene, Sieve};
use crate::annotation::Label;

pub struct Colon;

/// At most this many words before the colon: a name line, not a sentence.
const MAX_WORDS: usize = 12;

impl Sieve for Colon {
    fn name(&self) -> &'static str {
        "colon"
    }

    fn decide(&self, scene: &Scene, q: &QuoteCtx) -> Decision {
        let v = scene.view;
        // The words between the start of the clause and the opening mark, or the whole
        // previous paragraph when the quote opens its own.
        let mut words = scene.clause_words(q.sent_before, q.span.start);
        if words.is_empty() && q.para.start > 1 {
            let pp = v.paragraph_of(q.para.start.saturating_sub(2));
            if pp.start < q.para.start {
                words = scene.clause_words(pp.start, pp.end);
            }
        }
        let Some((&colon, before)) = words.split_last() else { return Decision::Undecided };
        if v.words[colon].lower != ":" || before.is_empty() {
            return Decision::Undecided;
        }
        // Only what follows the previous sentence-like break (`; ` or another colon).
        // The name line starts after the last sentence mark, or after a dash that ends a
        // headline (`POLLS WERE RIGHT - Ann Ruiz: “…”`).
        // A period inside an abbreviation (`(R-S.C.)`, `U.S.`) ends nothing.
        let ends = |k: usize| {
            let w = &v.words[k];
            let next = v.chars.get(w.span.end).copied();
            match w.lower.as_str() {
                "." => next.is_none_or(char::is_whitespace),
                ":" | ";" | "?" | "!" | "-" | "–" | "—" => true,
                _ => false,
            }
        };
        let from = before.iter().rposition(|&k| ends(k)).map_or(0, |p| p + 1);
        let before = &before[from..];
        // No verb, but an inverted one first (`Continued Stone:`, `Added Ms. Ruiz:`).
        let verbs = scene.verbs(before);
        let inverted = verbs.len() == 1 && verbs[0] == before[0] && before.len() > 1;
        if before.is_empty() || before.len() > MAX_WORDS || (!verbs.is_empty() && !inverted) {
            return Decision::Undecided;
        }
        let first = |label: Label| {
            before.iter().find_map(|&k| {
                let i = scene.mention_at(v.words[k].span.start)?;
                (scene.mention(i).label == label && !scene.possessive(i)).then_some(i)
            })
        };
        let Some(i) = first(Label::PER).or_else(|| first(Label::ROLE)).or_else(|| first(Label::ORG)) else {
            return Decision::Undecided;
        };
        match scene.holder.get(&i) {
            Some(&p) if scene.mention(i).label == Label::ROLE => Decision::Speaker { mention: p, direct: false },
            _ => Decision::Speaker { mention: i, direct: true },
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::attribution::testing::{sieves, speakers};

    #[test]
    fn a_pundit_and_outlet_line_gives_the_pundit() {
        let s = "[PER Maria Lopez], [ORG Channel Nine]: “The debate was a draw and nobody will remember it.”";
        assert_eq!(speakers(s), vec!["Maria Lopez"]);
        assert_eq!(sieves(s), vec!["colon"]);
    }

    #[test]
    fn a_name_line_as_its_own_paragraph_introduces_the_next() {
        let s = "[PER Tom Becker], [ORG Daily Ledger]:\n“Nobody expected the governor to fold this early.”";
        assert_eq!(speakers(s), vec!["Tom Becker"]);
    }

    #[test]
    fn a_list_of_pundits_gives_each_their_own_quote() {
        let s = "[PER Ann Ruiz], [ORG Radio West]: “The plan is dead on arrival.”\n[PER Ben Cole], [ORG The Courier]: “It might survive the summer.”";
        assert_eq!(speakers(s), vec!["Ann Ruiz", "Ben Cole"]);
    }

    #[test]
    fn an_organisation_alone_before_the_colon_is_the_speaker() {
        assert_eq!(speakers("[ORG Acme Corp] on its results: “We had a very good year overall.”"), vec!["Acme Corp"]);
    }

    #[test]
    fn an_inverted_speech_verb_before_the_name_and_colon() {
        let s = "[PER Ruth Carver] went on.\n\nContinued [PER Carver]: “The vote was never close, and they knew it.”";
        assert_eq!(speakers(s), vec!["Carver"]);
        assert_eq!(sieves(s), vec!["colon"]);
    }

    #[test]
    fn a_name_after_a_headline_dash_introduces_the_quote() {
        let s = "TURNOUT WAS LOWER THAN THE POLLS HAD EXPECTED IN THE NORTH - [PER Ann Ruiz]: “Fewer voters came out than in any year since 1990.”";
        assert_eq!(speakers(s), vec!["Ann Ruiz"]);
    }

    #[test]
    fn a_name_line_with_a_party_and_state_in_parentheses() {
        let s = "[ROLE Rep.] [PER Trey Dowd] (R-S.C.): \"I have not heard anyone else cite that figure.\"";
        assert_eq!(speakers(s), vec!["Trey Dowd"]);
    }

    #[test]
    fn a_long_sentence_ending_in_a_colon_is_not_a_name_line() {
        let s = "It was a long night in the hall for everyone who had come to hear the mayor and [PER Jo Hart] speak about it: “We should all go home now.”";
        assert_ne!(sieves(s), vec!["colon"]);
    }
}
