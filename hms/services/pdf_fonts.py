"""The fonts of the hospital's PDFs, parsed once per process instead of once per document.

fpdf2's add_font() parses the font file for every document, and output() cuts the embedded
copy down to the characters used (fontTools subsetting, which alters the parsed font in
place). With all of DejaVu Sans (6,000 glyphs) those two steps took about 100 ms of every
document. Here each font is parsed once per process (FontFile) and each document gets its
own copy of what fpdf2 changes while drawing and writing it; a document whose text is all
in Latin, or all in the common scripts, gets a cut of the font to those (about 700 or 1,800
glyphs), which is several times faster to subset.
"""

import copy
import functools
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from fontTools import subset as font_subset
from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

# Punctuation, currency signs, letterlike symbols and fractions; the ﬁ-style ligatures.
SYMBOLS = ((0x2000, 0x218F), (0xFB00, 0xFB06))
# The cuts of a font a document may get, smallest first: the Latin of most bills (Basic
# Latin, Latin-1, Latin Extended-A: about 700 glyphs), then the common scripts (Latin, IPA,
# combining accents, Greek, Cyrillic, Vietnamese: about 1,800). The fewer glyphs the cut
# has, the less output() reads again to subset it for each document.
LATIN = ((0x20, 0x17F), *SYMBOLS)
COMMON_SCRIPTS = ((0x20, 0x52F), (0x1E00, 0x1EFF), *SYMBOLS)
CUTS = (LATIN, COMMON_SCRIPTS)


def cut(source: Path, ranges: tuple[tuple[int, int], ...]) -> bytes:
    """The font cut to the characters in `ranges`. Besides glyphs, what goes is what a PDF
    never reads (kerning and OpenType layout, which fpdf2 drops too) and the hinting: the
    instructions that snap outlines to a screen's pixels at small sizes, which PDF viewers
    and printers do without (the documents are a third smaller for it, and subsetting each
    one is faster). Glyph names stay."""
    options = font_subset.Options(
        notdef_outline=True, recommended_glyphs=True, glyph_names=True, hinting=False
    )
    options.drop_tables += ["FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx"]
    subsetter = font_subset.Subsetter(options)
    subsetter.populate(unicodes=[code for first, last in ranges for code in range(first, last + 1)])
    data = BytesIO()
    with ttLib.TTFont(source, recalcTimestamp=False) as font:
        subsetter.subset(font)
        font.save(data)
    return data.getvalue()


@dataclass(frozen=True)
class FontFile:
    """A font parsed once (by fpdf2, as add_font() would), with the bytes it was parsed from
    and the characters it has glyphs for."""

    data: bytes
    parsed: TTFFont
    characters: frozenset[str]

    @classmethod
    def parse(cls, data: bytes, family: str, style: str) -> "FontFile":
        """Parse the font the way FPDF.add_font(family, style, ...) does."""
        parsed = TTFFont(FPDF(), BytesIO(data), f"{family.lower()}{style}", style)
        return cls(data, parsed, frozenset(map(chr, parsed.cmap)))

    def copy_for(self, pdf: FPDF) -> TTFFont:
        """The font for one more document: the metrics parsed from the file are shared, and
        what fpdf2 changes in a font while drawing and writing a document is the document's
        own, as in a new add_font(): the subset of characters used (and those missing), the
        font file output() subsets in place, and the descriptor output() numbers."""
        font = copy.copy(self.parsed)
        font.i = len(pdf.fonts) + 1
        # Subsetting leaves outlines and bounds as they were: no glyph is re-encoded to
        # recalculate its bounding box (which took half the time of writing the font).
        font.ttfont = ttLib.TTFont(
            BytesIO(self.data), recalcTimestamp=False, recalcBBoxes=False, lazy=True
        )
        font.desc = copy.copy(self.parsed.desc)
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font.subset = SubsetMap(font)
        return font


@functools.cache
def font_file(family: str, style: str, path: Path, ranges: tuple | None) -> FontFile:
    """The font file at `path` (or its cut to `ranges`) parsed, once per process."""
    return FontFile.parse(cut(path, ranges) if ranges else path.read_bytes(), family, style)


@functools.cache
def installed_characters(path: Path) -> frozenset[str]:
    """Every character the font file at `path` has a glyph for."""
    with ttLib.TTFont(path, lazy=True) as font:
        return frozenset(map(chr, font.getBestCmap()))


def add_fonts(pdf: FPDF, family: str, paths: dict[str, Path], text: str) -> None:
    """Make the fonts (by style) available to the document as FPDF.add_font() would: the
    smallest of their CUTS that has every character of `text` the files as installed have,
    else the files as installed."""
    characters = set(text)
    for ranges in (*CUTS, None):
        fonts = [font_file(family, style, path, ranges) for style, path in paths.items()]
        if ranges is None or not any(
            (characters - font.characters) & installed_characters(path)
            for font, path in zip(fonts, paths.values(), strict=True)
        ):
            break
    for font in fonts:
        pdf.fonts[font.parsed.fontkey] = font.copy_for(pdf)
