// Text areas with a length limit show how many characters are left. The limit is
// not a maxlength attribute, so nothing pasted is ever cut; the server says when a
// text is too long and keeps it.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("textarea[data-maxlength]").forEach(function (area) {
    var limit = parseInt(area.getAttribute("data-maxlength"), 10);
    var count = document.createElement("div");
    count.className = "form-text char-count";
    count.id = area.id + "-count";
    count.setAttribute("aria-live", "polite");
    area.insertAdjacentElement("afterend", count);
    var described = area.getAttribute("aria-describedby");
    area.setAttribute("aria-describedby", (described ? described + " " : "") + count.id);
    function update() {
      var left = limit - area.value.length;
      count.textContent = left >= 0
        ? left + " characters left"
        : -left + " characters too many: shorten the text before saving";
      count.classList.toggle("text-danger", left < 0);
    }
    area.addEventListener("input", update);
    update();
  });
});
