/* The overview's charts, drawn with Chart.js from the figures the page carries in #overview-data.
   Every word comes translated from the server; each chart's table stays below it for screen readers
   and for readers without scripts. */
(function () {
  "use strict";

  var source = document.getElementById("overview-data");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  var figures = JSON.parse(source.textContent);
  var style = getComputedStyle(document.documentElement);
  var accent = style.getPropertyValue("--accent").trim() || "#1f5fa8";
  var muted = style.getPropertyValue("--muted").trim() || "#5b6475";
  var ink = style.getPropertyValue("--ink").trim() || "#1d2433";

  window.Chart.defaults.color = ink;
  window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;

  // A long label is broken into lines at its spaces, so that it is not cut off on a phone.
  function wrapped(label) {
    var lines = [];
    label.split(" ").forEach(function (word) {
      var last = lines.length - 1;
      if (last >= 0 && (lines[last] + " " + word).length <= 16) {
        lines[last] += " " + word;
      } else {
        lines.push(word);
      }
    });
    return lines;
  }

  function labels(rows) {
    return rows.map(function (row) { return wrapped(row.label); });
  }

  function values(rows, field) {
    return rows.map(function (row) { return row[field]; });
  }

  function countChart(figure, horizontal) {
    return {
      type: "bar",
      data: {
        labels: labels(figure.rows),
        datasets: [{ label: figure.series, data: values(figure.rows, "count"), backgroundColor: accent }]
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        // A bar for every label, tall enough to read them all.
        aspectRatio: horizontal ? 1 : 2,
        plugins: { legend: { display: false } },
        scales: {
          x: horizontal ? { beginAtZero: true, ticks: { precision: 0 } } : { ticks: { autoSkip: false } },
          y: horizontal ? { ticks: { autoSkip: false } } : { beginAtZero: true, ticks: { precision: 0 } }
        }
      }
    };
  }

  function monthlyChart(figure) {
    return {
      data: {
        labels: labels(figure.rows),
        datasets: [
          {
            type: "bar",
            label: figure.series.returned,
            data: values(figure.rows, "returned"),
            backgroundColor: accent,
            yAxisID: "people"
          },
          {
            type: "line",
            label: figure.series.exchanges,
            data: values(figure.rows, "exchanges"),
            borderColor: muted,
            backgroundColor: muted,
            yAxisID: "exchanges"
          }
        ]
      },
      options: {
        scales: {
          people: { position: "left", beginAtZero: true, ticks: { precision: 0 } },
          exchanges: { position: "right", beginAtZero: true, ticks: { precision: 0 }, grid: { drawOnChartArea: false } }
        }
      }
    };
  }

  var builders = {
    case_statuses: function (figure) { return countChart(figure, true); },
    waiting: function (figure) { return countChart(figure, false); },
    completed_by_month: monthlyChart,
    exchange_statuses: function (figure) { return countChart(figure, false); }
  };

  document.querySelectorAll("canvas[data-figure]").forEach(function (canvas) {
    var name = canvas.dataset.figure;
    if (!figures[name] || !builders[name]) {
      return;
    }
    canvas.hidden = false;
    new window.Chart(canvas, builders[name](figures[name]));
  });
})();
