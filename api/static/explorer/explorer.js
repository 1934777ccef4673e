// The explorer: a small frontend built only on the public API, as any other client would be.
// Every read goes through getJSON, which revalidates with the last ETag it saw for the URL.
// API text is always set with textContent (snippets' <mark>s are rebuilt as elements).
"use strict";

(() => {
  // ---- HTTP: ETag revalidation -------------------------------------------------------------

  const lastSeen = new Map(); // url -> {etag, body, link, total}

  class ApiError extends Error {
    constructor(status, problem) {
      super(problemText(status, problem));
      this.status = status;
    }
  }

  function problemText(status, problem) {
    if (!problem) return `The API answered ${status}.`;
    const details = [];
    if (problem.detail) details.push(problem.detail);
    for (const [name, messages] of Object.entries(problem.errors || {})) {
      details.push(`${name}: ${[].concat(messages).join(" ")}`);
    }
    return details.join(" ") || problem.title || `The API answered ${status}.`;
  }

  async function getJSON(url) {
    const kept = lastSeen.get(url);
    const headers = { Accept: "application/json" };
    if (kept) headers["If-None-Match"] = kept.etag;
    const response = await fetch(url, { headers });
    if (response.status === 304 && kept) return kept;
    const type = response.headers.get("Content-Type") || "";
    const body = type.includes("json") ? await response.json() : null;
    if (!response.ok) throw new ApiError(response.status, body);
    const result = {
      body,
      link: response.headers.get("Link"),
      total: response.headers.get("X-Total-Count"),
    };
    const etag = response.headers.get("ETag");
    if (etag) lastSeen.set(url, { etag, ...result });
    return result;
  }

  function nextLink(link) {
    for (const part of (link || "").split(",")) {
      const match = part.match(/<([^>]+)>\s*;\s*rel="?next"?/);
      if (match) return match[1];
    }
    return null;
  }

  // A whole collection: follows rel="next" links.
  async function getAll(url) {
    const items = [];
    for (let next = url; next; ) {
      const page = await getJSON(next);
      items.push(...page.body);
      next = nextLink(page.link);
    }
    return items;
  }

  // Writes the explorer makes: feedback on answers only (anonymous, like a chatbot's users).
  async function postJSON(url, payload) {
    const response = await fetch(url, {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": "application/json" },
      body: JSON.stringify(payload),
    });
    const type = response.headers.get("Content-Type") || "";
    const body = type.includes("json") ? await response.json() : null;
    if (!response.ok) throw new ApiError(response.status, body);
    return body;
  }

  // ---- DOM helpers ---------------------------------------------------------------------------

  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (name === "text") node.textContent = value;
      else if (name === "className") node.className = value;
      else node.setAttribute(name, value);
    }
    for (const child of children) if (child != null) node.append(child);
    return node;
  }

  function apiLink(url, text) {
    return el("a", { href: url, text: text || url });
  }

  // A search snippet: text with <mark>ed words. Only the marks become elements.
  function snippet(text) {
    const node = el("span", { className: "snippet" });
    let marked = false;
    for (const piece of text.split(/(<mark>|<\/mark>)/)) {
      if (piece === "<mark>") marked = true;
      else if (piece === "</mark>") marked = false;
      else if (piece) node.append(marked ? el("mark", { text: piece }) : piece);
    }
    return node;
  }

  function setStatus(id, message, isError = false) {
    const node = document.getElementById(id);
    node.textContent = message;
    node.classList.toggle("error", isError);
  }

  function percent(value) {
    return `${Math.round(value * 100)}%`;
  }

  // Out-of-order answers are dropped: each section keeps only its latest request.
  function latestOnly() {
    let counter = 0;
    return () => {
      const ticket = ++counter;
      return () => ticket === counter;
    };
  }

  // ---- Roles and the comparison --------------------------------------------------------------

  const roleNames = new Map(); // slug -> short name
  const compareTicket = latestOnly();

  async function loadRoles() {
    const roles = await getAll("/v1/roles?page_size=100");
    const selects = [document.getElementById("role-a"), document.getElementById("role-b")];
    selects.forEach((select, index) => {
      select.replaceChildren(
        ...roles.map((role) => el("option", { value: role.slug, text: role.name })),
      );
      select.value = roles[Math.min(index, roles.length - 1)]?.slug || "";
      select.disabled = false;
    });
    for (const role of roles) roleNames.set(role.slug, role.short_name || role.name);
    return roles;
  }

  async function compare() {
    const isLatest = compareTicket();
    const a = document.getElementById("role-a").value;
    const b = document.getElementById("role-b").value;
    const result = document.getElementById("compare-result");
    if (!a || !b) return;
    if (a === b) {
      result.replaceChildren();
      setStatus("compare-status", "Pick two different roles to compare them.");
      return;
    }
    setStatus("compare-status", "Comparing…");
    const url = `/v1/compare?roles=${encodeURIComponent(a)},${encodeURIComponent(b)}`;
    try {
      const { body } = await getJSON(url);
      if (!isLatest()) return;
      result.replaceChildren(...comparison(body), source(url));
      setStatus("compare-status", "");
    } catch (error) {
      if (!isLatest()) return;
      result.replaceChildren();
      setStatus("compare-status", `Could not compare: ${error.message}`, true);
    }
  }

  function roleLabel(role) {
    return role.short_name || role.name;
  }

  function comparison(body) {
    const roles = body.roles;
    const head = el(
      "tr",
      {},
      el("th", { scope: "col", text: "Aspect" }),
      ...roles.map((role) => el("th", { scope: "col" }, apiLink(role.url, roleLabel(role)))),
    );
    const rows = body.matrix.map((row) =>
      el(
        "tr",
        {},
        el("th", { scope: "row", text: row.label }),
        ...roles.map((role) => cell(row, role)),
      ),
    );
    const table = el(
      "table",
      { className: "matrix" },
      el("caption", { text: `${roles.map(roleLabel).join(" and ")}, aspect by aspect` }),
      el("thead", {}, head),
      el("tbody", {}, ...rows),
    );
    const legend = el("p", {
      className: "legend",
      text:
        "Each cell names its source: a section of one of the two articles, or our editors " +
        "where the articles say nothing and the cell comes from general knowledge (in italics).",
    });
    const groups = [
      ["responsibilities", "Responsibilities"],
      ["tools", "Tools"],
      ["metrics", "Metrics"],
    ]
      .filter(([key]) => body[key])
      .map(([key, label]) => overlap(label, body[key], roles));
    return [table, legend, ...groups];
  }

  // One value of the matrix, with the sources that back it; the editors' own in italics.
  function cell(row, role) {
    const cited = (row.sources || {})[role.slug] || [];
    const editorial = cited.length > 0 && cited.every((s) => s.resource === "editorial");
    return el(
      "td",
      { "data-role": roleLabel(role), className: editorial ? "editorial" : "" },
      el("span", { className: "value", text: row.values[role.slug] ?? "—" }),
      cited.length ? citations(cited) : null,
    );
  }

  function citations(cited) {
    const line = el("small", { className: "cited" }, "Source: ");
    cited.forEach((s, index) => {
      if (index) line.append("; ");
      const name = s.resource === "editorial" ? "our editors (general knowledge)" : s.title;
      line.append(apiLink(s.url, name));
      if (s.section) line.append(`, ${s.section}`);
    });
    return line;
  }

  function overlap(label, sets, roles) {
    const columns = [
      ["Shared", sets.shared || []],
      ...roles.map((role) => [`Only ${roleLabel(role)}`, (sets.only || {})[role.slug] || []]),
    ];
    return el(
      "section",
      { className: "overlap" },
      el("h3", { text: label }),
      el(
        "div",
        { className: "columns" },
        ...columns.map(([title, items]) =>
          el(
            "div",
            { className: "column" },
            el("h4", { text: `${title} (${items.length})` }),
            items.length
              ? el("ul", {}, ...items.map((item) => el("li", {}, apiLink(item.url, item.name))))
              : el("p", { className: "empty", text: "None" }),
          ),
        ),
      ),
    );
  }

  function source(url) {
    return el("p", { className: "source" }, "From ", apiLink(url, decodeURIComponent(url)));
  }

  // ---- Asking the FAQ, with suggestions ------------------------------------------------------

  const askTicket = latestOnly();
  const suggestTicket = latestOnly();
  let activeOption = -1;
  let shownOptions = [];

  async function ask(question) {
    const isLatest = askTicket();
    const q = question.trim();
    const answer = document.getElementById("answer");
    if (!q) {
      setStatus("ask-status", "Type a question first.");
      return;
    }
    setStatus("ask-status", "Looking for an answer…");
    const url = `/v1/answers?q=${encodeURIComponent(q)}`;
    try {
      const { body } = await getJSON(url);
      if (!isLatest()) return;
      answer.replaceChildren(...answerView(body), source(url));
      setStatus("ask-status", "");
    } catch (error) {
      if (!isLatest()) return;
      answer.replaceChildren();
      setStatus("ask-status", `Could not ask: ${error.message}`, true);
    }
  }

  // One FAQ entry picked by name (a suggestion or a related question): shown as it is.
  async function openFaq(url, question) {
    const isLatest = askTicket();
    document.getElementById("question").value = question;
    setStatus("ask-status", "Opening the answer…");
    try {
      const { body } = await getJSON(url);
      if (!isLatest()) return;
      const counts = countsView();
      document.getElementById("answer").replaceChildren(faqView(body, url), counts, source(url));
      setStatus("ask-status", "");
      // An FAQ's votes are a sub-resource: the FAQ itself stays cached while votes come in.
      getJSON(`${url}/feedback`).then(({ body: votes }) => showCounts(counts, votes), () => {});
    } catch (error) {
      if (!isLatest()) return;
      setStatus("ask-status", `Could not open the answer: ${error.message}`, true);
    }
  }

  function faqView(faq, url, confidence) {
    const meta = confidence == null ? "" : `Confidence ${percent(confidence)} · `;
    return el(
      "article",
      { className: "faq" },
      el("h3", { text: faq.question }),
      el("p", { text: faq.answer }),
      examplesView(faq.examples),
      el("p", { className: "meta" }, `${meta}version ${faq.version} · cite `, apiLink(url)),
    );
  }

  // Other ways people ask the question (an FAQ entry's `examples`), folded away.
  function examplesView(examples) {
    if (!examples || !examples.length) return null;
    return el(
      "details",
      { className: "examples" },
      el("summary", { text: "Also asked as" }),
      el("ul", {}, ...examples.map((example) => el("li", { text: example }))),
    );
  }

  // What /v1/answers' `status` says when it has no answer to show.
  const NO_ANSWER = {
    ambiguous: "Did you mean…",
    no_match: "Not covered yet: nothing in this knowledge base answers that.",
    out_of_domain: "That's outside what this knowledge base covers.",
  };

  function answerView(body) {
    const parts = [];
    if (body.answer) {
      // The citation is the passage's own URL (the entry's, with a #fragment) when there is one.
      const cited = body.passage ? body.passage.url : body.answer.url;
      parts.push(faqView(body.answer, cited, body.confidence));
    } else if (NO_ANSWER[body.status]) {
      const className = `no-answer ${body.status.replace(/_/g, "-")}`;
      parts.push(el("p", { className, text: NO_ANSWER[body.status] }));
      if (body.status === "ambiguous") parts.push(optionsView(body.options || []));
    } else {
      parts.push(
        el("p", {
          className: "no-answer",
          text:
            `No confident answer (confidence ${percent(body.confidence)}, ` +
            `needs ${percent(body.threshold)}). These may help:`,
        }),
      );
    }
    if (body.answer_id) parts.push(feedbackView(body));
    const others = body.answer ? body.alternatives : body.suggestions;
    if (others && others.length) {
      parts.push(
        el("h4", { text: body.answer ? "Related questions" : "Suggestions" }),
        el("ul", { className: "hits" }, ...others.map(hitItem)),
      );
    }
    return parts;
  }

  // Helpfulness counts (`helpful`, `not_helpful`): of a passage, or of an FAQ entry.
  function countsView() {
    return el("p", { className: "votes meta" });
  }

  function showCounts(node, counts) {
    if (!counts) return;
    node.textContent =
      `${counts.helpful} found this helpful · ${counts.not_helpful} did not`;
  }

  const REASONS = {
    incorrect: "Incorrect",
    not_what_i_asked: "Not what I asked",
    incomplete: "Incomplete",
    outdated: "Outdated",
    other: "Other",
  };

  // "Did this help?": a vote on the answer's `answer_id` (POST /v1/answers/feedback); voting
  // again replaces the vote, so a reason after "No" sends the vote again with it.
  function feedbackView(body) {
    const counts = countsView();
    showCounts(counts, body.passage);
    const status = el("span", { className: "feedback-status", role: "status" });
    const reasons = el("span", { className: "reasons", hidden: "" });
    const send = async (helpful, reason) => {
      status.textContent = "Sending…";
      try {
        const payload = { answer_id: body.answer_id, helpful };
        if (reason) payload.reason = reason;
        const vote = await postJSON("/v1/answers/feedback", payload);
        showCounts(counts, vote.counts);
        status.textContent = helpful ? "Thanks!" : "Thanks. What was wrong?";
        reasons.hidden = helpful || Boolean(reason);
        if (reason) status.textContent = "Thanks: noted.";
      } catch (error) {
        status.textContent = `Could not send: ${error.message}`;
      }
    };
    const button = (text, className, onClick) => {
      const node = el("button", { type: "button", className, text });
      node.addEventListener("click", onClick);
      return node;
    };
    for (const [reason, label] of Object.entries(REASONS)) {
      reasons.append(button(label, "reason", () => send(false, reason)));
    }
    return el(
      "div",
      { className: "feedback" },
      el("span", { text: "Did this help? " }),
      button("Yes", "helpful", () => send(true)),
      button("No", "not-helpful", () => send(false)),
      status,
      reasons,
      counts,
    );
  }

  // "Did you mean…": one button per option; a click shows that passage in place of the options.
  function optionsView(options) {
    const list = el("ul", { className: "options" });
    const shown = el("div", { className: "chosen" });
    for (const option of options) {
      const button = el("button", { type: "button", className: "option", text: option.title });
      button.addEventListener("click", () => {
        for (const other of list.querySelectorAll("button")) {
          other.setAttribute("aria-pressed", String(other === button));
        }
        shown.replaceChildren(passageView(option));
      });
      button.setAttribute("aria-pressed", "false");
      list.append(el("li", {}, button));
    }
    return el("div", { className: "did-you-mean" }, list, shown);
  }

  // One passage with its citation: the entry's URL with the passage's #fragment, and version.
  function passageView(passage) {
    return el(
      "article",
      { className: "faq passage" },
      el("h3", { text: passage.title }),
      el("p", { text: passage.text }),
      el("p", { className: "meta" }, `version ${passage.version} · cite `, apiLink(passage.url)),
    );
  }

  function hitItem(hit) {
    const title =
      hit.type === "faq"
        ? el("button", { type: "button", className: "link", text: hit.title })
        : apiLink(hit.url, hit.title);
    if (hit.type === "faq") title.addEventListener("click", () => openFaq(hit.url, hit.title));
    return el(
      "li",
      {},
      el("span", { className: "type", text: hit.type }),
      " ",
      title,
      hit.snippet ? el("br") : null,
      hit.snippet ? snippet(hit.snippet) : null,
    );
  }

  // A delayed action that can be called off (an answer asked for closes the suggestions).
  function debounce(action, delay) {
    let timer;
    const delayed = (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => action(...args), delay);
    };
    delayed.cancel = () => clearTimeout(timer);
    return delayed;
  }

  const suggestSoon = debounce(() => suggest(), 150);

  async function suggest() {
    const isLatest = suggestTicket();
    const input = document.getElementById("question");
    const typed = input.value;
    if (typed.trim().length < 2) return closeSuggestions();
    const url = `/v1/search/suggest?q=${encodeURIComponent(typed.trim().slice(0, 64))}&limit=8`;
    try {
      const { body } = await getJSON(url);
      if (!isLatest() || input.value !== typed) return;
      const head = typed.replace(/\S*$/, "");
      const options = [
        ...body.entries
          .filter((entry) => entry.type === "faq")
          .map((entry) => ({ label: entry.title, kind: "question", value: entry.title, url: entry.url })),
        ...body.terms
          .filter((term) => `${head}${term}` !== typed)
          .map((term) => ({ label: `${head}${term}`, kind: "word", value: `${head}${term} ` })),
      ].slice(0, 8);
      showSuggestions(options);
    } catch {
      closeSuggestions(); // suggestions are a convenience: asking still works
    }
  }

  function showSuggestions(options) {
    const input = document.getElementById("question");
    const list = document.getElementById("suggestions");
    activeOption = -1;
    input.removeAttribute("aria-activedescendant");
    if (!options.length) return closeSuggestions();
    list.replaceChildren(
      ...options.map((option, index) => {
        const item = el(
          "li",
          { id: `suggestion-${index}`, role: "option", "aria-selected": "false" },
          el("span", { className: "type", text: option.kind }),
          " ",
          option.label,
        );
        item.addEventListener("mousedown", (event) => event.preventDefault()); // keep focus
        item.addEventListener("click", () => pick(option));
        return item;
      }),
    );
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    shownOptions = options;
  }

  function closeSuggestions() {
    suggestSoon.cancel();
    suggestTicket(); // a suggestion on its way is dropped
    const input = document.getElementById("question");
    const list = document.getElementById("suggestions");
    list.hidden = true;
    list.replaceChildren();
    shownOptions = [];
    activeOption = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function pick(option) {
    const input = document.getElementById("question");
    input.value = option.value;
    closeSuggestions();
    input.focus();
    if (option.url) openFaq(option.url, option.value);
    else suggest();
  }

  function moveActive(step) {
    const input = document.getElementById("question");
    const list = document.getElementById("suggestions");
    const items = list.querySelectorAll("[role=option]");
    if (!items.length) return;
    activeOption = (activeOption + step + items.length) % items.length;
    items.forEach((item, index) => {
      item.setAttribute("aria-selected", String(index === activeOption));
    });
    input.setAttribute("aria-activedescendant", items[activeOption].id);
    items[activeOption].scrollIntoView({ block: "nearest" });
  }

  function onQuestionKey(event) {
    const list = document.getElementById("suggestions");
    const open = !list.hidden;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (open) moveActive(1);
      else suggest();
    } else if (event.key === "ArrowUp" && open) {
      event.preventDefault();
      moveActive(-1);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      closeSuggestions();
    } else if (event.key === "Enter" && open && activeOption >= 0) {
      event.preventDefault();
      pick(shownOptions[activeOption]);
    }
  }

  // ---- Tools by category ---------------------------------------------------------------------

  const CATEGORY_LABELS = {
    "ci-cd": "CI/CD",
    iac: "Infrastructure as code",
    orm: "ORM",
  };

  function categoryLabel(category) {
    if (CATEGORY_LABELS[category]) return CATEGORY_LABELS[category];
    const words = category.replace(/-/g, " ");
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

  async function loadTools(rolesLoaded) {
    setStatus("tools-status", "Loading tools…");
    const url = "/v1/tools?page_size=100";
    try {
      const tools = await getAll(url);
      await rolesLoaded.catch(() => null); // names of roles if they came, slugs otherwise
      const groups = new Map();
      for (const tool of tools) {
        if (!groups.has(tool.category)) groups.set(tool.category, []);
        groups.get(tool.category).push(tool);
      }
      const categories = [...groups.keys()].sort((x, y) =>
        categoryLabel(x).localeCompare(categoryLabel(y)),
      );
      document
        .getElementById("tools")
        .replaceChildren(
          ...categories.map((category) => toolGroup(category, groups.get(category))),
          source(url),
        );
      setStatus("tools-status", `${tools.length} tools in ${categories.length} categories.`);
    } catch (error) {
      setStatus("tools-status", `Could not load the tools: ${error.message}`, true);
    }
  }

  // One category: a disclosure whose summary already names its tools.
  function toolGroup(category, tools) {
    const names = tools.map((tool) => tool.name).join(", ");
    return el(
      "details",
      { className: "category", id: `category-${category}`, "data-category": category },
      el(
        "summary",
        {},
        el("h3", { text: categoryLabel(category) }),
        el("span", { className: "count", text: `${tools.length}` }),
        el("span", { className: "names", text: names }),
      ),
      el(
        "ul",
        { className: "cards" },
        ...tools.map((tool) =>
          el(
            "li",
            { className: "card" },
            el("h4", {}, apiLink(tool.links?.self || `/v1/tools/${tool.slug}`, tool.name)),
            el("p", { text: tool.summary }),
            tool.roles && tool.roles.length
              ? el("p", {
                  className: "meta",
                  text: `Used by ${tool.roles.map((slug) => roleNames.get(slug) || slug).join(", ")}`,
                })
              : null,
          ),
        ),
      ),
    );
  }

  // ---- Wiring --------------------------------------------------------------------------------

  function start() {
    const rolesLoaded = loadRoles();
    rolesLoaded.then(compare, (error) =>
      setStatus("compare-status", `Could not load the roles: ${error.message}`, true),
    );
    loadTools(rolesLoaded);

    document.getElementById("compare-form").addEventListener("submit", (event) => {
      event.preventDefault();
      compare();
    });
    for (const id of ["role-a", "role-b"]) {
      document.getElementById(id).addEventListener("change", compare);
    }

    const question = document.getElementById("question");
    question.addEventListener("input", suggestSoon);
    question.addEventListener("keydown", onQuestionKey);
    question.addEventListener("blur", closeSuggestions);
    document.getElementById("ask-form").addEventListener("submit", (event) => {
      event.preventDefault();
      closeSuggestions();
      ask(question.value);
    });
  }

  start();
})();
