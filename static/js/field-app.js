// The field app: a worker's households kept on the device (field-vault.js), screenings, visits
// and services given recorded with no network into an encrypted outbox, sent to /api/v1/sync/ when the
// network is back (on load, on the `online` event, by "Send now"). Each change keeps its
// client_id until the server answers, so sending it again after a lost answer is harmless.
(() => {
  const root = document.getElementById("field-app");
  if (!root) return;
  const S = JSON.parse(document.getElementById("field-strings").textContent);
  const V = window.FieldVault;
  const F = window.FieldForms;
  const el = F.el;
  const urls = root.dataset;
  const $ = (id) => document.getElementById(id);
  const state = { pack: null, outbox: [], conflicts: [], rejected: [] };
  let sending = false;

  const fmt = (text, values) => text.replace(/\{(\w+)\}/g, (m, k) => (k in values ? values[k] : m));
  const say = (text) => {
    $("field-status").textContent = text;
  };
  const show = (which) => {
    for (const name of ["setup", "unlock", "main"]) $(`field-${name}`).hidden = name !== which;
  };
  const households = () => (state.pack ? state.pack.households : []);
  const household = (id) => households().find((h) => h.id === id);
  const sheetOf = (h) => (state.pack && h ? state.pack.sheets[h.country] : null);

  function householdOf(change) {
    if (change.object.type === "screening") {
      if (change.fields.household) return household(change.fields.household);
      return households().find((h) => h.screening && h.screening.id === change.object.id);
    }
    if (change.object.type === "follow_up") {
      return households().find((h) => h.screening && h.screening.id === change.fields.screening);
    }
    if (change.object.type === "delivery") return household(change.fields.household);
    return household(change.object.id);
  }

  function labelOf(change) {
    const h = householdOf(change);
    const name = h ? h.name : "";
    if (change.object.type === "follow_up") {
      const child = h && h.children.find((c) => c.id === change.fields.child);
      return fmt(S.kind_follow_up, { name: child ? child.name : name });
    }
    if (change.object.type === "delivery") return fmt(S.kind_delivery, { name });
    return fmt(change.object.type === "screening" ? S.kind_screening : S.kind_household, { name });
  }

  async function save() {
    await V.write("outbox", state.outbox);
    await V.write("conflicts", state.conflicts);
    await V.write("rejected", state.rejected);
  }

  async function queueChange(change) {
    state.outbox = await V.update("outbox", [], (list) => [...list, change]);
    render();
    if (navigator.onLine) await send();
  }

  // --- the server ---------------------------------------------------------------------------

  async function api(url, options) {
    const headers = { Accept: "application/json", "X-CSRFToken": urls.csrf };
    if (options && options.body) headers["Content-Type"] = "application/json";
    return fetch(url, { credentials: "same-origin", redirect: "error", headers, ...options });
  }

  const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  async function download(attempt = 0) {
    let pack;
    try {
      const response = await api(urls.pack);
      // A busy server may fail one request: try twice more, then wait for the next contact.
      if (response.status >= 500 && attempt < 2) return pause(1500).then(() => download(attempt + 1));
      if (!response.ok) return;
      pack = await response.json();
    } catch (error) {
      return;
    }
    if (pack.wipe) {
      await window.fieldWipe();
      state.pack = null;
      show("setup");
      say(S.wiped);
      return;
    }
    state.pack = pack;
    await V.write("pack", pack);
    render();
  }

  async function send() {
    if (sending || !V.isOpen() || !state.outbox.length) return;
    sending = true;
    try {
      const batch = state.outbox.slice(0, 200);
      let results;
      try {
        const response = await api(urls.sync, { method: "POST", body: JSON.stringify({ changes: batch }) });
        if (!response.ok) throw new Error(String(response.status));
        results = (await response.json()).results;
      } catch (error) {
        say(S.send_failed);
        return;
      }
      const sent = new Map(batch.map((change) => [change.client_id, change]));
      const answered = new Set();
      for (const result of results) {
        const change = sent.get(result.client_id);
        if (!change) continue;
        answered.add(result.client_id);
        if (result.outcome === "conflict") state.conflicts.push({ change, server: result.server });
        else if (result.outcome === "rejected") state.rejected.push({ change, errors: result.errors || {} });
      }
      // Changes saved while the batch was on its way stay in the outbox.
      state.outbox = await V.update("outbox", [], (list) => list.filter((c) => !answered.has(c.client_id)));
      await save();
      render();
      say(state.outbox.length ? fmt(S.waiting, { n: state.outbox.length }) : S.sent);
    } finally {
      sending = false;
    }
    await download();
  }

  async function whenOnline() {
    if (!V.isOpen()) return;
    await send();
    await download();
  }

  // --- settling a conflict --------------------------------------------------------------------

  async function keepMine(item) {
    const { change, server } = item;
    state.conflicts = state.conflicts.filter((c) => c !== item);
    await V.write("conflicts", state.conflicts);
    await queueChange({
      client_id: crypto.randomUUID(),
      object: change.object,
      base_version: server.version,
      fields: change.fields,
      settles: change.client_id,
    });
  }

  async function keepTheirs(item) {
    try {
      const response = await api(`${urls.conflicts}${item.change.client_id}/discard/`, { method: "POST" });
      if (!response.ok && response.status !== 404) throw new Error(String(response.status));
    } catch (error) {
      say(S.send_failed);
      return;
    }
    state.conflicts = state.conflicts.filter((c) => c !== item);
    await V.write("conflicts", state.conflicts);
    render();
    await download();
  }

  // --- the page -------------------------------------------------------------------------------

  function button(text, action, className) {
    const node = el("button", { type: "button", className: className || "button small", text });
    node.addEventListener("click", action);
    return node;
  }

  function openEditor(title, form, onSave) {
    const editor = $("field-editor");
    const heading = el("h2", { id: "field-editor-title", tabindex: "-1", text: title });
    form.append(el("div", { className: "actions" },
      el("button", { type: "submit", id: "field-save", text: S.save }),
      button(S.cancel, () => closeEditor(), "button secondary")));
    // A form may name what is missing or wrong before anything is kept.
    const problem = el("p", { className: "message error", role: "alert", hidden: true });
    form.prepend(problem);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const wrong = form.problem ? form.problem() : null;
      problem.hidden = !wrong;
      problem.textContent = wrong || "";
      if (wrong) return;
      await onSave(form.read());
      closeEditor();
      say(S.saved);
    });
    editor.replaceChildren(heading, form);
    editor.hidden = false;
    heading.focus();
  }

  function closeEditor() {
    $("field-editor").hidden = true;
    $("field-editor").replaceChildren();
  }

  function screen(h, correct) {
    const last = h.screening;
    const form = F.screening(sheetOf(h), correct ? last.answers : {}, S);
    openEditor(fmt(S.screening_of, { name: h.name }), form, (answers) =>
      queueChange({
        client_id: crypto.randomUUID(),
        object: { type: "screening", id: correct ? last.id : null },
        base_version: correct ? last.version : 0,
        fields: correct ? { answers } : { household: h.id, answers },
      }),
    );
  }

  function planVisit(h) {
    openEditor(S.plan_visit, F.visit(h, S), (fields) =>
      queueChange({
        client_id: crypto.randomUUID(),
        object: { type: "follow_up", id: null },
        base_version: 0,
        fields: { kind: "visit", screening: h.screening.id, ...fields },
      }),
    );
  }

  function recordDelivery(h) {
    openEditor(S.record_delivery, F.delivery(h, S), (fields) =>
      queueChange({
        client_id: crypto.randomUUID(),
        object: { type: "delivery", id: null },
        base_version: 0,
        fields,
      }),
    );
  }

  function householdCard(h) {
    const card = el("article", { className: "card", "data-household": String(h.id) }, el("h3", { text: h.name }));
    card.append(el("p", { className: "muted", text: [h.place, h.address].filter(Boolean).join(" · ") }));
    const last = h.screening;
    card.append(el("p", { text: last ? fmt(S.last_screening, { date: last.screened_on }) : S.never }));
    if (last) {
      const flags = el("p");
      for (const flag of last.flags) flags.append(el("span", { className: "badge warn", text: flag.name }), " ");
      if (!last.flags.length) flags.textContent = S.no_flags;
      card.append(flags);
    }
    const names = h.children.map((c) => (c.age === null ? c.name : `${c.name} (${c.age})`));
    card.append(el("p", { text: `${S.children}: ${names.join(", ") || S.no_children}` }));
    const actions = el("p", { className: "actions" });
    if (sheetOf(h)) actions.append(button(S.new_screening, () => screen(h, false), "button small new-screening"));
    if (last && sheetOf(h)) actions.append(" ", button(S.correct_screening, () => screen(h, true), "button small secondary correct-screening"));
    if (last && h.children.length) actions.append(" ", button(S.plan_visit, () => planVisit(h), "button small secondary plan-visit"));
    if (h.services && h.services.length) actions.append(" ", button(S.record_delivery, () => recordDelivery(h), "button small secondary record-delivery"));
    card.append(actions);
    return card;
  }

  function renderConflicts() {
    const box = $("field-conflicts");
    box.replaceChildren();
    box.hidden = !state.conflicts.length;
    if (!state.conflicts.length) return;
    box.append(el("h2", { text: S.conflicts }), el("p", { text: S.conflict_help }));
    for (const item of state.conflicts) {
      const h = householdOf(item.change);
      const article = el("article", { className: "card conflict-item", "data-client-id": item.change.client_id });
      article.append(el("h3", { text: labelOf(item.change) }));
      const mine = item.change.fields.answers || {};
      const theirs = item.server.answers || {};
      article.append(F.conflict(mine, theirs, sheetOf(h), S));
      article.append(el("p", { className: "actions" },
        button(S.keep_mine, () => keepMine(item), "button small keep-mine"), " ",
        button(S.keep_theirs, () => keepTheirs(item), "button small secondary keep-theirs")));
      box.append(article);
    }
  }

  function renderRejected() {
    const box = $("field-rejected");
    box.replaceChildren();
    box.hidden = !state.rejected.length;
    if (!state.rejected.length) return;
    box.append(el("h2", { text: S.rejected }));
    for (const item of state.rejected) {
      const list = el("ul");
      for (const messages of Object.values(item.errors)) {
        for (const message of [].concat(messages)) list.append(el("li", { text: String(message) }));
      }
      box.append(el("article", { className: "card" }, el("h3", { text: labelOf(item.change) }), list,
        button(S.dismiss, async () => {
          state.rejected = state.rejected.filter((r) => r !== item);
          await V.write("rejected", state.rejected);
          render();
        }, "button small secondary")));
    }
  }

  function render() {
    $("field-outbox").dataset.count = String(state.outbox.length);
    $("field-outbox").dataset.conflicts = String(state.conflicts.length);
    $("field-outbox").textContent = state.outbox.length ? fmt(S.waiting, { n: state.outbox.length }) : S.sent;
    $("field-network").textContent = navigator.onLine ? S.online : S.offline;
    renderConflicts();
    renderRejected();
    const list = $("field-households");
    list.replaceChildren(...households().map(householdCard));
    if (!state.pack) list.append(el("p", { className: "muted", text: S.no_pack }));
    const visits = $("field-visits");
    visits.replaceChildren();
    for (const v of state.pack ? state.pack.visits : []) {
      const h = household(v.household);
      visits.append(el("li", { text: `${v.visit_on} · ${v.child.name}${h ? ` · ${h.name}` : ""}${v.note ? ` · ${v.note}` : ""}` }));
    }
    if (!visits.childElementCount) visits.append(el("li", { className: "muted", text: S.no_visits }));
  }

  async function opened() {
    state.pack = await V.read("pack", null);
    state.outbox = await V.read("outbox", []);
    state.conflicts = await V.read("conflicts", []);
    state.rejected = await V.read("rejected", []);
    $("field-pin").value = "";
    show("main");
    render();
    if (navigator.onLine) await whenOnline();
  }

  $("field-setup").addEventListener("submit", async (event) => {
    event.preventDefault();
    const pin = $("field-new-pin").value;
    if (pin.length < 6) return say(S.pin_short);
    if (pin !== $("field-new-pin-again").value) return say(S.pin_mismatch);
    await V.create(pin, urls.user);
    event.target.reset();
    await opened();
  });
  $("field-unlock").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (await V.unlock($("field-pin").value)) await opened();
    else say(S.pin_wrong);
  });
  $("field-send").addEventListener("click", () => whenOnline());
  function lockNow() {
    V.lock();
    Object.assign(state, { pack: null, outbox: [], conflicts: [], rejected: [] });
    closeEditor();
    show("unlock");
    say(S.locked);
  }
  $("field-lock").addEventListener("click", lockNow);
  // A phone left open locks itself after 15 minutes without a touch or a key.
  let touched = Date.now();
  for (const kind of ["pointerdown", "keydown"]) document.addEventListener(kind, () => (touched = Date.now()));
  setInterval(() => V.isOpen() && Date.now() - touched > 15 * 60 * 1000 && lockNow(), 30000);
  $("field-signout").addEventListener("submit", async (event) => {
    event.preventDefault();
    await window.fieldWipe();
    event.target.submit();
  });
  window.addEventListener("online", () => {
    if (V.isOpen()) render();
    whenOnline();
  });
  window.addEventListener("offline", () => V.isOpen() && render());

  (async () => {
    if ("serviceWorker" in navigator) navigator.serviceWorker.register(urls.worker).catch(() => undefined);
    const vault = await V.meta();
    if (vault && vault.user !== urls.user) await window.fieldWipe();
    const ready = vault && vault.user === urls.user;
    show(ready ? "unlock" : "setup");
    say(ready ? S.locked : "");
    root.dataset.ready = "true";
  })();
})();
