"""UI strings of lesson actions and recurrences (merged into web.i18n.STRINGS)."""

from __future__ import annotations

ACTION_STRINGS: dict[str, dict[str, str]] = {
    "actions_heading": {"en": "Actions", "zh": "改进行动"},
    "actions_dashboard": {"en": "Lesson actions", "zh": "改进行动"},
    "action_what": {"en": "Action", "zh": "行动"},
    "action_owner": {"en": "Owner", "zh": "负责人"},
    "action_due": {"en": "Due", "zh": "截止日期"},
    "action_state": {"en": "Status", "zh": "状态"},
    "action_reason": {"en": "Reason dropped", "zh": "放弃原因"},
    "action_link": {"en": "where it was done", "zh": "落实位置"},
    "action_link_field": {
        "en": "Link (document id, id#section or web address)",
        "zh": "落实位置（文档 id、id#章节或网址）",
    },
    "action_closed": {"en": "Closed on", "zh": "关闭日期"},
    "overdue": {"en": "overdue", "zh": "已逾期"},
    "days_overdue": {"en": "{n} days overdue", "zh": "逾期 {n} 天"},
    "lesson": {"en": "Lesson", "zh": "经验教训"},
    "recurred_n": {
        "en": "Recurred {n} times, last on {date}",
        "zh": "已重复发生 {n} 次，最近一次在 {date}",
    },
    "recurred_n_one": {"en": "Recurred once, on {date}"},
    "days_overdue_one": {"en": "1 day overdue"},
    "n_open_overdue_one": {"en": "1 open, {overdue} overdue"},
    "recurs_of": {
        "en": "This lesson is a recurrence of:",
        "zh": "本条是以下经验教训的再次发生：",
    },
    "actions_summary": {
        "en": "{n} open actions, {overdue} overdue, {owners} owners (as of {today}).",
        "zh": "未完成行动 {n} 项，其中逾期 {overdue} 项，涉及负责人 {owners} 位（截至 {today}）。",
    },
    "group_by": {"en": "Group by", "zh": "分组方式"},
    "group_phase": {"en": "Phase", "zh": "阶段"},
    "group_area": {"en": "Knowledge area", "zh": "知识领域"},
    "group_owner": {"en": "Owner", "zh": "负责人"},
    "no_phase": {"en": "No phase given", "zh": "未注明阶段"},
    "no_area": {"en": "No area given", "zh": "未注明知识领域"},
    "export_csv": {"en": "Export CSV", "zh": "导出 CSV"},
    "actions_over_time": {
        "en": "Open actions at each month's end (overdue in the caption)",
        "zh": "每月末未完成的行动（说明中为逾期数）",
    },
    "chart_open_overdue": {
        "en": "{open} open · {overdue} overdue",
        "zh": "未完成 {open} · 逾期 {overdue}",
    },
    "n_open_overdue": {"en": "{n} open, {overdue} overdue", "zh": "未完成 {n}，逾期 {overdue}"},
    "recurring_lessons": {"en": "Lessons that recurred", "zh": "重复发生的经验教训"},
    "no_open_actions": {
        "en": "No open actions: every lesson's actions are done or dropped.",
        "zh": "没有未完成的行动：所有经验教训的行动均已完成或放弃。",
    },
    "facet_recurring": {"en": "Recurrence", "zh": "重复发生"},
    "recurring_value": {"en": "Recurred (not yet learned)", "zh": "重复发生（尚未吸取）"},
    "field_actions": {"en": "Actions", "zh": "改进行动"},
    "field_recurs": {
        "en": "Recurs (id of the earlier lesson that happened again)",
        "zh": "再次发生（此前同类经验教训的 id）",
    },
    "action_row": {"en": "Action {n}", "zh": "第 {n} 项行动"},
    "add_action": {"en": "Add an action", "zh": "添加行动"},
    "remove_action": {"en": "Remove", "zh": "删除"},
    "action_new_row": {
        "en": "Fill in the empty row to add an action.",
        "zh": "填写空白行即可添加一项行动。",
    },
}
