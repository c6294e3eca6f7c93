/**
 * The browser side of the HTML report: reads the embedded JSON and draws each chart with Chart.js
 * (inlined in the page, so the file opens offline). Every chart instance is kept on `window.reportCharts`
 * by canvas id so a test (or a curious trader in the console) can inspect what was drawn.
 */
export const CHART_IDS = ['chart-equity', 'chart-underwater', 'chart-monthly', 'chart-trade-returns', 'chart-exit-reasons'] as const;

export const REPORT_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  Chart.defaults.animation = false;
  Chart.defaults.font.family = 'system-ui, sans-serif';
  window.reportCharts = {};
  var GREEN = 'rgba(34, 139, 84, 0.75)', RED = 'rgba(200, 50, 50, 0.75)', BLUE = 'rgb(40, 90, 200)', GREY = 'rgb(130, 130, 130)';
  function signColors(values) { return values.map(function (v) { return v >= 0 ? GREEN : RED; }); }
  function draw(id, type, series, style, options) {
    var canvas = document.getElementById(id);
    if (!series.labels.length) {
      var p = document.createElement('p');
      p.className = 'empty';
      p.textContent = 'no data for this chart';
      canvas.parentNode.replaceChild(p, canvas);
      return;
    }
    var datasets = series.datasets.map(function (ds, i) { return Object.assign({ label: ds.label, data: ds.data }, style(ds, i)); });
    window.reportCharts[id] = new Chart(canvas, {
      type: type,
      data: { labels: series.labels, datasets: datasets },
      options: Object.assign({ responsive: true, maintainAspectRatio: false, plugins: { legend: { display: datasets.length > 1 } } }, options || {})
    });
  }
  var c = data.charts;
  draw('chart-equity', 'line', c.equity, function (ds, i) {
    return { borderColor: i === 0 ? BLUE : GREY, borderDash: i === 0 ? [] : [6, 4], pointRadius: 0, borderWidth: 1.5 };
  });
  draw('chart-underwater', 'line', c.underwater, function () {
    return { borderColor: RED, backgroundColor: 'rgba(200, 50, 50, 0.25)', fill: 'origin', pointRadius: 0, borderWidth: 1 };
  }, { scales: { y: { max: 0, title: { display: true, text: '% below peak' } } } });
  draw('chart-monthly', 'bar', c.monthly, function (ds) { return { backgroundColor: signColors(ds.data) }; },
    { scales: { y: { title: { display: true, text: '% return' } } } });
  draw('chart-trade-returns', 'bar', c.tradeReturns, function () { return { backgroundColor: BLUE }; },
    { scales: { x: { title: { display: true, text: 'net return per trade' } }, y: { title: { display: true, text: 'trades' }, ticks: { precision: 0 } } } });
  draw('chart-exit-reasons', 'bar', c.exitReasons, function (ds) { return { backgroundColor: signColors(ds.data) }; },
    { scales: { y: { title: { display: true, text: 'net P&L (' + data.quote + ')' } } } });
})();
`;
