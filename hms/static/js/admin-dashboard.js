// Admin home: counters and Chart.js charts, refreshed in place from the stats JSON.
(function () {
  "use strict";
  const root = document.getElementById("dashboard");
  if (!root || typeof Chart === "undefined") return;
  const url = root.dataset.statsUrl;
  const every = Number(root.dataset.refreshSeconds || 30) * 1000;
  const money = new Intl.NumberFormat(undefined, { style: "currency", currency: root.dataset.currency || "INR" });
  const charts = {};
  // The public site's badge colours, in the state machine's order.
  const STATUS_COLOURS = { pending: "#ffc107", confirmed: "#0d6efd", completed: "#198754", canceled: "#6c757d" };

  function make(id, type, options) {
    const canvas = document.getElementById(id);
    return new Chart(canvas, {
      type: type,
      data: { labels: [], datasets: [] },
      options: Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, options),
    });
  }

  function shortDay(iso) {
    return iso.slice(5); // MM-DD
  }

  function draw(stats) {
    for (const [key, value] of Object.entries(stats.counters)) {
      const cell = document.getElementById(`counter-${key}`);
      if (cell) cell.textContent = value;
    }
    const days = stats.days.map(shortDay);
    set(charts.admissions, days, [
      { label: "Admissions", data: stats.admissions_per_day, backgroundColor: "#0d6efd" },
      { label: "Discharges", data: stats.discharges_per_day, backgroundColor: "#20c997" },
    ]);
    set(charts.occupancy, stats.occupancy.map((d) => d.department), [
      { label: "Occupied", data: stats.occupancy.map((d) => d.occupied), backgroundColor: "#dc3545" },
      { label: "Free", data: stats.occupancy.map((d) => d.free), backgroundColor: "#adb5bd" },
    ]);
    const statuses = Object.keys(STATUS_COLOURS);
    set(charts.statuses, statuses, [
      {
        label: "Appointments",
        data: statuses.map((s) => stats.appointments_by_status[s] || 0),
        backgroundColor: statuses.map((s) => STATUS_COLOURS[s]),
      },
    ]);
    set(charts.revenue, days, [
      { label: "Received", data: stats.revenue_per_day.map(Number), borderColor: "#198754", backgroundColor: "#198754" },
    ]);
    document.getElementById("updated-at").textContent = new Date().toLocaleTimeString();
    root.dataset.loaded = String(Number(root.dataset.loaded || 0) + 1);
  }

  function set(chart, labels, datasets) {
    chart.data.labels = labels;
    chart.data.datasets = datasets;
    chart.update();
  }

  async function refresh() {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) draw(await response.json());
    } catch (error) {
      document.getElementById("updated-at").textContent = "failed (retrying)";
    }
  }

  charts.admissions = make("chart-admissions", "bar", { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } });
  charts.occupancy = make("chart-occupancy", "bar", {
    scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
  });
  charts.statuses = make("chart-statuses", "doughnut", {});
  charts.revenue = make("chart-revenue", "line", {
    scales: { y: { beginAtZero: true, ticks: { callback: (v) => money.format(v) } } },
  });
  refresh();
  setInterval(refresh, every);
})();
