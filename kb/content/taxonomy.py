"""The controlled vocabularies of the knowledge base: kinds, languages, statuses, phases, areas."""

from enum import StrEnum


class Kind(StrEnum):
    GUIDE = "guide"
    LESSON = "lesson"
    TEMPLATE = "template"
    TRAINING = "training"


class Lang(StrEnum):
    ZH = "zh"
    EN = "en"


class Status(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Phase(StrEnum):
    INITIATING = "initiating"
    PLANNING = "planning"
    EXECUTING = "executing"
    MONITORING = "monitoring"
    CLOSING = "closing"


class Area(StrEnum):
    INTEGRATION = "integration"
    SCOPE = "scope"
    SCHEDULE = "schedule"
    COST = "cost"
    QUALITY = "quality"
    RESOURCE = "resource"
    COMMUNICATION = "communication"
    RISK = "risk"
    PROCUREMENT = "procurement"
    STAKEHOLDER = "stakeholder"
    CHANGE = "change"
    PERFORMANCE = "performance"
    KNOWLEDGE = "knowledge"


class Impact(StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"


class Priority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class ActionState(StrEnum):
    """The status of one action of a lesson (a lesson's `action_status` is their summary)."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


LABELS: dict[str, dict[str, str]] = {
    # kinds
    "guide": {"en": "Guide", "zh": "指南"},
    "lesson": {"en": "Lesson learned", "zh": "经验教训"},
    "template": {"en": "Template", "zh": "模板"},
    "training": {"en": "Training", "zh": "培训"},
    # languages
    "zh": {"en": "Chinese", "zh": "中文"},
    "en": {"en": "English", "zh": "英文"},
    # statuses
    "draft": {"en": "Draft", "zh": "草稿"},
    "in_review": {"en": "In review", "zh": "审核中"},
    "published": {"en": "Published", "zh": "已发布"},
    "archived": {"en": "Archived", "zh": "已归档"},
    # phases
    "initiating": {"en": "Initiating", "zh": "启动"},
    "planning": {"en": "Planning", "zh": "规划"},
    "executing": {"en": "Executing", "zh": "执行"},
    "monitoring": {"en": "Monitoring & control", "zh": "监控"},
    "closing": {"en": "Closing", "zh": "收尾"},
    # areas
    "integration": {"en": "Integration", "zh": "整合"},
    "scope": {"en": "Scope", "zh": "范围"},
    "schedule": {"en": "Schedule", "zh": "进度"},
    "cost": {"en": "Cost", "zh": "成本"},
    "quality": {"en": "Quality", "zh": "质量"},
    "resource": {"en": "Resources", "zh": "资源"},
    "communication": {"en": "Communication", "zh": "沟通"},
    "risk": {"en": "Risk", "zh": "风险"},
    "procurement": {"en": "Procurement", "zh": "采购"},
    "stakeholder": {"en": "Stakeholders", "zh": "干系人"},
    "change": {"en": "Change", "zh": "变更"},
    "performance": {"en": "Performance evaluation", "zh": "绩效评估"},
    "knowledge": {"en": "Knowledge management", "zh": "知识管理"},
    # lesson fields
    "positive": {"en": "Positive", "zh": "正面"},
    "negative": {"en": "Negative", "zh": "负面"},
    "low": {"en": "Low", "zh": "低"},
    "medium": {"en": "Medium", "zh": "中"},
    "high": {"en": "High", "zh": "高"},
    "open": {"en": "Open", "zh": "未开始"},
    "in_progress": {"en": "In progress", "zh": "进行中"},
    "done": {"en": "Done", "zh": "已完成"},
    "dropped": {"en": "Dropped", "zh": "已放弃"},
}


def label(value: str, lang: str) -> str:
    """Return the display label of a vocabulary value in the UI language (the value itself if unknown)."""
    return LABELS.get(value, {}).get(lang, value)


def allowed(enum: type[StrEnum]) -> str:
    """Return the allowed values of a vocabulary as a readable list for error messages."""
    return ", ".join(member.value for member in enum)
