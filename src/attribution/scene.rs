//! What the sieves share: the document view with the lookups attribution needs (the
//! holder of a ROLE, the Equiv group and gender of a mention, pronoun and organisation
//! noun resolution), built once per document, and [`QuoteCtx`], the facts about one quote
//! that several sieves use (its paragraph, the clause after it, the previous
//! attribution), computed once per quote.

use super::subject::Subject;
use crate::annotation::{Annotations, Label, RelKind};
use crate::document::Span;
use crate::lexicon::{self, PronounKind};
use crate::mentions::{Mention, View};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gender {
    Male,
    Female,
}

impl Gender {
    fn of(kind: PronounKind) -> Option<Gender> {
        match kind {
            PronounKind::Male => Some(Gender::Male),
            PronounKind::Female => Some(Gender::Female),
            PronounKind::Group => None,
        }
    }
}

/// Roles that say the holder's gender (`she` may refer to an unnamed spokeswoman): a last
/// word in -woman/-man, or a gendered noun of `data/lexicon/gendered_nouns.tsv`.
pub(crate) fn role_gender(text: &str) -> Option<Gender> {
    let t = text.to_lowercase();
    let last = t.split_whitespace().last().unwrap_or("");
    if last.ends_with("woman") || last.ends_with("women") || lexicon::gendered_noun(last) == Some(PronounKind::Female) {
        Some(Gender::Female)
    } else if last.ends_with("man") || last.ends_with("men") || lexicon::gendered_noun(last) == Some(PronounKind::Male) {
        Some(Gender::Male)
    } else {
        None
    }
}

/// The gender an honorific says (`Mr`, `Ms.`), if it says one (`data/lexicon/honorifics.tsv`).
fn honorific_gender(w: &str) -> Option<Gender> {
    lexicon::honorific_gender(w).and_then(Gender::of)
}

/// The document as the sieves see it.
pub struct Scene<'v, 'a> {
    pub view: &'v View<'a>,
    /// ROLE mention index -> holder PER mention index (from HasRole).
    pub(crate) holder: HashMap<usize, usize>,
    /// Mention index -> group id (index of its group's first member).
    pub(crate) group: Vec<usize>,
    /// Group id -> the indices of its members outside quotes, in text order.
    members: HashMap<usize, Vec<usize>>,
    gender: HashMap<usize, Gender>,
    /// A lower-cased word of an ORG's name -> the ORGs whose names hold it, in text order.
    org_words: HashMap<String, Vec<usize>>,
}

/// The facts about one quote that the sieves share.
#[derive(Debug, Clone)]
pub struct QuoteCtx {
    /// Index of the quote in the view's quotes.
    pub index: usize,
    pub span: Span,
    pub partial: bool,
    /// The paragraph (line) the quote starts in.
    pub para: Span,
    /// Start of the next quote (or `usize::MAX`).
    pub next_quote: usize,
    /// Start of the quote's sentence (not before its paragraph).
    pub sent_before: usize,
    /// End of the sentence the quote ends in (not before the quote's end).
    pub sent_after: usize,
    /// The last character inside the marks ends a sentence (`.` `…`; not `,` `?` `!`).
    pub ends_sentence: bool,
    /// The previous attributed quote and its speaker mention.
    pub previous: Option<(Span, usize)>,
}

impl QuoteCtx {
    /// End of the clause after the quote: its sentence, the next quote or the paragraph end.
    pub fn after_end(&self) -> usize {
        self.sent_after.min(self.next_quote).min(self.para.end)
    }
}

impl<'v, 'a> Scene<'v, 'a> {
    pub fn new(view: &'v View<'a>, ann: &Annotations) -> Scene<'v, 'a> {
        let index: HashMap<&str, usize> = view.mentions.iter().enumerate().map(|(i, m)| (m.id.as_str(), i)).collect();
        let mut group: Vec<usize> = (0..view.mentions.len()).collect();
        for g in &ann.equivs {
            let members: Vec<usize> = g.iter().filter_map(|id| index.get(id.as_str()).copied()).collect();
            if let Some(&first) = members.iter().min() {
                for m in members {
                    group[m] = first;
                }
            }
        }
        let mut members: HashMap<usize, Vec<usize>> = HashMap::new();
        for (k, &g) in group.iter().enumerate() {
            if !view.in_quote(view.mentions[k].span.start) {
                members.entry(g).or_default().push(k);
            }
        }
        let mut holder = HashMap::new();
        for r in ann.relations_of(RelKind::HasRole) {
            if let (Some(&p), Some(&role)) = (index.get(r.arg1.as_str()), index.get(r.arg2.as_str())) {
                holder.insert(role, p);
            }
        }
        let mut gender = HashMap::new();
        for (i, m) in view.mentions.iter().enumerate() {
            if m.label != Label::PER {
                continue;
            }
            let before = view.lower_words(m.span.start.saturating_sub(6), m.span.start);
            // `Mr Smith`, `Ms. Kovner`: the honorific is the last word, or the one before a period.
            let mut it = before.iter().rev().copied();
            let g = match it.next() {
                Some(".") => it.next().and_then(honorific_gender),
                Some(w) => honorific_gender(w),
                None => None,
            };
            if let Some(g) = g {
                gender.insert(group[i], g);
            }
        }
        // A person holding a gendered role (`spokeswoman Jo Smith`) has that gender.
        for (&role, &p) in &holder {
            if let Some(g) = role_gender(&view.mentions[role].text) {
                gender.entry(group[p]).or_insert(g);
            }
        }
        let mut org_words: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, m) in view.mentions.iter().enumerate().filter(|(_, m)| m.label == Label::ORG) {
            let lower = m.text.to_lowercase();
            let mut words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
            words.dedup();
            for w in words {
                org_words.entry(w.to_string()).or_default().push(i);
            }
        }
        Scene { view, holder, group, members, gender, org_words }
    }

    /// The shared facts about quote `index`.
    pub fn quote(&self, index: usize, span: Span, partial: bool, previous: Option<(Span, usize)>) -> QuoteCtx {
        let v = self.view;
        let para = v.paragraph_of(span.start);
        let next_quote = v.quotes.get(index + 1).map(|n| n.start).unwrap_or(usize::MAX);
        let sent_after = v.sentences[v.sentence_of(span.end.saturating_sub(1))].2.end.max(span.end);
        let sent_before = v.sentences[v.sentence_of(span.start)].2.start.min(span.start).max(para.start);
        let last_inside = v.chars[span.start..span.end].iter().rev().skip(1).find(|c| !c.is_whitespace() && !is_mark(**c)).copied();
        let ends_sentence = matches!(last_inside, Some('.') | Some('…'));
        QuoteCtx { index, span, partial, para, next_quote, sent_before, sent_after, ends_sentence, previous }
    }

    pub fn mention(&self, i: usize) -> &Mention {
        &self.view.mentions[i]
    }

    /// The mention covering character `pos`, if any.
    pub fn mention_at(&self, pos: usize) -> Option<usize> {
        let ms = &self.view.mentions;
        let k = ms.partition_point(|m| m.span.start <= pos);
        (k > 0 && ms[k - 1].span.end > pos).then(|| k - 1)
    }

    /// Is mention `i` followed by a possessive (`Mr Smith's position`)?
    pub fn possessive(&self, i: usize) -> bool {
        let m = self.mention(i);
        let k = self.view.word_at_or_after(m.span.end);
        self.view.words.get(k).is_some_and(|w| w.span.start == m.span.end && matches!(w.lower.as_str(), "'s" | "'"))
            || m.text.ends_with("'s")
            || m.text.ends_with("’s")
    }

    pub(crate) fn gender_of(&self, i: usize) -> Option<Gender> {
        let m = self.mention(i);
        match m.label {
            Label::PER => self.gender.get(&self.group[i]).copied(),
            Label::ROLE => role_gender(&m.text),
            _ => None,
        }
    }

    /// Are two mentions of the same person or organisation (one Equiv group)?
    pub fn same_entity(&self, a: usize, b: usize) -> bool {
        self.group[a] == self.group[b]
    }

    /// Does a sentence between `start` and `end` have, as its subject (leftmost
    /// subject-like mention outside quotes), a person other than mention `m`'s entity
    /// (or a role not held by it)? Objects and organisations do not count (`Wenger
    /// insists he has faith in Almunia` keeps Wenger the speaker).
    pub fn other_person_between(&self, start: usize, end: usize, m: usize) -> bool {
        let v = self.view;
        let first = v.sentence_of(start);
        (first..v.sentences.len()).take_while(|&s| v.sentences[s].2.start < end).any(|s| {
            let span = v.sentences[s].2;
            let words = self.clause_words(span.start.max(start), span.end.min(end));
            let Some(Subject::Mention(i)) = self.leftmost_subject(&words) else { return false };
            let who = match self.mention(i).label {
                Label::PER => i,
                Label::ROLE => match self.holder.get(&i) {
                    Some(&h) => h,
                    None => i,
                },
                _ => return false,
            };
            !self.same_entity(who, m)
        })
    }

    /// Resolves a pronoun at `pos` (Hobbs-style): the sentences from the pronoun's own
    /// back to five before it are searched, each from its start, for the leftmost
    /// subject-like candidate outside quotes: a person (not a possessive) or a gendered
    /// unnamed role for he/she, an organisation for they/it/we. A same-kind pronoun found
    /// first means the sentence continues the same referent: the search goes on back.
    pub fn resolve_pronoun(&self, p: &str, pos: usize) -> Option<usize> {
        let v = self.view;
        let kind = lexicon::pronoun(p).map(|x| x.1)?;
        let want = Gender::of(kind);
        let person = want.is_some();
        let si = v.sentence_of(pos);
        for s in (si.saturating_sub(5)..=si).rev() {
            let (a, b, _) = v.sentences[s];
            let end = if s == si { v.word_at_or_after(pos) } else { b };
            let mut k = a;
            while k < end.min(b) {
                let w = &v.words[k];
                k += 1;
                if v.in_quote(w.span.start) {
                    continue;
                }
                if let Some(i) = self.mention_at(w.span.start) {
                    let m = self.mention(i);
                    k = v.word_at_or_after(m.span.end).max(k);
                    let ok = match m.label {
                        Label::PER => person && !self.possessive(i) && match (want, self.gender_of(i)) {
                            (Some(x), Some(g)) => x == g,
                            _ => true,
                        },
                        Label::ROLE => person && !self.holder.contains_key(&i) && self.gender_of(i) == want,
                        Label::ORG => !person && !self.possessive(i),
                        _ => false,
                    };
                    if ok {
                        let r = if m.label == Label::ROLE { self.holder.get(&i).copied().unwrap_or(i) } else { i };
                        return Some(r);
                    }
                    continue;
                }
                let here = lexicon::pronoun(&w.lower);
                if here.is_some_and(|(q, qk)| q == p || (!person && qk == PronounKind::Group)) {
                    // Same referent as ours: keep looking further back.
                    break;
                }
            }
        }
        None
    }

    /// The nearest earlier ORG for an organisation noun: the last organisation whose name
    /// holds the noun (`the trust` → `… NHS Trust`, anywhere before), else the last one
    /// named outside quotes in the noun's sentence or the two before it (`Acme … The
    /// company said`); never one further back (no guess).
    pub fn resolve_org_noun(&self, noun: &str, pos: usize) -> Option<usize> {
        let ms = &self.view.mentions;
        if let Some(list) = self.org_words.get(noun) {
            let k = list.partition_point(|&i| ms[i].span.end <= pos);
            if k > 0 {
                return Some(list[k - 1]);
            }
        }
        let v = self.view;
        let from = v.sentences[v.sentence_of(pos).saturating_sub(2)].2.start;
        let end = ms.partition_point(|m| m.span.start < pos);
        (0..end)
            .rev()
            .take_while(|&i| ms[i].span.start >= from)
            .find(|&i| ms[i].span.end <= pos && ms[i].label == Label::ORG && !v.in_quote(ms[i].span.start))
    }

    /// The speaker mention for a subject: a person, a ROLE's holder or the ROLE, an ORG.
    /// `Ok(None)` means "no speaker, stop"; `Err(())` means "not resolved, go on".
    pub fn resolve(&self, s: &Subject) -> Result<Option<usize>, ()> {
        match s {
            Subject::Mention(i) => {
                let m = self.mention(*i);
                if m.label == Label::ROLE {
                    return Ok(Some(self.holder.get(i).copied().unwrap_or(*i)));
                }
                Ok(Some(*i))
            }
            Subject::Pronoun(p, pos) => self.resolve_pronoun(p, *pos).map(Some).ok_or(()),
            Subject::OrgNoun(n, pos) => self.resolve_org_noun(n, *pos).map(Some).ok_or(()),
            Subject::Unknown => Ok(None),
        }
    }

    /// Applies a subject found by a sieve: a speaker, "no speaker" (stop), or go on.
    /// `direct_ok`: the subject lies in the attribution itself.
    pub fn decide(&self, s: Option<Subject>, direct_ok: bool) -> super::Decision {
        use super::Decision;
        let Some(s) = s else { return Decision::Undecided };
        match self.resolve(&s) {
            Ok(Some(i)) => {
                let direct = direct_ok && matches!(&s, Subject::Mention(j) if *j == i);
                Decision::Speaker { mention: i, direct }
            }
            Ok(None) => Decision::NoSpeaker,
            Err(()) => Decision::Undecided,
        }
    }

    /// The mention of `i`'s group to write as Arg2: `i` itself when it lies in the
    /// attribution (`direct`), else the group's nearest mention before the quote, else
    /// its first mention after.
    pub fn speaker_mention(&self, i: usize, quote: Span, direct: bool) -> usize {
        if direct {
            return i;
        }
        let ms = &self.view.mentions;
        let Some(members) = self.members.get(&self.group[i]) else { return i };
        let before = members.partition_point(|&k| ms[k].span.end <= quote.start);
        if before > 0 {
            return members[before - 1];
        }
        members.iter().find(|&&k| ms[k].span.start >= quote.end).copied().unwrap_or(i)
    }

    /// Word indices of the words outside quotes between two positions.
    pub fn clause_words(&self, start: usize, end: usize) -> Vec<usize> {
        let v = self.view;
        let a = v.word_at_or_after(start);
        (a..v.words.len())
            .take_while(|&k| v.words[k].span.end <= end)
            .filter(|&k| !v.in_quote(v.words[k].span.start))
            .collect()
    }

    /// Is the cue word at `k` a verb here, not a noun (`reports of`, `the report`, `a comment`)?
    /// A past form before `of` is a verb (`Smith said of the bill`).
    pub fn cue_is_verb(&self, k: usize) -> bool {
        let v = self.view;
        let prev = k.checked_sub(1).map(|p| v.words[p].lower.as_str());
        let next = v.words.get(k + 1).map(|w| w.lower.as_str());
        let noun_before_of = next == Some("of") && !lexicon::is_past_speech_verb(&v.words[k].lower);
        !(prev.is_some_and(|p| lexicon::DETERMINERS.contains(p) || p == "'s") || noun_before_of)
    }

    /// Is word `k` a speech verb used as a verb?
    pub fn is_speech_verb_at(&self, k: usize) -> bool {
        let w = &self.view.words[k].lower;
        let phrasal = self.view.words.get(k + 1).is_some_and(|n| lexicon::PHRASAL_SPEECH_VERBS.contains(format!("{w} {}", n.lower).as_str()));
        phrasal || ((crate::quotes::is_cue(w) || lexicon::is_speech_verb(w)) && self.cue_is_verb(k))
    }

    /// Speech verbs among clause words (cue words used as nouns left out).
    pub fn verbs(&self, words: &[usize]) -> Vec<usize> {
        words.iter().copied().filter(|&k| self.is_speech_verb_at(k)).collect()
    }
}

fn is_mark(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '„' | '‟' | '\'' | '‘' | '’' | '‚' | '‛' | '«' | '»')
}
