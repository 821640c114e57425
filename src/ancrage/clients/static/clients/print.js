// The print button of the consent form: shown only when scripts run (else: the browser's Print).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
