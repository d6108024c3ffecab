// citysense dashboard: segments, a forecast for the chosen segment, incidents.
// Same-origin calls to the city API (/api/v1); every value is written as text, never as HTML.

const API = "/api/v1";

async function getJson(path) {
  const response = await fetch(`${API}${path}`, { headers: { Accept: "application/json" } });
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    const detail = body && typeof body.detail === "string" ? body.detail : `HTTP ${response.status}`;
    throw new Error(detail);
  }
  return body;
}

function element(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

function showForecast(container, forecast) {
  const list = element("dl");
  const rows = [
    ["Segment", forecast.segment_id],
    ["Speed in " + forecast.horizon_minutes + " min", `${forecast.speed_kmh.toFixed(1)} km/h`],
    ["Congestion", forecast.congestion.replace("_", " ")],
    ["Based on readings of", new Date(forecast.based_on).toLocaleString()],
    ["Model", forecast.model_version],
  ];
  for (const [term, value] of rows) {
    list.append(element("dt", term));
    const description = element("dd", value);
    if (term === "Congestion") description.className = `congestion-${forecast.congestion}`;
    list.append(description);
  }
  container.replaceChildren(list);
  container.dataset.state = "ready";
  container.dataset.segment = forecast.segment_id;
}

async function selectSegment(segmentId, buttons) {
  for (const [id, button] of buttons) button.setAttribute("aria-pressed", String(id === segmentId));
  const container = document.getElementById("forecast");
  container.dataset.state = "loading";
  container.replaceChildren(element("p", `Forecasting ${segmentId}…`, { class: "status" }));
  try {
    showForecast(container, await getJson(`/segments/${encodeURIComponent(segmentId)}/forecast`));
  } catch (error) {
    container.dataset.state = "error";
    container.replaceChildren(element("p", `No forecast for ${segmentId}: ${error.message}`));
  }
}

async function loadSegments() {
  const status = document.getElementById("segments-status");
  const list = document.getElementById("segments");
  const { segments } = await getJson("/segments?limit=500");
  const buttons = new Map();
  for (const segment of segments) {
    const button = element("button", segment.name, { type: "button", "aria-pressed": "false", "data-segment": segment.id });
    button.title = `${segment.id}: free flow ${segment.free_flow_kmh} km/h`;
    button.addEventListener("click", () => selectSegment(segment.id, buttons));
    buttons.set(segment.id, button);
    const item = element("li");
    item.append(button);
    list.append(item);
  }
  status.textContent = segments.length ? `${segments.length} segments` : "No segments in the catalogue.";
  const wanted = new URLSearchParams(window.location.search).get("segment");
  const first = buttons.has(wanted) ? wanted : segments.length ? segments[0].id : null;
  if (first) await selectSegment(first, buttons);
}

async function loadIncidents() {
  const status = document.getElementById("incidents-status");
  const body = document.querySelector("#incidents tbody");
  const { incidents } = await getJson("/incidents?limit=50");
  for (const incident of incidents) {
    const row = element("tr");
    const cells = [
      new Date(incident.started_at).toLocaleString(),
      incident.segment_id,
      incident.kind,
      incident.severity,
      incident.description,
      incident.status,
    ];
    for (const cell of cells) row.append(element("td", cell));
    body.append(row);
  }
  status.textContent = incidents.length ? `${incidents.length} incidents, newest first` : "No incidents.";
}

function failed(statusId) {
  return (error) => {
    document.getElementById(statusId).textContent = `Could not load: ${error.message}`;
  };
}

document.body.dataset.ready = "loading";
Promise.allSettled([loadSegments().catch(failed("segments-status")), loadIncidents().catch(failed("incidents-status"))]).then(
  () => {
    document.body.dataset.ready = "done";
  },
);
