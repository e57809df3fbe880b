// Two repairs to widgets of Django's admin that build their markup in the browser:
// - the autocomplete boxes (select2) have no name of their own when empty: each is
//   labelled by its field's label (or the aria-label given to inline fields)
//   followed by what is selected;
// - the two-list selector (filter_horizontal) puts an aria-label on a plain span
//   (its search icon): it becomes an image with that name.
(function () {
  "use strict";

  function labelText(select) {
    if (select.getAttribute("aria-label")) {
      return select.getAttribute("aria-label");
    }
    const label = select.labels && select.labels[0];
    return label ? label.textContent.replace(/:\s*$/, "").trim() : "";
  }

  function nameComboboxes() {
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      const container = select.nextElementSibling;
      const box = container && container.querySelector(".select2-selection[role=combobox]");
      const text = labelText(select);
      if (!box || !text || box.dataset.named) {
        return;
      }
      const name = document.createElement("span");
      name.id = select.id + "-combobox-name";
      name.className = "visually-hidden";
      name.textContent = text;
      container.prepend(name);
      const shown = box.getAttribute("aria-labelledby");
      box.setAttribute("aria-labelledby", shown ? name.id + " " + shown : name.id);
      box.dataset.named = "1";
      // The text of the selection (an empty "textbox" while nothing is chosen).
      const rendered = box.querySelector(".select2-selection__rendered");
      if (rendered) {
        rendered.setAttribute("aria-labelledby", name.id + " " + rendered.id);
      }
    });
  }

  function nameSearchIcons() {
    document.querySelectorAll(".search-label-icon[aria-label]:not([role])").forEach(
      function (icon) {
        icon.setAttribute("role", "img");
      }
    );
  }

  function repair() {
    nameComboboxes();
    nameSearchIcons();
  }

  // The widgets are built when jQuery is ready, on load, and again for each row
  // added to an inline: repair them whenever they appear.
  document.addEventListener("DOMContentLoaded", function () {
    repair();
    new MutationObserver(repair).observe(document.body, {
      childList: true,
      subtree: true,
    });
  });
})();
