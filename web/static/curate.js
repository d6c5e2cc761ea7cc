// Live validation and preview for the curator editor: posts the form to /curate/check (JSON).
(function () {
  "use strict";
  var form = document.getElementById("editor-form");
  if (!form) return;
  var timer = null;

  function showProblems(problems) {
    form.querySelectorAll("[data-errors-for]").forEach(function (list) {
      list.textContent = "";
      var field = list.closest(".field");
      if (field) field.classList.remove("has-error");
    });
    problems.forEach(function (p) {
      var list = form.querySelector('[data-errors-for="' + p.field + '"]') ||
        form.querySelector('[data-errors-for="form"]');
      var item = document.createElement("li");
      item.className = p.severity;
      item.textContent = p.message + (p.hint ? " — " + p.hint : "");
      list.appendChild(item);
      var field = list.closest(".field");
      if (field && p.severity === "error") field.classList.add("has-error");
    });
  }

  function check() {
    var data = new FormData(form);
    fetch(form.dataset.checkUrl, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (result) {
        if (!result) return;
        document.getElementById("preview").innerHTML = result.html; // sanitised on the server
        showProblems(result.problems);
        form.dataset.checked = result.ok ? "ok" : "errors";
        var submit = document.getElementById("save-submit");
        if (submit) submit.disabled = !result.ok;  // the server refuses it too
        var blocked = document.getElementById("submit-blocked");
        if (blocked) blocked.hidden = result.ok;
      });
  }

  function toggleKindFields() {
    var kind = form.querySelector("#f-kind").value;
    form.querySelectorAll(".kind-lesson").forEach(function (el) { el.hidden = kind !== "lesson"; });
    form.querySelectorAll(".kind-template").forEach(function (el) { el.hidden = kind !== "template"; });
  }

  // Action rows of a lesson: add a copy of the empty last row, remove a row (then re-check).
  var rows = document.getElementById("action-rows");
  if (rows) {
    rows.addEventListener("click", function (event) {
      var button = event.target.closest(".remove-action");
      if (!button) return;
      var row = button.closest(".action-row");
      if (rows.querySelectorAll(".action-row").length > 1) {
        row.remove();
      } else {
        row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
      }
      check();
    });
    document.getElementById("add-action").addEventListener("click", function () {
      var all = rows.querySelectorAll(".action-row");
      var copy = all[all.length - 1].cloneNode(true);
      var number = Date.now();
      copy.querySelectorAll("input, select").forEach(function (input) {
        input.value = input.tagName === "SELECT" ? "open" : "";
        var label = copy.querySelector('label[for="' + input.id + '"]');
        input.id = input.id.replace(/-\d+$/, "-" + number);
        if (label) label.htmlFor = input.id;
      });
      all[all.length - 1].after(copy);
      copy.querySelector("input").focus();
    });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 350);
  });
  form.addEventListener("change", toggleKindFields);
  toggleKindFields();
  check();
})();
