#!/usr/bin/env python3
"""Writes paragraph-length queries cut from SciFact abstracts, for the long-query benchmark.

Each query is WORDS words (letters only, 3 or more letters, Lucene's stopwords left out) taken
from abstracts drawn at random (seed 7), one after another until the query is long enough.

Usage: python3 bench/long_queries.py [--words 300] [--count 100] --out FILE.jsonl
"""
import argparse
import json
import os
import random
import re

HERE = os.path.dirname(os.path.abspath(__file__))
SCIFACT = os.path.join(os.path.dirname(os.path.dirname(HERE)), "shared", "datasets", "scifact")
WORD = re.compile(r"[A-Za-z]+")
STOPWORDS = set("a an and are as at be but by for if in into is it no not of on or such that the "
                "their then there these they this to was will with".split())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--words", type=int, default=300)
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--scifact", default=SCIFACT)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    with open(os.path.join(args.scifact, "corpus.jsonl")) as f:
        docs = [json.loads(line) for line in f]
    rng = random.Random(7)
    with open(args.out, "w") as out:
        for qi in range(args.count):
            words = []
            while len(words) < args.words:
                d = rng.choice(docs)
                words += [w for w in WORD.findall(d["title"] + " " + d["text"])
                          if w.lower() not in STOPWORDS and len(w) > 2]
            out.write(json.dumps({"id": f"long{qi}", "text": " ".join(words[:args.words])}) + "\n")


if __name__ == "__main__":
    main()
