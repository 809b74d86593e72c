"""What a text cell may hold: the one home of the control-character and invisible-text rules.

The reader asks of every cell it looks closer at (so that a control character in any
column refuses the file), the values layer of every text it stores; both say the same.
"""

from __future__ import annotations

import re
import unicodedata

# C0 but tab, LF and CR; DEL; C1; and the two noncharacters no XML may hold.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_C0_NAMES = ("NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB "
             "ESC FS GS RS US").split()
NUL_REASON = "holds a NUL character: is the file binary, or UTF-16 without its byte-order mark?"

# Letters and marks that show nothing (Hangul fillers, the blank Braille pattern, Khmer
# inherent vowels, the combining grapheme joiner): printable to Python, blank to a reader.
FILLERS = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")


def control_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored because of a control character in it, or None."""
    found = CONTROL.search(value)
    if found is None:
        return None
    code = ord(found[0])
    if code == 0:
        return NUL_REASON
    name = f"{_C0_NAMES[code]}, " if code < 32 else "DEL, " if code == 127 else ""
    return f"holds a control character ({name}U+{code:04X}) at position {found.start() + 1}; remove it"


def invisible(value: str) -> bool:
    """Nothing a reader would see: spaces, format characters (zero-width, joiners), fillers."""
    return all(ch.isspace() or ch in FILLERS or unicodedata.category(ch) == "Cf" for ch in value)
