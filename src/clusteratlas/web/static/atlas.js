// Progressive enhancement only: every page works without JavaScript.
"use strict";

document.documentElement.classList.add("js");

// The menu button of narrow screens (CSS shows it there): toggles the navigation,
// Escape closes it and returns to the button.
function menu() {
  const button = document.querySelector(".menu-toggle");
  const nav = document.getElementById("main-nav");
  if (!button || !nav) return;
  const set = (open) => {
    button.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("open", open);
  };
  button.addEventListener("click", () => set(button.getAttribute("aria-expanded") !== "true"));
  nav.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape" && button.offsetParent !== null) { set(false); button.focus(); }
  });
}

// Every data table, and every chart, in a box that scrolls sideways when the screen is
// narrower than it (a chart keeps a legible size on a phone, atlas.css); a box that does
// scroll is focusable (keyboard users scroll it with the arrow keys) and named.
function scrollBoxes() {
  const prefix = document.body.dataset.scrollLabel || "Table";
  const heading = (el) => {
    while (el && !/^H[1-6]$/.test(el.tagName)) el = el.previousElementSibling;
    return el ? el.textContent.trim() : "";
  };
  const wrap = (el, cls, name) => {
    const box = document.createElement("div");
    box.className = cls;
    el.parentNode.insertBefore(box, el);
    box.appendChild(el);
    return { box, name };
  };
  const boxes = [];
  document.querySelectorAll("table.data").forEach((table) => {
    const caption = table.querySelector("caption");
    const box = wrap(table, "table-scroll", "");
    box.name = caption ? caption.textContent.trim() : heading(box.box.previousElementSibling);
    boxes.push(box);
  });
  document.querySelectorAll("figure.chart > svg").forEach((svg) => {
    const title = svg.querySelector("title");
    boxes.push(wrap(svg, "chart-scroll", title ? title.textContent.trim() : ""));
  });
  const mark = () => boxes.forEach(({ box, name }, i) => {
    if (box.scrollWidth > box.clientWidth + 1) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", `${prefix}${name ? ": " + name : " " + (i + 1)}`);
    } else {
      ["tabindex", "role", "aria-label"].forEach((a) => box.removeAttribute(a));
    }
  });
  mark();
  window.addEventListener("resize", mark);
}

function autoSubmit() {
  for (const id of ["category", "year", "indicator"]) {
    const el = document.getElementById(id);
    if (el) el.addEventListener("change", () => el.form.submit());
  }
}

// Zoom and pan by changing the viewBox: buttons (keyboard), wheel and drag.
function zoomable(svg) {
  const box = svg.getAttribute("viewBox").split(" ").map(Number);
  const home = box.slice();
  let view = box.slice();
  const apply = () => svg.setAttribute("viewBox", view.map((v) => v.toFixed(1)).join(" "));
  const zoom = (factor, cx, cy) => {
    const [x, y, w, h] = view;
    const nw = Math.min(home[2], Math.max(home[2] / 8, w * factor));
    const nh = nw * (h / w);
    const px = cx === undefined ? 0.5 : cx;
    const py = cy === undefined ? 0.5 : cy;
    view = [x + (w - nw) * px, y + (h - nh) * py, nw, nh];
    apply();
  };
  const controls = svg.parentElement.querySelector(".zoom");
  if (controls) {
    // the buttons' names in the page's language (the macro that draws them has none)
    const names = document.body.dataset;
    if (names.zoomLabel) controls.setAttribute("aria-label", names.zoomLabel);
    for (const b of controls.querySelectorAll("button[data-zoom]")) {
      const name = names["zoom" + b.dataset.zoom[0].toUpperCase() + b.dataset.zoom.slice(1)];
      if (name) { b.setAttribute("aria-label", name); b.title = name; }
    }
    controls.addEventListener("click", (ev) => {
      const what = ev.target.getAttribute("data-zoom");
      if (what === "in") zoom(0.7);
      else if (what === "out") zoom(1 / 0.7);
      else if (what === "reset") { view = home.slice(); apply(); }
    });
  }
  svg.addEventListener("wheel", (ev) => {
    ev.preventDefault();
    const r = svg.getBoundingClientRect();
    zoom(ev.deltaY < 0 ? 0.85 : 1 / 0.85, (ev.clientX - r.left) / r.width,
         (ev.clientY - r.top) / r.height);
  }, { passive: false });
  let drag = null;
  svg.addEventListener("pointerdown", (ev) => {
    if (ev.button !== 0) return;
    drag = { x: ev.clientX, y: ev.clientY, view: view.slice(), moved: false };
  });
  svg.addEventListener("pointermove", (ev) => {
    if (!drag) return;
    const r = svg.getBoundingClientRect();
    const dx = (ev.clientX - drag.x) * (view[2] / r.width);
    const dy = (ev.clientY - drag.y) * (view[3] / r.height);
    if (Math.abs(ev.clientX - drag.x) + Math.abs(ev.clientY - drag.y) > 4) drag.moved = true;
    if (drag.moved) { view = [drag.view[0] - dx, drag.view[1] - dy, view[2], view[3]]; apply(); }
  });
  // a drag must not follow the link under the pointer
  svg.addEventListener("click", (ev) => { if (drag && drag.moved) ev.preventDefault(); drag = null; }, true);
  svg.addEventListener("pointerup", () => { if (drag && !drag.moved) drag = null; });
}

function saveBlob(blob, name) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 0);
}

// Every chart and map: download as SVG or PNG (drawn on a canvas, all offline).
function downloads(svg, name) {
  const body = document.body;
  const bar = document.createElement("p");
  bar.className = "downloads";
  const mk = (label, handler) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.addEventListener("click", handler);
    bar.appendChild(b);
  };
  const text = () => {
    const clone = svg.cloneNode(true);
    clone.setAttribute("xmlns", "http://www.w3.org/2000/svg");
    return new XMLSerializer().serializeToString(clone);
  };
  mk(body.dataset.svgLabel || "SVG", () =>
    saveBlob(new Blob([text()], { type: "image/svg+xml" }), name + ".svg"));
  mk(body.dataset.pngLabel || "PNG", () => {
    const [, , w, h] = svg.getAttribute("viewBox").split(" ").map(Number);
    const img = new Image();
    img.onload = () => {
      const c = document.createElement("canvas");
      c.width = Math.round(w * 2);
      c.height = Math.round(h * 2);
      const ctx = c.getContext("2d");
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, c.width, c.height);
      ctx.drawImage(img, 0, 0, c.width, c.height);
      c.toBlob((blob) => saveBlob(blob, name + ".png"), "image/png");
    };
    img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(text());
  });
  const holder = svg.closest("figure") || svg.closest(".mapbox");
  holder.appendChild(bar);
}

function comparePicker() {
  const pick = document.getElementById("compare-pick");
  if (!pick) return;
  const limit = 5;
  pick.addEventListener("change", () => {
    const n = Array.from(pick.selectedOptions).length;
    pick.setCustomValidity(n > limit ? `max. ${limit}` : "");
  });
}

document.addEventListener("DOMContentLoaded", () => {
  menu();
  scrollBoxes();
  autoSubmit();
  comparePicker();
  document.querySelectorAll("svg[data-zoomable]").forEach(zoomable);
  document.querySelectorAll("figure.chart svg, .mapbox svg").forEach((svg, i) => {
    const id = (svg.closest("figure") || {}).id || "map";
    downloads(svg, `clusteratlas-${id}-${i + 1}`);
  });
});
