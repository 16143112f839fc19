//! Speaker attribution: links every QUOTE to the mention of its source, as ordered
//! sieves. The first sieve that finds a speaker decides, and its name is recorded on the
//! Speaker relation (`source`) and in `X.json`, so a wrong attribution can be traced.
//!
//! | sieve | pattern |
//! |---|---|
//! | `after-quote` | `“…,” said X` · `“…,” X said` · `“…,” he added` · `“…,” said Foreign Secretary Jack Straw` |
//! | `before-quote` | `X said: “…”` · `X, ROLE of ORG, said: “…”` · `ROLE X told …: “…”` · `X said the trust “…”` |
//! | `according-to` | `according to X, “…”` |
//! | `same-sentence` | a speech verb elsewhere in the quote's sentence (`Despite this “…,” the bill stood “…,” he added`) |
//! | `previous-sentence` | the sentence just before, in the same paragraph, attributes speech (`…, Mr Straw said. “…”`) |
//! | `continuation` | no attribution: the previous quote's speaker, when it is in the same or the previous paragraph |
//! | `headline` | a quote in a headline: the nearest named mention before it in the headline, else the first after |
//!
//! The subject of a speech verb is found by [`subject_before`] / [`subject_after`]: a
//! named person or a pronoun nearest the verb in its clause (skipping an apposition
//! `X, …, said`), else a ROLE (`a spokesman said`), else an organisation (`The CQC said`),
//! else an organisation noun (`the report highlights`, `the paper said`), resolved to the
//! nearest earlier organisation mention. Pronouns resolve to the nearest earlier person
//! outside quotes whose known gender (from `Mr`, `Mrs`, `Ms`…) does not contradict them
//! (`they`, `it` and `we` to the nearest organisation). A ROLE resolves through HasRole to
//! its holder; an unnamed ROLE (`a spokesman`) is itself the speaker. The mention written
//! is the nearest one of the speaker's Equiv group before the quote (after it if none).

use crate::annotation::{Annotations, Label, RelKind};
use crate::document::{Span, Text};
use crate::mentions::{Mention, View};
use crate::quotes::is_cue;
use std::collections::HashMap;

/// Nouns that stand for an organisation or its publication as a speaker.
const ORG_SPEAKER_NOUNS: &[&str] = &[
    "report", "study", "survey", "statement", "review", "paper", "newspaper", "inquiry", "mps",
    "company", "firm", "club", "trust", "bank", "committee", "commission", "council", "board",
    "party", "union", "regulator", "watchdog", "agency", "group", "charity", "association",
];
const PREPOSITIONS: &[&str] = &["of", "at", "for", "with", "from", "by", "to", "on", "in", "into", "about", "against"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gender {
    Male,
    Female,
}

/// Roles that say the holder's gender (`she` may refer to an unnamed spokeswoman).
fn role_gender(text: &str) -> Option<Gender> {
    let t = text.to_lowercase();
    let last = t.split_whitespace().last().unwrap_or("");
    if last.ends_with("woman") || last.ends_with("women") || matches!(last, "actress" | "queen" | "princess" | "duchess" | "mother" | "wife" | "daughter" | "sister") {
        Some(Gender::Female)
    } else if last.ends_with("man") || last.ends_with("men") || matches!(last, "king" | "prince" | "duke" | "father" | "husband" | "son" | "brother") {
        Some(Gender::Male)
    } else {
        None
    }
}

/// What a speech verb's subject turned out to be.
#[derive(Debug, Clone, PartialEq)]
enum Subject {
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

/// The attribution of one quote.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribution {
    pub quote: Span,
    pub speaker: String,
    pub sieve: &'static str,
}

struct Ctx<'v, 'a> {
    view: &'v View<'a>,
    /// ROLE mention index -> holder PER mention index.
    holder: HashMap<usize, usize>,
    /// Mention index -> group id (index of its first member).
    group: Vec<usize>,
    gender: HashMap<usize, Gender>,
    /// Definite roles resolved to a person while attributing (`the striker said`):
    /// (person, role) mention indices, written as HasRole.
    anaphors: std::cell::RefCell<Vec<(usize, usize)>>,
}

fn pronoun(w: &str) -> Option<&'static str> {
    Some(match w {
        "he" => "he",
        "she" => "she",
        "they" => "they",
        "it" => "it",
        "we" => "we",
        _ => return None,
    })
}

/// Words that may sit between a subject and its verb (`Smith has also said`).
const AUX: &[&str] = &["has", "have", "had", "also", "would", "will", "did", "does", "do", "is", "was", "were", "are", "been", "not", "then", "later", "again", "further", "previously", "once", "today", "yesterday", "recently", "now", "who", "which", "that"];
const SUBORDINATORS: &[&str] = &["when", "after", "before", "since", "because", "if", "while", "until", "once"];
const DETS: &[&str] = &["the", "a", "an", "its", "his", "her", "their", "our", "this", "that", "these", "those"];

/// Is the cue word at `k` a verb here, not a noun (`reports of`, `the report`, `a comment`)?
fn cue_is_verb(v: &View, k: usize) -> bool {
    let prev = k.checked_sub(1).map(|p| v.words[p].lower.as_str());
    let next = v.words.get(k + 1).map(|w| w.lower.as_str());
    !(prev.is_some_and(|p| DETS.contains(&p) || p == "'s" || p == "’s") || next == Some("of"))
}

impl<'v, 'a> Ctx<'v, 'a> {
    fn new(view: &'v View<'a>, ann: &Annotations) -> Ctx<'v, 'a> {
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
            let g = match before.last().copied() {
                Some("mr") | Some("mr.") | Some("sir") | Some("lord") => Some(Gender::Male),
                Some("mrs") | Some("mrs.") | Some("ms") | Some("ms.") | Some("miss") | Some("lady") | Some("dame") | Some("baroness") => Some(Gender::Female),
                _ => None,
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
        Ctx { view, holder, group, gender, anaphors: Default::default() }
    }

    fn mention(&self, i: usize) -> &Mention {
        &self.view.mentions[i]
    }

    /// The mention covering character `pos`, if any.
    fn mention_at(&self, pos: usize) -> Option<usize> {
        let ms = &self.view.mentions;
        let k = ms.partition_point(|m| m.span.start <= pos);
        (k > 0 && ms[k - 1].span.end > pos).then(|| k - 1)
    }

    /// Is mention `i` followed by a possessive (`Mr Smith's position`)?
    fn possessive(&self, i: usize) -> bool {
        let m = self.mention(i);
        let k = self.view.word_at_or_after(m.span.end);
        self.view.words.get(k).is_some_and(|w| w.span.start == m.span.end && matches!(w.lower.as_str(), "'s" | "'"))
            || m.text.ends_with("'s")
            || m.text.ends_with("’s")
    }

    fn gender_of(&self, i: usize) -> Option<Gender> {
        let m = self.mention(i);
        match m.label {
            Label::PER => self.gender.get(&self.group[i]).copied(),
            Label::ROLE => role_gender(&m.text),
            _ => None,
        }
    }

    /// Resolves a pronoun at `pos` (Hobbs-style): the sentences from the pronoun's own
    /// back to five before it are searched, each from its start, for the leftmost
    /// subject-like candidate outside quotes: a person (not a possessive) or a gendered
    /// unnamed role for he/she, an organisation for they/it/we. A same-kind pronoun found
    /// first means the sentence continues the same referent: the search goes on back.
    fn resolve_pronoun(&self, p: &str, pos: usize) -> Option<usize> {
        let v = self.view;
        let want = match p {
            "he" => Some(Gender::Male),
            "she" => Some(Gender::Female),
            _ => None,
        };
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
                        Label::ROLE => person && !self.holder.contains_key(&i) && want.is_some() && self.gender_of(i) == want,
                        Label::ORG => !person && !self.possessive(i),
                        _ => false,
                    };
                    if ok {
                        let r = if m.label == Label::ROLE { self.holder.get(&i).copied().unwrap_or(i) } else { i };
                        return Some(r);
                    }
                    continue;
                }
                if pronoun(&w.lower) == Some(p) || (!person && pronoun(&w.lower).is_some_and(|q| q != "he" && q != "she")) {
                    // Same referent as ours: keep looking further back.
                    break;
                }
            }
        }
        None
    }

    /// The nearest earlier ORG for an organisation noun (`the paper` → the last-named paper).
    fn resolve_org_noun(&self, noun: &str, pos: usize) -> Option<usize> {
        let ms = &self.view.mentions;
        let orgs = || ms.iter().enumerate().rev().filter(|(_, m)| m.span.end <= pos && m.label == Label::ORG);
        let named = orgs().find(|(_, m)| m.text.to_lowercase().split(|c: char| !c.is_alphanumeric()).any(|w| w == noun));
        named.or_else(|| orgs().find(|(_, m)| !self.view.in_quote(m.span.start))).map(|(i, _)| i)
    }

    /// The speaker mention for a subject: a person, a ROLE's holder or the ROLE, an ORG.
    /// `Ok(None)` means "no speaker, stop"; `Err(())` means "not resolved, go on".
    fn resolve(&self, s: &Subject) -> Result<Option<usize>, ()> {
        match s {
            Subject::Mention(i) => {
                let m = self.mention(*i);
                if m.label == Label::ROLE {
                    if let Some(h) = self.holder.get(i) {
                        return Ok(Some(*h));
                    }
                    // `the striker said`: a definite role refers back to a person.
                    let det = self.view.lower_words(m.span.start.saturating_sub(5), m.span.start).last().copied();
                    if det == Some("the") && role_gender(&m.text) != Some(Gender::Female) && !m.text.to_lowercase().starts_with("spokes") {
                        if let Some(p) = self.leftmost_person_before(m.span.start) {
                            self.anaphors.borrow_mut().push((p, *i));
                            return Ok(Some(p));
                        }
                    }
                    Ok(Some(*i))
                } else {
                    Ok(Some(*i))
                }
            }
            Subject::Pronoun(p, pos) => self.resolve_pronoun(p, *pos).map(Some).ok_or(()),
            Subject::OrgNoun(n, pos) => self.resolve_org_noun(n, *pos).map(Some).ok_or(()),
            Subject::Unknown => Ok(None),
        }
    }

    /// The leftmost non-possessive person of the nearest earlier sentence that has one
    /// (the holder of an anaphoric role such as `the striker`).
    fn leftmost_person_before(&self, pos: usize) -> Option<usize> {
        let v = self.view;
        let si = v.sentence_of(pos);
        for s in (si.saturating_sub(3)..si).rev() {
            let (_, _, span) = v.sentences[s];
            let found = v
                .mentions
                .iter()
                .enumerate()
                .filter(|(_, m)| m.span.start >= span.start && m.span.end <= span.end && m.label == Label::PER)
                .find(|(i, m)| !self.possessive(*i) && !v.in_quote(m.span.start));
            if let Some((i, _)) = found {
                return Some(i);
            }
        }
        None
    }

    /// The mention of `i`'s group to write as Arg2: `i` itself when it lies in the
    /// attribution (`direct`), else the group's nearest mention before the quote, else
    /// its first mention after.
    fn speaker_mention(&self, i: usize, quote: Span, direct: bool) -> usize {
        if direct {
            return i;
        }
        let g = self.group[i];
        let ms = &self.view.mentions;
        let members: Vec<usize> = (0..ms.len()).filter(|&k| self.group[k] == g && !self.view.in_quote(ms[k].span.start)).collect();
        members
            .iter()
            .rev()
            .find(|&&k| ms[k].span.end <= quote.start)
            .or_else(|| members.iter().find(|&&k| ms[k].span.start >= quote.end))
            .copied()
            .unwrap_or(i)
    }

    /// Word indices of the words outside quotes between two positions.
    fn clause_words(&self, start: usize, end: usize) -> Vec<usize> {
        let v = self.view;
        let a = v.word_at_or_after(start);
        (a..v.words.len())
            .take_while(|&k| v.words[k].span.end <= end)
            .filter(|&k| !v.in_quote(v.words[k].span.start))
            .collect()
    }

    /// The subject of the verb at word `verb`, searching back to `start` (a char position).
    fn subject_before(&self, verb: usize, start: usize) -> Option<Subject> {
        let v = self.view;
        let words: Vec<usize> = self.clause_words(start, v.words[verb].span.start);
        let last = *words.last()?;
        // `…, saying` / `…, adding`: a participle takes the main clause's subject.
        let lw = &v.words[verb].lower;
        let progressive = matches!(v.words[last].lower.as_str(), "is" | "was" | "were" | "are" | "been" | "be" | "am");
        if lw.ends_with("ing") && !progressive {
            if let Some(s) = self.leftmost_subject(&words) {
                return Some(s);
            }
        }
        // The word right before the verb (auxiliaries and adverbs skipped) decides whether
        // the subject is a mention, a pronoun, an apposition, or a plain noun phrase.
        let mut k = words.len();
        while k > 0 && {
            let w = v.words[words[k - 1]].lower.as_str();
            (AUX.contains(&w) || (w.ends_with("ly") && w.len() > 4)) && self.mention_at(v.words[words[k - 1]].span.start).is_none()
        } {
            k -= 1;
        }
        if k == 0 {
            return None;
        }
        let head = words[k - 1];
        let hw = &v.words[head];
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
        if alpha && !capital && !DETS.contains(&hw.lower.as_str()) && !crate::quotes::is_cue(&hw.lower) {
            // A plain noun subject: an organisation noun, an ORG-premodified noun
            // (`Rover bosses`), else not annotatable (`the government said`).
            if ORG_SPEAKER_NOUNS.contains(&hw.lower.as_str()) {
                return Some(Subject::OrgNoun(hw.lower.clone(), hw.span.start));
            }
            for j in (k.saturating_sub(4)..k - 1).rev() {
                let w = &v.words[words[j]];
                if let Some(i) = self.mention_at(w.span.start) {
                    if self.mention(i).label == Label::ORG {
                        return Some(Subject::Mention(i));
                    }
                    break;
                }
                if w.lower == "," || PREPOSITIONS.contains(&w.lower.as_str()) {
                    break;
                }
            }
            let plural_or_collective = hw.lower.ends_with('s') || matches!(hw.lower.as_str(), "government" | "police" | "ministry" | "department" | "people" | "public");
            if plural_or_collective {
                return Some(Subject::Unknown);
            }
        }
        self.best_candidate(&words[..k])
    }

    /// The leftmost subject-like candidate of a clause: a non-possessive person, ROLE or
    /// ORG, or he/she.
    fn leftmost_subject(&self, words: &[usize]) -> Option<Subject> {
        let v = self.view;
        for &k in words {
            let w = &v.words[k];
            if let Some(i) = self.mention_at(w.span.start) {
                if self.mention(i).span.start != w.span.start {
                    continue;
                }
                // A mention in a prepositional phrase (`in an interview with the FT`) is not
                // the subject.
                let prep = (k.saturating_sub(3)..k).rev().map(|j| v.words[j].lower.as_str()).take_while(|x| DETS.contains(x) || PREPOSITIONS.contains(x)).any(|x| PREPOSITIONS.contains(&x));
                if matches!(self.mention(i).label, Label::PER | Label::ORG | Label::ROLE) && !self.possessive(i) && !prep {
                    return Some(Subject::Mention(i));
                }
                continue;
            }
            if let Some(p @ ("he" | "she")) = pronoun(&w.lower) {
                return Some(Subject::Pronoun(p, w.span.start));
            }
        }
        None
    }

    /// The subject after an inverted verb (`said X`), within six words. Pronouns count
    /// only right before the end of the clause (`said he.`).
    fn subject_after(&self, verb: usize, end: usize) -> Option<Subject> {
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
                            if nm.label == Label::PER && gap.iter().all(|w| *w == "," || crate::mentions::is_honorific(w)) {
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
            if ORG_SPEAKER_NOUNS.contains(&w.lower.as_str()) {
                return Some(Subject::OrgNoun(w.lower.clone(), w.span.start));
            }
            if matches!(w.lower.as_str(), "." | ";" | "\"" | "“" | "”" | "that") {
                break;
            }
        }
        None
    }

    /// Picks a subject among clause words (searched from the end): the nearest
    /// non-possessive person or he/she; else the nearest ROLE; else the nearest ORG not in
    /// a possessive; else they/it/we; else an organisation noun.
    fn best_candidate(&self, words: &[usize]) -> Option<Subject> {
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
            match pronoun(&w.lower) {
                Some(p @ ("he" | "she")) => return Some(Subject::Pronoun(p, w.span.start)),
                Some(p) if other_pronoun.is_none() => other_pronoun = Some(Subject::Pronoun(p, w.span.start)),
                _ => {}
            }
            if noun.is_none() && ORG_SPEAKER_NOUNS.contains(&w.lower.as_str()) {
                let prev = k.checked_sub(1).map(|p| v.words[p].lower.as_str());
                if !prev.is_some_and(|p| PREPOSITIONS.contains(&p)) {
                    noun = Some(Subject::OrgNoun(w.lower.clone(), w.span.start));
                }
            }
        }
        role.map(Subject::Mention).or(org.map(Subject::Mention)).or(other_pronoun).or(noun)
    }

    /// Speech verbs among clause words (cue words used as nouns left out).
    fn verbs(&self, words: &[usize]) -> Vec<usize> {
        words.iter().copied().filter(|&k| is_cue(&self.view.words[k].lower) && cue_is_verb(self.view, k)).collect()
    }
}

/// Finds the speaker of every quote. Quotes are the view's quote spans, in order.
pub fn attribute(view: &View, ann: &Annotations) -> Vec<Option<Attribution>> {
    attribute_with_roles(view, ann).0
}

/// [`attribute`], plus the HasRole links it found on the way: definite roles that speak
/// (`the striker said`) resolved to a person, as (person id, role id).
pub fn attribute_with_roles(view: &View, ann: &Annotations) -> (Vec<Option<Attribution>>, Vec<(String, String)>) {
    let ctx = Ctx::new(view, ann);
    let out = attribute_in(&ctx, view, ann);
    let links = ctx.anaphors.borrow().iter().map(|&(p, r)| (view.mentions[p].id.clone(), view.mentions[r].id.clone())).collect();
    (out, links)
}

fn attribute_in(ctx: &Ctx, view: &View, ann: &Annotations) -> Vec<Option<Attribution>> {
    let partial: Vec<bool> = {
        let mut p: Vec<(usize, bool)> = ann.quotes().map(|q| (q.span.start, q.partial)).collect();
        p.sort();
        p.into_iter().map(|(_, b)| b).collect()
    };
    let mut out: Vec<Option<Attribution>> = vec![];
    let mut prev: Option<(Span, usize)> = None;
    for (qi, &q) in view.quotes.iter().enumerate() {
        let found = match find_speaker(ctx, qi, q, partial.get(qi).copied().unwrap_or(false), prev) {
            Decision::Speaker(i, sieve, direct) => Some((i, sieve, direct)),
            Decision::NoSpeaker | Decision::Undecided => None,
        };
        let att = found.map(|(i, sieve, direct)| {
            let m = ctx.speaker_mention(i, q, direct);
            (Attribution { quote: q, speaker: view.mentions[m].id.clone(), sieve }, m)
        });
        if let Some((_, m)) = &att {
            prev = Some((q, *m));
        }
        out.push(att.map(|(a, _)| a));
    }
    out
}

enum Decision {
    Speaker(usize, &'static str, bool),
    NoSpeaker,
    Undecided,
}

/// Applies a subject found by a sieve: a speaker, "no speaker" (stop), or go on.
fn decide(ctx: &Ctx, s: Option<Subject>, sieve: &'static str, direct_ok: bool) -> Decision {
    let Some(s) = s else { return Decision::Undecided };
    let v = ctx.view;
    let direct = direct_ok && matches!(&s, Subject::Mention(i) if v.mentions[*i].label != Label::ROLE || !ctx.holder.contains_key(i));
    match ctx.resolve(&s) {
        Ok(Some(i)) => {
            let direct = direct && matches!(&s, Subject::Mention(j) if *j == i);
            Decision::Speaker(i, sieve, direct)
        }
        Ok(None) => Decision::NoSpeaker,
        Err(()) => Decision::Undecided,
    }
}

fn find_speaker(ctx: &Ctx, qi: usize, q: Span, partial: bool, prev: Option<(Span, usize)>) -> Decision {
    let v = ctx.view;
    let para = v.paragraph_of(q.start);
    let next_quote = v.quotes.get(qi + 1).map(|n| n.start).unwrap_or(usize::MAX);
    let sent_after = {
        let s = v.sentence_of(q.end.saturating_sub(1));
        v.sentences[s].2.end.max(q.end)
    };
    let sent_before = v.sentences[v.sentence_of(q.start)].2.start.min(q.start).max(para.start);
    let last_inside = v.chars[q.start..q.end].iter().rev().skip(1).find(|c| !c.is_whitespace()).copied();
    let ends_sentence = matches!(last_inside, Some('.') | Some('…'));

    // 1. after-quote: `"…," said X`, `"…," X said`, `"…?" he asked`: a speech verb within
    //    five words after the closing mark, with nothing but a subject between.
    let after_end = sent_after.min(next_quote).min(para.end);
    let after: Vec<usize> = ctx.clause_words(q.end, after_end);
    let first_lower = after.first().map(|&k| v.words[k].lower.as_str());
    let after_ok = !ends_sentence || first_lower.is_some_and(|w| w.chars().next().is_some_and(char::is_lowercase));
    if after_ok {
        if let Some(pos) = after.iter().take(6).position(|&k| is_cue(&v.words[k].lower) && cue_is_verb(v, k)) {
            let verb = after[pos];
            let between = &after[..pos];
            let subject_like = between.iter().all(|&k| {
                let w = &v.words[k];
                w.lower == "," || ctx.mention_at(w.span.start).is_some() || pronoun(&w.lower).is_some() || DETS.contains(&w.lower.as_str()) || crate::mentions::is_honorific(&w.lower) || ORG_SPEAKER_NOUNS.contains(&w.lower.as_str()) || AUX.contains(&w.lower.as_str())
            });
            if subject_like && !v.words[verb].lower.ends_with("ing") {
                let vw = &v.words[verb].lower;
                // `the newspaper quotes a source`: the object is the speaker.
                let subj = if vw.starts_with("quot") {
                    ctx.subject_after(verb, after_end)
                } else if between.iter().any(|&k| v.words[k].lower != ",") {
                    ctx.subject_before(verb, q.end)
                } else {
                    ctx.subject_after(verb, after_end)
                };
                match decide(ctx, subj, "after-quote", true) {
                    Decision::Undecided => {}
                    d => return d,
                }
            }
        }
    }
    // 2. before-quote: a speech verb before the opening mark in its sentence (the last one
    //    for a full quotation, the main clause's for a fragment), or at the end of the
    //    previous paragraph when it ends with a colon.
    let mut start = sent_before;
    let mut before: Vec<usize> = ctx.clause_words(start, q.start);
    if before.is_empty() {
        let prev_text = v.between(para.start.saturating_sub(3), para.start);
        if para.start > 0 && v.between(0, para.start).trim_end().ends_with(':') {
            let _ = prev_text;
            let pp = v.paragraph_of(para.start.saturating_sub(2));
            let ps = v.sentences[v.sentence_of(pp.end.saturating_sub(1))].2.start.max(pp.start);
            start = ps;
            before = ctx.clause_words(ps, pp.end);
        }
    }
    // The last speech verb, unless it sits in a subordinate clause opened after an
    // earlier speech verb (`said that when Johnson had announced …`).
    let verbs = ctx.verbs(&before);
    let verb = verbs
        .iter()
        .enumerate()
        .rev()
        .find(|(n, &k)| {
            *n == 0 || {
                let lo = verbs[n - 1];
                !before.iter().any(|&w| w > lo && w < k && SUBORDINATORS.contains(&v.words[w].lower.as_str()))
            }
        })
        .map(|(_, k)| k);
    let _ = partial;
    if let Some(&verb) = verb {
        let vw = &v.words[verb].lower;
        let subj = if vw.starts_with("quot") {
            ctx.subject_after(verb, q.start)
        } else {
            ctx.subject_before(verb, start).or_else(|| ctx.subject_after(verb, q.start))
        };
        match decide(ctx, subj, "before-quote", true) {
            Decision::Undecided => {}
            d => return d,
        }
    }
    // 3. according to X.
    let sent_words = ctx.clause_words(sent_before, sent_after.min(para.end));
    for w in sent_words.windows(2) {
        if v.words[w[0]].lower == "according" && v.words[w[1]].lower == "to" {
            match decide(ctx, ctx.subject_after(w[1], sent_after.min(para.end)), "according-to", true) {
                Decision::Undecided => {}
                d => return d,
            }
        }
    }
    // 4. same-sentence: a speech verb elsewhere in the sentence, outside quotes.
    for &verb in ctx.verbs(&sent_words).iter() {
        let subj = ctx.subject_before(verb, sent_before).or_else(|| ctx.subject_after(verb, sent_after.min(para.end)));
        match decide(ctx, subj, "same-sentence", true) {
            Decision::Undecided => {}
            d => return d,
        }
    }
    // 5. previous-sentence: the sentence before, in the same paragraph, attributes speech.
    let si = v.sentence_of(q.start);
    if si > 0 {
        let (_, _, ps) = v.sentences[si - 1];
        if ps.start >= para.start && ps.end <= q.start {
            let words = ctx.clause_words(ps.start, ps.end);
            if let Some(verb) = ctx.verbs(&words).last().copied() {
                let subj = ctx.subject_before(verb, ps.start).or_else(|| ctx.subject_after(verb, ps.end));
                match decide(ctx, subj, "previous-sentence", false) {
                    Decision::Undecided => {}
                    d => return d,
                }
            }
        }
    }
    // 6. continuation: the previous quote's speaker, in this or the previous paragraph.
    if let Some((pq, m)) = prev {
        let prev_para = v.paragraph_of(pq.end.saturating_sub(1));
        let gap_para = v.paragraph_of(para.start.saturating_sub(2));
        if prev_para.start == para.start || (prev_para.start == gap_para.start && pq.end <= q.start) {
            return Decision::Speaker(m, "continuation", false);
        }
    }
    // 7. headline: first paragraph of a multi-paragraph document, short.
    if para.start == v.paragraph_of(0).start && v.lower_words(para.start, para.end).len() <= 20 && para.end < v.chars.len() {
        let before = v.mentions.iter().enumerate().rev().find(|(_, m)| m.span.end <= q.start && m.span.start >= para.start && matches!(m.label, Label::PER | Label::ORG));
        if let Some((i, _)) = before {
            return Decision::Speaker(i, "headline", true);
        }
        if let Some((i, _)) = v.mentions.iter().enumerate().find(|(_, m)| m.span.start >= para.end && m.label == Label::PER) {
            return Decision::Speaker(i, "headline", true);
        }
    }
    Decision::Undecided
}

/// Adds Speaker relations (replacing any made before) for the document's quotes.
pub fn link(text: &Text, ann: &mut Annotations) {
    link_in(&View::new(text, ann), ann);
}

/// [`link`] on a view of the same text, mentions and quotes that the caller already built.
pub fn link_in(view: &View, ann: &mut Annotations) {
    ann.relations.retain(|r| r.kind != RelKind::Speaker);
    let (found, links) = attribute_with_roles(view, ann);
    for (p, r) in links {
        if !ann.relations_of(RelKind::HasRole).any(|x| x.arg2 == r) {
            ann.add_relation(RelKind::HasRole, &p, &r, Some("speaking-role"));
        }
    }
    let quote_ids: HashMap<(usize, usize), String> =
        ann.quotes().map(|q| ((q.span.start, q.span.end), q.id.clone())).collect();
    for a in found.into_iter().flatten() {
        if let Some(qid) = quote_ids.get(&(a.quote.start, a.quote.end)) {
            let qid = qid.clone();
            ann.add_relation(RelKind::Speaker, &qid, &a.speaker, Some(a.sieve));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quotes::find_quotes;

    /// Builds a document from text with mentions marked `[PER John Adler]`, finds its
    /// quotes, links coreference and roles, and returns (quote text, speaker text, sieve).
    fn run(marked: &str) -> Vec<(String, String, String)> {
        let mut text = String::new();
        let mut spans = vec![];
        let mut rest = marked;
        while let Some(open) = rest.find('[') {
            text.push_str(&rest[..open]);
            let close = rest[open..].find(']').expect("closing bracket") + open;
            let inner = &rest[open + 1..close];
            let (label, name) = inner.split_once(' ').expect("label and text");
            let start = text.chars().count();
            text.push_str(name);
            spans.push((label.parse::<Label>().expect("label"), Span::new(start, text.chars().count())));
            rest = &rest[close + 1..];
        }
        text.push_str(rest);
        let t = Text::new(text);
        let mut ann = Annotations::default();
        for (l, s) in spans {
            ann.add_span(l, s, None);
        }
        for q in find_quotes(&t) {
            let id = ann.add_span(Label::QUOTE, q.span, None);
            if let Some(s) = ann.spans.iter_mut().find(|s| s.id == id) {
                s.partial = q.partial;
            }
        }
        crate::coref::link(&t, &mut ann);
        crate::relations::link(&t, &mut ann);
        link(&t, &mut ann);
        let mut out = vec![];
        for q in ann.quotes() {
            let (sp, sieve) = match ann.relations_of(RelKind::Speaker).find(|r| r.arg1 == q.id) {
                Some(r) => (t.slice(ann.span(&r.arg2).unwrap().span).to_string(), r.source.clone().unwrap_or_default()),
                None => (String::new(), String::new()),
            };
            out.push((t.slice(q.span).to_string(), sp, sieve));
        }
        out
    }

    fn speakers(marked: &str) -> Vec<String> {
        run(marked).into_iter().map(|(_, s, _)| s).collect()
    }

    fn sieves(marked: &str) -> Vec<String> {
        run(marked).into_iter().map(|(_, _, s)| s).collect()
    }

    #[test]
    fn after_quote_inverted_said_x() {
        let s = "\"If we reject this treaty, Britain will be weak,\" said [ROLE Foreign Secretary] [PER Jack Straw].";
        assert_eq!(speakers(s), vec!["Jack Straw"]);
        assert_eq!(sieves(s), vec!["after-quote"]);
    }

    #[test]
    fn after_quote_x_said() {
        assert_eq!(speakers("“We are proud of them,” [PER Adler] said."), vec!["Adler"]);
    }

    #[test]
    fn before_quote_with_apposition_role_of_org() {
        let s = "[PER John Adler], [ROLE chief executive] of the trust, said: “I’m immensely proud of our staff.”";
        assert_eq!(speakers(s), vec!["John Adler"]);
        assert_eq!(sieves(s), vec!["before-quote"]);
    }

    #[test]
    fn role_before_name_then_said() {
        assert_eq!(speakers("[ROLE Trust chairman], [PER Karamjit Singh] CBE, said: “We are committed to this.”"), vec!["Karamjit Singh"]);
    }

    #[test]
    fn colon_introduced_quote_after_told() {
        assert_eq!(speakers("[PER Mr Blair] told [ORG Five]'s show: \"Let's just apologise and move on.\""), vec!["Mr Blair"]);
    }

    #[test]
    fn interrupted_quote_gives_both_parts_the_same_speaker() {
        let s = "[PER Sarah Dugan] spoke. “We are proud,” she said, “and we will go on.”";
        assert_eq!(speakers(s), vec!["Sarah Dugan", "Sarah Dugan"]);
    }

    #[test]
    fn pronoun_resolves_to_a_person_of_matching_gender() {
        let s = "Mrs [PER Quinn] met Mr [PER Smith]. \"It was a long day for everyone,\" she said.";
        assert_eq!(speakers(s), vec!["Quinn"]);
    }

    #[test]
    fn role_only_attribution_resolves_through_hasrole() {
        let s = "[PER John Adler], [ROLE chief executive] of the trust, spoke.\n\n\"We have much to do here,\" the [ROLE chief executive] added.";
        assert_eq!(speakers(s), vec!["John Adler"]);
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
    fn according_to_names_the_speaker() {
        assert_eq!(speakers("According to [PER Jane Smith], \"the market is weak and will stay so\"."), vec!["Jane Smith"]);
    }

    #[test]
    fn a_continuation_paragraph_keeps_the_previous_speaker() {
        let s = "[PER Jeff Worrall] said: “The trust has made progress this year.\n\n“More is needed.”\n\n“We will keep going, though.”";
        let sp = speakers(s);
        assert!(sp.iter().all(|x| x == "Jeff Worrall"), "{sp:?}");
    }

    #[test]
    fn a_quote_after_a_sentence_that_attributes_speech_takes_its_subject() {
        let s = "Patriots wanted a strong UK, [PER Mr Straw] said. \"Our role in the EU is crucial to that.\"";
        assert_eq!(speakers(s), vec!["Mr Straw"]);
        assert_eq!(sieves(s), vec!["previous-sentence"]);
    }

    #[test]
    fn a_speech_verb_later_in_the_sentence_attributes_an_earlier_fragment() {
        let s = "[PER Michael Ancram] spoke. Despite this \"underhand trick,\" the bill stood \"no chance of becoming law,\" he added.";
        assert_eq!(speakers(s), vec!["Michael Ancram", "Michael Ancram"]);
    }

    #[test]
    fn a_headline_fragment_takes_the_named_person_before_it() {
        let s = "[PER Ebbers] 'knew nothing of the fraud'\n\nFormer boss [PER Bernie Ebbers] was in court on Monday.";
        assert_eq!(speakers(s), vec!["Ebbers"]);
        assert_eq!(sieves(s), vec!["headline"]);
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
    fn a_newspaper_quoting_a_source_gives_the_source() {
        let s = "\"The money must be invested in the business,\" the newspaper quotes a [ROLE source] close to the firm.";
        assert_eq!(speakers(s), vec!["source"]);
    }

    #[test]
    fn the_speaker_mention_is_the_one_in_the_attribution() {
        let s = "[PER Tony Blair] arrived. Later [PER Blair] said: \"We will win this.\"";
        let r = run(s);
        assert_eq!(r[0].1, "Blair");
    }
}
