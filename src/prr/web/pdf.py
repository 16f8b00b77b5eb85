"""A snapshot as a PDF document (WeasyPrint): the frozen Markdown, typeset for print, with its
SHA-256 in the footer of every page."""

from __future__ import annotations

from django.template.loader import render_to_string

from prr.reviews.models import Snapshot
from prr.web.markdown import render_markdown

PAGE_CSS = """
@page { size: A4; margin: 22mm 18mm 24mm;
        @bottom-left { content: string(ref) " · snapshot v" string(version); font-size: 8pt; }
        @bottom-right { content: "page " counter(page) " of " counter(pages); font-size: 8pt; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; line-height: 1.45; color: #111; }
h1 { font-size: 17pt; string-set: ref attr(data-ref); }
h2 { font-size: 13pt; border-bottom: 1px solid #999; padding-bottom: 2pt; margin-top: 16pt; }
h3 { font-size: 11pt; margin-top: 12pt; }
blockquote { color: #444; border-left: 2pt solid #bbb; margin-left: 0; padding-left: 8pt; }
.meta { string-set: version attr(data-version); color: #444; font-size: 8.5pt; }
.sha { font-family: "DejaVu Sans Mono", monospace; font-size: 8pt; overflow-wrap: anywhere; }
a { color: #0b4db3; }
"""


def snapshot_pdf(snapshot: Snapshot) -> bytes:
    """The PDF bytes (WeasyPrint is imported here: only this needs its system libraries)."""
    import weasyprint

    html = render_to_string(
        "web/snapshot_pdf.html",
        {"snapshot": snapshot, "body": render_markdown(snapshot.markdown, readable_times=True)},
    )
    document = weasyprint.HTML(string=html, base_url=None)
    pdf: bytes = document.write_pdf(stylesheets=[weasyprint.CSS(string=PAGE_CSS)])
    return pdf
