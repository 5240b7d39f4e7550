// Progressive enhancement only: every page works without this file (the dashboard then renders on the server).
"use strict";

function loadPanel(holder) {
  const url = holder.dataset.panel;
  holder.setAttribute("aria-busy", "true");
  return fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
    .then((response) => {
      if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
      return response.text();
    })
    .then((html) => {
      holder.innerHTML = html;
      DstSummary.place(holder);
      holder.dataset.state = "loaded";
      enhance(holder);
    })
    .catch((error) => showPanelError(holder, error))
    .finally(() => {
      holder.setAttribute("aria-busy", "false");
      // User Timing marks let bench/bench_pages.py read when each panel filled, in the browser's own clock.
      performance.mark(`dst-panel:${url.split("/").pop()}`);
      if ([...document.querySelectorAll("[data-panel]")].every((p) => p.dataset.state)) DstSummary.finish();
    });
}

// Retry: the partner is asked again for this record; every panel refetches (the other partners'
// answers are remembered, so only this partner is called), except a decision form already begun.
function retryPartner(form) {
  const button = form.querySelector("button");
  button.disabled = true;
  button.textContent = "Asking again…";
  fetch(form.action, {
    method: "POST",
    credentials: "same-origin",
    headers: { Accept: "application/json" },
    body: new URLSearchParams(new FormData(form)),
  })
    .then((response) => {
      if (!response.ok) throw new Error(response.statusText);
      DstSummary.reset();
      document.getElementById("summary-h").focus();
      document.querySelectorAll("[data-panel]").forEach((holder) => {
        const begun = holder.querySelector("form.decision-form[data-touched]");
        if (begun) return;
        delete holder.dataset.state;
        loadPanel(holder);
      });
    })
    .catch(() => form.submit()); // the plain form post: the server answers with the whole page
}

// "Record the decision": focus the form's first field (a scheduler's is the next available
// appointment), or its heading while it loads or is locked.
function focusDecision() {
  const first = document.querySelector(
    "form.decision-form .scheduling input:enabled, form.decision-form input[name=veteranOption]:checked:enabled, form.decision-form input[name=veteranOption]:enabled",
  );
  const target = first || document.getElementById("dec-h");
  if (!first) target.setAttribute("tabindex", "-1");
  target.focus();
  target.scrollIntoView({ block: "nearest" });
}

function showPanelError(holder, error) {
  holder.dataset.state = "error";
  holder.replaceChildren();
  const box = document.createElement("div");
  box.className = "usa-alert usa-alert--error usa-alert--slim";
  box.setAttribute("role", "alert");
  const body = document.createElement("div");
  body.className = "usa-alert__body";
  const text = document.createElement("p");
  text.className = "usa-alert__text";
  text.textContent = `This panel could not be loaded (${error.message}). The rest of the page is unaffected. `;
  const retry = document.createElement("button");
  retry.type = "button";
  retry.className = "usa-button usa-button--outline usa-button--small";
  retry.textContent = "Try again";
  retry.addEventListener("click", () => loadPanel(holder));
  text.append(retry);
  body.append(text);
  box.append(body);
  holder.append(box);
}

function checkForwardTarget(form) {
  const target = form.querySelector("#forwardTo");
  const error = form.querySelector("#fwd-error");
  const yes = form.querySelector("#fwd-yes");
  const list = document.getElementById("cc-services");
  if (!target || !error || !yes || !list || target.disabled) return true;
  const known = Array.from(list.options, (option) => option.value);
  const ok = !yes.checked || known.includes(target.value.trim());
  error.hidden = ok;
  error.textContent = ok ? "" : `“${target.value}” is not one of this site's community care consult services: choose one from the list.`;
  target.classList.toggle("usa-input--error", !ok);
  target.setAttribute("aria-invalid", ok ? "false" : "true");
  if (!ok) target.focus();
  return ok;
}

function enhance(root) {
  root.querySelectorAll("form.decision-form").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!checkForwardTarget(form)) event.preventDefault();
    });
    form.addEventListener("change", () => { form.dataset.touched = "1"; });
  });
}

document.addEventListener("submit", (event) => {
  const form = event.target.closest("form.retry-form");
  if (!form) return;
  event.preventDefault();
  retryPartner(form);
});

function serviceTypeahead(input) {
  const list = document.getElementById(input.getAttribute("list"));
  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const query = input.value.trim();
    if (query.length < 2) return;
    timer = setTimeout(() => {
      fetch(`/api/v1/clinical-services?q=${encodeURIComponent(query)}`, { credentials: "same-origin" })
        .then((response) => {
          if (!response.ok) throw new Error(response.statusText);
          return response.json();
        })
        .then((services) => {
          list.replaceChildren(
            ...services.map((service) => {
              const option = document.createElement("option");
              option.value = service.name;
              option.label = service.synonyms.join(", ");
              return option;
            }),
          );
        })
        .catch(() => {}); // the full list rendered by the server stays in place
    }, 150);
  });
}

document.addEventListener("click", (event) => {
  // The error summary's links move the focus into the field, not just the view to it.
  const link = event.target.closest("#form-errors a[href^='#']");
  if (link) {
    const field = document.getElementById(link.getAttribute("href").slice(1));
    if (field) {
      event.preventDefault();
      field.focus();
      field.scrollIntoView({ block: "center" });
    }
    return;
  }
  if (event.target.closest("a[data-focus=decision]")) {
    event.preventDefault();
    focusDecision();
    return;
  }
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const text = document.getElementById(button.dataset.copy).textContent;
  const status = button.parentElement.querySelector(".copy-status");
  navigator.clipboard.writeText(text).then(
    () => { if (status) status.textContent = " Copied to the clipboard."; },
    () => { if (status) status.textContent = " Copy failed: select the text and copy it by hand."; },
  );
});

window.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-copy]").forEach((button) => { button.hidden = false; });
  document.querySelectorAll("[data-panel]").forEach(loadPanel);
  document.querySelectorAll("input[data-typeahead]").forEach(serviceTypeahead);
  enhance(document);
  const first = document.getElementById("form-errors") || document.getElementById("saved");
  if (first) first.focus();
});
