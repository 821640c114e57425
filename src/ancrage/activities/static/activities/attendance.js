// Live total of the attendance grid: the sum of the origin groups. Without JavaScript the
// server computes it when the form is saved.
(function () {
  "use strict";
  var form = document.querySelector("form.attendance-grid");
  if (!form) return;
  var output = document.getElementById(form.getAttribute("data-total-target"));
  var ids = (output.getAttribute("for") || "").split(/\s+/);
  function update() {
    var total = 0;
    var valid = true;
    ids.forEach(function (id) {
      var input = document.getElementById(id);
      var text = input ? input.value.trim() : "";
      if (text === "") return;
      if (!/^\d+$/.test(text)) { valid = false; return; }
      total += parseInt(text, 10);
    });
    output.textContent = valid ? String(total) : "?";
  }
  form.addEventListener("input", update);
  update();
})();
