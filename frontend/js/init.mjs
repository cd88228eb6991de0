// Starts GOV.UK Frontend's components. Loaded as a module so that no inline script is
// needed: the Content-Security-Policy allows scripts from this site only.
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported", "js-enabled");
initAll();

// Buttons that ask before acting (data-confirm="…") without inline handlers.
document.querySelectorAll("form[data-confirm]").forEach((form) => {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
});
