//! The subject of a speech verb, for the sieves: [`Scene::subject_before`] (`X said`,
//! `X, ROLE of ORG, said`), [`Scene::subject_after`] (`said X`) and the candidate ranking
//! they share ([`Scene::best_candidate`]): a named person or a pronoun nearest the verb
//! in its clause (skipping an apposition `X, …, said`), else a ROLE (`a spokesman said`),
//! else an organisation (`The CQC said`), else an organisation noun (`the report
//! highlights`), resolved later to the nearest earlier organisation mention.

use super::scene::Scene;
use crate::annotation::Label;
use crate::lexicon::{self, PronounKind, ADVERBS, AUXILIARIES, DETERMINERS, ORG_SPEAKER_NOUNS, PREPOSITIONS};

/// What a speech verb's subject turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    /// Index into the view's mentions.
    Mention(usize),
    /// A pronoun at a character position.
    Pronoun(&'static str, usize),
    /// An organisation noun (`the report`) at a character position.
    OrgNoun(String, usize),
    /// A subject that is not annotatable (`the government said`, `critics say`): the
    /// quote has no speaker, and later sieves must not guess one.
    Unknown,
}

fn pronoun(w: &str) -> Option<&'static str> {
    lexicon::pronoun(w).map(|p| p.0)
}

fn personal(w: &str) -> Option<&'static str> {
    lexicon::pronoun(w).filter(|p| p.1 != PronounKind::Group).map(|p| p.0)
}

/// An honorific or an abbreviated title (`Ms`, `Rev`, `Sen`), with or without its period.
pub(crate) fn abbreviated_title(w: &str) -> bool {
    lexicon::is_honorific(w) || lexicon::is_title_abbreviation(w)
}

/// May these words stand between a title and the name it holds (`Foreign Secretary,
/// Jack Straw`, `Sen. Ted Cruz` when the ROLE is `Sen` alone, `Gen. Dr. Ann Lee`)?
fn title_gap(title: &str, gap: &[&str]) -> bool {
    let last = title.split_whitespace().last().unwrap_or("").to_lowercase();
    gap.iter().enumerate().all(|(n, w)| {
        let prev = if n == 0 { last.as_str() } else { gap[n - 1] };
        *w == "," || abbreviated_title(w) || (*w == "." && abbreviated_title(prev))
    })
}

impl Scene<'_, '_> {
    /// May these words (between a quote and a speech verb after it) all belong to a
    /// subject: mentions, pronouns, determiners, honorifics and abbreviated titles (with
    /// their period), organisation nouns, auxiliaries and commas?
    pub fn subject_like(&self, between: &[usize]) -> bool {
        let v = self.view;
        between.iter().enumerate().all(|(n, &k)| {
            let w = &v.words[k];
            let after_title = n > 0 && abbreviated_title(&v.words[between[n - 1]].lower);
            w.lower == ","
                || (w.lower == "." && after_title)
                || abbreviated_title(&w.lower)
                || self.mention_at(w.span.start).is_some()
                || lexicon::pronoun(&w.lower).is_some()
                || DETERMINERS.contains(w.lower.as_str())
                || ORG_SPEAKER_NOUNS.contains(w.lower.as_str())
                || AUXILIARIES.contains(w.lower.as_str())
        })
    }

    /// The subject of a speech verb that is not right after the quote: before it
    /// (`Smith told Fox News`), or after it only when nothing before the verb in its
    /// clause could be a subject (`And said Smith:`); never the object of `told`, `asked`,
    /// `informed` (`the lawmaker told Fox News` is the lawmaker's even when `lawmaker` is
    /// not tagged).
    pub fn subject_of(&self, verb: usize, start: usize, end: usize) -> Option<Subject> {
        let v = self.view;
        if v.words[verb].lower.starts_with("quot") {
            return self.subject_after(verb, end);
        }
        self.subject_before(verb, start).or_else(|| self.inverted(verb, start).then(|| self.subject_after(verb, end)).flatten())
    }

    /// Is the verb at word `verb` first in its clause (after `start`), but for
    /// punctuation, conjunctions and adverbs?
    fn inverted(&self, verb: usize, start: usize) -> bool {
        let v = self.view;
        self.clause_words(start, v.words[verb].span.start).iter().all(|&k| {
            let w = v.words[k].lower.as_str();
            !w.chars().any(char::is_alphanumeric) || matches!(w, "and" | "but" | "then" | "so" | "or") || AUXILIARIES.contains(w) || (w.ends_with("ly") && w.len() > 4)
        })
    }

    /// The subject of the verb at word `verb`, searching back to `start` (a char position).
    pub fn subject_before(&self, verb: usize, start: usize) -> Option<Subject> {
        let v = self.view;
        let words: Vec<usize> = self.clause_words(start, v.words[verb].span.start);
        let last = *words.last()?;
        // `…, saying` / `…, adding`: a participle takes the main clause's subject.
        let lw = &v.words[verb].lower;
        let progressive = matches!(v.words[last].lower.as_str(), "is" | "was" | "were" | "are" | "been" | "be" | "am");
        if lw.ends_with("ing") && !progressive {
            // `Ryan and Trump will meet, Spicer said, adding, “…”`: the subject of the
            // nearest finite speech verb before the participle, else the clause's first.
            let finite = words.iter().rev().find(|&&k| !v.words[k].lower.ends_with("ing") && self.is_speech_verb_at(k));
            if let Some(s) = finite.and_then(|&k| self.subject_before(k, start)) {
                return Some(s);
            }
            if let Some(s) = self.leftmost_subject(&words) {
                return Some(s);
            }
        }
        // The word right before the verb (auxiliaries and adverbs skipped) decides whether
        // the subject is a mention, a pronoun, an apposition, or a plain noun phrase.
        let mut k = words.len();
        while k > 0 && {
            let w = v.words[words[k - 1]].lower.as_str();
            (AUXILIARIES.contains(w) || ADVERBS.contains(w) || (w.ends_with("ly") && w.len() > 4)) && self.mention_at(v.words[words[k - 1]].span.start).is_none()
        } {
            k -= 1;
        }
        if k == 0 {
            return None;
        }
        let head = words[k - 1];
        let hw = &v.words[head];
        // `X used to back Y, but now said …`: a coordinated verb shares the first
        // clause's subject.
        if matches!(hw.lower.as_str(), "and" | "but") {
            // The comma-separated stretches before it, nearest first (`When asked, Ms.
            // Lee smiled and said` is Lee's, not the opening clause's).
            let first = &words[..k - 1];
            for part in first.rsplit(|&w| v.words[w].lower == ",") {
                if let Some(s) = self.leftmost_subject(part) {
                    return Some(s);
                }
            }
        }
        if hw.lower == "," {
            // `X, apposition, said`: the subject is right before the apposition's first comma,
            // when a person is there; else the nearest candidate.
            let commas: Vec<usize> = words[..k].iter().copied().filter(|&w| v.words[w].lower == ",").collect();
            if commas.len() >= 2 {
                let open = commas[commas.len() - 2];
                let before: Vec<usize> = words.iter().copied().filter(|&w| w < open).collect();
                if let Some(s @ Subject::Mention(i)) = self.best_candidate(&before) {
                    if self.mention(i).label == Label::PER {
                        return Some(s);
                    }
                }
            }
            return self.best_candidate(&words[..k]);
        }
        if self.mention_at(hw.span.start).is_some() || pronoun(&hw.lower).is_some() {
            return self.best_candidate(&words[..k]);
        }
        let alpha = hw.lower.chars().all(|c| c.is_alphabetic() || c == '-');
        let capital = v.chars.get(hw.span.start).is_some_and(|c| c.is_uppercase());
        if alpha && !capital && !DETERMINERS.contains(hw.lower.as_str()) && !crate::quotes::is_cue(&hw.lower) {
            // A plain noun subject: an organisation noun, an ORG-premodified noun
            // (`Rover bosses`), else not annotatable (`the government said`).
            if ORG_SPEAKER_NOUNS.contains(hw.lower.as_str()) {
                return Some(Subject::OrgNoun(hw.lower.clone(), hw.span.start));
            }
            // `Ryan's campaign said`: the person the campaign speaks for.
            if lexicon::ENTOURAGE_NOUNS.contains(hw.lower.as_str()) && k >= 2 {
                if let Some(i) = self.mention_at(v.words[words[k - 2]].span.start.saturating_sub(1)).filter(|&i| self.possessive(i)) {
                    if self.mention(i).label == Label::PER {
                        return Some(Subject::Mention(i));
                    }
                }
            }
            for j in (k.saturating_sub(4)..k - 1).rev() {
                let w = &v.words[words[j]];
                if let Some(i) = self.mention_at(w.span.start) {
                    if self.mention(i).label == Label::ORG {
                        return Some(Subject::Mention(i));
                    }
                    break;
                }
                if w.lower == "," || PREPOSITIONS.contains(w.lower.as_str()) {
                    break;
                }
            }
            // A plural noun (`critics`, `officials`), not a short function word (`as`,
            // `this`) or a singular in -ss/-us/-is.
            let plural = hw.lower.len() > 3 && hw.lower.ends_with('s') && !["ss", "us", "is"].iter().any(|e| hw.lower.ends_with(e));
            let plural_or_collective = plural || lexicon::GROUP_NOUNS.contains(hw.lower.as_str());
            if plural_or_collective {
                return Some(Subject::Unknown);
            }
        }
        self.best_candidate(&words[..k])
    }

    /// The leftmost subject-like candidate of a clause: a non-possessive person, ROLE or
    /// ORG, or he/she.
    pub fn leftmost_subject(&self, words: &[usize]) -> Option<Subject> {
        let v = self.view;
        for &k in words {
            let w = &v.words[k];
            if let Some(i) = self.mention_at(w.span.start) {
                if self.mention(i).span.start != w.span.start {
                    continue;
                }
                // A mention in a prepositional phrase (`in an interview with the FT`) is not
                // the subject.
                let prep = (k.saturating_sub(3)..k)
                    .rev()
                    .map(|j| v.words[j].lower.as_str())
                    .take_while(|x| DETERMINERS.contains(x) || PREPOSITIONS.contains(x))
                    .any(|x| PREPOSITIONS.contains(x));
                // `Ryan's campaign shrugged it off, telling reporters`: the person.
                let entourage = self.possessive(i)
                    && self.mention(i).label == Label::PER
                    && v.words.get(v.word_at_or_after(self.mention(i).span.end) + 1).is_some_and(|n| lexicon::ENTOURAGE_NOUNS.contains(n.lower.as_str()));
                if entourage && !prep {
                    return Some(Subject::Mention(i));
                }
                if super::speaker_label(self.mention(i).label) && !self.possessive(i) && !prep {
                    // Premodifiers (`House Republican Thomas Massie`, `Gov. Greg Abbott`):
                    // the subject is the last mention of the run.
                    let mut j = i;
                    while let Some(next) = v.mentions.get(j + 1) {
                        let gap = next.span.start.saturating_sub(self.mention(j).span.end);
                        if next.span.start < self.mention(j).span.end || gap > 1 || !super::speaker_label(next.label) {
                            break;
                        }
                        j += 1;
                    }
                    return Some(Subject::Mention(j));
                }
                continue;
            }
            if let Some(p) = personal(&w.lower) {
                return Some(Subject::Pronoun(p, w.span.start));
            }
        }
        None
    }

    /// The subject after an inverted verb (`said X`), within eight words. Pronouns count
    /// only right before the end of the clause (`said he.`).
    pub fn subject_after(&self, verb: usize, end: usize) -> Option<Subject> {
        let v = self.view;
        let words: Vec<usize> = self.clause_words(v.words[verb].span.end, end).into_iter().take(8).collect();
        for (n, &k) in words.iter().enumerate() {
            let w = &v.words[k];
            if let Some(i) = self.mention_at(w.span.start) {
                let m = self.mention(i);
                match m.label {
                    Label::PER | Label::ORG => return Some(Subject::Mention(i)),
                    Label::ROLE => {
                        // `said Foreign Secretary Jack Straw`: the person after the title.
                        if let Some(nm) = v.mentions.get(i + 1) {
                            let gap = v.lower_words(m.span.end, nm.span.start);
                            if nm.label == Label::PER && title_gap(&m.text, &gap) {
                                return Some(Subject::Mention(i + 1));
                            }
                        }
                        return Some(Subject::Mention(i));
                    }
                    _ => {}
                }
            }
            if let Some(p) = pronoun(&w.lower) {
                let next = words.get(n + 1).map(|&j| v.words[j].lower.as_str());
                if n == 0 && next.is_none_or(|x| matches!(x, "." | "," | ";")) {
                    return Some(Subject::Pronoun(p, w.span.start));
                }
                return None;
            }
            if ORG_SPEAKER_NOUNS.contains(w.lower.as_str()) {
                return Some(Subject::OrgNoun(w.lower.clone(), w.span.start));
            }
            // A preposition right after the verb opens an adjunct, not the subject
            // (`offered at the GOP gathering`, `said in Iowa`).
            if n == 0 && PREPOSITIONS.contains(w.lower.as_str()) {
                break;
            }
            // `said the Rev. Al Sharpton`: the period of an abbreviated title goes on.
            let abbreviation_period = w.lower == "." && n > 0 && abbreviated_title(&v.words[words[n - 1]].lower);
            if !abbreviation_period && matches!(w.lower.as_str(), "." | ";" | "\"" | "“" | "”" | "that") {
                break;
            }
        }
        None
    }

    /// Picks a subject among clause words (searched from the end): the nearest
    /// non-possessive person or he/she; else the nearest ROLE; else the nearest ORG not in
    /// a possessive; else they/it/we; else an organisation noun.
    pub fn best_candidate(&self, words: &[usize]) -> Option<Subject> {
        let v = self.view;
        let mut role = None;
        let mut org = None;
        let mut other_pronoun = None;
        let mut noun = None;
        for &k in words.iter().rev() {
            let w = &v.words[k];
            if let Some(i) = self.mention_at(w.span.start) {
                let m = self.mention(i);
                // Only the mention's last word counts, once.
                if m.span.end != w.span.end {
                    continue;
                }
                match m.label {
                    Label::PER if !self.possessive(i) => return Some(Subject::Mention(i)),
                    Label::ROLE if role.is_none() => role = Some(i),
                    Label::ORG if org.is_none() && !self.possessive(i) => org = Some(i),
                    _ => {}
                }
                continue;
            }
            match lexicon::pronoun(&w.lower) {
                Some((p, PronounKind::Male | PronounKind::Female)) => return Some(Subject::Pronoun(p, w.span.start)),
                Some((p, PronounKind::Group)) if other_pronoun.is_none() => other_pronoun = Some(Subject::Pronoun(p, w.span.start)),
                _ => {}
            }
            if noun.is_none() && ORG_SPEAKER_NOUNS.contains(w.lower.as_str()) {
                let prev = k.checked_sub(1).map(|p| v.words[p].lower.as_str());
                if !prev.is_some_and(|p| PREPOSITIONS.contains(p)) {
                    noun = Some(Subject::OrgNoun(w.lower.clone(), w.span.start));
                }
            }
        }
        role.map(Subject::Mention).or(org.map(Subject::Mention)).or(other_pronoun).or(noun)
    }
}
