"""The report as PDF, printed by headless Chromium (Debian's ``chromium`` package).

Chromium is not a Python dependency: when it is missing the PDF route answers 503 and the page
says to use the browser's Print (the report has print styles).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from fastapi import HTTPException

#: Where to look for the browser; ``NEUROPROTECT_CHROMIUM`` names another.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


def find_chromium() -> str | None:
    given = os.environ.get("NEUROPROTECT_CHROMIUM")
    if given:
        return given
    return next((p for n in CHROMIUM_NAMES if (p := shutil.which(n))), None)


def report_pdf(report: Path, html_text: str, *, tag: str = "") -> Path:
    """The PDF of ``html_text`` (the report as served), kept beside ``report.html``.

    ``tag`` names the version (e.g. the number of signatures): each is printed once, then reused
    while newer than the report file.
    """
    pdf = report.with_name(f"report{tag}.pdf")
    if pdf.exists() and pdf.stat().st_mtime >= report.stat().st_mtime:
        return pdf
    source = report.with_name(f"report{tag}.print.html")
    source.write_text(html_text, encoding="utf-8")
    browser = find_chromium()
    if browser is None:
        raise HTTPException(
            503, "PDF export needs Chromium on the server; print the HTML report instead"
        )
    tmp = pdf.with_suffix(".pdf.part")
    command = [
        browser,
        "--headless",
        "--no-sandbox",  # the server may run as root in a container
        "--disable-gpu",
        "--no-pdf-header-footer",
        f"--print-to-pdf={tmp}",
        source.resolve().as_uri(),
    ]
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=120)
        os.replace(tmp, pdf)
    except (OSError, subprocess.SubprocessError) as exc:
        tmp.unlink(missing_ok=True)
        raise HTTPException(503, f"PDF export failed: {exc}") from None
    return pdf
