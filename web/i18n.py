"""UI language: the strings of the interface in Chinese and English, and how a request picks one."""

from __future__ import annotations

from fastapi import Request

from kb.content.taxonomy import label
from web.i18n_actions import ACTION_STRINGS
from web.i18n_curate import CURATE_STRINGS
from web.i18n_follow import FOLLOW_STRINGS

LANGS = ("zh", "en")
COOKIE = "ui_lang"

STRINGS: dict[str, dict[str, str]] = {
    **CURATE_STRINGS,  # the curator pages (web/i18n_curate.py)
    **ACTION_STRINGS,  # lesson actions and recurrences (web/i18n_actions.py)
    **FOLLOW_STRINGS,  # feeds, watch lists, lessons where they are needed (web/i18n_follow.py)
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
    "glossary": {"en": "Glossary", "zh": "术语表"},
    "glossary_intro": {
        "en": "Project-management terms in English and Chinese. Search uses the same pairs: a question in one language also finds documents that use these terms in the other.",
        "zh": "项目管理术语的中英对照。搜索也使用这些词条：用一种语言提问，也能找到用另一种语言写这些术语的文档。",
    },
    "glossary_empty": {
        "en": "The glossary is empty.",
        "zh": "术语表为空。",
    },
    "term_en": {"en": "English", "zh": "英文"},
    "term_zh": {"en": "Chinese", "zh": "中文"},
    "definition": {"en": "Definition", "zh": "释义"},
    "templates_intro": {
        "en": "Fill-in forms for every phase. View one, or download it as Markdown.",
        "zh": "各阶段可填写的表单模板。可在线查看，或下载为 Markdown 文件。",
    },
    "download": {"en": "Download .md", "zh": "下载 .md"},
    "results_count": {"en": "{n} documents", "zh": "共 {n} 篇文档"},
    "results_count_one": {"en": "1 document"},  # Chinese has one form
    "did_you_mean": {"en": "Did you mean", "zh": "您是不是要找"},
    "showing_results_for": {"en": "Showing results for", "zh": "已显示以下内容的结果："},
    "search_instead_for": {"en": "Search instead for", "zh": "仍然搜索："},
    "only_lesson": {"en": "Only lessons learned", "zh": "只看经验教训"},
    "only_template": {"en": "Only templates", "zh": "只看模板"},
    "only_guide": {"en": "Only guides", "zh": "只看指南"},
    "only_training": {"en": "Only training", "zh": "只看培训"},
    "intent_hint": {
        "en": "Your search names a kind of document; those come first.",
        "zh": "您的搜索指明了文档类型，该类型的文档排在前面。",
    },
    "no_results": {"en": "No results for “{q}”.", "zh": "没有找到与“{q}”相关的结果。"},
    "no_results_help": {
        "en": "Try fewer or different words, switch to semantic mode, remove filters, or browse:",
        "zh": "试试更少或不同的词、切换到语义模式、去掉筛选条件，或直接浏览：",
    },
    "filters": {"en": "Filters", "zh": "筛选"},
    "query_marked": {
        "en": "The words of your search “{q}” are marked on this page.",
        "zh": "本页已标出您搜索“{q}”的词语。",
    },
    "query_unmark": {"en": "Remove the marks", "zh": "取消标记"},
    "clear_filters": {"en": "Clear filters", "zh": "清除筛选"},
    "facet_kind": {"en": "Kind", "zh": "类型"},
    "facet_phase": {"en": "Phase", "zh": "阶段"},
    "facet_area": {"en": "Knowledge area", "zh": "知识领域"},
    "facet_lang": {"en": "Language", "zh": "语言"},
    "facet_tag": {"en": "Tag", "zh": "标签"},
    "found_by": {"en": "found by", "zh": "匹配方式"},
    "leg_keyword": {"en": "its words", "zh": "关键词"},
    "leg_glossary": {"en": "translated terms", "zh": "术语翻译"},
    "leg_meaning": {"en": "its meaning", "zh": "语义"},
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
    "lang": {"en": "Language", "zh": "语言"},
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
    "busy_title": {"en": "Busy for a moment", "zh": "系统正忙"},
    "busy_text": {
        "en": "The knowledge base is saving other changes. Nothing was lost: try again in a few seconds.",
        "zh": "知识库正在保存其他更改，您的内容没有丢失。请几秒钟后重试。",
    },
    "degraded_title": {
        "en": "Running with reduced service",
        "zh": "服务降级运行中",
    },
    "degraded_text": {
        "en": "The knowledge base cannot reach its database just now, so this page is unavailable "
        "(signing in, editing and progress included). Search still works: try it below. "
        "Please try this page again in a minute.",
        "zh": "知识库暂时无法连接数据库，此页面暂不可用（包括登录、编辑和学习进度）。"
        "搜索仍可使用，请在下方搜索。请稍后再试此页面。",
    },
    "back_home": {"en": "Back to the home page", "zh": "返回首页"},
    "switch_language": {"en": "中文", "zh": "English"},
    "switch_language_label": {"en": "切换到中文", "zh": "Switch to English"},
    "skip_to_content": {"en": "Skip to content", "zh": "跳到正文"},
    "all_documents": {"en": "All documents", "zh": "全部文档"},
    "documents_in": {"en": "{n} documents", "zh": "{n} 篇"},
    "documents_in_one": {"en": "1 document"},
    "index_missing": {
        "en": "The search index has not been built yet. Run `kb ingest` and reload.",
        "zh": "搜索索引尚未建立。请运行 `kb ingest` 后刷新。",
    },
    "browse_both_langs": {
        "en": "Show both languages ({n} more in Chinese)",
        "zh": "显示两种语言（另有 {n} 篇英文）",
    },
    "browse_only_ui_lang": {"en": "Show English only", "zh": "只显示中文"},
    "semantic_loading": {
        "en": "Semantic search is still being prepared (loading the language models): these results come from keyword search. Hybrid search switches on by itself when it is ready.",
        "zh": "语义搜索仍在准备中（正在加载语言模型）：当前结果来自关键词搜索。准备好后会自动切换为混合搜索。",
    },
    "semantic_embedding": {
        "en": "Semantic search is still being prepared ({done} of {total} texts{left}): these results come from keyword search. Hybrid search switches on by itself when it is ready.",
        "zh": "语义搜索仍在准备中（已处理 {done}/{total} 段文本{left}）：当前结果来自关键词搜索。准备好后会自动切换为混合搜索。",
    },
    "semantic_left_minutes": {"en": ", about {n} min left", "zh": "，约还需 {n} 分钟"},
    "semantic_left_soon": {"en": ", less than a minute left", "zh": "，不到 1 分钟"},
    "semantic_failed": {
        "en": "Semantic search is unavailable (the server log says why): these results come from keyword search.",
        "zh": "语义搜索暂不可用（原因见服务器日志）：当前结果来自关键词搜索。",
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
    "too_large_title": {"en": "The request is too large", "zh": "请求过大"},
    "too_many_title": {"en": "Too many requests; wait a moment", "zh": "请求过于频繁，请稍候再试"},
    # training (issue 5)
    "training_catalogue": {"en": "Training modules", "zh": "培训模块"},
    "status_not_started": {"en": "Not started", "zh": "未开始"},
    "status_in_progress": {"en": "In progress", "zh": "进行中"},
    "status_completed": {"en": "Completed", "zh": "已完成"},
    "status_locked": {"en": "Locked", "zh": "未解锁"},
    "take_first": {"en": "Take this module first:", "zh": "请先完成："},
    "minutes": {"en": "{n} min", "zh": "{n} 分钟"},
    "steps_count": {"en": "{n} steps", "zh": "{n} 个步骤"},
    "steps_count_one": {"en": "1 step"},
    "pass_mark": {"en": "Pass mark {n}%", "zh": "及格线 {n}%"},
    "prerequisites": {"en": "Prerequisites", "zh": "先修模块"},
    "none": {"en": "None", "zh": "无"},
    "objectives": {"en": "What you will learn", "zh": "学习目标"},
    "start_module": {"en": "Start the module", "zh": "开始学习"},
    "resume": {"en": "Resume where I left off", "zh": "从上次离开处继续"},
    "open_module": {"en": "Open", "zh": "打开"},
    "steps_done": {"en": "{done} of {n} steps done", "zh": "已完成 {done}/{n} 个步骤"},
    "steps_done_one": {"en": "{done} of 1 step done"},
    "quiz_not_started": {
        "en": "no quiz answers yet (pass mark {pass_mark}% of {n} questions)",
        "zh": "尚未作答（及格线：全部 {n} 题答对 {pass_mark}%）",
    },
    "quiz_not_started_one": {"en": "no quiz answer yet (pass mark {pass_mark}% of 1 question)"},
    "quiz_so_far": {
        "en": "{correct} of {answered} answered correctly so far (pass mark {pass_mark}% of {n} "
        "questions)",
        "zh": "已答 {answered} 题，答对 {correct} 题（及格线：全部 {n} 题答对 {pass_mark}%）",
    },
    "quiz_all_answered": {
        "en": "{correct} of {n} questions answered correctly (pass mark {pass_mark}%)",
        "zh": "全部 {n} 题中答对 {correct} 题（及格线 {pass_mark}%）",
    },
    "quiz_all_answered_one": {
        "en": "{correct} of 1 question answered correctly (pass mark {pass_mark}%)"
    },
    "score_rule": {
        "en": "Your quiz score is the share of this module's questions whose latest answer is "
        "correct. The module is complete when every step is done and the score reaches {n}%.",
        "zh": "测验成绩 = 本模块所有题目中最近一次回答正确的比例。完成全部步骤且成绩达到 {n}% 即完成模块。",
    },
    "sign_in_to_track": {
        "en": "Sign in to record your progress, answer the quizzes and earn a certificate.",
        "zh": "登录后即可记录学习进度、回答测验并获得证书。",
    },
    "sign_in_to_answer": {"en": "Sign in to answer", "zh": "登录后作答"},
    "outline": {"en": "Outline", "zh": "大纲"},
    "step_of": {"en": "Step {n} of {total}", "zh": "第 {n} 步，共 {total} 步"},
    "previous_step": {"en": "Previous step", "zh": "上一步"},
    "next_step": {"en": "Next step", "zh": "下一步"},
    "back_to_module": {"en": "Back to the module", "zh": "返回模块"},
    "quiz": {"en": "Quiz", "zh": "测验"},
    "question_n": {"en": "Question {n}", "zh": "第 {n} 题"},
    "check_answer": {"en": "Check answer", "zh": "提交答案"},
    "answer_correct": {"en": "Correct.", "zh": "回答正确。"},
    "answer_wrong": {
        "en": "Not quite: you chose “{choice}”.",
        "zh": "回答不正确：您选择的是“{choice}”。",
    },
    "try_again": {"en": "Try again.", "zh": "请再试一次。"},
    "answer_shown": {
        "en": "The explanation below gives the answer.",
        "zh": "下面的解析给出了正确答案。",
    },
    "hint": {"en": "Hint", "zh": "提示"},
    "explanation": {"en": "Explanation", "zh": "解析"},
    "attempts": {"en": "Attempts: {n}", "zh": "作答次数：{n}"},
    "module_locked": {"en": "This module is locked.", "zh": "此模块尚未解锁。"},
    "module_complete": {
        "en": "You have completed this module.",
        "zh": "您已完成此模块。",
    },
    "view_certificate": {"en": "View your certificate", "zh": "查看证书"},
    "certificate": {"en": "Certificate", "zh": "证书"},
    "certificate_title": {"en": "Certificate of completion", "zh": "结业证书"},
    "certifies": {"en": "This certifies that", "zh": "兹证明"},
    "has_completed": {"en": "has completed the training module", "zh": "已完成培训模块"},
    "score": {"en": "Score", "zh": "成绩"},
    "issued_on": {"en": "Date", "zh": "颁发日期"},
    "verification_code": {"en": "Verification code", "zh": "验证码"},
    "verify_at": {"en": "Verify at", "zh": "验证地址"},
    "print": {"en": "Print", "zh": "打印"},
    "certificate_valid": {"en": "This certificate is valid.", "zh": "该证书真实有效。"},
    "certificate_unknown": {
        "en": "No certificate has the code “{code}”.",
        "zh": "没有找到验证码为“{code}”的证书。",
    },
    "team_view": {"en": "Team training view", "zh": "团队培训概览"},
    "learner": {"en": "Learner", "zh": "学员"},
    "module": {"en": "Module", "zh": "模块"},
    "completed_count": {"en": "Completed", "zh": "已完成"},
    "in_progress_count": {"en": "In progress", "zh": "进行中"},
    "started_count": {"en": "Started", "zh": "已开始"},
    "average_score": {"en": "Average quiz score", "zh": "平均测验成绩"},
    "by_learner": {"en": "By learner", "zh": "按学员"},
    "by_module": {"en": "By module", "zh": "按模块"},
    "weak_questions": {
        "en": "Questions most often answered wrongly",
        "zh": "最常答错的题目",
    },
    "wrong_of": {"en": "{wrong} wrong of {n}", "zh": "{n} 次中错 {wrong} 次"},
    "no_answers_yet": {"en": "No answers yet.", "zh": "暂无作答记录。"},
    "completed_modules": {"en": "Completed modules", "zh": "已完成的模块"},
}


def found_by(legs: list[str], lang: str) -> str:
    """Say how a result was found in the reader's words: the vector legs are all "meaning"."""
    keys = {f"leg_{leg}" if leg in ("keyword", "glossary") else "leg_meaning" for leg in legs}
    order = ["leg_keyword", "leg_meaning", "leg_glossary"]
    joiner = " + " if lang == "en" else "、"
    return joiner.join(t(key, lang) for key in order if key in keys)


def t(key: str, lang: str, **values: object) -> str:
    """Return the UI string for key in lang, with {placeholders} filled in (and the singular
    `<key>_one` form when n is 1 in a language that has one)."""
    if values.get("n") == 1 and lang in STRINGS.get(f"{key}_one", {}):
        key = f"{key}_one"
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
