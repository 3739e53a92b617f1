"""Regenerate the site's math font, overrides/assets/math/docs-math.woff2 ("Docs Math").

    python tools/subset_math_font.py [--otf latinmodern-math.otf]

A subset of Latin Modern Math 1.959 (Debian's fonts-lmodern), renamed as its licence asks:
``CHARACTERS``, the italic form of each letter among them, and what fontTools' subsetter reaches
from those through the MATH table (size variants, stretchy parts). tests/test_math_font.py fails,
naming page and character, when a formula draws a character the font lacks: add it to CHARACTERS
and run this again. Origin, licence, changes and the versions that give the same bytes again:
overrides/assets/math/docs-math.txt (update it from what this prints). fontTools is imported only to
write the font, so tests can import this module.
"""

import argparse
import hashlib
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
DEB_PACKAGE = "fonts-lmodern"
OTF_IN_DEB = "usr/share/texmf/fonts/opentype/public/lm-math/latinmodern-math.otf"
OTF_SHA256 = "6075562b771f8b82f0c179e363389684f2dd09de30038269e2628e504bd7be0f"  # fonts-lmodern 2.005-1

# What the font carries: what ordinary formulas print (a character costs 100-450 bytes of WOFF2 with
# its italic form and size variants), and the letters of other alphabets (\mathbf, \mathcal,
# \mathbb: 1.5-5 KB each) that the site's formulas use.
CHARACTERS = (
    # ASCII that TeX prints unescaped (not " # $ & @ \ _ `), the no-break space of TeX's "\ "
    " !%'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^abcdefghijklmnopqrstuvwxyz{|}~\u00a0"
    "αβγδεζηθικλμνξπρστυφχψωϵϑϕΓΔΘΛΠΣΦΨΩ"  # TeX's Greek, but \varsigma \varpi \varrho \varkappa \Xi \Upsilon
    "±×÷·⋅∘∗−≤≥≠≈≡∼≃∝≪≫∈∉⊂⊆∪∩∧∨¬∀∃∅∞∂∇⊤⊥′″…⋯⋮⋱∣∥⊙⊗⊕ℓ≔≜⩽⩾∑∏∫√"  # operators, relations, radical
    "()[]{}|‖⟨⟩⌊⌋⌈⌉←→↔↦⇒⇔⟶⟹⟺"  # brackets that grow, arrows
    # what math-core writes for \hat \widehat \tilde \bar \dot \ddot \overline \underline \vec,
    # and after a function's name (U+2061 FUNCTION APPLICATION, drawn as nothing)
    "ˆ˜¯˙¨\u0302\u0332\u20d7\u2061"
    "ℝℬ𝒩𝔼𝐖𝐗𝐚𝐫𝐰𝐱𝐲𝟏"  # the site's \mathbb, \mathcal and \mathbf letters
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
    parser.add_argument("--otf", type=Path, help=f"latinmodern-math.otf (default: from {DEB_PACKAGE})")
    parser.add_argument("--out", type=Path, default=FONT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="math_font_") as tmp:
        src = args.otf or fetch_otf(Path(tmp))
        if hashlib.sha256(src.read_bytes()).hexdigest() != OTF_SHA256:
            sys.exit(f"{src} is not Latin Modern Math 1.959 from fonts-lmodern 2.005-1 (sha256 "
                     f"{OTF_SHA256}): update docs-math.txt if it is meant to change")
        font = subset_font(src, args.out, set(CHARACTERS) | {italic(c) for c in CHARACTERS} - {None})
    kept = {chr(c) for c in font.getBestCmap()}  # what the original lacks is not kept
    print(f"not in the original: {ranges(set(CHARACTERS) - kept) or 'none'}\n"
          f"kept: {len(kept)} characters, {len(font.getGlyphOrder())} glyphs with the MATH variants\n"
          f"  {ranges(kept)}\n{args.out}: {args.out.stat().st_size} bytes, "
          f"sha256 {hashlib.sha256(args.out.read_bytes()).hexdigest()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
