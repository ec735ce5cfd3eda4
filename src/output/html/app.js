// dateline serve: keyboard comfort only; the page works without it.
"use strict";
document.addEventListener("keydown", function (event) {
  var target = event.target;
  var typing = target && (target.tagName === "INPUT" || target.tagName === "SELECT" || target.tagName === "TEXTAREA");
  var box = document.getElementById("q");
  if (event.key === "/" && !typing && box && !event.ctrlKey && !event.metaKey && !event.altKey) {
    event.preventDefault();
    box.focus();
    box.select();
  } else if (event.key === "Escape" && target === box) {
    box.blur();
  }
});
// A new sort order or bar period applies at once when there is a query.
document.addEventListener("change", function (event) {
  var target = event.target;
  var box = document.getElementById("q");
  if (target && (target.name === "sort" || target.name === "by" || target.name === "per_article") && box && box.value.trim() !== "") {
    target.form.submit();
  }
});
// The marked passage of an article is focused, so the keyboard starts there.
window.addEventListener("load", function () {
  var hit = document.querySelector(".text p.hit");
  if (hit) {
    hit.focus({ preventScroll: true });
  }
});
// Empty fields and the default order stay out of the URL, so a shared
// link holds only what was chosen; they are enabled again when the page is
// shown from the history.
document.addEventListener("submit", function (event) {
  var fields = event.target.querySelectorAll("input[name], select[name]");
  for (var i = 0; i < fields.length; i++) {
    var field = fields[i];
    if (field.value === "" || (field.name === "sort" && field.value === "relevance")) {
      field.disabled = true;
    }
  }
});
window.addEventListener("pageshow", function () {
  var fields = document.querySelectorAll("form.search [disabled]");
  for (var i = 0; i < fields.length; i++) {
    fields[i].disabled = false;
  }
});
