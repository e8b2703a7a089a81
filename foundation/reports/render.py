"""Pick a renderer by format name."""

from __future__ import annotations

from foundation.reports.jsonout import render_json
from foundation.reports.markdown import render_markdown
from foundation.reports.model import PlanReport
from foundation.reports.text import render_text


def render(report: PlanReport, fmt: str) -> str:
    """Render the plan report as text, markdown or json."""
    return {"text": render_text, "markdown": render_markdown, "json": render_json}[fmt](report)
