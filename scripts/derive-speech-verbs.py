#!/usr/bin/env python3
"""Counts the cue words of direct speech in PolNeAR's raw attributions, to derive
whosaid's speech-verb lexicon (data/speech_verbs_polnear.tsv).

    scripts/derive-speech-verbs.py RAW_DIR [--until YYYY-MM] > counts.tsv

RAW_DIR is PolNeAR's `raw/` folder (text/ and attributions/). An attribution counts when
its Content holds a quotation mark (direct speech). Every alphabetic word of its Cue
span is counted once per attribution, lower-cased, curly apostrophes made straight;
articles up to --until (by the date in the file name) only, so that later months stay
held out. Output: `word<TAB>count`, most frequent first, words seen at least --min
times. Which counted words are verbs of speech is decided by hand afterwards: the
output is the evidence, not the lexicon. Standard library only.
"""
import argparse
import collections
import os
import re
import sys

MARKS = "\"“”‘’'`«»"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("raw")
    ap.add_argument("--until", default=None, help="last month included, YYYY-MM")
    ap.add_argument("--min", type=int, default=2)
    a = ap.parse_args()
    tdir, adir = os.path.join(a.raw, "text"), os.path.join(a.raw, "attributions")
    counts = collections.Counter()
    for f in sorted(os.listdir(adir)):
        m = re.match(r"^(.*)_([0-9a-f]{4})\.ann$", f)
        if not m:
            continue
        d = re.search(r"_(\d{4}-\d{2})-\d{2}_", m.group(1))
        if a.until and d and d.group(1) > a.until:
            continue
        with open(os.path.join(tdir, m.group(1) + ".txt"), encoding="utf-8") as fh:
            text = fh.read()
        spans, events = {}, []
        with open(os.path.join(adir, f), encoding="utf-8") as fh:
            for line in fh:
                t = re.match(r"^(T\d+)\t(\S+) ([\d ;]+)\t", line)
                if t:
                    frags = [tuple(map(int, x.split())) for x in t.group(3).split(";")]
                    spans[t.group(1)] = (t.group(2), frags)
                e = re.match(r"^E\d+\t(.*)$", line)
                if e:
                    events.append(dict(kv.split(":", 1) for kv in e.group(1).split()))
        for ev in events:
            content, cue = spans.get(ev.get("Content", "")), spans.get(ev.get("Cue", ""))
            if not content or not cue:
                continue
            if not any(c in MARKS for s, e in content[1] for c in text[s:e]):
                continue
            words = set()
            for s, e in cue[1]:
                for w in re.findall(r"[A-Za-z]+(?:['’][a-z]+)?", text[s:e]):
                    words.add(w.lower().replace("’", "'"))
            counts.update(words)
    for w, n in counts.most_common():
        if n >= a.min:
            print(f"{w}\t{n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
