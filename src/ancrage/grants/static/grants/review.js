// Live totals of the scoring form: as the reviewer types, the server computes the weighted
// score again and sends the table back. Without JavaScript, "Compute the total" does the same.
(function () {
  "use strict";
  var form = document.getElementById("score-form");
  if (!form || !window.fetch) return;
  var target = document.getElementById("review-totals");
  var url = form.getAttribute("data-totals-url");
  var timer = null;
  var asked = 0;
  function refresh() {
    var number = ++asked;
    fetch(url, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (html !== null && number === asked) target.innerHTML = html;
    }).catch(function () { /* the button still works */ });
  }
  form.addEventListener("input", function (event) {
    if (!event.target.name || event.target.name.indexOf("score_") !== 0) return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  });
})();
