// invex review UI: the little the server cannot do. Every page works without
// it except upload; it adds keyboard flow, box highlighting, zoom and
// per-file upload progress.
"use strict";
(function () {
  const main = document.getElementById("main");
  const csrf = main ? main.dataset.csrf : "";

  // --- Invoice page: fields <-> boxes, keyboard flow, zoom -------------------
  const form = document.getElementById("fields-form");
  if (form) {
    const rows = Array.from(form.querySelectorAll("tr.field"));
    const inputs = rows.map((r) => r.querySelector("input, select")).filter(Boolean);
    const boxes = Array.from(document.querySelectorAll("rect.box"));
    const select = (field, scroll) => {
      rows.forEach((r) => r.classList.toggle("active", r.dataset.field === field));
      boxes.forEach((b) => b.classList.toggle("active", b.dataset.field === field));
      const box = boxes.find((b) => b.dataset.field === field);
      if (box && scroll) box.scrollIntoView({ block: "center", inline: "nearest" });
    };
    inputs.forEach((input, i) => {
      const field = input.name.replace(/^f_/, "");
      input.addEventListener("focus", () => select(field, true));
      input.addEventListener("keydown", (e) => {
        if (e.key === "Enter" && !e.ctrlKey && !e.metaKey) {
          e.preventDefault();
          const next = inputs[(i + (e.shiftKey ? inputs.length - 1 : 1)) % inputs.length];
          next.focus();
          if (next.select) next.select();
        }
      });
    });
    boxes.forEach((box) => {
      box.addEventListener("click", () => {
        const input = document.getElementById("f_" + box.dataset.field);
        if (input) { input.focus(); if (input.select) input.select(); }
        select(box.dataset.field, false);
      });
    });
    document.addEventListener("keydown", (e) => {
      const click = (id) => { const el = document.getElementById(id); if (el) { e.preventDefault(); el.click(); } };
      if ((e.ctrlKey || e.metaKey) && e.key === "Enter") click("approve");
      else if ((e.ctrlKey || e.metaKey) && (e.key === "s" || e.key === "S")) {
        const inLines = document.activeElement && document.activeElement.closest("#lines-form");
        click(inLines ? "save-lines" : "save");
      }
      else if (e.altKey && (e.key === "n" || e.key === "N")) click("next");
    });
    const invalid = form.querySelector("tr.invalid input, tr.invalid select");
    if (invalid && !document.getElementById("lines-flash")) invalid.focus();
  }
  // Line items: Enter moves along the row's inputs as in the fields form.
  const linesForm = document.getElementById("lines-form");
  if (linesForm) {
    const cells = Array.from(linesForm.querySelectorAll("tbody input:not([type=checkbox]), tbody select"));
    cells.forEach((input, i) => {
      input.addEventListener("keydown", (e) => {
        if (e.key === "Enter" && !e.ctrlKey && !e.metaKey) {
          e.preventDefault();
          const next = cells[(i + (e.shiftKey ? cells.length - 1 : 1)) % cells.length];
          next.focus();
          if (next.select) next.select();
        }
      });
    });
    if (document.getElementById("lines-flash")) {
      const bad = linesForm.querySelector("[aria-invalid=true]");
      if (bad) bad.focus();
    }
  }
  const scroll = document.getElementById("page-scroll");
  if (scroll) {
    let zoom = 1;
    const apply = () => scroll.querySelectorAll(".page-frame").forEach((f) => { f.style.width = (zoom * 100) + "%"; });
    const zin = document.getElementById("zoom-in");
    const zout = document.getElementById("zoom-out");
    if (zin) zin.addEventListener("click", () => { zoom = Math.min(4, zoom * 1.25); apply(); });
    if (zout) zout.addEventListener("click", () => { zoom = Math.max(0.5, zoom / 1.25); apply(); });
  }

  // --- Upload page: one request per file, progress, then status --------------
  const list = document.getElementById("uploads");
  const picker = document.getElementById("files");
  const zone = document.getElementById("dropzone");
  if (list && picker && zone) {
    const poll = (id, status, link) => {
      fetch("/ui/invoices/" + encodeURIComponent(id) + "/status", { credentials: "same-origin" })
        .then((r) => r.json())
        .then((s) => {
          status.textContent = s.status_text + (s.error ? ": " + s.error : "");
          status.dataset.status = s.status;
          if (s.status === "queued" || s.status === "processing") setTimeout(() => poll(id, status, link), 1000);
          else link.hidden = false;
        })
        .catch(() => setTimeout(() => poll(id, status, link), 2000));
    };
    const send = (file) => {
      const item = document.createElement("li");
      const name = document.createElement("span");
      name.textContent = file.name;
      const bar = document.createElement("progress");
      bar.max = 100; bar.value = 0;
      bar.setAttribute("aria-label", file.name);
      const status = document.createElement("span");
      status.className = "upload-status";
      const link = document.createElement("a");
      link.hidden = true;
      item.append(name, bar, status);
      list.append(item);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", "/ui/upload");
      xhr.setRequestHeader("X-CSRF-Token", csrf);
      xhr.setRequestHeader("X-File-Name", encodeURIComponent(file.name));
      xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
      xhr.upload.addEventListener("progress", (e) => { if (e.lengthComputable) bar.value = (100 * e.loaded) / e.total; });
      xhr.addEventListener("load", () => {
        let body = {};
        try { body = JSON.parse(xhr.responseText); } catch (_) { body = { error: xhr.statusText }; }
        bar.value = 100;
        if (xhr.status === 202 && body.id) {
          item.dataset.id = body.id;
          status.textContent = list.dataset.queued;
          link.href = "/ui/invoices/" + encodeURIComponent(body.id);
          link.textContent = file.name;
          name.replaceWith(link);
          link.hidden = false;
          poll(body.id, status, link);
        } else {
          status.textContent = body.error || ("HTTP " + xhr.status);
          status.className = "upload-status error";
          status.dataset.status = "refused";
        }
      });
      xhr.addEventListener("error", () => { status.textContent = "network error"; status.className = "upload-status error"; });
      xhr.send(file);
    };
    picker.addEventListener("change", () => { Array.from(picker.files).forEach(send); picker.value = ""; });
    zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (e) => {
      e.preventDefault();
      zone.classList.remove("over");
      Array.from(e.dataTransfer.files).forEach(send);
    });
  }
})();
