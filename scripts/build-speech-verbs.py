#!/usr/bin/env python3
"""Writes data/speech_verbs_polnear.tsv: speech-verb lemmas chosen by hand from the
direct-speech cue words that scripts/derive-speech-verbs.py counts in PolNeAR's train
split (articles up to 2016-07; 2016-08 and later are held out), with every inflection
and the evidence count (direct-speech Cue spans holding one of the forms).

    scripts/derive-speech-verbs.py RAW --until 2016-07 --min 1 > counts.tsv
    scripts/build-speech-verbs.py counts.tsv > data/speech_verbs_polnear.tsv

A lemma is listed when it names an act of saying or writing that introduces or frames
a quotation ("“…,” he quipped", "Trump called it “…”"); cue words that only frame
opinion or perception (seem, want, expect, show) are left out, since a quotation after
them is not their subject's speech. Standard library only.
"""
import sys

LEMMAS = """
agree answer apologize articulate ask assail attack bark bash beam bemoan blame blast blog
boast boom bristle call caution challenge chant charge cheer chide cite complain concede
concur condemn confess confide contend counter crack cry deride demand demur dismiss
echo elaborate email emphasize exhort fume gloat grouse hail insult interject invoke jab
jeer joke lambaste lament laugh marvel mock muse needle object offer opine plead pledge
ponder post praise press proclaim promise protest question quip quote rail rebut recall
recount refer reiterate remark repeat retort retweet reveal rip scoff scold shout slam
snipe speculate stress thank tout tweet urge utter vent voice vow whisper wonder write
yell exclaim mutter scream snap rant plead implore gush sigh start
""".split()

IRREGULAR = {
    "write": ["write", "writes", "wrote", "written", "writing"],
    "speak": ["speak", "speaks", "spoke", "spoken", "speaking"],
}


def forms(lemma: str) -> list:
    if lemma in IRREGULAR:
        return IRREGULAR[lemma]
    if lemma.endswith("e"):
        stem = lemma[:-1]
        return [lemma, lemma + "s", lemma + "d", stem + "ing"]
    if lemma.endswith("y") and lemma[-2] not in "aeiou":
        stem = lemma[:-1]
        return [lemma, stem + "ies", stem + "ied", lemma + "ing"]
    if lemma.endswith(("s", "sh", "ch", "x", "z")):
        s = lemma + "es"
    else:
        s = lemma + "s"
    # a final single consonant after a single stressed vowel doubles: jab, quip, snap
    double = lemma in {"jab", "quip", "snap", "rip", "slam", "concur", "demur", "blog", "rebut", "refer"}
    stem = lemma + lemma[-1] if double else lemma
    return [lemma, s, stem + "ed", stem + "ing"]


def main() -> int:
    counts = {}
    with open(sys.argv[1], encoding="utf-8") as fh:
        for line in fh:
            w, n = line.rstrip("\n").split("\t")
            counts[w] = int(n)
    print("# Speech-verb lemmas with every inflection, chosen by hand from the direct-speech cue")
    print("# words of PolNeAR's train split up to 2016-07 (see scripts/build-speech-verbs.py).")
    print("# Columns: lemma, forms (space-separated), direct-speech Cue spans holding a form,")
    print("# past forms. Only the past forms are speech verbs for the rules: the base and")
    print("# present forms of these lemmas are nouns too often (`the referendum question`,")
    print("# `his attacks`, `a call`); the forms column is the evidence for the count.")
    print("# A count of 0: not seen in those months, listed as a common verb of speech.")
    for lemma in sorted(set(LEMMAS)):
        fs = forms(lemma)
        n = sum(counts.get(f, 0) for f in fs)
        past = [f for f in fs if f.endswith("ed") or f in ("wrote", "written", "spoke", "spoken")]
        print(f"{lemma}\t{' '.join(fs)}\t{n}\t{' '.join(past)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
