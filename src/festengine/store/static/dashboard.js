// The live dashboard page: polls GET /dashboard and redraws the figures. No outside network, no
// libraries; every value from the server is written as text (textContent), never as HTML.
"use strict";

(function () {
  // ?interval=MS polls that often, never more often than every 250 ms
  const INTERVAL_MS = Math.max(250, Number(new URLSearchParams(window.location.search).get("interval")) || 1000);
  const COLUMNS = [
    ["views", "views"], ["unique_viewers", "unique"], ["peak_concurrent", "peak"],
    ["watch_seconds", "watch s"], ["likes", "likes"], ["comments", "comments"], ["shares", "shares"],
    ["follows", "follows"], ["gifts", "gifts"], ["gift_value", "gift value"], ["product_clicks", "clicks"],
    ["ctr", "CTR"], ["orders", "orders"], ["conversion", "conversion"], ["gmv", "GMV"], ["gpm", "GPM"],
  ];
  const SPIKE_COLUMNS = [["scope_id", "creator"], ["at", "hour"], ["metric", "metric"], ["value", "value"],
    ["baseline", "baseline"], ["size", "size"]];

  function cell(tag, text, attributes) {
    const element = document.createElement(tag);
    element.textContent = text === null || text === undefined ? "" : String(text);
    for (const [name, value] of Object.entries(attributes || {})) element.setAttribute(name, value);
    return element;
  }

  function header(table, first, columns) {
    const head = table.tHead;
    if (head.rows.length) return;
    const row = head.insertRow();
    row.appendChild(cell("th", first));
    for (const [, label] of columns) row.appendChild(cell("th", label));
  }

  function rows(table, kind, scopes) {
    header(table, kind, COLUMNS);
    const body = document.createElement("tbody");
    for (const scope of scopes) {
      const row = body.insertRow();
      row.setAttribute("data-" + kind, scope.id);
      row.appendChild(cell("td", scope.id));
      for (const [name] of COLUMNS) row.appendChild(cell("td", scope.total[name], { "data-metric": name }));
    }
    table.replaceChild(body, table.tBodies[0]);
  }

  function tiles(total) {
    const box = document.getElementById("fest-tiles");
    const fresh = document.createDocumentFragment();
    for (const [name, label] of COLUMNS) {
      const tile = cell("div", "", { class: "tile", "data-metric": name });
      tile.appendChild(cell("div", label, { class: "label" }));
      tile.appendChild(cell("div", total[name], { class: "value" }));
      fresh.appendChild(tile);
    }
    box.replaceChildren(fresh);
  }

  function spikes(list) {
    const table = document.getElementById("spikes");
    header(table, "#", SPIKE_COLUMNS);
    const body = document.createElement("tbody");
    list.forEach(function (spike, index) {
      const row = body.insertRow();
      row.appendChild(cell("td", index + 1));
      for (const [name] of SPIKE_COLUMNS) row.appendChild(cell("td", spike[name], { "data-field": name }));
    });
    table.replaceChild(body, table.tBodies[0]);
  }

  let drawn = null;

  function draw(data) {
    const status = document.getElementById("status");
    status.className = "";
    status.textContent = data.events + " events; updated " + new Date().toLocaleTimeString() +
      " (" + data.currency + ", " + data.timezone + ")";
    if (drawn === data.events) return;  // nothing new was logged: keep the tables as they are
    drawn = data.events;
    document.getElementById("fest").textContent = data.fest.id;
    tiles(data.fest.total);
    rows(document.getElementById("creators"), "creator", data.creators);
    rows(document.getElementById("streams"), "stream", data.streams);
    spikes(data.spikes);
    status.setAttribute("data-events", String(data.events));
  }

  async function poll() {
    try {
      const response = await fetch("/dashboard", { cache: "no-store" });
      if (!response.ok) throw new Error("HTTP " + response.status);
      draw(await response.json());
    } catch (error) {
      const status = document.getElementById("status");
      status.className = "stale";
      status.textContent = "not updated: " + error.message + " (retrying)";
    } finally {
      window.setTimeout(poll, INTERVAL_MS);
    }
  }

  poll();
})();
