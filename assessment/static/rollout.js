// Roadmap pages. A status picked from a list with the mouse or a finger is saved at once;
// with the keyboard the arrows only choose, and the "Set" button (or Enter) saves, so
// stepping through the list does not save every status on the way. Without script the
// "Set" buttons do it all. (Confirmations and the PDF note come from app.js.)
let pickedByPointer = false;
document.addEventListener("pointerdown", (event) => {
  pickedByPointer = Boolean(event.target.closest("select[data-autosubmit]"));
});
document.addEventListener("keydown", (event) => {
  if (event.target.closest("select[data-autosubmit]")) pickedByPointer = false;
});
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-autosubmit]");
  if (select && pickedByPointer) select.form.requestSubmit();
});
