// Tables whose rows load when asked: pages of rows as static .js files beside the page.
//
// Why scripts and not fetch(): the page is opened from file://, where Chromium blocks
// fetch() of local files; a <script> tag works from file:// and http:// alike. Each file
// calls window.__interreg.rows(SET, PAGE, ROWS) (or .index(SET, INDEX)).
//
// <div class="lazy-table" data-set="changes" data-base="data/changes/" data-pages="3"
//      data-rows="1290" data-page-size="500" data-index="1">
//   controls: <input data-filter="text">, <select data-filter="N"> (N: the row's filter
//   slot), <output data-count>, pager buttons [data-page="prev|next"]
//   <table><thead>(th data-type="number" sorts numerically)</thead><tbody></tbody></table>
// A row is [cells, filters]; a cell is "text", [text, sortKey] or, in a column whose th has
// data-link="../countries/{}.html", [text, sortKey|null, id]: it links there with the id
// for {} (an id per row, not a whole link: at 100x that is tens of MB less). Search keeps the
// rows whose searchable text holds every word typed. With data-index, the pages to load
// for a search come from SET/index.js (token -> pages, filter values as "N=value"), so a
// search at 100x loads only the pages that can match; without, it loads every page.
(function () {
  "use strict";

  var tables = {};
  var collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

  window.__interreg = {
    rows: function (set, page, rows) {
      var t = tables[set];
      if (t) t.received(page, rows);
    },
    index: function (set, index) {
      var t = tables[set];
      if (t) t.receivedIndex(index);
    },
  };

  function cellText(cell) { return typeof cell === "string" ? cell : String(cell[0]); }
  function cellSort(cell) {
    if (typeof cell === "string") return cell;
    return cell[1] === null ? cell[0] : cell[1];
  }

  function LazyTable(root) {
    this.root = root;
    this.set = root.getAttribute("data-set");
    this.base = root.getAttribute("data-base");
    this.pageCount = +root.getAttribute("data-pages");
    this.total = +root.getAttribute("data-rows");
    this.pageSize = +root.getAttribute("data-page-size");
    this.hasIndex = root.hasAttribute("data-index");
    this.table = root.querySelector("table");
    this.body = this.table.tBodies[0];
    this.count = root.querySelector("[data-count]");
    this.status = root.querySelector("[data-status]");
    this.pages = {};
    this.waiting = {};
    this.view = 0; // the page of the result shown
    this.sort = null; // [column, ascending]
    this.searchable = [].map.call(this.table.tHead.rows[0].cells, function (th) {
      return !th.hasAttribute("data-nosearch");
    });
    tables[this.set] = this;
    this.bind();
    this.refresh();
  }

  LazyTable.prototype.load = function (page, done) {
    if (this.pages[page]) return done();
    (this.waiting[page] = this.waiting[page] || []).push(done);
    if (this.waiting[page].length > 1) return;
    var script = document.createElement("script");
    script.src = this.base + "p" + page + ".js";
    document.head.appendChild(script);
  };

  LazyTable.prototype.received = function (page, rows) {
    this.pages[page] = rows;
    (this.waiting[page] || []).forEach(function (f) { f(); });
    delete this.waiting[page];
  };

  LazyTable.prototype.loadIndex = function (done) {
    if (this.index || !this.hasIndex) return done();
    this.indexWaiting = (this.indexWaiting || []).concat([done]);
    if (this.indexWaiting.length > 1) return;
    var script = document.createElement("script");
    script.src = this.base + "index.js";
    document.head.appendChild(script);
  };

  LazyTable.prototype.receivedIndex = function (index) {
    this.index = { tokens: index.tokens.split(" "), pages: index.pages };
    this.indexWaiting.forEach(function (f) { f(); });
    this.indexWaiting = [];
  };

  LazyTable.prototype.query = function () {
    var words = [], filters = [];
    [].forEach.call(this.root.querySelectorAll("[data-filter]"), function (field) {
      var slot = field.getAttribute("data-filter");
      if (slot === "text") words = field.value.toLowerCase().split(/\s+/).filter(Boolean);
      else if (field.value) filters.push([+slot, field.value]);
    });
    return { words: words, filters: filters };
  };

  // The pages that can hold a match: all, or (with an index) those of every word/filter.
  LazyTable.prototype.candidates = function (q) {
    var all = [];
    for (var p = 0; p < this.pageCount; p++) all.push(p);
    if (!this.index || (!q.words.length && !q.filters.length)) return all;
    var index = this.index, keep = null;
    var terms = q.words.map(function (w) { return [w, false]; }).concat(
      q.filters.map(function (f) { return [f[0] + "=" + f[1].toLowerCase(), true]; }));
    terms.forEach(function (term) {
      var pages = {};
      index.tokens.forEach(function (token, i) {
        if (term[1] ? token === term[0] : token.indexOf(term[0]) !== -1) {
          index.pages[i].forEach(function (p) { pages[p] = true; });
        }
      });
      keep = keep === null ? pages : Object.keys(keep).reduce(function (acc, p) {
        if (pages[p]) acc[p] = true;
        return acc;
      }, {});
    });
    return Object.keys(keep || {}).map(Number).sort(function (a, b) { return a - b; });
  };

  LazyTable.prototype.matches = function (row, q) {
    var searchable = this.searchable;
    var text = row[0].filter(function (_, i) { return searchable[i]; }).map(cellText)
      .join(" ").toLowerCase();
    return q.words.every(function (w) { return text.indexOf(w) !== -1; }) &&
      q.filters.every(function (f) { return row[1][f[0]] === f[1]; });
  };

  LazyTable.prototype.refresh = function () {
    var self = this, q = this.query();
    var narrowed = q.words.length || q.filters.length || this.sort;
    if (!narrowed) {  // one page of the full list: load just that page
      return this.load(this.view, function () {
        self.render(self.pages[self.view], self.total, self.view * self.pageSize);
      });
    }
    this.say("Loading…");
    this.loadIndex(function () {
      var wanted = self.candidates(q), left = wanted.length, token = {};
      self.pending = token;
      if (!left) return self.show([], q);
      wanted.forEach(function (p) {
        self.load(p, function () {
          left -= 1;
          if (!left && self.pending === token) self.show(wanted, q);
        });
      });
    });
  };

  LazyTable.prototype.show = function (pages, q) {
    var self = this, rows = [];
    pages.forEach(function (p) {
      self.pages[p].forEach(function (row) { if (self.matches(row, q)) rows.push(row); });
    });
    if (this.sort) {
      var col = this.sort[0], asc = this.sort[1];
      var numeric = this.table.tHead.rows[0].cells[col].getAttribute("data-type") === "number";
      rows.sort(function (a, b) {
        var x = cellSort(a[0][col]), y = cellSort(b[0][col]);
        var order = numeric ? (+x || 0) - (+y || 0) : collator.compare(String(x), String(y));
        return asc ? order : -order;
      });
    }
    var pageCount = Math.max(1, Math.ceil(rows.length / this.pageSize));
    if (this.view >= pageCount) this.view = pageCount - 1;
    var start = this.view * this.pageSize;
    this.render(rows.slice(start, start + this.pageSize), rows.length, start);
  };

  LazyTable.prototype.render = function (rows, total, start) {
    var fragment = document.createDocumentFragment();
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      row[0].forEach(function (cell, i) {
        var td = document.createElement(i === 0 ? "th" : "td");
        if (i === 0) td.scope = "row";
        if (typeof cell !== "string" && cell[2] && this.links[i]) {
          var a = document.createElement("a");
          a.href = this.links[i].replace("{}", encodeURIComponent(cell[2]));
          a.textContent = cellText(cell);
          td.appendChild(a);
        } else {
          td.textContent = cellText(cell);
        }
        if (typeof cell !== "string") td.setAttribute("data-sort", cellSort(cell));
        if (this.numeric[i]) td.className = "num";
        tr.appendChild(td);
      }, this);
      fragment.appendChild(tr);
    }, this);
    this.body.textContent = "";
    this.body.appendChild(fragment);
    var first = total ? start + 1 : 0;
    this.say("");
    if (this.count) {
      this.count.value = "Showing " + first.toLocaleString("en") + "–" +
        (start + rows.length).toLocaleString("en") + " of " + total.toLocaleString("en");
      this.count.setAttribute("data-shown", String(total));
    }
    this.root.querySelector("[data-page=prev]").disabled = start === 0;
    this.root.querySelector("[data-page=next]").disabled = start + rows.length >= total;
  };

  LazyTable.prototype.say = function (message) {
    if (this.status) this.status.textContent = message;
  };

  LazyTable.prototype.bind = function () {
    var self = this, headers = this.table.tHead.rows[0].cells;
    this.numeric = [].map.call(headers, function (th) {
      return th.getAttribute("data-type") === "number";
    });
    this.links = [].map.call(headers, function (th) { return th.getAttribute("data-link"); });
    [].forEach.call(this.root.querySelectorAll("[data-filter]"), function (field) {
      field.addEventListener(field.tagName === "SELECT" ? "change" : "input", function () {
        self.view = 0;
        self.refresh();
      });
    });
    [].forEach.call(this.root.querySelectorAll("[data-page]"), function (button) {
      button.addEventListener("click", function () {
        self.view += button.getAttribute("data-page") === "next" ? 1 : -1;
        self.refresh();
      });
    });
    [].forEach.call(headers, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        [].forEach.call(headers, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        self.sort = [index, ascending];
        self.view = 0;
        self.refresh();
      });
    });
  };

  [].forEach.call(document.querySelectorAll(".lazy-table"), function (root) {
    new LazyTable(root);
  });
})();
