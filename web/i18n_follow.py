"""UI strings of following and of lessons shown where they are needed: feeds, the watch list,
"new since your last visit", the similar-lesson warning and the lessons beside steps and guides."""

from __future__ import annotations

FOLLOW_STRINGS: dict[str, dict[str, str]] = {
    # feeds
    "feed": {"en": "Atom feed", "zh": "Atom 订阅"},
    "feed_of": {"en": "Atom feed of these documents", "zh": "订阅这些文档（Atom）"},
    "feed_title": {"en": "PMO Knowledge Base: new and updated", "zh": "PMO 知识库：新增与更新"},
    "feed_subtitle": {
        "en": "Documents published or updated in the PMO knowledge base.",
        "zh": "PMO 知识库中新发布或更新的文档。",
    },
    # watch list
    "watches": {"en": "My watch list", "zh": "我的关注"},
    "watches_intro": {
        "en": "Watch phases, knowledge areas and tags: the home page then shows what is new "
        "or updated in them since your last visit.",
        "zh": "关注项目阶段、知识领域和标签后，首页会显示自您上次访问以来其中新增或更新的内容。",
    },
    "watch": {"en": "Watch", "zh": "关注"},
    "unwatch": {"en": "Stop watching", "zh": "取消关注"},
    "watching": {"en": "You watch this", "zh": "已关注"},
    "watch_tag": {"en": "Watch a tag", "zh": "关注标签"},
    "watch_none": {"en": "You watch nothing yet.", "zh": "您还没有关注任何内容。"},
    "watch_added": {"en": "Added to your watch list.", "zh": "已加入关注。"},
    "watch_removed": {"en": "Removed from your watch list.", "zh": "已取消关注。"},
    "watch_feed": {"en": "Feed of this", "zh": "订阅"},
    # new since your last visit
    "new_since_visit": {
        "en": "New since your last visit ({when})",
        "zh": "自您上次访问（{when}）以来的更新",
    },
    "new_first_visit": {
        "en": "New in the last {n} days in what you watch",
        "zh": "您关注的内容在最近 {n} 天的更新",
    },
    "nothing_new": {
        "en": "Nothing new in what you watch.",
        "zh": "您关注的内容没有新的变化。",
    },
    "watch_something": {
        "en": "Watch phases, areas or tags to see here what is new for you.",
        "zh": "关注阶段、领域或标签，即可在这里看到与您相关的更新。",
    },
    "edit_watches": {"en": "Edit your watch list", "zh": "编辑关注列表"},
    "is_new": {"en": "new", "zh": "新增"},
    "is_updated": {"en": "updated", "zh": "更新"},
    # similar-lesson warning
    "similar_title": {"en": "Similar lessons already published", "zh": "已发布的相似经验教训"},
    "similar_hint": {
        "en": "If one of these is the same lesson, update it or mark yours as a recurrence "
        "instead of starting a new page.",
        "zh": "如果其中有同一条经验教训，请更新它，或将您的记录标记为再次发生，而不是新建页面。",
    },
    "similar_none": {
        "en": "No published lesson is like this one so far.",
        "zh": "目前没有与此相似的已发布经验教训。",
    },
    "similar_waiting": {
        "en": "Write a title, summary or driving event to compare it with published lessons.",
        "zh": "填写标题、摘要或触发事件后，将与已发布的经验教训进行比较。",
    },
    "similar_keyword": {
        "en": "The semantic index is not ready: these lessons share words with yours.",
        "zh": "语义索引尚未就绪：以下经验教训与您的内容有相同的词语。",
    },
    "similar_no_index": {
        "en": "The search index has not been built yet, so lessons cannot be compared.",
        "zh": "搜索索引尚未建立，暂时无法比较经验教训。",
    },
    "similar_percent": {"en": "{n}% similar", "zh": "相似度 {n}%"},
    "similar_same": {"en": "probably the same lesson", "zh": "很可能是同一条"},
    "similar_close": {"en": "very similar", "zh": "非常相似"},
    "similar_related": {"en": "related", "zh": "相关"},
    "similar_words": {"en": "shares words", "zh": "用词相同"},
    # lessons beside training steps and guides
    "lessons_beside": {"en": "Lessons learned for this", "zh": "相关经验教训"},
    "lessons_beside_intro": {
        "en": "What projects learned in this phase and area:",
        "zh": "项目在这一阶段和领域积累的经验：",
    },
    "reason_phase": {"en": "same phase", "zh": "同一阶段"},
    "reason_similar": {"en": "similar content", "zh": "内容相近"},
}
