#!/usr/bin/env python3
"""Generate a synthetic, SciFact-shaped corpus for Ward's search benchmark.

The generator learns two things from SciFact's corpus.jsonl:

  * the unigram distribution of lowercase word tokens (title + text), which is
    Zipfian like any natural-language corpus, and
  * the document length profile: the joint distribution of (title word count,
    text word count) over SciFact's documents.

It then writes N documents in Ward's JSONL ingest format.  Each document picks
a (title, text) length pair from the profile, fills it with words drawn
independently from the unigram distribution, and is sentence-cased with a
period every 15-25 words.  Each document is readable by exactly one group,
g0..g{G-1}, chosen uniformly at random, so a user holding k of G groups can
see about k/G of the corpus.

Only the Python 3 standard library is used.  Output is deterministic for a
given --seed and input corpus.

Example:
    python3 bench/gen_corpus.py --docs 200000 --groups 100 --seed 1 \\
        --out /tmp/synthetic-200k.jsonl
"""

import argparse
import bisect
import itertools
import json
import os
import random
import re
import sys
import time
from collections import Counter

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SCIFACT = os.path.normpath(os.path.join(REPO_ROOT, "..", "shared", "datasets", "scifact"))

# A "word" is a maximal run of Unicode letters/digits (no underscore); SciFact
# contains a few Greek letters (e.g. "β") which are kept.
WORD_RE = re.compile(r"[^\W_]+")

UPDATED_AT = "2026-01-01T00:00:00Z"
SENTENCE_MIN = 15
SENTENCE_MAX = 25
SAMPLE_CHUNK = 1 << 20  # words drawn per random.choices() call


def learn_profile(corpus_path):
    """Return (vocab, cum_weights, lengths) learned from a SciFact corpus.jsonl.

    vocab:       list of words, most frequent first
    cum_weights: cumulative counts aligned with vocab (for random.choices)
    lengths:     list of (title_words, text_words) pairs, one per document
    """
    counts = Counter()
    lengths = []
    with open(corpus_path, "r", encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                doc = json.loads(line)
            except json.JSONDecodeError as e:
                raise SystemExit("%s:%d: bad JSON: %s" % (corpus_path, line_no, e))
            title_words = WORD_RE.findall((doc.get("title") or "").lower())
            text_words = WORD_RE.findall((doc.get("text") or "").lower())
            counts.update(title_words)
            counts.update(text_words)
            lengths.append((len(title_words), len(text_words)))
    if not counts or not lengths:
        raise SystemExit("%s: no documents/words found" % corpus_path)
    vocab, freqs = zip(*counts.most_common())
    cum_weights = list(itertools.accumulate(freqs))
    return list(vocab), cum_weights, lengths


class WordStream:
    """Draws words from the unigram distribution in large batches.

    random.choices(k=...) with precomputed cumulative weights is one bisect
    per word and runs in C, which is much faster than per-word calls.
    """

    def __init__(self, rng, vocab, cum_weights):
        self.rng = rng
        self.vocab = vocab
        self.cum_weights = cum_weights
        self.buf = []
        self.pos = 0

    def take(self, n):
        out = []
        while n > 0:
            if self.pos >= len(self.buf):
                self.buf = self.rng.choices(self.vocab, cum_weights=self.cum_weights, k=SAMPLE_CHUNK)
                self.pos = 0
            m = min(n, len(self.buf) - self.pos)
            out.extend(self.buf[self.pos:self.pos + m])
            self.pos += m
            n -= m
        return out


def sentences(rng, words):
    """Join words into sentence-cased sentences of 15-25 words ending in '.'."""
    parts = []
    i = 0
    n = len(words)
    while i < n:
        j = min(n, i + rng.randint(SENTENCE_MIN, SENTENCE_MAX))
        sent = words[i:j]
        first = sent[0]
        sent[0] = first[:1].upper() + first[1:]
        parts.append(" ".join(sent) + ".")
        i = j
    return " ".join(parts)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scifact", default=DEFAULT_SCIFACT,
                    help="SciFact directory containing corpus.jsonl (default: %(default)s)")
    ap.add_argument("--docs", type=int, default=200000, help="number of documents (default: %(default)s)")
    ap.add_argument("--groups", type=int, default=100, help="number of groups g0..g{G-1} (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default: %(default)s)")
    ap.add_argument("--out", required=True, help="output JSONL file ('-' for stdout)")
    args = ap.parse_args(argv)
    if args.docs < 0:
        ap.error("--docs must be >= 0")
    if args.groups < 1:
        ap.error("--groups must be >= 1")

    t0 = time.time()
    corpus_path = os.path.join(args.scifact, "corpus.jsonl")
    vocab, cum_weights, lengths = learn_profile(corpus_path)
    total_tokens = cum_weights[-1]
    avg_text = sum(t for _, t in lengths) / len(lengths)
    avg_title = sum(t for t, _ in lengths) / len(lengths)
    print("learned from %s: %d docs, %d tokens, %d distinct words, "
          "avg %.1f title words, %.1f text words (%.1fs)"
          % (corpus_path, len(lengths), total_tokens, len(vocab), avg_title, avg_text, time.time() - t0),
          file=sys.stderr)

    rng = random.Random(args.seed)
    stream = WordStream(rng, vocab, cum_weights)
    width = max(6, len(str(args.docs)))
    text_bytes = 0
    file_bytes = 0

    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8", newline="\n")
    try:
        batch = []
        for i in range(1, args.docs + 1):
            n_title, n_text = rng.choice(lengths)
            n_title = max(1, n_title)
            n_text = max(1, n_text)
            title = sentences(rng, stream.take(n_title))
            text = sentences(rng, stream.take(n_text))
            group = "g%d" % rng.randrange(args.groups)
            rec = {
                "id": "syn-%0*d" % (width, i),
                "title": title,
                "text": text,
                "url": "",
                "updated_at": UPDATED_AT,
                "acl": {"users": [], "groups": [group], "public": False},
                "metadata": {"source": "synthetic"},
            }
            line = json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n"
            text_bytes += len(title.encode("utf-8")) + len(text.encode("utf-8"))
            file_bytes += len(line.encode("utf-8"))
            batch.append(line)
            if len(batch) >= 1000:
                out.write("".join(batch))
                batch.clear()
            if i % 50000 == 0:
                print("  %d docs, %.1f MB text, %.1fs" % (i, text_bytes / 1e6, time.time() - t0), file=sys.stderr)
        out.write("".join(batch))
    finally:
        if out is not sys.stdout:
            out.close()

    print("wrote %d docs in %d groups to %s: %.1f MB of title+text, %.1f MB file, %.1fs"
          % (args.docs, args.groups, args.out, text_bytes / 1e6, file_bytes / 1e6, time.time() - t0),
          file=sys.stderr)


if __name__ == "__main__":
    main()
