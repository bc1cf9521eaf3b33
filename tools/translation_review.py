"""What a translation must keep from its English: the form of the text, and the glossary's terms.

A translator rewrites sentences; nothing else may move. Code spans, links,
placeholders, HTML tags, headings, table rows and the seed's own strings come
through unchanged, so the Chinese notebook runs and renders like the English
one. And a term of ``notebooks/locale/glossary.zh_CN.md`` is always translated
the same way, so that 会话 in notebook 01 is 会话 in notebook 08.

``tools/translations.py check`` reports both, with the catalog's problems.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from pathlib import Path

import mistune

REPO_ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = REPO_ROOT / "notebooks" / "locale" / "glossary.zh_CN.md"

#: The seed's strings, which every edition shows exactly as the seed wrote them.
SEED_STRINGS = ("张三", "登入成功", "未登入", "退出登入")
#: The section labels of the notebooks, and their one translation.
LABELS = {"**Why.**": "**为什么。**", "**The step.**": "**步骤。**", "**What to notice.**": "**注意。**",
          "**The check.**": "**检查。**", "**The checks.**": "**检查。**"}
#: A translator's comment that lets one entry leave out one term, for a reason given after it.
GLOSSARY_EXCEPTION = re.compile(r"glossary: not (?P<term>[\w ]+?) (?:-|—|:)")

CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
LINK_TARGET = re.compile(r"\]\(([^)\s]+)")
#: Protocol words that look like a glossary term but stay as written: the Expires attribute is not "expire".
PROTOCOL_WORDS = re.compile(r"\bExpires\b")
PLACEHOLDER = re.compile(r"\{\w*(?:[!:][^{}]*)?\}|%\(\w+\)[sdr]")
HTML_TAG = re.compile(r"</?[a-zA-Z][\w-]*(?:\s[^<>]*)?>")
HEADING = re.compile(r"^(#{1,6}) ", re.M)
TABLE_ROW = re.compile(r"^\s*\|", re.M)


def _kept(pattern: re.Pattern[str], text: str) -> Counter[str]:
    return Counter(match.group(0) if not pattern.groups else match.group(1) for match in pattern.finditer(text))


def _emphasis(markdown: str) -> Counter[str]:
    """How many bold and italic spans the markdown renders to, as JupyterLab's CommonMark renderer sees it."""
    rendered = mistune.html(markdown)
    return Counter({tag: rendered.count(f"<{tag}>") for tag in ("strong", "em")})


def form_problems(english: str, chinese: str) -> list[str]:
    """What the translation dropped, added or changed of what it must keep as it is."""
    problems = []
    if "\n" not in english and "\n" in chinese:
        problems.append("a one-line text (a code comment, a label) must stay on one line")
    code = _kept(CODE_SPAN, english)
    if code != _kept(CODE_SPAN, chinese):
        problems.append(f"code spans differ: {sorted((code - _kept(CODE_SPAN, chinese)).elements())} missing, "
                        f"{sorted((_kept(CODE_SPAN, chinese) - code).elements())} added")
    prose, prose_zh = CODE_SPAN.sub("", english), CODE_SPAN.sub("", chinese)
    for name, pattern in (("links", LINK_TARGET), ("placeholders", PLACEHOLDER), ("HTML tags", HTML_TAG)):
        if _kept(pattern, prose) != _kept(pattern, prose_zh):
            problems.append(f"{name} differ: {sorted(_kept(pattern, prose).elements())} "
                            f"became {sorted(_kept(pattern, prose_zh).elements())}")
    emphasis = _emphasis(english), _emphasis(chinese)
    if emphasis[0] != emphasis[1]:  # e.g. **注意。**注意 : CommonMark closes no bold before a Chinese character
        problems.append(f"bold and italics render differently ({emphasis[0]} in English, {emphasis[1]} in Chinese): "
                        "put a space after a closing ** or * that follows Chinese punctuation")
    if HEADING.findall(english) != HEADING.findall(chinese):
        problems.append("headings differ in number or level")
    if len(TABLE_ROW.findall(english)) != len(TABLE_ROW.findall(chinese)):
        problems.append("tables differ in rows")
    for seed in SEED_STRINGS:
        if english.count(seed) != chinese.count(seed):
            problems.append(f"the seed's {seed} appears {english.count(seed)} times in English, "
                            f"{chinese.count(seed)} in Chinese")
    expected: Counter[str] = Counter()
    for label, translated in LABELS.items():  # **The check.** and **The checks.** share 检查。
        expected[translated] += english.count(label)
    for translated, count in expected.items():
        if chinese.count(translated) != count:
            labels = " or ".join(label for label, zh in LABELS.items() if zh == translated)
            problems.append(f"{labels} must become {translated}")
    return problems


@functools.cache
def glossary() -> dict[str, str]:
    """The glossary's table, English term to Chinese term, longest English first."""
    rows = re.findall(r"^\| ([^|]+?) \| ([^|]+?) \|$", GLOSSARY.read_text(encoding="utf-8"), re.M)
    terms = {english: chinese for english, chinese in rows if english != "English" and not english.startswith("-")}
    return dict(sorted(terms.items(), key=lambda term: -len(term[0])))


def _term(english: str) -> re.Pattern[str]:
    """The term as a word of its own, with its inflections; not inside code, a hyphenated word or a name."""
    return re.compile(rf"(?<![\w\-./]){re.escape(english)}(?:s|es|d|ed|ing|r|rs)?(?![\w\-/]|\.\w)", re.I)


def glossary_problems(english: str, chinese: str, notes: str = "") -> list[str]:
    """The glossary's terms that the English uses and the translation does not.

    ``notes`` are the entry's translator comments: ``glossary: not <term> - <reason>``
    excuses one term in one entry, where the Chinese sentence needs no word for it.
    """
    excused = {match.group("term").strip().lower() for match in GLOSSARY_EXCEPTION.finditer(notes)}
    prose = PLACEHOLDER.sub(" ", PROTOCOL_WORDS.sub(" ", LINK_TARGET.sub(" ", CODE_SPAN.sub(" ", english))))
    prose_zh = CODE_SPAN.sub(" ", chinese)
    return [f"{term!r} must be translated {translation!r}"
            for term, translation in glossary().items()
            if term.lower() not in excused and _term(term).search(prose) and translation not in prose_zh]
