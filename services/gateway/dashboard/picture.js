// The district picture (一张图) as SVG: places by longitude and latitude, no map tiles
// (the bureau's network may be closed). A light graticule gives the bearings.
"use strict";

window.drawPicture = function drawPicture(container, places, t) {
  const NS = "http://www.w3.org/2000/svg";
  const W = 640, H = 420, PAD = 36;
  const placed = places.filter((p) => typeof p.latitude === "number" && typeof p.longitude === "number");
  container.replaceChildren();
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", t("picture"));
  svg.classList.add("picture");
  container.appendChild(svg);
  const el = (name, attrs, parent) => {
    const node = document.createElementNS(NS, name);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
    (parent || svg).appendChild(node);
    return node;
  };
  el("rect", { x: 0, y: 0, width: W, height: H, class: "sea" });
  // Jin'an district lies around 31.5–32.0 N, 116.2–116.9 E; widen to whatever is on record.
  const lats = [31.45, 32.05, ...placed.map((p) => p.latitude)];
  const lons = [116.15, 116.95, ...placed.map((p) => p.longitude)];
  const [south, north, west, east] = [Math.min(...lats), Math.max(...lats), Math.min(...lons), Math.max(...lons)];
  const scale = Math.min((W - 2 * PAD) / (east - west), (H - 2 * PAD) / (north - south));
  const x = (lon) => PAD + (lon - west) * scale;
  const y = (lat) => H - PAD - (lat - south) * scale;
  for (let lat = Math.ceil(south * 10) / 10; lat <= north; lat += 0.1) {
    el("line", { x1: x(west), x2: x(east), y1: y(lat), y2: y(lat), class: "grid" });
    el("text", { x: 2, y: y(lat) + 3, class: "grid-label" }).textContent = `${lat.toFixed(1)}°N`;
  }
  for (let lon = Math.ceil(west * 10) / 10; lon <= east; lon += 0.1) {
    el("line", { x1: x(lon), x2: x(lon), y1: y(south), y2: y(north), class: "grid" });
    el("text", { x: x(lon) - 14, y: H - 4, class: "grid-label" }).textContent = `${lon.toFixed(1)}°E`;
  }
  // townships first, so the seats lie under what stands on them
  const order = { township: 0, warehouse: 1, team: 2, incident: 3 };
  for (const place of [...placed].sort((a, b) => order[a.kind] - order[b.kind])) {
    const classes = ["place", place.kind, place.status || "", place.stale ? "stale" : ""].join(" ");
    const group = el("g", { class: classes, "data-id": place.id, "data-kind": place.kind });
    const [cx, cy] = [x(place.longitude), y(place.latitude)];
    if (place.kind === "warehouse") el("rect", { x: cx - 6, y: cy - 6, width: 12, height: 12 }, group);
    else if (place.kind === "team") el("circle", { cx, cy, r: 6 }, group);
    else if (place.kind === "township") el("circle", { cx, cy, r: 3 }, group);
    else el("polygon", { points: `${cx},${cy - 8} ${cx - 7},${cy + 6} ${cx + 7},${cy + 6}` }, group);
    const how = place.placed_by ? ` (${t("placed_by_" + place.placed_by)})` : "";
    const stale = place.stale ? ` · ${t("stale")}` : "";
    el("title", {}, group).textContent = `${t("legend_" + place.kind)}: ${place.name_zh || place.name}${stale}${how}`;
    if (place.kind !== "township") {
      el("text", { x: cx + 9, y: cy + 4, class: "place-label" }, group).textContent = place.name_zh || place.name;
    }
  }
  const legend = el("g", { class: "legend" });
  ["warehouse", "team", "incident", "township"].forEach((kind, index) => {
    el("text", { x: W - 110, y: 18 + index * 16, class: `legend-${kind}` }, legend).textContent =
      `■ ${t("legend_" + kind)}`;
  });
  return places.filter((p) => !placed.includes(p));
};
