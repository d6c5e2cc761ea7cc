"""A template becomes a clean skeleton: sections to fill in the body, its guidance beside it."""

from __future__ import annotations

from pathlib import Path

from ingest.frontmatter import split_front_matter
from kb.content.markdown.skeleton import template_skeleton
from kb.content.schema import missing_lesson_sections

SHIPPED = Path(__file__).resolve().parent.parent / "content" / "templates"


def body_of(rel: str) -> str:
    return split_front_matter((SHIPPED / rel).read_text(encoding="utf-8"), rel).body


def headings(body: str) -> list[str]:
    return [line[3:] for line in body.splitlines() if line.startswith("## ")]


def test_the_lessons_template_gives_the_five_sections_and_its_help_aside():
    for rel in ("en/template-lessons-learned.md", "zh/template-lessons-learned-zh.md"):
        skeleton = template_skeleton(body_of(rel))
        assert len(headings(skeleton.body)) == 5 and not missing_lesson_sections(
            headings(skeleton.body)
        )
        assert ">" not in skeleton.body and "|" not in skeleton.body  # no guidance, no field table
        assert skeleton.guidance[0].heading == ""  # the introduction
        assert any("|" in g.markdown for g in skeleton.guidance)  # the field table is help


def test_fill_in_tables_stay_reference_tables_and_instructions_go_to_help():
    body = """Intro.

## Details

| Field | Entry |
|---|---|
| Owner | <name> |

## Scales

| Score | Meaning |
|---|---|
| 1 | Low |

> *Score = probability × impact.*

```
## not a heading
```

## Notes
> Write what you learnt.
"""
    skeleton = template_skeleton(body)
    assert headings(skeleton.body) == ["Details", "Notes"]
    assert "| Owner | <name> |" in skeleton.body and "| 1 | Low |" not in skeleton.body
    help_by_heading = {g.heading: g.markdown for g in skeleton.guidance}
    assert help_by_heading["Notes"] == "Write what you learnt."
    assert "| 1 | Low |" in help_by_heading["Scales"] and help_by_heading[""] == "Intro."
    assert "```\n## not a heading\n```" in help_by_heading["Scales"]
