#!/usr/bin/env python3
"""Writes lookalike_fold.tsv: the look-alike fold applied around ICU's UTS #39 skeleton.

Run by a developer (not at build time):
  python3 make_lookalike_fold.py /usr/share/unicode > lookalike_fold.tsv
where /usr/share/unicode is the Debian package unicode-data (Unicode 15.0). Sources:
  0. Canonical decompositions (Python's unicodedata): letters with diacritics -> the base letter.
  1. UnicodeData.txt character names: Latin letter forms that ICU 72's skeleton leaves apart from
     the letter they show (small capitals, letters with hook/stroke/tail, dotless and script
     letters, modifier, subscript, circled/squared/negative enclosed letters, regional indicators,
     mathematical alphanumerics).
  2. EquivalentUnifiedIdeograph.txt: CJK radicals that show as a unified ideograph.
  3. Unihan_Variants.txt kZVariant and kSemanticVariant: kanji written in a variant form
     (崎/﨑, 高/髙); classes larger than 8 are left out (they join characters that do not look alike).
  4. lookalike_fold_project.tsv: the project's own list for what 1-3 and ICU leave out.
Each output line: source code point, target code points, class (the tests check one per class).
"""
import bz2, os, re, sys

ucd = sys.argv[1]
fold = {}      # cp -> (target string, class)

def put(cp, target, cls):
    if cp in fold or chr(cp) == target:
        return
    fold[cp] = (target, cls)

LATIN = [
    (r"LATIN LETTER SMALL CAPITAL ([A-Z])", "small_capital"),
    (r"LATIN (?:SMALL|CAPITAL) LETTER ([A-Z]) WITH (?:HOOK|STROKE|TAIL|LONG LEG|RETROFLEX HOOK|"
     r"CURL|BELT|MIDDLE TILDE|PALATAL HOOK|TOPBAR|SWASH TAIL|DESCENDER|FLOURISH|DIAGONAL STROKE|"
     r"BAR|HOOK TAIL|LEFT HOOK|SQUIRREL TAIL|LOOP)", "latin_hooked"),
    (r"LATIN SMALL LETTER DOTLESS ([A-Z])", "ipa"),
    (r"LATIN SMALL LETTER SCRIPT ([A-Z])", "ipa"),
    (r"MODIFIER LETTER (?:SMALL|CAPITAL) ([A-Z])", "modifier"),
    (r"LATIN SUBSCRIPT SMALL LETTER ([A-Z])", "modifier"),
    (r"(?:NEGATIVE )?(?:CIRCLED|SQUARED|PARENTHESIZED) LATIN (?:SMALL |CAPITAL )?LETTER ([A-Z])", "enclosed"),
    (r"REGIONAL INDICATOR SYMBOL LETTER ([A-Z])", "enclosed"),
    (r"MATHEMATICAL [A-Z -]*(?:SMALL|CAPITAL) ([A-Z])", "math_alphanumeric"),
]
LATIN = [(re.compile("^" + p + "$"), c) for p, c in LATIN]
with open(os.path.join(ucd, "UnicodeData.txt")) as f:
    for line in f:
        cp, name = line.split(";")[:2]
        for rx, cls in LATIN:
            m = rx.match(name)
            if m:
                put(int(cp, 16), m.group(1).lower(), cls)
                break

# Letters with diacritics (ō, ṡ, ά): the base letter, when the canonical decomposition is a
# Latin, Greek or Cyrillic letter followed by combining marks only. ICU's skeleton keeps the marks.
import unicodedata
for cp in range(0x80, 0x2000):
    ch = chr(cp)
    nfd = unicodedata.normalize("NFD", ch)
    if len(nfd) < 2 or not all(unicodedata.category(m) == "Mn" for m in nfd[1:]):
        continue
    base = nfd[0]
    if base.isalpha() and (base.isascii() or 0x370 <= ord(base) <= 0x4FF):
        put(cp, base, "latin_diacritic")

with open(os.path.join(ucd, "EquivalentUnifiedIdeograph.txt")) as f:
    for line in f:
        line = line.split("#")[0].strip()
        if not line:
            continue
        src, dst = [s.strip() for s in line.split(";")]
        lo, _, hi = src.partition("..")
        for cp in range(int(lo, 16), int(hi or lo, 16) + 1):
            put(cp, chr(int(dst, 16)), "cjk_radical")

parent = {}
def find(x):
    while parent.get(x, x) != x:
        x = parent[x]
    return x
def cjk(cp):
    return 0x3400 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or 0x20000 <= cp <= 0x3FFFF
with bz2.open(os.path.join(ucd, "Unihan_Variants.txt.bz2"), "rt") as f:
    for line in f:
        parts = line.rstrip("\n").split("\t")
        if len(parts) != 3 or parts[1] not in ("kZVariant", "kSemanticVariant"):
            continue
        a = int(parts[0][2:], 16)
        for v in parts[2].split():
            b = int(v.split("<")[0][2:], 16)
            if cjk(a) and cjk(b):
                ra, rb = find(a), find(b)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
classes = {}
for cp in list(parent):
    classes.setdefault(find(cp), set()).add(cp)
for root, members in classes.items():
    members.add(root)
    if len(members) > 8:
        continue
    for cp in members:
        put(cp, chr(root), "kanji_variant")

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "lookalike_fold_project.tsv")) as f:
    for line in f:
        line = line.split("#")[0].rstrip()
        if not line:
            continue
        src, dst, cls = line.split("\t")
        fold.pop(ord(src), None)  # the project list decides
        put(ord(src), dst, cls)

# Targets are folded too (ぺ -> ペ -> ベ), so one pass of the table is its fixed point.
for _ in range(5):
    for cp, (target, cls) in list(fold.items()):
        folded = "".join(fold[ord(c)][0] if ord(c) in fold and ord(c) != cp else c for c in target)
        fold[cp] = (folded, cls)
for cp, (target, cls) in list(fold.items()):
    if target == chr(cp):
        del fold[cp]

print("# Generated by make_lookalike_fold.py from Unicode 15.0 data (unicode-data) and")
print("# lookalike_fold_project.tsv. Do not edit; edit the project list and regenerate.")
print("# source\ttarget\tclass")
for cp in sorted(fold):
    target, cls = fold[cp]
    print("%04X\t%s\t%s" % (cp, " ".join("%04X" % ord(c) for c in target), cls))
