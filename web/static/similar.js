// The similar-lesson warning in the curator editor: 600 ms after typing stops, the draft's
// title, summary and body go to /curate/similar and the nearest published lessons are listed.
(function () {
  "use strict";
  var form = document.getElementById("editor-form");
  var panel = document.getElementById("similar-lessons");
  if (!form || !panel) return;
  var DELAY = 600;
  // the driving event is near the top and the server reads nothing else of the body; 8,000
  // characters stay far below the request limit even in Chinese (3 bytes a character)
  var MAX_BODY = 8000;
  var timer = null;
  var sent = "";
  var list = panel.querySelector("[data-similar-list]");
  var status = panel.querySelector("[data-similar-status]");
  var hint = panel.querySelector("[data-similar-hint]");
  var texts = panel.dataset;

  function value(name) {
    var field = form.elements[name];
    return field ? String(field.value || "") : "";
  }

  function isLesson() { return value("kind") === "lesson"; }

  function show(answer) {
    list.textContent = "";
    var lessons = answer.lessons || [];
    if (answer.method === "none") status.textContent = texts.tNoIndex;
    else if (answer.method === "keyword") status.textContent = texts.tKeyword;
    else status.textContent = lessons.length ? "" : texts.tNone;
    lessons.forEach(function (lesson) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = lesson.url;
      link.textContent = lesson.title;
      link.target = "_blank";
      link.rel = "noopener";
      item.appendChild(link);
      var language = document.createElement("span");
      language.className = "tag";
      language.textContent = texts["lang" + lesson.lang.charAt(0).toUpperCase() + lesson.lang.slice(1)] || lesson.lang;
      item.appendChild(document.createTextNode(" "));
      item.appendChild(language);
      var similarity = document.createElement("span");
      similarity.className = "similarity level-" + lesson.level;
      var level = texts["t" + lesson.level.charAt(0).toUpperCase() + lesson.level.slice(1)] || "";
      similarity.textContent = (lesson.percent === null ? "" :
        texts.tPercent.replace("{n}", String(lesson.percent)) + " · ") + level;
      item.appendChild(similarity);
      list.appendChild(item);
    });
    hint.hidden = lessons.length === 0;
    panel.dataset.state = "shown";
  }

  function ask() {
    panel.hidden = !isLesson();
    if (!isLesson()) return;
    var data = new FormData();
    ["title", "summary", "lang", "doc_id", "translation_of", "csrf_token"].forEach(function (name) {
      data.append(name, value(name));
    });
    data.append("body", value("body").slice(0, MAX_BODY));
    var key = ["title", "summary", "body", "lang"].map(value).join("\u0000");
    if (key === sent) return;
    sent = key;
    if (!value("title").trim() && !value("summary").trim() && !value("body").trim()) {
      list.textContent = "";
      status.textContent = texts.tWaiting;
      hint.hidden = true;
      return;
    }
    panel.dataset.state = "asking";
    fetch(panel.dataset.similarUrl, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        if (response.ok) return response.json();
        sent = "";  // ask again after the next change (a refused or failed answer shows nothing)
        if (response.status === 429) {  // over the rate: ask again when the server says
          var wait = parseInt(response.headers.get("Retry-After"), 10) || 2;
          clearTimeout(timer);
          timer = setTimeout(ask, wait * 1000);
        }
        return null;
      })
      .then(function (answer) { if (answer) show(answer); })
      .catch(function () { sent = ""; });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, DELAY);
  });
  form.addEventListener("change", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, DELAY);
  });
  ask();
})();
