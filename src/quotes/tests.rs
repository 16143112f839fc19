//! [`find_quotes`] on sentences written for these tests: one or more per rule of the
//! three steps and per house style of quotation marks.

use super::*;

fn quotes(s: &str) -> Vec<(String, bool)> {
    let text = Text::new(s.to_string());
    find_quotes(&text).into_iter().map(|q| (text.get(q.span).unwrap().to_string(), q.partial)).collect()
}

fn texts(s: &str) -> Vec<String> {
    quotes(s).into_iter().map(|(t, _)| t).collect()
}

#[test]
fn curly_double_quotes_are_one_span_with_the_marks() {
    assert_eq!(texts("He said: “We are proud of our staff.”"), vec!["“We are proud of our staff.”"]);
}

#[test]
fn straight_double_quotes_pair_by_context() {
    assert_eq!(
        texts("\"If we reject this treaty, Britain will be weak,\" said Jack Straw."),
        vec!["\"If we reject this treaty, Britain will be weak,\""]
    );
}

#[test]
fn apostrophes_are_never_quotation_marks() {
    let t = texts("‘I’m sure the trust’s staff in the ’90s did well,’ she said. The patients’ needs came first.");
    assert_eq!(t, vec!["‘I’m sure the trust’s staff in the ’90s did well,’"]);
}

#[test]
fn straight_single_quotes_around_a_headline_fragment_are_partial() {
    assert_eq!(quotes("Blair 'said he would stand down'\n\nTony Blair told friends he would go."), vec![("'said he would stand down'".to_string(), true)]);
}

#[test]
fn a_multi_paragraph_quote_is_one_span_from_first_open_to_last_close() {
    let s = "Adler said: “First paragraph.\n\n“Second paragraph.\n\n“Third and last.”\n\nThen prose.";
    assert_eq!(texts(s), vec!["“First paragraph.\n\n“Second paragraph.\n\n“Third and last.”"]);
}

#[test]
fn an_interrupted_quote_is_two_quotes() {
    let t = texts("“We are proud,” she said, “and we will go on.”");
    assert_eq!(t, vec!["“We are proud,”", "“and we will go on.”"]);
}

#[test]
fn a_quote_reopened_in_mid_line_continues_when_the_break_was_lost() {
    let s = "He said: \"It was reared here. \"I am led to believe it is from the area.\"";
    assert_eq!(texts(s), vec!["\"It was reared here. \"I am led to believe it is from the area.\""]);
}

#[test]
fn an_unclosed_quote_runs_to_the_end_of_its_paragraph() {
    let t = texts("She said: \"We will not stop until the job is done\n\nNext paragraph here.");
    assert_eq!(t, vec!["\"We will not stop until the job is done"]);
}

#[test]
fn ten_thousand_unbalanced_marks_do_not_panic() {
    let s = "\" word ".repeat(10_000) + "“ ‘ ’ '";
    let _ = texts(&s);
}

#[test]
fn a_fragment_inside_reported_speech_is_partial() {
    let q = quotes("The CQC said the trust “can be proud” of its staff.");
    assert_eq!(q, vec![("“can be proud”".to_string(), true)]);
}

#[test]
fn a_quote_after_a_colon_is_not_partial() {
    let q = quotes("He told the Today programme: \"The sooner we get on with this, the better.\"");
    assert!(!q[0].1);
}

#[test]
fn rating_labels_are_not_quotes() {
    assert!(texts("The trust was rated ‘good’ after a rating of ‘requires improvement’ last year.").is_empty());
}

#[test]
fn scare_quotes_used_as_modifiers_are_not_quotes() {
    assert!(texts("Jack Straw said he will back a \"yes\" vote in the referendum.").is_empty());
}

#[test]
fn a_short_quote_without_a_speech_cue_is_a_scare_quote() {
    assert!(texts("The \"real\" cost of the scheme was never published.").is_empty());
}

#[test]
fn a_short_quote_after_a_speech_verb_is_a_partial_quote() {
    let q = quotes("He said the question sounded \"very neutral\" to him.");
    assert_eq!(q, vec![("\"very neutral\"".to_string(), true)]);
}

#[test]
fn titles_of_works_and_programmes_are_not_quotes() {
    assert!(texts("She starred in \"The Lord Of The Rings\" and \"Pride And Prejudice\" on stage.").is_empty());
}

#[test]
fn a_double_quote_nested_after_a_word_inside_an_open_quote_is_not_a_separate_quote() {
    let s = "\"He told the players he was going to \"fake\" an injury,\" said Shepherd.";
    assert_eq!(texts(s), vec!["\"He told the players he was going to \"fake\" an injury,\""]);
}

#[test]
fn a_fragment_followed_by_a_clause_is_still_a_quote() {
    let q = quotes("Rover bosses have said they are \"confident\" the deal would be signed.");
    assert_eq!(q, vec![("\"confident\"".to_string(), true)]);
}

#[test]
fn a_nested_single_quote_is_not_a_separate_quote() {
    let t = texts("\"We call it 'the plan' and it works,\" he said.");
    assert_eq!(t, vec!["\"We call it 'the plan' and it works,\""]);
}

// One test per house style of quotation marks (sentences written for these tests).

#[test]
fn doubled_straight_marks_are_one_mark_and_the_span_ends_after_both() {
    let s = "''We will keep the plant open,'' the mayor said on Tuesday.";
    assert_eq!(texts(s), vec!["''We will keep the plant open,''"]);
}

#[test]
fn a_short_quote_in_doubled_marks_keeps_its_own_punctuation() {
    let q = quotes("The mayor called the offer ''a fair start,'' and left the room.");
    assert_eq!(q, vec![("''a fair start,''".to_string(), true)]);
}

#[test]
fn a_single_quote_nested_at_the_end_of_a_doubled_one_closes_first() {
    let s = "''My father told me, 'Never give up,''' the coach recalled.";
    assert_eq!(texts(s), vec!["''My father told me, 'Never give up,'''"]);
}

#[test]
fn backtick_openings_close_with_doubled_straight_marks() {
    let s = "The report said: ``Nobody checked the figures before the vote.''";
    assert_eq!(texts(s), vec!["``Nobody checked the figures before the vote.''"]);
}

#[test]
fn a_multi_paragraph_quote_in_doubled_marks_is_one_span() {
    let s = "She said: ''The first part is done.\n\n''The second part starts in May.''\n\nThen prose.";
    assert_eq!(texts(s), vec!["''The first part is done.\n\n''The second part starts in May.''"]);
}

#[test]
fn a_multi_paragraph_quote_in_straight_marks_is_one_span() {
    let s = "He said: \"The first part is done.\n\n\"The second part starts in May.\"\n\nThen prose.";
    assert_eq!(texts(s), vec!["\"The first part is done.\n\n\"The second part starts in May.\""]);
}

#[test]
fn a_closing_curly_mark_used_to_open_starts_the_quote() {
    let s = "”Our budget is balanced for the first time,” the governor said.";
    assert_eq!(texts(s), vec!["”Our budget is balanced for the first time,”"]);
}

#[test]
fn an_opening_curly_mark_used_to_close_ends_the_quote() {
    let s = "“We are not finished with this bill yet,“ the senator said. “Not by a long way.”";
    assert_eq!(texts(s), vec!["“We are not finished with this bill yet,“", "“Not by a long way.”"]);
}

#[test]
fn curly_single_marks_pair_around_a_quote() {
    let s = "‘We have never seen a winter like this one,’ the farmer said.";
    assert_eq!(texts(s), vec!["‘We have never seen a winter like this one,’"]);
}

#[test]
fn straight_single_marks_pair_around_a_quote() {
    let s = "'We have never seen a winter like this one,' the farmer's wife said.";
    assert_eq!(texts(s), vec!["'We have never seen a winter like this one,'"]);
}

#[test]
fn guillemets_pair_like_curly_marks() {
    let s = "The minister said: «We will sign the treaty next week.» Then he left.";
    assert_eq!(texts(s), vec!["«We will sign the treaty next week.»"]);
}

#[test]
fn reversed_guillemets_pair_too() {
    let s = "The minister said: »We will sign the treaty next week.« Then he left.";
    assert_eq!(texts(s), vec!["»We will sign the treaty next week.«"]);
}

#[test]
fn an_unclosed_guillemet_is_an_arrow_not_a_quote() {
    assert!(texts("« Back to the list of all the stories on this page").is_empty());
}

#[test]
fn a_quote_in_another_style_inside_a_straight_quote_is_nested() {
    let s = "\"The board met twice. “We have no plan at all,” one member said, and nobody argued.\"";
    assert_eq!(texts(s), vec![s]);
}

#[test]
fn a_paragraph_reopened_in_another_style_is_a_quote_of_its_own() {
    // A block quoted in straight marks; its last paragraph quotes someone in curly
    // marks, and the block's closing mark follows that quote's attribution.
    let s = "\"The council met on Monday to discuss the bridge.\n\n“We cannot afford another delay,” the mayor said.\"\n\nThen prose.";
    let t = texts(s);
    assert!(t.contains(&"“We cannot afford another delay,”".to_string()), "{t:?}");
}

#[test]
fn a_straight_mark_alone_between_spaces_closes_the_open_quote() {
    let s = "\"My coach always said, 'Finish the race,' \" she told the crowd. \"So I did.\"";
    assert_eq!(texts(s), vec!["\"My coach always said, 'Finish the race,' \"", "\"So I did.\""]);
}

#[test]
fn two_opening_marks_side_by_side_open_at_the_inner_one() {
    let s = "The platform reads: ““Every family deserves a safe home.”";
    assert_eq!(texts(s), vec!["“Every family deserves a safe home.”"]);
}

#[test]
fn a_short_quote_followed_by_a_preposition_is_not_a_modifier() {
    let q = quotes("The senator kept saying \"some kind things\" about his rival.");
    assert_eq!(q, vec![("\"some kind things\"".to_string(), true)]);
}

/// The judge reads a bounded window around each quote, so a paragraph with no sentence
/// end costs it the same per quote however long the paragraph is (the work, not the
/// clock, is what this asserts; speed lives in `scripts/bench`).
#[test]
fn the_cue_window_of_a_quote_reaches_at_most_600_characters_each_way() {
    let s = "\" word ".repeat(20_000);
    let chars: Vec<char> = s.chars().collect();
    let (start, end) = (70_000, 70_007);
    let (s0, e0) = super::judge::sentence_bounds(&chars, start, end);
    assert!(s0 <= start && start - s0 <= 600, "window starts {} characters before", start - s0);
    assert!(e0 >= end && e0 - end <= 600, "window ends {} characters after", e0 - end);
}

#[test]
fn the_cue_window_stops_at_a_sentence_end_or_a_line_break() {
    let s = "He left. She said \"no\" and went\nhome.";
    let chars: Vec<char> = s.chars().collect();
    let start = s.find('"').map(|b| s[..b].chars().count()).unwrap();
    let (s0, e0) = super::judge::sentence_bounds(&chars, start, start + 4);
    assert_eq!(chars[s0..e0].iter().collect::<String>(), " She said \"no\" and went");
}

#[test]
fn a_long_paragraph_of_one_word_fragments_without_a_cue_holds_no_quote() {
    let s = "\" word ".repeat(2_000);
    assert!(texts(&s).is_empty());
    let s = "She said: \"We will go.\" ".repeat(1_000);
    assert_eq!(texts(&s).len(), 1_000);
}

#[test]
fn a_mark_before_a_two_digit_year_is_an_apostrophe() {
    let s = "She said in ‘08 that “the party has never been this united before.”";
    assert_eq!(texts(s), vec!["“the party has never been this united before.”"]);
}

#[test]
fn an_opening_single_mark_after_a_word_is_not_an_opening() {
    let s = "On NBC‘ morning show, she said: “We will not raise taxes on anyone.”";
    assert_eq!(texts(s), vec!["“We will not raise taxes on anyone.”"]);
}

#[test]
fn a_single_mark_that_nothing_closes_does_not_swallow_a_double_quote() {
    let s = "Pieter van 't Hof, a Dutch member, said: \"The union is in real trouble now.\"";
    assert_eq!(texts(s), vec!["\"The union is in real trouble now.\""]);
}

#[test]
fn a_closing_curly_mark_opens_a_quote_that_starts_with_an_ellipsis() {
    let s = "The letter went on: ” … and we expect an answer before the end of the month.”";
    assert_eq!(texts(s), vec!["” … and we expect an answer before the end of the month.”"]);
}

#[test]
fn a_straight_mark_between_a_sentence_end_and_a_word_opens_when_no_quote_is_open() {
    let s = "\"We lost,\" said a shop owner who asked not to be named.\"We were fooled into coming here.\"";
    assert_eq!(texts(s), vec!["\"We lost,\"", "\"We were fooled into coming here.\""]);
}

#[test]
fn a_straight_mark_inside_markup_is_not_decided_by_pairing() {
    let s = "<a href=\"https://example.org/status/12345\">link</a> and data-id=\"2016-01-02\" follow.";
    assert!(texts(s).is_empty());
}
