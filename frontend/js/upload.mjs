// Progress for the extract upload page. Without JavaScript the form posts as usual and
// the next page says what happened; with it, the file is sent by XMLHttpRequest so that
// the page can show how much has been sent, then that the rows are being checked.
// A module file, not inline script: the Content-Security-Policy allows only this site's files.
import { initAll } from "./govuk-frontend.min.js";

function showProblem(status, text) {
  status.textContent = text;
}

function bind(form) {
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  const panel = document.getElementById("upload-progress");
  const bar = panel.querySelector("progress");
  const status = panel.querySelector("[data-status]");
  const button = form.querySelector("button[type=submit]");

  form.addEventListener("submit", (event) => {
    const input = form.querySelector("input[type=file]");
    // With no file chosen, let the server's error summary say so.
    if (!input || !input.files.length) return;
    event.preventDefault();
    const url = form.action || window.location.href;
    const request = new XMLHttpRequest();
    request.open("POST", url);
    panel.hidden = false;
    button.disabled = true;
    bar.max = 100;
    bar.value = 0;

    request.upload.addEventListener("progress", (progress) => {
      if (!progress.lengthComputable) return;
      bar.max = progress.total;
      bar.value = progress.loaded;
      const percent = Math.floor((100 * progress.loaded) / progress.total);
      status.textContent = `Sending the file: ${percent}% sent.`;
    });
    request.upload.addEventListener("load", () => {
      bar.removeAttribute("value"); // an indeterminate bar: the server is working
      status.textContent =
        "The file is sent. Checking every row and loading it: a large file can take a minute or two. Keep this page open.";
    });
    request.addEventListener("load", () => {
      // Success redirects to the import's own page: go there.
      if (request.responseURL && request.responseURL !== new URL(url, window.location.href).href) {
        window.location.assign(request.responseURL);
        return;
      }
      // The form came back with errors: show it, as a normal post would have.
      const fresh = new DOMParser().parseFromString(request.responseText, "text/html");
      const main = fresh.querySelector("main");
      if (request.status >= 400 || !main) {
        button.disabled = false;
        showProblem(status, `The hub could not take the file (error ${request.status}). Try again, or ask your system administrator.`);
        return;
      }
      document.title = fresh.title;
      document.querySelector("main").replaceWith(main);
      initAll({ scope: main });
      bind(main.querySelector("form[data-upload-progress]"));
    });
    request.addEventListener("error", () => {
      button.disabled = false;
      showProblem(status, "The file could not be sent: check your connection and try again.");
    });
    request.send(new FormData(form));
  });
}

bind(document.querySelector("form[data-upload-progress]"));
