// Live totals of the budget page: as the person types, the form is sent with action=totals (the
// server parses and adds up, nothing is saved) and the totals table is replaced by the server's.
// Without JavaScript, the "Compute the totals" button does the same.
(function () {
  "use strict";
  var form = document.querySelector("form[data-live-totals]");
  if (!form || !window.fetch || !window.DOMParser) { return; }
  var timer = null;
  function refresh() {
    var data = new FormData(form);
    data.set("action", "totals");
    fetch(form.action || window.location.href, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (!html) { return; }
      var page = new DOMParser().parseFromString(html, "text/html");
      var fresh = page.getElementById("totals");
      var current = document.getElementById("totals");
      if (fresh && current) { current.innerHTML = fresh.innerHTML; }
    }).catch(function () { /* the button still works */ });
  }
  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 500);
  });
})();
