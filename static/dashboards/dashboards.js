/* Dashboard charts: reads the page's json_script data (#dashboard-data) and draws each [data-chart] element
 * with Plotly. No inline scripts, so the pages work under a Content-Security-Policy without 'unsafe-inline'.
 * Every number, label and status comes from the server (dashboards/selectors.py); this file only draws. */
(function () {
  "use strict";

  // Status colours come from the server's /status.css (core.status), so charts and badges agree.
  var ROOT_STYLE = window.getComputedStyle(document.documentElement);
  function statusColor(status) {
    return (ROOT_STYLE.getPropertyValue("--status-" + status) || ROOT_STYLE.getPropertyValue("--status-no_data")).trim();
  }
  var TASK_COLORS = {done: "#276749", in_progress: "#4299e1", blocked: "#c53030", not_started: "#cbd5e0",
                     unreported: "#f6ad55"};
  var FONT = {family: '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif',
              size: 13, color: "#1f2933"};
  // The toolbar speaks the page's language (zh-CN from plotly-locale-zh-cn.js) and never offers to send a chart
  // to Plotly's cloud: on a government intranet that button must not exist. The PNG is drawn in the browser.
  var LOCALE = (document.documentElement.lang || "").indexOf("en") === 0 ? "en" : "zh-CN";
  var CONFIG = {displaylogo: false, responsive: true, locale: LOCALE, showSendToCloud: false,
                showEditInChartStudio: false, showLink: false,
                modeBarButtonsToRemove: ["sendDataToCloud", "editInChartStudio", "select2d", "lasso2d", "autoScale2d",
                                         "toggleSpikelines", "hoverClosestCartesian", "hoverCompareCartesian"]};
  var STATIC = {staticPlot: true, responsive: true, locale: LOCALE};
  // Small trends: numbers on hover, no toolbar, no zoom.
  var HOVER_ONLY = {displayModeBar: false, responsive: true, locale: LOCALE, scrollZoom: false};
  var PCT = ".1%";

  function layout(extra) {
    var base = {font: FONT, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
                margin: {l: 48, r: 16, t: 16, b: 40}, showlegend: false};
    return Object.assign(base, extra);
  }

  // A phone: fewer ticks and smaller category labels, so long department names leave room for the bars.
  function narrow(el) {
    return el.clientWidth < 560;
  }

  function axisFont(el) {
    return {size: narrow(el) ? 10 : 13};
  }

  function colorsOf(statuses) {
    return statuses.map(statusColor);
  }

  // The downloaded PNG is named after the chart (its aria-label) and drawn at twice the size for print.
  function configFor(el, config) {
    if (!config.modeBarButtonsToRemove) {
      return config;
    }
    var name = (el.getAttribute("aria-label") || el.dataset.chart).replace(/[\\/:*?"<>|]+/g, " ");
    return Object.assign({}, config, {toImageButtonOptions: {format: "png", scale: 2, filename: name}});
  }

  function title(text) {
    return {text: text, font: {size: 12, color: "#52606d"}, standoff: 6};
  }

  var DRAW = {
    // City dashboard: how many indicators are in each status.
    status: function (data) {
      var rows = data.status;
      return [[{type: "pie", hole: 0.55, sort: false, direction: "clockwise",
                labels: rows.map(function (r) { return r.label; }), values: rows.map(function (r) { return r.n; }),
                marker: {colors: colorsOf(rows.map(function (r) { return r.status; }))},
                textinfo: "label+value", textposition: "outside", automargin: true,
                hovertemplate: "%{label}: %{value}<extra></extra>"}],
              layout({height: 280, margin: {l: 24, r: 24, t: 24, b: 24}}), CONFIG];
    },

    // Overview: all visible cities' indicators by status.
    totals: function (data) {
      var rows = data.totals;
      return [[{type: "bar", x: rows.map(function (r) { return r.label; }), y: rows.map(function (r) { return r.n; }),
                text: rows.map(function (r) { return String(r.n); }), textposition: "outside", cliponaxis: false,
                marker: {color: colorsOf(rows.map(function (r) { return r.status; }))},
                hovertemplate: "%{x}: %{y}<extra></extra>"}],
              layout({height: 300, yaxis: {title: title(data.labels.count), rangemode: "tozero", automargin: true},
                      xaxis: {title: title(data.labels.status), automargin: true}}), CONFIG];
    },

    // Overview: each city's time elapsed beside its indicator progress — paired bars for a few cities, a scatter
    // (below the diagonal: progress behind the calendar) for a national view.
    progress: function (data) {
      var points = data.cities;
      var l = data.labels;
      var pct = function (v) { return (v * 100).toFixed(1) + "%"; };
      if (points.length > 30) {
        return [[{type: "scatter", mode: "markers", x: points.map(function (p) { return p.x; }),
                  y: points.map(function (p) { return p.y; }), text: points.map(function (p) { return p.city; }),
                  marker: {size: 7, color: "#2b6cb0", opacity: 0.7},
                  hovertemplate: "%{text}<br>" + l.time + " %{x:" + PCT + "}<br>" + l.progress + " %{y:" + PCT +
                    "}<extra></extra>"}],
                layout({height: 340,
                        xaxis: {title: title(l.time), range: [0, 1.05], tickformat: ".0%", zeroline: false},
                        yaxis: {title: title(l.progress), range: [0, 1.05], tickformat: ".0%", zeroline: false},
                        shapes: [{type: "line", x0: 0, y0: 0, x1: 1, y1: 1, line: {color: "#a0aec0", dash: "dash"}}],
                        annotations: [{x: 0.02, y: 0.98, xref: "paper", yref: "paper", text: l.diagonal,
                                       showarrow: false, xanchor: "left", font: {size: 11, color: "#616e7c"}}]}),
                CONFIG];
      }
      var cities = points.map(function (p) { return p.city; });
      var bar = function (name, key, color) {
        var values = points.map(function (p) { return p[key]; });
        return {type: "bar", orientation: "h", name: name, y: cities, x: values, marker: {color: color},
                text: values.map(pct), textposition: "auto", insidetextanchor: "end", textangle: 0,
                hovertemplate: "%{y} · " + name + " %{x:" + PCT + "}<extra></extra>"};
      };
      return [[bar(l.time, "x", "#a0aec0"), bar(l.progress, "y", "#2b6cb0")],
              layout({barmode: "group", height: 80 + 56 * points.length, showlegend: true,
                      legend: {orientation: "h", y: 1.02, yanchor: "bottom", x: 0, traceorder: "normal"},
                      margin: {l: 8, r: 16, t: 36, b: 36},
                      xaxis: {range: [0, 1.05], tickformat: ".0%", title: title(l.share), automargin: true},
                      yaxis: {automargin: true, autorange: "reversed"}}), CONFIG];
    },

    // Overview card: the share on track by quarter.
    // Hovering a point shows its quarter and share; the same numbers are in a visually hidden table beside it.
    spark: function (data, el) {
      var t = data.trends[el.dataset.key];
      return [[{type: "scatter", mode: "lines+markers", x: t.x, y: t.y, line: {color: statusColor("on_track"), width: 2},
                marker: {size: 5}, fill: "tozeroy", fillcolor: "rgba(72,187,120,0.15)",
                hovertemplate: "%{x}<br>" + data.labels.trend + " %{y:" + PCT + "}<extra></extra>"}],
              layout({height: 72, margin: {l: 36, r: 24, t: 8, b: 20}, hovermode: "closest", dragmode: false,
                      hoverlabel: {font: {size: 12}},
                      xaxis: {type: "category", showgrid: false, tickfont: {size: 9}, fixedrange: true,
                              tickvals: [t.x[0], t.x[t.x.length - 1]]},
                      yaxis: {range: [0, 1], tickformat: ".0%", tickvals: [0, 1], tickfont: {size: 9},
                              fixedrange: true}}), HOVER_ONLY];
    },

    // City dashboard: one indicator's bullet — bar now (ending in a short mark, so a zero still shows), band
    // expected by now, line end target; the axis title gives the unit and where the axis starts if not at zero.
    bullet: function (data, el) {
      var d = data.bullets[el.dataset.key];
      var color = statusColor(d.status);
      var shapes = [];
      if (d.expected !== null) {
        shapes.push({type: "rect", xref: "x", yref: "y", x0: d.start, x1: d.expected, y0: -0.42, y1: 0.42,
                     fillcolor: "#e2e8f0", line: {width: 0}, layer: "below"});
      }
      shapes.push({type: "line", xref: "x", yref: "y", x0: d.target, x1: d.target, y0: -0.48, y1: 0.48,
                   line: {color: "#1f2933", width: 3}});
      return [[{type: "bar", orientation: "h", y: [0], x: [d.value - d.start], base: [d.start], width: [0.36],
                marker: {color: color}},
               {type: "scatter", mode: "markers", y: [0], x: [d.value],
                marker: {symbol: "line-ns", size: 20, line: {color: color, width: 4}}}],
              layout({height: d.axis ? 74 : 58, margin: {l: 8, r: 18, t: 4, b: d.axis ? 38 : 22}, shapes: shapes,
                      xaxis: {range: d.range, nticks: 5, tickfont: {size: 10}, showgrid: false, zeroline: false,
                              // counted in whole units (件, 家, 个 …): no tick at half a centre
                              dtick: d.whole && d.range[1] - d.range[0] <= 6 ? 1 : undefined, tick0: 0,
                              showline: true, linecolor: "#9aa5b1", ticks: "outside", ticklen: 3,
                              title: {text: d.axis, font: {size: 10, color: "#52606d"}, standoff: 2}},
                      yaxis: {visible: false, range: [-0.5, 0.5]}}), STATIC];
    },

    // City dashboard: each department's tasks by the state of its latest report.
    tasks: function (data, el) {
      var t = data.tasks;
      var traces = t.states.map(function (state, i) {
        return {type: "bar", orientation: "h", name: t.labels[i], y: t.departments, x: t.counts[i],
                marker: {color: TASK_COLORS[state]},
                text: t.counts[i].map(function (n) { return n ? String(n) : ""; }), textposition: "inside",
                insidetextanchor: "middle", textangle: 0, hovertemplate: "%{y} · " + t.labels[i] + ": %{x}<extra></extra>"};
      });
      return [traces, layout({barmode: "stack", showlegend: true, height: 84 + rowHeight(30) * t.departments.length,
                              legend: {orientation: "h", y: 1.02, yanchor: "bottom", x: 0, traceorder: "normal"},
                              margin: {l: 8, r: 16, t: 36, b: 44},
                              xaxis: {rangemode: "tozero", tickformat: "d", nticks: narrow(el) ? 4 : 10,
                                      title: title(t.axis)},
                              yaxis: {automargin: true, autorange: "reversed", tickfont: axisFont(el)}}), CONFIG];
    },

    // Indicator page: the quarterly values against the expected path and the end target.
    series: function (data, el) {
      var l = data.labels;
      var traces = [];
      if (data.path.x.length) {
        traces.push({type: "scatter", mode: "lines", name: l.path, x: data.path.x, y: data.path.y,
                     line: {color: "#718096", dash: "dash", width: 2}});
      }
      if (data.target) {
        // Labelled at its start: the latest actual value sits at the right end and keeps its own label.
        traces.push({type: "scatter", mode: "lines+text", name: data.target.threshold ? l.threshold : l.target,
                     x: data.target.x, y: [data.target.y, data.target.y], text: [data.target.text, ""],
                     textposition: "top right", line: {color: "#c53030", dash: "dot", width: 2}});
      }
      if (data.interim.x.length) {
        traces.push({type: "scatter", mode: "markers", name: l.interim, x: data.interim.x, y: data.interim.y,
                     marker: {symbol: "diamond", size: 10, color: "#805ad5"}});
      }
      // Every value labelled where there is room for it; on a narrow chart only the latest (hover shows each).
      var labels = data.actual.text;
      var roomy = el.clientWidth / Math.max(labels.length, 1) > (LOCALE === "en" ? 110 : 70);
      traces.push({type: "scatter", mode: "lines+markers+text", name: l.actual, x: data.actual.x, y: data.actual.y,
                   text: roomy ? labels : labels.map(function (t, i) { return i === labels.length - 1 ? t : ""; }),
                   hovertext: labels, hovertemplate: "%{x|%Y-%m-%d}: %{hovertext}<extra></extra>",
                   textposition: "top center", cliponaxis: false,
                   line: {color: "#2b6cb0", width: 3}, marker: {size: 7}});
      return [traces, layout({height: 380, showlegend: true,
                              legend: {orientation: "h", y: 1.02, yanchor: "bottom", x: 0},
                              margin: {l: 56, r: 24, t: 40, b: 52},
                              xaxis: {type: "date", tickformat: "%Y-%m", title: title(l.date)},
                              yaxis: {title: title(l.unit), rangemode: "tozero", automargin: true}}), CONFIG];
    },

    // Comparison: each city's progress towards its own target, with where it should be by now.
    compare: function (data, el) {
      var rows = data.rows;
      var cities = rows.map(function (r) { return r.city; });
      return [[{type: "bar", orientation: "h", name: data.labels.progress, y: cities,
                x: rows.map(function (r) { return r.progress; }), text: rows.map(function (r) { return r.text; }),
                textposition: "auto", insidetextanchor: "end", textangle: 0, cliponaxis: false,
                marker: {color: colorsOf(rows.map(function (r) { return r.status; }))},
                hovertemplate: "%{y}: %{x:" + PCT + "}<extra></extra>"},
               {type: "scatter", mode: "markers", name: data.labels.expected, y: cities,
                x: rows.map(function (r) { return r.expected; }),
                marker: {symbol: "diamond", size: 11, color: "#1f2933"},
                hovertemplate: "%{y} · " + data.labels.expected + ": %{x:" + PCT + "}<extra></extra>"}],
              layout({height: 90 + 36 * rows.length, showlegend: true,
                      legend: {orientation: "h", y: 1.02, yanchor: "bottom", x: 0},
                      margin: {l: 8, r: 48, t: 36, b: 36},
                      xaxis: {tickformat: ".0%", rangemode: "tozero", nticks: narrow(el) ? 4 : 8,
                              title: title(data.labels.progress)},
                      yaxis: {automargin: true, autorange: "reversed", tickfont: axisFont(el)},
                      shapes: [{type: "line", x0: 1, x1: 1, yref: "paper", y0: 0, y1: 1,
                                line: {color: "#c53030", dash: "dot"}}]}), CONFIG];
    },
  };

  function draw(el, data) {
    var spec = DRAW[el.dataset.chart](data, el);
    Plotly.newPlot(el, spec[0], spec[1], configFor(el, spec[2])).then(function () { el.dataset.drawn = "true"; });
  }

  // Printing: the page is laid out at the width of an A4 page (html.printing in the print stylesheet) and each
  // chart redrawn to it before the browser takes its picture; afterwards back to the screen.
  var DATA = null;

  function fitCharts(printing) {
    document.documentElement.classList.toggle("printing", printing);
    document.querySelectorAll("[data-chart][data-drawn]").forEach(function (el) { draw(el, DATA); });
  }

  // Rows of a horizontal bar chart: tighter on paper, so a city's departments fit on one A4 page.
  function rowHeight(screen) {
    return document.documentElement.classList.contains("printing") ? Math.round(screen * 0.7) : screen;
  }

  function printing() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
    if (typeof Plotly === "undefined") {
      return;
    }
    window.addEventListener("beforeprint", function () { fitCharts(true); });
    window.addEventListener("afterprint", function () { fitCharts(false); });
    var media = window.matchMedia("print");
    if (media.addEventListener) {
      media.addEventListener("change", function (event) { fitCharts(event.matches); });
    }
  }

  function autosubmit() {
    document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
      form.querySelectorAll(".as-of-go").forEach(function (b) { b.hidden = true; });
      form.querySelectorAll("select").forEach(function (select) {
        select.addEventListener("change", function () { form.submit(); });
      });
    });
  }

  function start() {
    autosubmit();
    printing();
    var source = document.getElementById("dashboard-data");
    if (!source || typeof Plotly === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    DATA = data;
    var charts = Array.prototype.slice.call(document.querySelectorAll("[data-chart]"));
    var lazy = charts.filter(function (el) { return "lazy" in el.dataset; });
    // Hundreds of small trends (the national overview) are drawn as they scroll into view; a few at once.
    var deferred = lazy.length > 24 && "IntersectionObserver" in window ? lazy : [];
    charts.forEach(function (el) { if (deferred.indexOf(el) < 0) { draw(el, data); } });
    if (deferred.length) {
      var observer = new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting) {
            observer.unobserve(entry.target);
            draw(entry.target, data);
          }
        });
      }, {rootMargin: "200px"});
      deferred.forEach(function (el) { observer.observe(el); });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
