// Glossary: the filter box hides, as one types, the rows (and the topics left empty) that do not
// contain the text; without JavaScript the same box submits ?q= and the server filters.
(function () {
  "use strict";
  var box = document.getElementById("glossary-q");
  if (!box) return;
  var count = document.getElementById("glossary-count");
  var topics = Array.prototype.slice.call(document.querySelectorAll(".glossary-topic"));
  function filter() {
    var wanted = box.value.trim().toLowerCase();
    var shown = 0;
    topics.forEach(function (topic) {
      var rows = topic.querySelectorAll(".glossary-row");
      var left = 0;
      Array.prototype.forEach.call(rows, function (row) {
        var match = !wanted || row.textContent.toLowerCase().indexOf(wanted) !== -1;
        row.hidden = !match;
        if (match) left += 1;
      });
      topic.hidden = left === 0;
      var link = document.querySelector('a[href="#' + topic.id + '"]');
      if (link) link.parentNode.hidden = left === 0;
      shown += left;
    });
    if (count) {
      count.textContent = wanted && !shown
        ? count.getAttribute("data-template-none").replace("%Q%", box.value.trim())
        : "";
    }
  }
  box.addEventListener("input", filter);
})();
