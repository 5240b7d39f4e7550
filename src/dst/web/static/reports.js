// Draws each report's chart from the JSON block beside it; the table under the chart holds the same figures.
(function () {
  "use strict";
  const COLOURS = ["#005ea2", "#c05600", "#1a4480", "#538200"];

  function draw(canvas) {
    const block = document.getElementById(canvas.dataset.chart);
    if (!block || typeof Chart === "undefined") return;
    const spec = JSON.parse(block.textContent);
    const horizontal = spec.kind === "horizontal-bar";
    const box = canvas.parentElement;
    if (horizontal) box.style.height = Math.max(12, spec.labels.length * 2.2 + 4) + "rem";
    const valueAxis = { beginAtZero: true, title: { display: true, text: spec.axisLabel } };
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map((d, i) => ({
          label: d.label, data: d.data, backgroundColor: COLOURS[i % COLOURS.length],
        })),
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: spec.datasets.length > 1 } },
        scales: horizontal ? { x: valueAxis } : { y: valueAxis },
      },
    });
  }

  window.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  });
})();
