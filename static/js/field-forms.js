// The field app's forms, built from the pack: the screening sheet (its sections and questions in
// the worker's language), a planned visit, a service given, and a conflict shown side by side. No data is ever
// written as HTML: every text goes through textContent.
(() => {
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === false || value === null || value === undefined) continue;
      if (name === "text") node.textContent = value;
      else if (name === "className") node.className = value;
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function option(value, text, selected) {
    return el("option", { value, selected: selected || false, text });
  }

  function input(section, field, value, S) {
    const id = `fa-${section.key}-${field.key}`;
    const label = el("label", { for: id, text: field.name });
    let control;
    if (field.type === "yesno") {
      control = el(
        "select",
        { id },
        option("", S.unanswered, value !== true && value !== false),
        option("yes", S.yes, value === true),
        option("no", S.no, value === false),
      );
    } else if (field.type === "choice") {
      control = el("select", { id }, option("", S.unanswered, !value));
      for (const choice of field.choices) control.append(option(choice.value, choice.name, choice.value === value));
    } else if (field.type === "multichoice") {
      const chosen = Array.isArray(value) ? value : [];
      const box = el("fieldset", { id, className: "field" }, el("legend", { text: field.name }));
      field.choices.forEach((choice, index) => {
        const boxId = `${id}-${index}`;
        box.append(
          el("div", {},
            el("input", { type: "checkbox", id: boxId, value: choice.value, checked: chosen.includes(choice.value) }),
            el("label", { for: boxId, text: choice.name })),
        );
      });
      return box;
    } else if (field.type === "textarea") {
      control = el("textarea", { id, rows: "3" });
      control.value = value || "";
    } else {
      const type = { integer: "number", date: "date" }[field.type] || "text";
      control = el("input", { id, type });
      control.value = value === undefined || value === null ? "" : String(value);
    }
    return el("div", { className: "field" }, label, control);
  }

  function readAnswer(form, section, field) {
    const id = `fa-${section.key}-${field.key}`;
    if (field.type === "multichoice") {
      const picked = [...form.querySelectorAll(`#${id} input:checked`)].map((box) => box.value);
      return picked.length ? picked : undefined;
    }
    const value = form.querySelector(`#${id}`).value.trim();
    if (value === "") return undefined;
    if (field.type === "yesno") return value === "yes";
    if (field.type === "integer") return Number.parseInt(value, 10);
    return value;
  }

  function screening(sheet, answers, S) {
    const form = el("form", { className: "stack", id: "field-screening-form", novalidate: true });
    for (const section of sheet.sections) {
      const box = el("fieldset", {}, el("legend", { text: section.name }));
      for (const field of section.fields) box.append(input(section, field, (answers[section.key] || {})[field.key], S));
      form.append(box);
    }
    form.read = () => {
      const result = {};
      for (const section of sheet.sections) {
        for (const field of section.fields) {
          const value = readAnswer(form, section, field);
          if (value !== undefined) (result[section.key] ||= {})[field.key] = value;
        }
      }
      return result;
    };
    return form;
  }

  function visit(household, S) {
    const form = el("form", { className: "stack", id: "field-visit-form", novalidate: true });
    const child = el("select", { id: "fv-child", required: true });
    for (const c of household.children) child.append(option(String(c.id), c.name, false));
    const day = el("input", { id: "fv-day", type: "date", required: true });
    const note = el("textarea", { id: "fv-note", rows: "2" });
    form.append(
      el("div", { className: "field" }, el("label", { for: "fv-child", text: S.child }), child),
      el("div", { className: "field" }, el("label", { for: "fv-day", text: S.visit_on }), day),
      el("div", { className: "field" }, el("label", { for: "fv-note", text: S.note }), note),
    );
    form.read = () => ({ child: Number(child.value), visit_on: day.value, note: note.value.trim() });
    return form;
  }

  // The day on the device, not in UTC: a service given at one in the morning is given today.
  function today() {
    const now = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  }

  // A service given to the family: one of the services the pack offers for the household
  // (its plan's, else its country's), grouped as the catalogue groups them.
  function delivery(household, S) {
    const form = el("form", { className: "stack", id: "field-delivery-form", novalidate: true });
    const service = el("select", { id: "fd-service", required: true });
    const groups = new Map();
    for (const s of household.services) {
      if (s.group && !groups.has(s.group)) groups.set(s.group, service.appendChild(el("optgroup", { label: s.group })));
      (groups.get(s.group) || service).append(option(s.code, s.name, false));
    }
    const day = el("input", { id: "fd-day", type: "date", required: true, max: today() });
    day.value = today();
    const minutes = el("input", { id: "fd-minutes", type: "number", min: "1", max: "1440", step: "1", inputmode: "numeric", required: true });
    const note = el("textarea", { id: "fd-note", rows: "2", maxlength: "2000" });
    form.append(
      el("div", { className: "field" }, el("label", { for: "fd-service", text: S.service }), service),
      el("div", { className: "field" }, el("label", { for: "fd-day", text: S.delivered_on }), day),
      el("div", { className: "field" }, el("label", { for: "fd-minutes", text: S.minutes }), minutes),
      el("div", { className: "field" }, el("label", { for: "fd-note", text: S.note }), note),
    );
    form.problem = () => {
      const n = Number(minutes.value);
      if (!service.value || !day.value || minutes.value === "") return S.required;
      if (day.value > today()) return S.day_future;
      if (!Number.isInteger(n) || n < 1 || n > 1440) return S.minutes_range;
      return null;
    };
    form.read = () => ({
      household: household.id,
      service: service.value,
      delivered_on: day.value,
      minutes: Number(minutes.value),
      note: note.value.trim(),
    });
    return form;
  }

  function shown(field, value, S) {
    if (value === undefined || value === null || value === "") return "—";
    if (value === true) return S.yes;
    if (value === false) return S.no;
    const names = Object.fromEntries((field.choices || []).map((c) => [c.value, c.name]));
    if (Array.isArray(value)) return value.map((v) => names[v] || v).join(", ");
    return names[value] || String(value);
  }

  // Both versions of a screening, question by question, the differing ones marked.
  function conflict(mine, theirs, sheet, S) {
    const body = el("tbody");
    for (const section of sheet ? sheet.sections : []) {
      for (const field of section.fields) {
        const a = (mine[section.key] || {})[field.key];
        const b = (theirs[section.key] || {})[field.key];
        if (a === undefined && b === undefined) continue;
        const differs = JSON.stringify(a) !== JSON.stringify(b);
        body.append(
          el("tr", { className: differs ? "differs" : null },
            el("th", { scope: "row", text: `${section.name}: ${field.name}` }),
            el("td", { text: shown(field, a, S) }),
            el("td", { text: shown(field, b, S) })),
        );
      }
    }
    // Scrolls sideways on a phone: reachable from the keyboard, named for a screen reader.
    return el("div", { className: "table-wrap", tabindex: "0", role: "region", "aria-label": S.conflicts },
      el("table", { className: "conflict" },
        el("thead", {}, el("tr", {},
          el("th", { scope: "col", text: S.question }),
          el("th", { scope: "col", text: S.mine }),
          el("th", { scope: "col", text: S.theirs }))),
        body));
  }

  window.FieldForms = { el, screening, visit, delivery, conflict };
})();
