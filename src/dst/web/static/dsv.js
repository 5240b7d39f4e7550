// Decision Support Viewer: load each section on its own, so one slow partner never holds up the rest.
// Progressive enhancement only: without this file every section links to the full server-rendered page.
"use strict";

window.addEventListener("DOMContentLoaded", () => {
  const boxes = Array.from(document.querySelectorAll("[data-section-url]"));
  const settled = () => {
    if (boxes.every((box) => box.getAttribute("aria-busy") === "false")) DstSummary.finish();
  };
  boxes.forEach((box) => {
    const fallback = box.innerHTML;
    box.setAttribute("aria-busy", "true");
    box.innerHTML = '<p class="hint">Loading…</p>';
    fetch(box.dataset.sectionUrl, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then((response) => response.text().then((html) => {
        box.innerHTML = html;
        DstSummary.place(box);
      }))
      .catch(() => {
        box.innerHTML = '<p class="partner-error">This section could not be loaded.</p>' + fallback;
      })
      .finally(() => {
        box.setAttribute("aria-busy", "false");
        settled();
      });
  });
});
