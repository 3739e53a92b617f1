"""Regenerate the site's math font, overrides/assets/math/docs-math.woff2 ("Docs Math").

    python tools/subset_math_font.py                     # build the site into build/font-probe first
    python tools/subset_math_font.py --site build/test-site --otf latinmodern-math.otf

The font is a subset of Latin Modern Math 1.959 (GUST Font License), renamed "Docs Math"; its
origin, licence and changes are in overrides/assets/math/docs-math.txt, which states the command
and the versions (fontTools, brotli) that give the same bytes again.

What is kept
  1. Every character that a browser draws with this font for a formula of the built site (both
     languages), as ``math_characters`` reads it from the HTML:
       - the text of every element inside ``<math>`` (mi, mo, mn, mtext...);
       - for a one-character ``<mi>`` without ``mathvariant="normal"``, its mathematical italic
         form as well (U+1D465 for x, U+210E for h, U+1D702 for eta...): MathML Core's automatic
         italic (``text-transform: math-auto``) draws that code point, not the typed one;
       - U+221A for ``<msqrt>``/``<mroot>``: the browser draws the radical sign from the font;
     except wide (East Asian) characters in ``<mtext>`` (\\text{平均梯度}): Latin Modern Math
     has none, the page's CJK font draws them, as it did with the full font.
  2. A small safety margin (``MARGIN``), so that an ordinary new formula does not need a new
     font; each extra character costs 100-450 bytes of WOFF2 with its italic form and variants:
       - ASCII letters and digits, and the ASCII punctuation and operators that formulas print
         (``! % ' ( ) * + , - . / : ; < = > ? [ ] ^ { | } ~`` and space); not " # $ & @ \\ _ `,
         which TeX prints only when escaped;
       - the Greek letters that TeX has commands for: lower case but omicron (no command) and
         final sigma (\\varsigma, rare), \\epsilon \\vartheta \\phi, and the capitals that differ
         from Latin ones (Gamma Delta Theta Lambda Pi Sigma Phi Psi Omega); Xi, Upsilon, \\varpi,
         \\varrho, \\varkappa are left out (rare);
       - common operators and relations (+-x/., <= >= != ~ ==, sets and logic, infinity,
         partial, nabla, primes, dots), the big operators sum, prod, integral and the radical;
       - brackets that grow (parentheses, square brackets, braces, bars, double bars, angle
         brackets, floor and ceiling), arrows (\\gets \\to \\leftrightarrow \\mapsto
         \\Rightarrow \\Leftrightarrow \\longrightarrow \\implies \\iff) and the accents that latex2mathml
         emits for \\hat \\tilde \\bar \\dot \\ddot \\overline \\underline (\\vec is the arrow).
     Letters in the other alphabets (\\mathbf, \\mathcal, \\mathbb: 26-62 glyphs each, 1.5-5 KB)
     are kept only as the site uses them: tests/test_math_font.py names any character a new
     formula needs, and this script adds it.
  3. Then for every kept character its mathematical italic form (letters, Greek, partial, nabla),
     and every glyph the MATH table reaches from the kept glyphs (size variants of brackets,
     radicals and big operators, the parts of stretchy assemblies): fontTools.subset does this.

Everything else is as before (fontTools 4.68.0, brotli 1.2.1): no OpenType layout features
(ssty/flac/dtls would double the size; Chromium draws the same without), hinting removed, CFF
desubroutinized, WOFF2; renamed "Docs Math" / "DocsMath-Regular", with a name ID 10 note pointing
to docs-math.txt, the copyright and licence entries of the name table kept. One option is new:
no closure over bidi-mirrored partners (fontTools would add the glyph of U+220B for U+2208, of
U+2283 for U+2282...), which only right-to-left math draws; both languages of the site are
left-to-right.

fontTools and brotli are imported only when a font is read or written, so that
tests/test_math_font.py can use ``math_characters`` and fail with a clear message without them.
"""

from __future__ import annotations

import argparse
import hashlib
import html.parser
import importlib.util
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

MARGIN = {
    "ASCII": " !%'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^abcdefghijklmnopqrstuvwxyz{|}~",
    "no-break space (TeX '\\ ')": "\u00a0",
    "Greek": "αβγδεζηθικλμνξπρστυφχψω" "ϵϑϕ" "ΓΔΘΛΠΣΦΨΩ",
    "operators and relations": "±×÷·⋅∘∗−≤≥≠≈≡∼≃∝≪≫∈∉⊂⊆∪∩∧∨¬∀∃∅∞∂∇⊤⊥′″…⋯⋮⋱∣∥⊙⊗⊕ℓ≔≜⩽⩾",
    "big operators and radical": "∑∏∫√",
    "brackets": "()[]{}|‖⟨⟩⌊⌋⌈⌉",
    "arrows": "←→↔↦⇒⇔⟶⟹⟺",
    "accents": "^~¯˙¨―",
}

# MathML Core's italic mapping (text-transform: math-auto on a one-character <mi>).
_ITALIC_SPECIAL = {
    "h": "\u210e", "\u0131": "\U0001d6a4", "\u0237": "\U0001d6a5", "\u03f4": "\U0001d6f3",
    "\u2207": "\U0001d6fb", "\u2202": "\U0001d715", "\u03f5": "\U0001d716", "\u03d1": "\U0001d717",
    "\u03f0": "\U0001d718", "\u03d5": "\U0001d719", "\u03f1": "\U0001d71a", "\u03d6": "\U0001d71b",
}


def italic(ch: str) -> str | None:
    """The mathematical italic form of a character (what math-auto draws), or None."""
    if ch in _ITALIC_SPECIAL:
        return _ITALIC_SPECIAL[ch]
    c = ord(ch)
    for first, last, start in ((0x41, 0x5A, 0x1D434), (0x61, 0x7A, 0x1D44E),
                               (0x391, 0x3A9, 0x1D6E2), (0x3B1, 0x3C9, 0x1D6FC)):
        if first <= c <= last and c != 0x3A2:
            return chr(start + c - first)
    return None


# --- What the site's formulas draw ---------------------------------------------------------------

_TOKENS = {"mi", "mo", "mn", "mtext", "ms"}
_RADICALS = {"msqrt", "mroot"}
_WHITESPACE = set("\t\n\r\f")  # between elements; not drawn


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


class _MathText(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0  # nesting of <math>
        self.token: tuple[str, dict] | None = None
        self.text: list[str] = []
        self.chars: set[str] = set()

    def handle_starttag(self, tag, attrs):
        if tag == "math":
            self.depth += 1
        if not self.depth:
            return
        if tag in _RADICALS:
            self.chars.add("\u221a")
        if tag in _TOKENS:
            self.token, self.text = (tag, dict(attrs)), []

    def handle_endtag(self, tag):
        if self.depth and self.token and tag == self.token[0]:
            self._token_done()
        if tag == "math" and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            return
        if self.token:
            self.text.append(data)
        else:
            self.chars.update(c for c in data if c not in _WHITESPACE)

    def _token_done(self):
        (tag, attrs), text = self.token, "".join(self.text)
        self.token = None
        chars = {c for c in text if c not in _WHITESPACE}
        if tag == "mtext":
            chars = {c for c in chars if not _wide(c)}
        self.chars |= chars
        stripped = text.strip()
        if tag == "mi" and len(stripped) == 1 and (attrs.get("mathvariant") or "").lower() != "normal":
            if italic(stripped):
                self.chars.add(italic(stripped))


def math_characters(page_html: str) -> set[str]:
    """The characters a browser draws with the math font for the <math> elements of a page."""
    parser = _MathText()
    parser.feed(page_html)
    parser.close()
    return parser.chars


def site_characters(site: Path) -> dict[str, set[str]]:
    """Page (relative path) -> math_characters, for every built HTML page that has a formula."""
    result = {}
    for page in sorted(site.rglob("*.html")):
        chars = math_characters(page.read_text("utf-8"))
        if chars:
            result[str(page.relative_to(site))] = chars
    return result


def margin_characters() -> set[str]:
    return set("".join(MARGIN.values()))


def wanted_characters(site_chars: set[str]) -> set[str]:
    """Site characters and the margin, with the italic form of every letter among them."""
    chars = site_chars | margin_characters()
    return chars | {italic(c) for c in chars if italic(c)}


# --- The font ------------------------------------------------------------------------------------

def fetch_otf(workdir: Path) -> Path:
    """Latin Modern Math from Debian's fonts-lmodern (apt-get download, dpkg -x; no install)."""
    subprocess.run(["apt-get", "download", DEB_PACKAGE], cwd=workdir, check=True)
    deb = next(workdir.glob(f"{DEB_PACKAGE}_*.deb"))
    subprocess.run(["dpkg", "-x", str(deb), str(workdir / "x")], check=True)
    return workdir / "x" / OTF_IN_DEB


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def subset_font(src: Path, dst: Path, unicodes: list[int], family: str = FAMILY):
    """Subset src to unicodes (plus what the MATH table reaches), rename it, write WOFF2."""
    from fontTools import subset

    opts = subset.Options()
    opts.layout_features = []  # ssty/flac/dtls: double the size; Chromium 156 rendered the same without
    opts.flavor = "woff2"
    opts.hinting = False
    opts.desubroutinize = True
    opts.name_IDs = [0, 1, 2, 3, 4, 5, 6, 10, 13, 14, 16, 17]
    opts.notdef_outline = True
    opts.glyph_names = False
    opts.drop_tables += ["FFTM"]  # FontForge's timestamps; dropped before too, with a warning
    opts.bidi_closure = False  # mirrored partners (∋ for ∈, ⊃ for ⊂) serve right-to-left math only
    font = subset.load_font(str(src), opts)
    s = subset.Subsetter(opts)
    s.populate(unicodes=unicodes)
    s.subset(font)
    # Renamed: the licences (OFL reserved names, GUST request) ask a modified font to carry
    # another name.
    name = font["name"]
    ps = family.replace(" ", "")
    for rec in list(name.names):
        if rec.nameID in (1, 16):
            rec.string = family
        elif rec.nameID in (4,):
            rec.string = family
        elif rec.nameID == 6:
            rec.string = ps + "-Regular"
        elif rec.nameID == 3:
            rec.string = f"{ps}-subset"
    note = ("Docs Math: a modified version of Latin Modern Math (subset, renamed, WOFF2); "
            "see docs-math.txt distributed with it for the changes and the original.")
    name.setName(note, 10, 3, 1, 0x409)
    name.setName(note, 10, 1, 0, 0)
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [ps + "-Regular"]
        top = cff.topDictIndex[0]
        for k in ("FullName", "FamilyName"):
            if hasattr(top, k):
                setattr(top, k, family)
    subset.save_font(font, str(dst), opts)
    return font


def cmap(path: Path) -> set[str]:
    """The characters a font file maps (WOFF2 needs brotli)."""
    from fontTools.ttLib import TTFont

    with TTFont(str(path)) as font:
        return {chr(c) for c in font.getBestCmap()}


def ranges(chars) -> str:
    """'U+0020-007E, U+00A0, ...' for a set of characters."""
    codes, out = sorted(ord(c) for c in chars), []
    for c in codes:
        if out and c == out[-1][1] + 1:
            out[-1][1] = c
        else:
            out.append([c, c])
    return ", ".join(f"U+{a:04X}" if a == b else f"U+{a:04X}-{b:04X}" for a, b in out)


def _build_site(site: Path) -> None:
    spec = importlib.util.spec_from_file_location("_tools_website", ROOT / "tools" / "website.py")
    website = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(website)
    website.build(site)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, help="an already built site to read (default: build one "
                        f"into {PROBE_SITE.relative_to(ROOT)})")
    parser.add_argument("--otf", type=Path, help="latinmodern-math.otf (default: apt-get download "
                        f"{DEB_PACKAGE} into a temporary directory)")
    parser.add_argument("--out", type=Path, default=FONT)
    args = parser.parse_args(argv)

    site = args.site
    if site is None:
        site = PROBE_SITE
        _build_site(site)
    pages = site_characters(site)
    if not pages:
        sys.exit(f"no formula in any page under {site}: is it a built site?")
    used = set().union(*pages.values())

    with tempfile.TemporaryDirectory(prefix="math_font_") as tmp:
        src = args.otf or fetch_otf(Path(tmp))
        if sha256(src) != OTF_SHA256:
            sys.exit(f"{src} is not Latin Modern Math 1.959 from fonts-lmodern 2.005-1 "
                     f"(sha256 {OTF_SHA256}): update docs-math.txt if it is meant to change")
        available = cmap(src)
        absent = margin_characters() - available
        if absent:
            sys.exit(f"MARGIN lists characters that Latin Modern Math lacks: {ranges(absent)}")
        wanted = wanted_characters(used)
        missing = used - available
        if missing:  # would fall back to another font, as with the full font
            print(f"not in Latin Modern Math, left to fallback fonts: {ranges(missing)}")
        kept = sorted(wanted & available)
        font = subset_font(src, args.out, [ord(c) for c in kept])
        glyphs = len(font.getGlyphOrder())

    print(f"site: {len(pages)} pages with formulas, {len(used & available)} characters:")
    print("  " + "".join(sorted(used & available)).replace("\u00a0", "<NBSP>"))
    print(f"kept: {len(kept)} characters ({len(set(kept) - used)} of them margin and italic forms), "
          f"{glyphs} glyphs with the MATH variants")
    print(f"  {ranges(kept)}")
    print(f"{args.out}: {args.out.stat().st_size} bytes, sha256 {sha256(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
