// The operator dashboard: plain JavaScript over the public API, no build step.
// It keeps the token in this browser's localStorage, refreshes the open view on a
// timer (every 15 s, or ?refresh=N seconds), and builds every element with
// textContent, never from HTML strings, so no record can inject markup.
"use strict";

const state = {
  token: localStorage.getItem("anbei.token"),
  lang: localStorage.getItem("anbei.lang") || "zh",
  tab: "overview",
  incident: null,
  keys: {},
};
const REFRESH_S = Math.max(Number(new URLSearchParams(location.search).get("refresh")) || 15, 1);
const $ = (selector) => document.querySelector(selector);

function t(key) {
  return (window.ANBEI_TEXT[state.lang] || {})[key] ?? key;
}

function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value !== null && value !== undefined) node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    node.append(child instanceof Node ? child : document.createTextNode(String(child ?? "")));
  }
  return node;
}

function nameOf(doc) {
  return state.lang === "zh" ? doc.name_zh || doc.name : doc.name || doc.name_zh;
}

function when(iso) {
  if (!iso) return "—";
  return new Date(iso).toLocaleString(state.lang === "zh" ? "zh-CN" : "en-GB", { timeZone: "Asia/Shanghai" });
}

function number(value) {
  return typeof value === "number" ? value.toLocaleString(state.lang === "zh" ? "zh-CN" : "en-GB") : "—";
}

class ApiError extends Error {
  constructor(status, body) {
    super(body.message || String(status));
    Object.assign(this, { status, code: body.code, field: body.field });
  }
}

async function api(path, options = {}) {
  const headers = { Authorization: `Bearer ${state.token}`, ...(options.headers || {}) };
  const response = await fetch(`/api/v1${path}`, { ...options, headers });
  const body = await response.json().catch(() => ({}));
  if (response.status === 401) signOut();
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

async function everything(path) {
  const items = [];
  let after = null;
  do {
    const query = new URLSearchParams({ limit: "1000", ...(after ? { after } : {}) });
    const page = await api(`${path}?${query}`);
    items.push(...page.items);
    after = page.next;
  } while (after);
  return items;
}

function table(headings, rows) {
  return h("table", {}, h("thead", {}, h("tr", {}, headings.map((x) => h("th", {}, t(x))))),
    h("tbody", {}, rows));
}

function card(title, ...children) {
  return h("div", { class: "card" }, h("h2", {}, t(title)), ...children);
}

function unavailableNote(view) {
  return view.partial ? h("p", { class: "warning" }, t("unavailable") + view.unavailable.join(", ")) : "";
}

// a stock line of the overview, by name: "编织袋 @ 区防汛仓库: 可用 40 / 定额 100"
function itemAt(x) {
  const item = state.lang === "zh" ? x.item_name_zh || x.item_name : x.item_name || x.item_name_zh;
  const warehouse = state.lang === "zh" ? x.warehouse_name_zh || x.warehouse_name : x.warehouse_name || x.warehouse_name_zh;
  return `${item || x.item_id} @ ${warehouse || x.warehouse_id}`;
}

function shortageText(x) {
  return `${itemAt(x)}: ${t("available")} ${number(x.available)} / ${t("minimum")} ${number(x.minimum)}`;
}

function lotText(x) {
  return `${itemAt(x)} ${x.lot || ""} ${x.expired ? t("expired") : t("expires")} ${x.expires_on}`;
}

function clockText(clock) {
  if (clock.met_at) return `${t("met")} ${when(clock.met_at)}`;
  if (clock.overdue) return `${t("overdue")} (${t("deadline")} ${when(clock.deadline)})`;
  const minutes = Math.floor(clock.remaining_s / 60);
  return `${t("remaining")} ${Math.floor(minutes / 60)} ${t("hours")} ${minutes % 60} ${t("minutes")}`;
}

const views = {
  async overview(root) {
    const view = await api("/overview");
    const parts = [unavailableNote(view)];
    if (view.incidents) {
      const levels = Object.entries(view.incidents.by_level).map(([level, count]) => `${t(level)}: ${count}`);
      parts.push(card("open_incidents", h("p", { class: "big", id: "open-count" }, view.incidents.open),
        h("p", {}, `${t("by_level")}: ${levels.join(" · ") || t("none")}`),
        h("p", {}, `${t("relief_overdue")}: `, view.incidents.relief_overdue.map((i) => i.title).join("、") || t("none"))));
    }
    if (view.stock) {
      const s = view.stock;
      parts.push(card("stock_summary", h("p", {}, `${t("warehouses")} ${s.warehouses} · ${t("items")} ${s.items}`),
        h("p", {}, `${t("out_of_stock")}: ${s.out_of_stock.length}`),
        h("p", { id: "overview-shortages" }, `${t("shortages")}: `, s.shortages.map(shortageText).join("、") || t("none")),
        h("p", { id: "overview-expiring" }, `${t("expiring_lots")}: `, s.expiring_lots.map(lotText).join("、") || t("none"))));
    }
    if (view.readiness) {
      const r = view.readiness;
      const statuses = Object.entries(r.by_status).map(([status, count]) => `${t(status)} ${count}`);
      const available = r.available.map((c) => `${t(c.capability)} ${number(c.people_available)}`);
      parts.push(card("readiness_summary", h("p", {}, `${t("teams")} ${r.teams} · ${statuses.join(" · ")}`),
        h("p", {}, `${t("deployed")}: ${r.deployed}`),
        h("p", { id: "people-available" }, `${t("people_available_by_capability")}: `, available.join(" · ") || t("none")),
        h("p", { id: "stale-teams" }, `${t("stale")}: `, r.stale.map((team) => nameOf(team)).join("、") || t("none"))));
    }
    root.replaceChildren(...parts);
  },

  async incidents(root) {
    const incidents = await everything("/incidents");
    const rows = incidents.map((i) => {
      const row = h("tr", { "data-incident": i.incident_id, class: "clickable" },
        h("td", {}, i.title), h("td", {}, t(i.incident_type)), h("td", {}, i.township),
        h("td", {}, t(i.status)), h("td", {}, i.response_level || i.suggested_grade || t("unset")),
        h("td", {}, when(i.reported_at)));
      row.addEventListener("click", () => { state.incident = i.incident_id; refresh(); });
      return row;
    });
    $("#incident-list").replaceChildren(table(["incident_title", "incident_type", "township", "status", "level", "reported_at"], rows));
    const detail = $("#incident-detail");
    detail.hidden = !state.incident;
    if (state.incident) detail.replaceChildren(...(await incidentDetail(state.incident)));
  },

  async stock(root) {
    const [items, totals, warehouses, overview] = await Promise.all([
      everything("/items"), everything("/stock"), everything("/warehouses"), api("/overview")]);
    const byItem = Object.fromEntries(totals.map((total) => [total.item_id, total]));
    const warehouseName = Object.fromEntries(warehouses.map((w) => [w.warehouse_id, nameOf(w)]));
    const s = overview.stock;
    const short = new Set((s ? s.shortages : []).map((x) => x.item_id));
    const rows = items.map((item) => {
      const total = byItem[item.item_id] || { on_hand: 0, available: 0, by_warehouse: {} };
      const shares = Object.entries(total.by_warehouse).filter(([, figures]) => figures.on_hand || figures.in_transit)
        .map(([id, figures]) => `${warehouseName[id] || id}: ${number(figures.on_hand)}`);
      return h("tr", { "data-item": item.item_id, class: short.has(item.item_id) ? "short" : "" },
        h("td", {}, nameOf(item)), h("td", { class: "total" }, number(total.on_hand)),
        h("td", { class: "available" }, number(total.available)), h("td", {}, item.unit), h("td", {}, shares.join("；")));
    });
    const names = Object.fromEntries(items.map((item) => [item.item_id, nameOf(item)]));
    const alerts = s ? card("stock_summary",
      h("p", { id: "shortages" }, `${t("shortages")}: `, s.shortages.map(shortageText).join("、") || t("none")),
      h("p", { id: "expiring" }, `${t("expiring_lots")}: `, s.expiring_lots.map(lotText).join("、") || t("none")),
      h("p", {}, `${t("out_of_stock")}: `, s.out_of_stock.map((id) => names[id] || id).join("、") || t("none"))) : unavailableNote(overview);
    root.replaceChildren(alerts, card("stock", table(["name", "on_hand", "available", "unit", "warehouses"], rows)));
  },

  async readiness(root) {
    const board = await everything("/readiness");
    const rows = board.map((line) => h("tr", { "data-team": line.team_id,
      class: `status-${line.status}${line.stale ? " stale" : ""}`, title: line.stale ? t("stale") : null },
      h("td", {}, nameOf(line)), h("td", {}, t(line.status)), h("td", {}, line.people_available ?? "—"),
      h("td", {}, line.members ?? "—"), h("td", {}, when(line.reported_at)),
      h("td", {}, line.deployment ? `${t(line.deployment.status)} · ${line.deployment.incident_id}` : "—")));
    root.replaceChildren(card("readiness", table(["team", "status", "people_available", "members", "reported_at",
      "deployment"], rows)));
  },

  async picture(root) {
    const view = await api("/picture");
    const unplaced = window.drawPicture($("#picture-map"), view.places, t);
    $("#picture-unplaced").replaceChildren(unavailableNote(view), h("p", { class: "muted" }, t("no_coordinates"),
      unplaced.map((p) => `${t("legend_" + p.kind)} ${p.name_zh || p.name}`).join("、") || t("none")));
  },

  async forms() {
    await fillChoices();
  },
};

async function incidentDetail(id) {
  const view = await api(`/incidents/${encodeURIComponent(id)}`);
  const back = h("button", { type: "button" }, t("back"));
  back.addEventListener("click", () => { state.incident = null; refresh(); });
  return [h("h2", {}, view.title), back, unavailableNote(view),
    h("p", {}, `${t("township")}: ${view.township} · ${t("affected_people")}: ${view.affected_people}`),
    h("p", { class: view.relief_clock.overdue ? "warning" : "" }, `${t("relief_clock")}: ${clockText(view.relief_clock)}`),
    h("h3", {}, t("dispatched_teams")),
    h("p", {}, view.dispatched_teams.map((x) => `${nameOf(x) || x.team_id} (${t(x.readiness || "unknown")})`).join("、") || t("none")),
    h("h3", {}, t("dispatched_materials")),
    h("p", {}, view.dispatched_materials.map((x) => `${x.item_id} ${x.quantity ?? ""} @ ${x.warehouse_name_zh || x.warehouse_id} (${t(x.status)})`).join("、") || t("none")),
    h("h3", {}, t("timeline")),
    h("ul", {}, view.timeline.map((step) => h("li", {}, `${when(step.occurred_at)} ${step.type} (${step.actor})`)))];
}

async function fillChoices() {
  const [warehouses, items, teams] = await Promise.all([everything("/warehouses"), everything("/items"), everything("/teams")]);
  const fill = (select, docs, key) => {
    const chosen = select.value;
    select.replaceChildren(...docs.map((doc) => h("option", { value: doc[key] }, nameOf(doc))));
    if (chosen) select.value = chosen;
  };
  fill($("#movement-form [name=warehouse_id]"), warehouses, "warehouse_id");
  fill($("#movement-form [name=item_id]"), items, "item_id");
  fill($("#readiness-form [name=team_id]"), teams, "team_id");
  const types = ["flood", "waterlogging", "drought", "typhoon", "heat_wave", "cold_wave", "snow_ice", "forest_fire",
    "landslide", "debris_flow", "mountain_torrent", "earthquake", "hazardous_chemicals", "road_traffic",
    "building_fire", "gas", "special_equipment"];
  fill($("#incident-form [name=incident_type]"), types.map((type) => ({ type, name: t(type), name_zh: t(type) })), "type");
}

const NATURAL = new Set(["flood", "waterlogging", "drought", "typhoon", "heat_wave", "cold_wave", "snow_ice",
  "forest_fire", "landslide", "debris_flow", "mountain_torrent", "earthquake"]);

const builders = {
  movement(data) {
    const body = { kind: data.kind, item_id: data.item_id, quantity: Number(data.quantity) };
    if (data.counterparty) body[data.kind === "receipt" ? "source" : "destination"] = data.counterparty;
    if (data.reference) body.reference = data.reference;
    return [`/warehouses/${encodeURIComponent(data.warehouse_id)}/movements`, body];
  },
  readiness(data) {
    const body = { status: data.status, people_available: Number(data.people_available) };
    if (data.equipment_notes) body.equipment_notes = data.equipment_notes;
    return [`/teams/${encodeURIComponent(data.team_id)}/readiness`, body];
  },
  incident(data) {
    const body = { incident_id: data.incident_id, title: data.title, incident_type: data.incident_type,
      category: NATURAL.has(data.incident_type) ? "natural_disaster" : "accident", township: data.township,
      reported_by: data.reported_by, affected_people: Number(data.affected_people || 0),
      deaths: Number(data.deaths || 0), injured: Number(data.injured || 0) };
    if (data.description) body.description = data.description;
    if (data.occurred_at) body.occurred_at = data.occurred_at; // no zone: the API reads China Standard Time
    return ["/incidents", body];
  },
};

async function submitForm(event) {
  event.preventDefault();
  const form = event.target;
  const kind = form.dataset.form;
  const result = form.querySelector(".result");
  const [path, body] = builders[kind](Object.fromEntries(new FormData(form)));
  // one key per filled-in form: a double click or a retry after a timeout records it once
  state.keys[kind] = state.keys[kind] || crypto.randomUUID();
  try {
    await api(path, { method: "POST", headers: { "Content-Type": "application/json", "Idempotency-Key": state.keys[kind] },
      body: JSON.stringify(body) });
    result.className = "result ok";
    result.textContent = t("saved");
    delete state.keys[kind];
    form.reset();
  } catch (error) {
    result.className = "result error";
    result.textContent = error.field ? `${error.field}: ${error.message}` : error.message;
    if (error.status && error.status < 500) delete state.keys[kind];
  }
}

async function refresh() {
  if (!state.token) return;
  const root = $(`#${state.tab}`);
  try {
    await views[state.tab](root);
    $("#status").textContent = `${t("updated")} ${when(new Date().toISOString())}`;
  } catch (error) {
    $("#status").textContent = error.message;
  }
}

function showTab(tab) {
  state.tab = tab;
  document.querySelectorAll(".view").forEach((view) => { view.hidden = view.id !== tab; });
  document.querySelectorAll("#tabs button").forEach((button) => button.classList.toggle("active", button.dataset.tab === tab));
  refresh();
}

function applyLanguage() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  document.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(node.dataset.i18n); });
  document.title = t("title");
}

async function signIn(token) {
  state.token = token;
  try {
    const me = await api("/me");
    localStorage.setItem("anbei.token", token);
    $("#who").textContent = `${me.user} · ${me.role}`;
    for (const id of ["#tabs", "#main", "#logout"]) $(id).hidden = false;
    $("#login").hidden = true;
    showTab(state.tab);
  } catch (error) {
    $("#login-error").textContent = t("bad_token");
    signOut(false);
  }
}

function signOut(clearMessage = true) {
  state.token = null;
  localStorage.removeItem("anbei.token");
  for (const id of ["#tabs", "#main", "#logout"]) $(id).hidden = true;
  $("#login").hidden = false;
  $("#who").textContent = "";
  if (clearMessage) $("#login-error").textContent = "";
}

document.addEventListener("DOMContentLoaded", () => {
  applyLanguage();
  $("#lang").addEventListener("click", () => {
    state.lang = state.lang === "zh" ? "en" : "zh";
    localStorage.setItem("anbei.lang", state.lang);
    applyLanguage();
    refresh();
  });
  $("#logout").addEventListener("click", () => signOut());
  $("#login-form").addEventListener("submit", (event) => { event.preventDefault(); signIn($("#token").value.trim()); });
  document.querySelectorAll("#tabs button").forEach((button) => button.addEventListener("click", () => showTab(button.dataset.tab)));
  document.querySelectorAll("form[data-form]").forEach((form) => form.addEventListener("submit", submitForm));
  setInterval(refresh, REFRESH_S * 1000);
  if (state.token) signIn(state.token); else signOut();
});
