// The review page's own script (htmx does the rest): after an action, the focus goes to what
// it changed and a polite note says what happened. The action's answer names both in its
// HX-Trigger-After-Settle header, {"prr:focus": {"element": id, "note": text}}, so this
// runs once the changed regions are in the page.
(function () {
  "use strict";

  var FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";

  function focusOn(id) {
    var element = id ? document.getElementById(id) : null;
    if (!element) {
      return;
    }
    if (!element.matches(FOCUSABLE)) {
      element.setAttribute("tabindex", "-1"); // focusable by script, not in the tab order
    }
    element.focus();
  }

  function say(text) {
    var note = document.getElementById("action-note");
    if (!note || !text) {
      return;
    }
    // Emptied first: the same note twice in a row is a change, and is read out again.
    note.textContent = "";
    window.setTimeout(function () {
      note.textContent = text;
    }, 100);
  }

  document.body.addEventListener("prr:focus", function (event) {
    var detail = event.detail || {};
    focusOn(detail.element);
    say(detail.note);
  });
})();
