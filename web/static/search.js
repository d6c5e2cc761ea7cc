// Search page: the filters are a <details> that is open on wide screens (a column beside the
// results) and closed on phones, where the results come first and "Filters" opens the facets.
(function () {
  "use strict";
  var panel = document.getElementById("filters");
  if (!panel) return;
  var wide = window.matchMedia("(min-width: 861px)");
  function follow() { panel.open = wide.matches; }
  follow();
  wide.addEventListener("change", follow);
})();
