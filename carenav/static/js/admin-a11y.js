// Names for the admin's autocomplete boxes (select2), which have none of their
// own when empty: the box is labelled by the field's label (or the aria-label
// given to inline fields) followed by what is selected.
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

  // select2 builds its boxes when jQuery is ready, and again for each row added
  // to an inline: name them whenever they appear.
  document.addEventListener("DOMContentLoaded", function () {
    nameComboboxes();
    new MutationObserver(nameComboboxes).observe(document.body, {
      childList: true,
      subtree: true,
    });
  });
})();
