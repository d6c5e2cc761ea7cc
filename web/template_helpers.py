"""What templates may call besides gettext, gathered from the features for web/core/render.py
(the core imports no feature; the app hands these in)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from web.actions.views import GROUP_NAMES, group_label
from web.core.i18n import Marked
from web.curate.views import (
    ROLE_NAMES,
    SIMILAR_LEVELS,
    STATE_NAMES,
    audit_action,
    audit_detail,
    field_label,
    problem_text,
)
from web.following.views import WATCH_FLASHES, feed_url
from web.reading.views import FACET_NAMES, INTENT_NAMES, MODE_NAMES
from web.training.views import STATUS_NAMES, progress_text

HELPERS: dict[str, Callable[..., Any]] = {
    "progress_text": progress_text,
    "problem_text": problem_text,
    "field_label": field_label,
    "audit_action": audit_action,
    "audit_detail": audit_detail,
    "group_label": group_label,
    "feed_url": feed_url,
}
# The names templates show for values the code passes around: name_of('facet', 'phase').
NAMES: dict[str, dict[str, Marked]] = {
    "facet": FACET_NAMES,
    "mode": MODE_NAMES,
    "intent": INTENT_NAMES,
    "group": GROUP_NAMES,
    "state": STATE_NAMES,
    "similar": SIMILAR_LEVELS,
    "role": ROLE_NAMES,
    "training_status": STATUS_NAMES,
    "watch_flash": WATCH_FLASHES,
}
