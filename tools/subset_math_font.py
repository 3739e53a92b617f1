"""Regenerate the site's math font, overrides/assets/math/docs-math.woff2 ("Docs Math").

    python tools/subset_math_font.py            # builds the site into build/font-probe first
    python tools/subset_math_font.py --site build/test-site --otf latinmodern-math.otf

A subset of Latin Modern Math 1.959 (Debian's fonts-lmodern), renamed as its licence asks: every
character the built site's formulas draw (``math_characters``), a margin for ordinary new formulas
(``MARGIN``), the italic form of each letter among them, and what fontTools' subsetter reaches from
those through the MATH table (size variants, stretchy parts). Origin, licence, changes and the
versions that give the same bytes again: overrides/assets/math/docs-math.txt (update it from what
this prints). fontTools is imported only to write the font, so tests can import this module.
"""

import argparse
import hashlib
import html
import itertools
import re
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FONT = ROOT / "overrides" / "assets" / "math" / "docs-math.woff2"
FAMILY = "Docs Math"
PROBE_SITE = ROOT / "build" / "font-probe"
DEB_PACKAGE = "fonts-lmodern"
OTF_IN_DEB = "usr/share/texmf/fonts/opentype/public/lm-math/latinmodern-math.otf"
OTF_SHA256 = "6075562b771f8b82f0c179e363389684f2dd09de30038269e2628e504bd7be0f"  # fonts-lmodern 2.005-1

# A character costs 100-450 bytes of WOFF2 with its italic form and size variants, so the margin is
# what ordinary formulas print; other alphabets (\mathbf, \mathcal, \mathbb: 1.5-5 KB each) come
# only as the site uses them.
MARGIN = (
    # ASCII that TeX prints unescaped (not " # $ & @ \ _ `), the no-break space of TeX's "\ "
    " !%'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^abcdefghijklmnopqrstuvwxyz{|}~\u00a0"
    "αβγδεζηθικλμνξπρστυφχψωϵϑϕΓΔΘΛΠΣΦΨΩ"  # TeX's Greek, but \varsigma \varpi \varrho \varkappa \Xi \Upsilon
    "±×÷·⋅∘∗−≤≥≠≈≡∼≃∝≪≫∈∉⊂⊆∪∩∧∨¬∀∃∅∞∂∇⊤⊥′″…⋯⋮⋱∣∥⊙⊗⊕ℓ≔≜⩽⩾∑∏∫√"  # operators, relations, radical
    "()[]{}|‖⟨⟩⌊⌋⌈⌉←→↔↦⇒⇔⟶⟹⟺"  # brackets that grow, arrows
    # what math-core writes for \hat \widehat \tilde \bar \dot \ddot \overline \underline \vec
    "ˆ˜¯˙¨\u0302\u0332\u20d7"
)


def italic(ch: str) -> str | None:
    """What MathML Core's automatic italic (a one-letter <mi>) draws for ch: x -> U+1D465."""
    if ch == "h":
        return "\u210e"  # PLANCK CONSTANT fills the hole at MATHEMATICAL ITALIC SMALL H
    name = unicodedata.name(ch, "")
    if not (ch.isascii() or name.startswith("GREEK") or ch in "\u0131\u0237\u2202\u2207"):
        return None  # the mapping covers Latin and Greek letters, dotless i and j, partial, nabla
    try:  # GREEK SMALL LETTER ETA -> MATHEMATICAL ITALIC SMALL ETA, NABLA -> ... ITALIC NABLA
        return unicodedata.lookup("MATHEMATICAL ITALIC " + re.sub(r"^(LATIN|GREEK) |LETTER |LUNATE ", "", name))
    except KeyError:
        return None


# --- What the site's formulas draw ---------------------------------------------------------------

_MATH = re.compile(r"<math\b.*?</math>", re.S)
_TAG_AND_TEXT = re.compile(r"<(/?[\w-]+)([^>]*)>([^<]*)")  # math-core's attributes hold no ">"
# Not drawn: whitespace between elements, and variation selectors (math-core writes U+FE00 after
# a \mathcal letter, the chancery form; a font without that sequence draws the letter itself).
_NOT_DRAWN = set("\t\n\r\f") | {chr(c) for c in range(0xFE00, 0xFE10)}


def _wide(ch: str) -> bool:
    """CJK, which Latin Modern Math lacks: the page's CJK font draws \\text{平均梯度}, as before."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


def math_characters(markup: str) -> set[str]:
    """The characters a browser draws with the math font for the <math> elements of a page."""
    drawn = set()
    for math in _MATH.findall(markup):
        for tag, attrs, text in _TAG_AND_TEXT.findall(math):
            text = html.unescape(text)
            drawn.update(c for c in text if c not in _NOT_DRAWN and not (tag == "mtext" and _wide(c)))
            if tag in ("msqrt", "mroot"):
                drawn.add("\u221a")  # the browser draws the radical sign from the font
            if tag == "mi" and len(text.strip()) == 1 and 'mathvariant="normal"' not in attrs \
                    and italic(text.strip()):
                drawn.add(italic(text.strip()))
    return drawn


def site_characters(site: Path) -> dict[str, set[str]]:
    """Page (relative path) -> math_characters, for every built HTML page that has a formula."""
    pages = {str(p.relative_to(site)): math_characters(p.read_text("utf-8")) for p in sorted(site.rglob("*.html"))}
    return {page: chars for page, chars in pages.items() if chars}


# --- The font ------------------------------------------------------------------------------------

def fetch_otf(workdir: Path) -> Path:
    """Latin Modern Math from Debian's fonts-lmodern (apt-get download, dpkg -x; no install)."""
    subprocess.run(["apt-get", "download", DEB_PACKAGE], cwd=workdir, check=True)
    deb = next(workdir.glob(f"{DEB_PACKAGE}_*.deb"))
    subprocess.run(["dpkg", "-x", str(deb), str(workdir / "x")], check=True)
    return workdir / "x" / OTF_IN_DEB


def subset_font(src: Path, dst: Path, chars: set[str]):
    """src cut down to chars and what the MATH table reaches from them, renamed, as WOFF2."""
    from fontTools import subset

    opts = subset.Options(
        layout_features=[],  # ssty/flac/dtls double the size; Chromium 156 draws the same without
        bidi_closure=False,  # mirrored partners (∋ for ∈) serve right-to-left math only
        hinting=False, desubroutinize=True, notdef_outline=True, glyph_names=False, flavor="woff2",
        name_IDs=[0, 1, 2, 3, 4, 5, 6, 10, 13, 14, 16, 17],  # copyright and licence kept
    )
    opts.drop_tables.append("FFTM")  # FontForge's timestamps
    font = subset.load_font(str(src), opts)
    subsetter = subset.Subsetter(opts)
    subsetter.populate(unicodes=sorted(map(ord, chars)))
    subsetter.subset(font)
    # The licence (GUST, after the OFL's reserved names) asks a modified font for another name.
    ps_name = FAMILY.replace(" ", "")
    names = {1: FAMILY, 4: FAMILY, 16: FAMILY, 6: f"{ps_name}-Regular", 3: f"{ps_name}-subset"}
    for record in font["name"].names:
        record.string = names.get(record.nameID, record.string)
    note = ("Docs Math: a modified version of Latin Modern Math (subset, renamed, WOFF2); "
            "see docs-math.txt distributed with it for the changes and the original.")
    font["name"].setName(note, 10, 3, 1, 0x409)
    font["name"].setName(note, 10, 1, 0, 0)
    cff = font["CFF "].cff
    cff.fontNames = [names[6]]
    cff.topDictIndex[0].FullName = cff.topDictIndex[0].FamilyName = FAMILY
    subset.save_font(font, str(dst), opts)
    return font


def ranges(chars) -> str:
    """'U+0020-007E, U+00A0, ...' for a set of characters."""
    codes = sorted(map(ord, chars))
    runs = [[c for _, c in run] for _, run in itertools.groupby(enumerate(codes), lambda ic: ic[1] - ic[0])]
    return ", ".join(f"U+{r[0]:04X}" + (f"-{r[-1]:04X}" if len(r) > 1 else "") for r in runs)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, help=f"a built site (default: build one into {PROBE_SITE})")
    parser.add_argument("--otf", type=Path, help=f"latinmodern-math.otf (default: from {DEB_PACKAGE})")
    parser.add_argument("--out", type=Path, default=FONT)
    args = parser.parse_args(argv)
    if args.site is None:
        from localsite import build  # tools/localsite.py: `mkdocs build`, every language

        build(PROBE_SITE)
    pages = site_characters(args.site or PROBE_SITE)
    if not pages:
        sys.exit("no formula in any page: is it a built site?")
    used = set().union(*pages.values())
    wanted = used | set(MARGIN)
    with tempfile.TemporaryDirectory(prefix="math_font_") as tmp:
        src = args.otf or fetch_otf(Path(tmp))
        if hashlib.sha256(src.read_bytes()).hexdigest() != OTF_SHA256:
            sys.exit(f"{src} is not Latin Modern Math 1.959 from fonts-lmodern 2.005-1 (sha256 "
                     f"{OTF_SHA256}): update docs-math.txt if it is meant to change")
        font = subset_font(src, args.out, wanted | {italic(c) for c in wanted} - {None})
    kept = {chr(c) for c in font.getBestCmap()}  # what the original lacks is not kept
    print(f"site: {len(pages)} pages with formulas, {len(used & kept)} characters, not in the font: "
          f"{ranges(used - kept) or 'none'}\n  " + "".join(sorted(used & kept)).replace("\u00a0", "<NBSP>"))
    print(f"kept: {len(kept)} characters, {len(font.getGlyphOrder())} glyphs with the MATH variants\n"
          f"  {ranges(kept)}\n{args.out}: {args.out.stat().st_size} bytes, "
          f"sha256 {hashlib.sha256(args.out.read_bytes()).hexdigest()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
