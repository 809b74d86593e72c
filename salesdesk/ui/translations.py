"""The program's texts in the user's language, from ``resources/translations``.

A language is offered by shipping ``salesdesk_<language>.qm`` there (how one is made:
resources/translations/README.md); without one the texts stay as written, in English.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from salesdesk import resource_files

log = logging.getLogger(__name__)

PREFIX = "salesdesk"


def install_translator(app: QCoreApplication, locale: QLocale | None = None,
                       folder: Path | None = None) -> QTranslator | None:
    """Install the translation for ``locale`` (the system's) if one is shipped; it.

    Qt tries each of the locale's UI languages, most specific first
    (``salesdesk_de_CH.qm``, then ``salesdesk_de.qm``).
    """
    locale = locale or QLocale()
    folder = folder or resource_files.path("translations")
    translator = QTranslator(app)  # the application keeps it alive
    if not translator.load(locale, PREFIX, "_", str(folder), ".qm"):
        translator.deleteLater()
        return None
    app.installTranslator(translator)
    log.info("Texts translated from %s", translator.filePath())
    return translator
