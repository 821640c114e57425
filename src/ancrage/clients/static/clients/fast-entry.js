// Enter in a select of a fast-entry form saves it, as Enter in a text field does
// (browsers do not submit a form from a select).
document.addEventListener("keydown", (event) => {
  const field = event.target;
  if (event.key !== "Enter" || !(field instanceof HTMLSelectElement)) return;
  const form = field.closest("form[data-enter-submits]");
  if (!form) return;
  event.preventDefault();
  form.requestSubmit();
});
