// The summary at the top of a record's page (dashboard and viewer), filled as the panels arrive.
// Each panel's fragment carries its summary items in <template data-summary-for="…">; they move into
// the matching slot, each partner problem once by its code. The polite live line speaks once, when
// every panel is in, rather than once per panel.
"use strict";

const DstSummary = (() => {
  const region = () => document.querySelector("[data-summary]");

  function addProblems(summary, list, content) {
    content.querySelectorAll("[data-problem]").forEach((item) => {
      if (!list.querySelector(`[data-problem="${item.dataset.problem}"]`)) list.append(item.cloneNode(true));
    });
    summary.querySelector("[data-summary-problems]").hidden = list.children.length === 0;
  }

  function place(fragment) {
    const summary = region();
    fragment.querySelectorAll("template[data-summary-for]").forEach((template) => {
      template.remove();
      if (!summary) return;
      const name = template.dataset.summaryFor;
      const slot = summary.querySelector(`[data-summary-slot="${name}"]`);
      if (!slot) return;
      if (name === "problems") addProblems(summary, slot, template.content);
      else slot.querySelector(".summary-value").replaceChildren(template.content.cloneNode(true));
    });
  }

  function sentence(summary) {
    const verdict = summary.querySelector(".summary-verdict");
    const partners = Array.from(summary.querySelectorAll("[data-problem]"), (item) => item.dataset.partnerName);
    const answer = verdict ? `Community care: ${verdict.textContent.replace(/\s+/g, " ").trim()}` : "Community care: not known.";
    const problems = partners.length === 0 ? "" : ` Problems with ${[...new Set(partners)].join(", ")}: see below.`;
    return `Summary ready. ${answer}${problems}`;
  }

  function finish() {
    const summary = region();
    if (!summary || summary.dataset.summaryState === "final") return;
    summary.querySelectorAll(".summary-value > .loading").forEach((waiting) => {
      waiting.className = "";
      waiting.textContent = "Not available: this part of the page could not be loaded (see below).";
    });
    summary.dataset.summaryState = "final";
    summary.querySelector("[data-summary-status]").textContent = sentence(summary);
    // bench/bench_pages.py reads this mark: navigation to the summary's final answer.
    performance.mark("dst-summary:final");
  }

  function reset() {
    const summary = region();
    if (!summary) return;
    summary.dataset.summaryState = "loading";
    summary.querySelector("[data-summary-status]").textContent = "";
    summary.querySelectorAll(".summary-value").forEach((value) => {
      const waiting = document.createElement("p");
      waiting.className = "loading";
      waiting.textContent = "Loading…";
      value.replaceChildren(waiting);
    });
    summary.querySelector('[data-summary-slot="problems"]').replaceChildren();
    summary.querySelector("[data-summary-problems]").hidden = true;
  }

  return { place, finish, reset };
})();

// A link to a detail inside a closed section opens the section first.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[href^='#']");
  if (!link || link.getAttribute("href").length < 2) return;
  const target = document.getElementById(link.getAttribute("href").slice(1));
  const section = target && target.closest("details");
  if (section) section.open = true;
});
