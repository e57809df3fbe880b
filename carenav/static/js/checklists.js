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

  // The print view's Print button only makes sense with JavaScript.
  document.querySelectorAll("[data-print-page]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
