// The project page: project.html?id=<project id> shows one project of the site.
//
// Why one page and not one per project: at 100 times the programme there are 26,000
// projects, and writing (and replacing) 26,000 files was most of the site's build. The
// projects are in bundles, data/project/b<N>.js, each calling
// window.__interreg.projects({id: project, …}); N is a hash of the id that
// pipelines/report/project_pages.py computes the same way. Loaded with a <script> tag, so
// the page works from file:// (fetch() of a local file is blocked there).
(function () {
  "use strict";

  var root = document.getElementById("project");
  var id = new URLSearchParams(location.search).get("id") || "";
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];

  function bundle(text, count) {  // as project_pages.BUNDLE_SQL
    var h = 0;
    Array.from(text).forEach(function (c) { h = (h * 31 + c.codePointAt(0)) % 1000003; });
    return h % count;
  }
  function whole(n) { return Number(n).toLocaleString("en"); }
  function money(s) {  // "1234567.50" -> "1,234,567.50", exactly (a decimal as text)
    var parts = String(s).split("."), sign = parts[0].charAt(0) === "-" ? "-" : "";
    var digits = parts[0].replace("-", "").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return sign + digits + "." + (parts[1] || "00");
  }
  function longDate(iso) {
    var d = iso.split("-");
    return +d[2] + " " + MONTHS[+d[1] - 1] + " " + d[0];
  }
  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  function row(cells, head) {  // cells: [text, class] pairs; the first is the row's header
    var tr = document.createElement("tr");
    cells.forEach(function (cell, i) {
      var td = el(i === 0 && head ? "th" : "td", null, cell[1] ? { "class": cell[1] } : {});
      if (i === 0 && head) td.scope = "row";
      if (cell[0] instanceof Node) td.appendChild(cell[0]); else td.textContent = cell[0];
      tr.appendChild(td);
    });
    return tr;
  }
  function muted(text) { return el("span", text, { "class": "muted" }); }

  function about(p) {
    var lede = document.getElementById("project-about");
    lede.textContent = "Priority " + p.priority + (p.priority_label ? ": " + p.priority_label : "") +
      " · call " + p.call + " · " + p.status + " · approved " + longDate(p.approved) + " · " +
      p.start + " to " + p.end + " · budget EUR " + money(p.budget) + " (EUR " + money(p.erdf) +
      " ERDF)";
    if (p.website) {
      lede.appendChild(document.createTextNode(" · "));
      lede.appendChild(el("a", "website", { href: p.website, rel: "noopener" }));
    }
    if (p.themes || p.description) document.getElementById("project-keep").hidden = false;
    if (p.themes) {
      var themes = document.getElementById("project-themes");
      themes.hidden = false;
      themes.querySelector("span").textContent = p.themes;
    }
    if (p.description) {
      var description = document.getElementById("project-description");
      description.hidden = false;
      description.textContent = p.description;
    }
  }

  function results(history) {
    var body = document.querySelector("#project-results tbody");
    history.forEach(function (r) {
      var cells = [[r[0]]].concat(r.slice(1, 8).map(function (n) { return [whole(n), "num"]; }),
        [[money(r[8]), "num"], [money(r[9]), "num"]]);
      var tr = row(cells, true);
      tr.setAttribute("data-as-of", r[0]);
      body.appendChild(tr);
    });
  }

  function partners(list) {  // [organisation, in English, role, country code, name, region, NUTS, budget, id]
    var body = document.querySelector("#partners-table tbody");
    list.forEach(function (p) {
      var name = document.createDocumentFragment();
      name.appendChild(document.createTextNode(p[0]));
      if (p[1] && p[1] !== p[0]) {
        name.appendChild(document.createTextNode(" "));
        name.appendChild(muted("(" + p[1] + ")"));
      }
      var region = document.createDocumentFragment();
      region.appendChild(document.createTextNode((p[5] || "") + " "));
      region.appendChild(el("span", p[6] || "", { "class": "code" }));
      var tr = row([[name], [p[2]], [el("a", p[4], { href: "countries/" + p[3] + ".html" })],
        [region], [money(p[7]), "num"]], true);
      tr.setAttribute("data-nuts", p[6] || "");
      body.appendChild(tr);
    });
  }

  function changes(list) {  // [id, validated, organisation, country, instrument, type, type label, funds, description]
    var section = document.getElementById("policy-changes");
    section.querySelector("[data-count]").textContent = list.length;
    if (!list.length) { section.querySelector("[data-none]").hidden = false; return; }
    section.querySelector(".scroll").hidden = false;
    var body = section.querySelector("tbody");
    list.forEach(function (c) {
      var partner = document.createDocumentFragment();
      partner.appendChild(document.createTextNode(c[2] + " "));
      partner.appendChild(muted("(" + c[3] + ")"));
      var instrument = document.createDocumentFragment();
      instrument.appendChild(document.createTextNode(c[4] + " "));
      instrument.appendChild(muted("(" + c[5] + ")"));
      var tr = row([[c[1], "nowrap"], [partner], [instrument], [c[6]], [money(c[7]), "num"],
        [c[8] || "", "desc"]], false);
      tr.setAttribute("data-id", c[0]);
      body.appendChild(tr);
    });
  }

  function practices(list) {  // [title, organisation, status, validated, submitted, id]
    var section = document.getElementById("good-practices");
    section.querySelector("[data-count]").textContent = list.length;
    if (!list.length) { section.querySelector("[data-none]").hidden = false; return; }
    var ul = section.querySelector("ul");
    ul.hidden = false;
    list.forEach(function (g) {
      var li = el("li", g[0] + " ");
      li.appendChild(muted("(" + g[1] + ", " + g[2] + (g[3] ? " " + g[3] : "") + ")"));
      ul.appendChild(li);
    });
  }

  function minimap(list) {  // the partners' regions over assets/europe.svg (assets/regions.js)
    var shapes = window.__interreg.regionShapes;
    if (!shapes) return;
    var names = {};
    list.forEach(function (p) {
      if (p[6]) names[p[6]] = (p[5] || p[6]) + " (" + p[6] + "): " + p[0];
    });
    var drawn = Object.keys(names).sort().filter(function (c) { return shapes.paths[c]; });
    if (!drawn.length) return;
    var NS = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", shapes.viewBox);
    svg.setAttribute("class", "minimap");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "The partners' regions: " + drawn.join(", "));
    var image = document.createElementNS(NS, "image");
    image.setAttribute("href", "assets/europe.svg");
    image.setAttribute("width", shapes.width);
    image.setAttribute("height", shapes.height);
    svg.appendChild(image);
    var group = document.createElementNS(NS, "g");
    group.setAttribute("class", "partner-regions");
    drawn.forEach(function (code) {
      var path = document.createElementNS(NS, "path");
      path.setAttribute("d", shapes.paths[code]);
      path.setAttribute("data-nuts", code);
      var title = document.createElementNS(NS, "title");
      title.textContent = names[code];
      path.appendChild(title);
      group.appendChild(path);
    });
    svg.appendChild(group);
    var figure = document.getElementById("project-minimap");
    figure.insertBefore(svg, figure.firstChild);
    figure.hidden = false;
  }

  // The lists come unsorted (see project_pages.PROJECT_SQL): in the marts' orders here.
  function byKeys(keys) {  // keys: [[index, descending], …]
    return function (a, b) {
      for (var i = 0; i < keys.length; i++) {
        var x = a[keys[i][0]], y = b[keys[i][0]];
        if (x !== y) return (x < y ? -1 : 1) * (keys[i][1] ? -1 : 1);
      }
      return 0;
    };
  }

  function show(p) {
    p.history.sort(byKeys([[0, false]]));
    p.partners.sort(byKeys([[8, false]]));
    p.changes.sort(byKeys([[1, true], [0, false]]));
    p.practices.sort(byKeys([[4, true], [5, false]]));
    var heading = p.acronym + ": " + p.title;
    document.getElementById("project-heading").textContent = heading;
    document.title = p.acronym + ": " + document.title.replace(/^A project: /, "");
    about(p);
    results(p.history);
    partners(p.partners);
    minimap(p.partners);
    changes(p.changes);
    practices(p.practices);
  }

  window.__interreg = window.__interreg || {};
  window.__interreg.projects = function (projects) {
    var project = projects[id];
    var status = document.getElementById("project-status");
    if (project) show(project);
    else status.textContent = "No project " + JSON.stringify(id) + " on this page's date.";
  };
  var script = document.createElement("script");
  script.src = "data/project/b" + bundle(id, +root.getAttribute("data-bundles")) + ".js";
  document.head.appendChild(script);
})();
