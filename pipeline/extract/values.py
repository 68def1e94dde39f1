"""Values clean enough to hand on (issue 17): names and titles without page chrome, steps that are
instructions. The phrases are knowledge in `pipeline/data/lexicon.json` (`value_chrome`)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..knowledge import Knowledge


@dataclass(frozen=True)
class _Chrome:
    navigation: re.Pattern  # "Skip to main content", "Search the ... website": a page's furniture
    task_box: re.Pattern  # "[ ] Calf stretch": a checklist's box
    image: re.Pattern  # "![calf stretch](/img/calf.png)": an image's markup around its alt text
    template: re.Pattern  # "{{ site.baseurl }}": a site generator's placeholder
    bar: re.Pattern  # "Name | Section": what follows a bar is the site's, not the name's
    dash: re.Pattern  # "Title - SITE": a dash before a site's name
    site_like: re.Pattern  # "FemalePosture.com", "NHS": how a site's name looks
    label: re.Pattern  # "Notes:", "Instructions:": a label, no instruction


@lru_cache(maxsize=4)
def _chrome(kb: Knowledge) -> _Chrome:
    c = kb.lexicon["value_chrome"]
    return _Chrome(
        navigation=re.compile(r"\s*(?:" + "|".join(c["navigation_phrases"]) + r")\b.*$", re.I | re.S),
        task_box=re.compile(c["task_box_pattern"]),
        image=re.compile(c["image_pattern"]),
        template=re.compile(c["template_pattern"]),
        bar=re.compile(c["bar_pattern"]),
        dash=re.compile(c["dash_pattern"]),
        site_like=re.compile(c["site_like_pattern"]),
        label=re.compile(c["label_pattern"], re.I),
    )


def _common(text: str, ch: _Chrome) -> str:
    text = ch.image.sub(lambda m: m.group(1), text)  # the alt text is what the image says
    text = ch.template.sub(" ", text)
    text = ch.navigation.sub("", text)
    return " ".join(text.split())


def clean_name(name: str, kb: Knowledge) -> str:
    """"[ ] Calf stretch" -> "Calf stretch"; "Balasana | Yoga for stress" -> "Balasana";
    "![side bend]({{ site.baseurl }}/img.png)" -> "side bend". A name that would be left empty
    stays as it was."""
    ch = _chrome(kb)
    text = ch.task_box.sub("", _common(name, ch))
    parts = [p.strip() for p in ch.bar.split(text) if p.strip()]
    text = parts[0] if parts else text
    text = _drop_site_suffix(text, ch).strip(" -–—|:")
    return text if re.search(r"\w", text) else name


def clean_title(title: str | None, kb: Knowledge) -> str | None:
    """A page title without its site: "Knee Stretch | SiteName.com" -> "Knee Stretch",
    "Sitting exercises - NHS Skip to main content Search" -> "Sitting exercises"."""
    if not title:
        return title
    ch = _chrome(kb)
    text = _common(title, ch)
    parts = [p.strip() for p in ch.bar.split(text) if p.strip()]
    if len(parts) > 1:
        # the site's part is the one that looks like a site; else the last (the usual "Page | Site")
        kept = [p for p in parts if not ch.site_like.fullmatch(p)]
        text = kept[0] if len(kept) == 1 else (" | ".join(parts[:-1]) if kept == parts else " | ".join(kept))
    text = _drop_site_suffix(text, ch).strip(" -–—|:")
    return text if re.search(r"\w", text) else title


def _drop_site_suffix(text: str, ch: _Chrome) -> str:
    """"Sitting exercises - NHS": a dash before something shaped like a site's name. A dash before
    a subtitle ("My Journey - A Guide to 12 Poses") stays."""
    m = ch.dash.search(text)
    if m and ch.site_like.fullmatch(m.group("tail").strip()):
        return text[:m.start()]
    return text


def is_label(text: str, kb: Knowledge) -> bool:
    """"Notes:", "How to do it:": a label over what follows, not an instruction."""
    return bool(_chrome(kb).label.fullmatch(text.strip()))
