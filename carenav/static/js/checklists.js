// My checklist: small enhancements on top of pages that work without JavaScript.
(function () {
  "use strict";

  // After htmx redraws an item, put the focus on its new status line, since the
  // button that was pressed has been replaced.
  document.body.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (!target || !target.id || target.id.indexOf("item-") !== 0) {
      return;
    }
    var item = document.getElementById(target.id);
    var status = item && item.querySelector(".item-status");
    if (status) {
      status.focus();
    }
  });

  // A running count under text fields with a limit. Without JavaScript the limit is
  // stated in words, and the server explains a text that is too long (nothing is
  // cut off).
  // The count goes at the end of the field's help text (named by aria-describedby),
  // hidden from screen readers, which are told the limit in words there.
  function showCount(field) {
    var count = document.querySelector('[data-char-count-for="' + field.id + '"]');
    if (!count) {
      var ids = (field.getAttribute("aria-describedby") || "").split(" ");
      var help = document.getElementById(ids[ids.length - 1]);
      if (!help) {
        return;
      }
      count = document.createElement("span");
      count.className = "char-count";
      count.setAttribute("aria-hidden", "true");
      count.dataset.charCountFor = field.id;
      help.appendChild(count);
    }
    var left = Number(field.dataset.charLimit) - field.value.length;
    count.textContent = left >= 0
      ? " " + left.toLocaleString("en-US") + " left."
      : " " + (-left).toLocaleString("en-US") + " too many.";
    count.classList.toggle("text-danger", left < 0);
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("[data-char-limit]")) {
      showCount(event.target);
    }
  });
  function countAll() {
    document.querySelectorAll("[data-char-limit]").forEach(showCount);
  }
  countAll();
  document.body.addEventListener("htmx:afterSettle", countAll);

  // The print view's Print button only makes sense with JavaScript.
  document.querySelectorAll("[data-print-page]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
