// Referrals: a Print button where the browser can print. Without JavaScript the
// button stays hidden and the page says to use the browser's own Print command.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print-page]").forEach(function (button) {
    button.hidden = false;
    document.querySelectorAll("[data-print-hint]").forEach(function (hint) {
      hint.hidden = true;
    });
    button.addEventListener("click", function () {
      window.print();
    });
  });
});
