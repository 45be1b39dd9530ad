// Enter on an answer of the questionnaire saves it and stays on the page.
// Browsers submit the form on Enter in a radio, checkbox or text input: the theme form would then
// go to another page, throwing a keyboard user forward. The answer is saved by htmx on "change"
// (referentiel/question_html.py); Enter only makes sure that change happened.
document.addEventListener("keydown", function (event) {
  var input = event.target;
  if (event.key !== "Enter" || !(input instanceof HTMLInputElement)) return;
  if (!input.form || !input.form.hasAttribute("data-questionnaire")) return;
  if (input.type === "radio" || input.type === "checkbox") {
    event.preventDefault();
    if (!input.checked) {
      input.checked = true;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
  } else if (input.type === "text") {
    event.preventDefault();
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }
});
