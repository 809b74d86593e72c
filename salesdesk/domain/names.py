"""People's names as the screens show them."""


def initials(name: str) -> str:
    """``"Ava Stone"`` -> ``"AS"``; one letter for a single name; ``"?"`` for none."""
    parts = [p for p in name.replace("-", " ").split() if p[:1].isalpha()]
    if not parts:
        return "?"
    return (parts[0][0] + (parts[-1][0] if len(parts) > 1 else "")).upper()
