// Draws each dashboard series as a chart over its table (progressive enhancement: the tables
// hold every figure; without scripts, or if Chart.js is missing, they are all there is).
(function () {
  "use strict";
  const source = document.getElementById("dashboard-data");
  if (!source || typeof window.Chart === "undefined") return;
  const charts = JSON.parse(source.textContent);
  const palette = ["#1f5f8b", "#c8553d", "#2a9d8f", "#8d5fa8", "#e9a23b", "#5b6770", "#9c2c4a",
    "#3f8f3a", "#b5651d", "#336699", "#7a7a00", "#a05195", "#2f4b7c", "#d45087", "#665191"];
  const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  document.querySelectorAll("figure.chart[data-chart]").forEach((figure) => {
    const spec = charts[figure.dataset.chart];
    const canvas = figure.querySelector("canvas");
    if (!spec || !canvas) return;
    const round = spec.type === "doughnut";
    const datasets = spec.datasets.map((set, index) => {
      const colour = palette[index % palette.length];
      return {
        label: set.label,
        data: set.data,
        backgroundColor: round ? spec.labels.map((_, i) => palette[i % palette.length]) : colour,
        borderColor: round ? "#ffffff" : colour,
        borderWidth: spec.type === "line" ? 2 : 1,
        spanGaps: false,
        tension: 0.2,
      };
    });
    // Many long labels (concerns, services) read better as horizontal bars.
    const horizontal = spec.type === "bar" && spec.labels.length > 6;
    if (horizontal) {
      figure.querySelector(".chart-box").style.height = `${Math.max(18, spec.labels.length * 1.6)}rem`;
    }
    figure.hidden = false;
    const chart = new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: reduceMotion ? false : { duration: 300 },
        plugins: {
          legend: { display: round || datasets.length > 1, position: "bottom" },
          title: { display: false },
        },
        scales: round ? {} : {
          [horizontal ? "x" : "y"]: { beginAtZero: true, ticks: { precision: 0 } },
        },
      },
    });
    figure.dataset.drawn = "true";
    canvas.chart = chart;
  });
})();
