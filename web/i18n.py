"""UI language: the strings of the interface in Chinese and English, and how a request picks one."""

from __future__ import annotations

from fastapi import Request

from kb.taxonomy import label

LANGS = ("zh", "en")
COOKIE = "ui_lang"

STRINGS: dict[str, dict[str, str]] = {
    "site_name": {"en": "PMO Knowledge Base", "zh": "PMO 知识库"},
    "tagline": {
        "en": "Lessons learned, templates, process guides and training for every project phase.",
        "zh": "覆盖项目全生命周期的经验教训、模板、流程指南与培训。",
    },
    "search": {"en": "Search", "zh": "搜索"},
    "search_placeholder": {
        "en": "Search lessons, templates, guides… e.g. changing vendors mid-project",
        "zh": "搜索经验教训、模板、指南……例如：变更评审流程",
    },
    "search_label": {"en": "Search the knowledge base", "zh": "搜索知识库"},
    "mode": {"en": "Mode", "zh": "模式"},
    "mode_hybrid": {"en": "Hybrid", "zh": "混合"},
    "mode_keyword": {"en": "Keyword", "zh": "关键词"},
    "mode_semantic": {"en": "Semantic", "zh": "语义"},
    "browse": {"en": "Browse", "zh": "浏览"},
    "by_phase": {"en": "By phase", "zh": "按阶段"},
    "by_area": {"en": "By knowledge area", "zh": "按知识领域"},
    "by_kind": {"en": "By kind", "zh": "按类型"},
    "recent_lessons": {"en": "Recent lessons learned", "zh": "最新经验教训"},
    "training": {"en": "Training", "zh": "培训"},
    "training_intro": {
        "en": "Step-by-step modules on the standard project process, with quizzes and certificates.",
        "zh": "标准项目流程的分步培训模块，含测验与证书。",
    },
    "templates": {"en": "Templates", "zh": "模板"},
    "templates_intro": {
        "en": "Fill-in forms for every phase. View one, or download it as Markdown.",
        "zh": "各阶段可填写的表单模板。可在线查看，或下载为 Markdown 文件。",
    },
    "download": {"en": "Download .md", "zh": "下载 .md"},
    "results_count": {"en": "{n} documents", "zh": "共 {n} 篇文档"},
    "did_you_mean": {"en": "Did you mean", "zh": "您是不是要找"},
    "no_results": {"en": "No results for “{q}”.", "zh": "没有找到与“{q}”相关的结果。"},
    "no_results_help": {
        "en": "Try fewer or different words, switch to semantic mode, remove filters, or browse:",
        "zh": "试试更少或不同的词、切换到语义模式、去掉筛选条件，或直接浏览：",
    },
    "filters": {"en": "Filters", "zh": "筛选"},
    "clear_filters": {"en": "Clear filters", "zh": "清除筛选"},
    "facet_kind": {"en": "Kind", "zh": "类型"},
    "facet_phase": {"en": "Phase", "zh": "阶段"},
    "facet_area": {"en": "Knowledge area", "zh": "知识领域"},
    "facet_lang": {"en": "Language", "zh": "语言"},
    "facet_tag": {"en": "Tag", "zh": "标签"},
    "found_by": {"en": "found by", "zh": "匹配方式"},
    "previous": {"en": "Previous", "zh": "上一页"},
    "next": {"en": "Next", "zh": "下一页"},
    "page_of": {"en": "Page {page} of {pages}", "zh": "第 {page} 页，共 {pages} 页"},
    "contents": {"en": "Contents", "zh": "目录"},
    "details": {"en": "Details", "zh": "详细信息"},
    "kind": {"en": "Kind", "zh": "类型"},
    "phase": {"en": "Phase", "zh": "阶段"},
    "area": {"en": "Area", "zh": "领域"},
    "tags": {"en": "Tags", "zh": "标签"},
    "owner": {"en": "Owner", "zh": "负责人"},
    "updated": {"en": "Updated", "zh": "更新日期"},
    "language": {"en": "Language", "zh": "语言"},
    "project": {"en": "Project", "zh": "项目"},
    "date": {"en": "Date", "zh": "日期"},
    "impact": {"en": "Impact", "zh": "影响"},
    "priority": {"en": "Priority", "zh": "优先级"},
    "action_status": {"en": "Action status", "zh": "行动状态"},
    "other_language": {"en": "Read in Chinese", "zh": "阅读英文版"},
    "related": {"en": "Related documents", "zh": "相关文档"},
    "helpful_q": {"en": "Was this helpful?", "zh": "这篇内容有帮助吗？"},
    "yes": {"en": "Yes", "zh": "有帮助"},
    "no": {"en": "No", "zh": "没帮助"},
    "comment_optional": {"en": "What was missing? (optional)", "zh": "还缺少什么？（可选）"},
    "thanks_feedback": {"en": "Thank you for your feedback.", "zh": "感谢您的反馈。"},
    "not_found_title": {"en": "Page not found", "zh": "页面不存在"},
    "not_found_text": {
        "en": "We could not find that page. It may have been moved or unpublished.",
        "zh": "找不到该页面，它可能已被移动或取消发布。",
    },
    "error_title": {"en": "Something went wrong", "zh": "出错了"},
    "error_text": {
        "en": "The request could not be completed. Please try again; if it keeps happening, tell the PMO.",
        "zh": "请求未能完成。请重试；如果问题持续出现，请联系 PMO。",
    },
    "bad_request_title": {"en": "Please check your request", "zh": "请检查您的请求"},
    "back_home": {"en": "Back to the home page", "zh": "返回首页"},
    "switch_language": {"en": "中文", "zh": "English"},
    "switch_language_label": {"en": "切换到中文", "zh": "Switch to English"},
    "skip_to_content": {"en": "Skip to content", "zh": "跳到正文"},
    "all_documents": {"en": "All documents", "zh": "全部文档"},
    "documents_in": {"en": "{n} documents", "zh": "{n} 篇"},
    "index_missing": {
        "en": "The search index has not been built yet. Run `kb ingest` and reload.",
        "zh": "搜索索引尚未建立。请运行 `kb ingest` 后刷新。",
    },
    "api_docs": {"en": "API", "zh": "API"},
    "sign_in": {"en": "Sign in", "zh": "登录"},
    "sign_out": {"en": "Sign out", "zh": "退出"},
    "register": {"en": "Create a learner account", "zh": "注册学员账号"},
    "username": {"en": "Username", "zh": "用户名"},
    "password": {"en": "Password", "zh": "密码"},
    "display_name": {"en": "Display name", "zh": "显示名称"},
    "wrong_credentials": {
        "en": "Wrong username or password.",
        "zh": "用户名或密码错误。",
    },
    "throttled": {
        "en": "Too many failed attempts. Wait a few minutes, then try again.",
        "zh": "失败次数过多，请等待几分钟后再试。",
    },
    "forbidden_title": {"en": "Not allowed", "zh": "无权访问"},
}


def t(key: str, lang: str, **values: object) -> str:
    """Return the UI string for key in lang, with {placeholders} filled in."""
    text = STRINGS.get(key, {}).get(lang) or STRINGS.get(key, {}).get("en") or key
    return text.format(**values) if values else text


def choose_lang(request: Request) -> str:
    """Pick the UI language: the remembered choice, else the browser's Accept-Language."""
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGS:
        return chosen
    return from_accept_language(request.headers.get("accept-language", ""))


def from_accept_language(header: str) -> str:
    """Return zh or en, whichever the Accept-Language header prefers (en if neither)."""
    best, best_q = "en", -1.0
    for part in header.split(","):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        q = 1.0
        for param in pieces[1:]:
            if param.strip().startswith("q="):
                try:
                    q = float(param.strip()[2:])
                except ValueError:
                    q = 0.0
        primary = tag.split("-")[0]
        if primary in LANGS and q > best_q:
            best, best_q = primary, q
    return best


def vocabulary_label(value: str, lang: str) -> str:
    """Return the display label of a taxonomy value (kind, phase, area…)."""
    return label(value, lang)
