// nhiscan HTML report: the findings table, the identity view and their filters.
//
// The findings come from the JSON block #data (see src/report/html.rs for its
// shape). Filtering and sorting work on that in-memory array; only one page of
// rows is in the DOM at a time, so 100,000 findings stay responsive. Every text
// from the report goes into the DOM through textContent, never as markup.
// When everything is drawn, document.body.dataset.rendered is "true".
(function () {
  'use strict';

  const PAGE = 100;
  const IDENTITY_PAGE = 50;
  const MAX_IDENTITY_FINDINGS = 500;

  const data = JSON.parse(document.getElementById('data').textContent);
  const SEV = data.severities;
  const CHECKS = data.checks;
  const IDS = data.identities;
  const PATHS = data.paths;
  const RISK = data.risk;
  const F = data.findings;
  const HOLDINGS = data.holdings;

  // Fields of a finding and of an identity in the data block.
  const F_SEV = 0, F_CHECK = 1, F_ID = 2, F_MSG = 3, F_PATH = 4, F_LINE = 5, F_FP = 6, F_EV = 7, F_ACCEPTED = 8;
  const I_ID = 0, I_NAME = 1, I_KIND = 2, I_PROVIDER = 3;
  // Fields of a risk entry.
  const R_SCORE = 1, R_FINDINGS = 2, R_PRIVILEGE = 3, R_EXPOSURE = 4, R_COUNTS = 5, R_TIER = 6;

  // ---- helpers ----------------------------------------------------------

  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function td(text, className) {
    return el('td', className, text);
  }

  function sevBadge(i) {
    const name = SEV[i] || 'info';
    return el('span', 'sev sev-' + name, name);
  }

  function checkOf(f) {
    return CHECKS[f[F_CHECK]] || ['?', '', [], []];
  }

  function locationOf(f) {
    return PATHS[f[F_PATH]] + ':' + f[F_LINE];
  }

  function checkLink(f) {
    const c = checkOf(f);
    const a = el('a', 'mono', c[0]);
    a.href = '#check-' + c[0];
    a.title = c[1];
    return a;
  }

  function identityButton(k) {
    const b = el('button', 'linklike', IDS[k][I_NAME] || IDS[k][I_ID] || '(unnamed)');
    b.type = 'button';
    b.dataset.identity = String(k);
    return b;
  }

  function plural(n, one, many) {
    return n.toLocaleString('en-US') + ' ' + (n === 1 ? one : many || one + 's');
  }

  function evidenceText(v) {
    if (v === null || v === undefined) return '';
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && v.every(function (x) { return typeof x === 'string'; })) return v.join(', ');
    return JSON.stringify(v);
  }

  function compare(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
  }

  // Sorts indices by key, in direction dir (1 or -1); ties keep report order.
  function sortBy(indices, key, dir) {
    const keys = indices.map(key);
    const order = indices.map(function (_, j) { return j; });
    order.sort(function (a, b) {
      return compare(keys[a], keys[b]) * dir || indices[a] - indices[b];
    });
    return order.map(function (j) { return indices[j]; });
  }

  function setSortHeaders(table, key, dir) {
    table.querySelectorAll('th[data-sort]').forEach(function (th) {
      th.setAttribute('aria-sort', th.dataset.sort === key ? (dir > 0 ? 'ascending' : 'descending') : 'none');
    });
  }

  function pager(box, page, pages, onPage) {
    box.querySelector('.page').textContent = 'Page ' + (page + 1).toLocaleString('en-US') + ' of ' + pages.toLocaleString('en-US');
    box.querySelectorAll('button').forEach(function (b) {
      const back = b.dataset.page === 'first' || b.dataset.page === 'prev';
      b.disabled = back ? page === 0 : page >= pages - 1;
    });
    box.onclick = function (event) {
      const b = event.target.closest('button[data-page]');
      if (!b || b.disabled) return;
      const to = { first: 0, prev: page - 1, next: page + 1, last: pages - 1 }[b.dataset.page];
      onPage(Math.max(0, Math.min(pages - 1, to)));
    };
  }

  function onSortClick(table, handler) {
    table.querySelectorAll('th[data-sort]').forEach(function (th) {
      th.addEventListener('click', function () { handler(th.dataset.sort); });
      th.addEventListener('keydown', function (event) {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          handler(th.dataset.sort);
        }
      });
    });
  }

  // ---- per identity ------------------------------------------------------

  const findingsOf = IDS.map(function () { return []; });
  for (let i = 0; i < F.length; i++) findingsOf[F[i][F_ID]].push(i);
  const riskOf = IDS.map(function () { return -1; });
  RISK.forEach(function (r, k) { riskOf[r[0]] = k; });

  function scoreOf(k) {
    return riskOf[k] < 0 ? 0 : RISK[riskOf[k]][R_SCORE];
  }

  function severityCounts(k) {
    const counts = [0, 0, 0, 0, 0];
    findingsOf[k].forEach(function (i) { counts[F[i][F_SEV]]++; });
    return counts;
  }

  // ---- findings table ------------------------------------------------------

  const fTable = document.getElementById('findings-table');
  const fBody = fTable.tBodies[0];
  const fCount = document.getElementById('f-count');
  const fSev = document.getElementById('f-sev');
  const fCheck = document.getElementById('f-check');
  const fProvider = document.getElementById('f-provider');
  const fText = document.getElementById('f-text');
  const fs = { key: null, dir: 1, page: 0, view: [], open: new Set() };
  let haystacks = null;

  function haystack(i) {
    if (haystacks === null) haystacks = new Array(F.length);
    let h = haystacks[i];
    if (h === undefined) {
      const f = F[i];
      const id = IDS[f[F_ID]];
      h = [checkOf(f)[0], id[I_NAME], id[I_ID], id[I_KIND], f[F_MSG], locationOf(f), f[F_FP]].join('\n').toLowerCase();
      haystacks[i] = h;
    }
    return h;
  }

  const findingKeys = {
    sev: function (i) { return F[i][F_SEV]; },
    check: function (i) { return checkOf(F[i])[0]; },
    identity: function (i) { return IDS[F[i][F_ID]][I_NAME].toLowerCase(); },
    provider: function (i) { return IDS[F[i][F_ID]][I_PROVIDER]; },
    message: function (i) { return F[i][F_MSG].toLowerCase(); },
    location: function (i) { return PATHS[F[i][F_PATH]] + ':' + String(F[i][F_LINE]).padStart(10, '0'); },
  };

  function filterFindings() {
    const sev = fSev.value === '' ? -1 : Number(fSev.value);
    const check = fCheck.value === '' ? -1 : Number(fCheck.value);
    const provider = fProvider.value;
    const terms = fText.value.toLowerCase().split(/\s+/).filter(Boolean);
    const view = [];
    outer: for (let i = 0; i < F.length; i++) {
      const f = F[i];
      if (sev >= 0 && f[F_SEV] !== sev) continue;
      if (check >= 0 && f[F_CHECK] !== check) continue;
      if (provider && IDS[f[F_ID]][I_PROVIDER] !== provider) continue;
      if (terms.length) {
        const h = haystack(i);
        for (let t = 0; t < terms.length; t++) {
          if (h.indexOf(terms[t]) < 0) continue outer;
        }
      }
      view.push(i);
    }
    fs.view = fs.key ? sortBy(view, findingKeys[fs.key], fs.dir) : view;
    fs.page = 0;
    renderFindings();
  }

  function findingRow(i) {
    const f = F[i];
    const id = IDS[f[F_ID]];
    const tr = el('tr', 'row');
    tr.dataset.index = String(i);
    tr.setAttribute('aria-expanded', fs.open.has(i) ? 'true' : 'false');
    const sev = td();
    sev.appendChild(sevBadge(f[F_SEV]));
    tr.appendChild(sev);
    const check = td(null, 'nowrap');
    check.appendChild(checkLink(f));
    tr.appendChild(check);
    const who = td(null, 'who');
    who.appendChild(identityButton(f[F_ID]));
    who.appendChild(el('div', 'sub', id[I_KIND]));
    tr.appendChild(who);
    tr.appendChild(td(id[I_PROVIDER]));
    const msg = td(f[F_MSG], 'msg');
    if (f[F_ACCEPTED]) msg.appendChild(el('div', 'sub', f[F_ACCEPTED]));
    tr.appendChild(msg);
    tr.appendChild(td(locationOf(f), 'loc'));
    return tr;
  }

  function definitionList(pairs, className) {
    const dl = el('dl', className);
    pairs.forEach(function (p) {
      if (p[1] === '' || p[1] === null || p[1] === undefined) return;
      dl.appendChild(el('dt', null, p[0]));
      dl.appendChild(el('dd', null, p[1]));
    });
    return dl;
  }

  function findingDetail(i) {
    const f = F[i];
    const c = checkOf(f);
    const id = IDS[f[F_ID]];
    const tr = el('tr', 'detail-row');
    const cell = td();
    cell.colSpan = 6;
    cell.appendChild(el('strong', null, c[0] + ': ' + c[1]));
    const pairs = [
      ['identity id', id[I_ID]],
      ['identity kind', id[I_KIND]],
      ['OWASP NHI', c[2].join(' ')],
      ['NIST CSF', c[3].join(' ')],
    ];
    const ev = f[F_EV] || {};
    Object.keys(ev).forEach(function (key) { pairs.push([key, evidenceText(ev[key])]); });
    pairs.push(['location', locationOf(f)]);
    pairs.push(['fingerprint', f[F_FP]]);
    pairs.push(['accepted', f[F_ACCEPTED]]);
    cell.appendChild(definitionList(pairs, 'evidence'));
    tr.appendChild(cell);
    return tr;
  }

  function renderFindings() {
    const total = fs.view.length;
    const pages = Math.max(1, Math.ceil(total / PAGE));
    if (fs.page >= pages) fs.page = pages - 1;
    const start = fs.page * PAGE;
    const end = Math.min(total, start + PAGE);
    const rows = document.createDocumentFragment();
    for (let j = start; j < end; j++) {
      const i = fs.view[j];
      rows.appendChild(findingRow(i));
      if (fs.open.has(i)) rows.appendChild(findingDetail(i));
    }
    if (total === 0) {
      const tr = el('tr');
      const cell = td(F.length ? 'No finding matches the filters.' : 'No findings.', 'empty');
      cell.colSpan = 6;
      tr.appendChild(cell);
      rows.appendChild(tr);
    }
    fBody.textContent = '';
    fBody.appendChild(rows);
    fTable.dataset.rows = String(end - start);
    fTable.dataset.total = String(total);
    fCount.textContent = (total === F.length ? plural(total, 'finding') : total.toLocaleString('en-US') + ' of ' + plural(F.length, 'finding') + ' match')
      + (total > 0 ? ' · showing ' + (start + 1).toLocaleString('en-US') + '–' + end.toLocaleString('en-US') : '');
    pager(document.getElementById('f-pager'), fs.page, pages, function (p) {
      fs.page = p;
      renderFindings();
      fTable.scrollIntoView({ block: 'start' });
    });
  }

  fBody.addEventListener('click', function (event) {
    const who = event.target.closest('button[data-identity]');
    if (who) {
      showIdentity(Number(who.dataset.identity), true);
      return;
    }
    if (event.target.closest('a')) return;
    const tr = event.target.closest('tr.row');
    if (!tr) return;
    const i = Number(tr.dataset.index);
    if (fs.open.has(i)) {
      fs.open.delete(i);
      if (tr.nextSibling && tr.nextSibling.classList.contains('detail-row')) tr.nextSibling.remove();
      tr.setAttribute('aria-expanded', 'false');
    } else {
      fs.open.add(i);
      tr.after(findingDetail(i));
      tr.setAttribute('aria-expanded', 'true');
    }
  });

  onSortClick(fTable, function (key) {
    if (fs.key === key) {
      fs.dir = -fs.dir;
    } else {
      fs.key = key;
      fs.dir = 1;
    }
    setSortHeaders(fTable, fs.key, fs.dir);
    fs.view = sortBy(fs.view, findingKeys[fs.key], fs.dir);
    fs.page = 0;
    renderFindings();
  });

  let typing = 0;
  fText.addEventListener('input', function () {
    clearTimeout(typing);
    typing = setTimeout(filterFindings, 200);
  });
  [fSev, fCheck, fProvider].forEach(function (s) { s.addEventListener('change', filterFindings); });
  document.getElementById('f-reset').addEventListener('click', function () {
    fSev.value = '';
    fCheck.value = '';
    fProvider.value = '';
    fText.value = '';
    fs.key = null;
    fs.dir = 1;
    setSortHeaders(fTable, null, 1);
    filterFindings();
  });

  // ---- identities ------------------------------------------------------------

  const iTable = document.getElementById('identities-table');
  const iBody = iTable.tBodies[0];
  const iCount = document.getElementById('i-count');
  const iProvider = document.getElementById('i-provider');
  const iText = document.getElementById('i-text');
  const detail = document.getElementById('identity-detail');
  const is = { key: 'score', dir: -1, page: 0, view: [], selected: -1 };

  const identityKeys = {
    name: function (k) { return IDS[k][I_NAME].toLowerCase(); },
    provider: function (k) { return IDS[k][I_PROVIDER]; },
    kind: function (k) { return IDS[k][I_KIND]; },
    score: scoreOf,
    findings: function (k) { return findingsOf[k].length; },
  };

  Array.from(new Set(IDS.map(function (x) { return x[I_PROVIDER]; }))).sort().forEach(function (p) {
    const o = el('option', null, p);
    o.value = p;
    iProvider.appendChild(o);
  });

  function filterIdentities() {
    const provider = iProvider.value;
    const terms = iText.value.toLowerCase().split(/\s+/).filter(Boolean);
    const view = [];
    for (let k = 0; k < IDS.length; k++) {
      const id = IDS[k];
      if (provider && id[I_PROVIDER] !== provider) continue;
      if (terms.length) {
        const h = (id[I_NAME] + '\n' + id[I_ID] + '\n' + id[I_KIND]).toLowerCase();
        if (!terms.every(function (t) { return h.indexOf(t) >= 0; })) continue;
      }
      view.push(k);
    }
    is.view = sortBy(view, identityKeys[is.key], is.dir);
    is.page = 0;
    renderIdentities();
  }

  function renderIdentities() {
    const total = is.view.length;
    const pages = Math.max(1, Math.ceil(total / IDENTITY_PAGE));
    if (is.page >= pages) is.page = pages - 1;
    const start = is.page * IDENTITY_PAGE;
    const end = Math.min(total, start + IDENTITY_PAGE);
    const rows = document.createDocumentFragment();
    for (let j = start; j < end; j++) {
      const k = is.view[j];
      const id = IDS[k];
      const tr = el('tr', k === is.selected ? 'selected' : null);
      const who = td();
      who.appendChild(identityButton(k));
      if (id[I_ID] !== id[I_NAME]) who.appendChild(el('div', 'sub mono', id[I_ID]));
      tr.appendChild(who);
      tr.appendChild(td(id[I_PROVIDER]));
      tr.appendChild(td(id[I_KIND]));
      tr.appendChild(td(scoreOf(k), 'num'));
      tr.appendChild(td(findingsOf[k].length, 'num'));
      rows.appendChild(tr);
    }
    if (total === 0) {
      const tr = el('tr');
      const cell = td(IDS.length ? 'No identity matches the filters.' : 'No identity has a finding or a risk score.', 'empty');
      cell.colSpan = 5;
      tr.appendChild(cell);
      rows.appendChild(tr);
    }
    iBody.textContent = '';
    iBody.appendChild(rows);
    iTable.dataset.rows = String(end - start);
    iTable.dataset.total = String(total);
    iCount.textContent = (total === IDS.length ? plural(total, 'identity', 'identities') : total.toLocaleString('en-US') + ' of ' + IDS.length.toLocaleString('en-US') + ' identities match');
    pager(document.getElementById('i-pager'), is.page, pages, function (p) {
      is.page = p;
      renderIdentities();
    });
  }

  function scoreBar(r) {
    const bar = el('div', 'scorebar');
    [[r[R_FINDINGS], 'p-findings', 'findings'], [r[R_PRIVILEGE], 'p-privilege', 'privilege'], [r[R_EXPOSURE], 'p-exposure', 'exposure']].forEach(function (p) {
      const part = el('span', p[1]);
      part.style.width = p[0] + '%';
      part.title = p[2] + ' ' + p[0];
      bar.appendChild(part);
    });
    return bar;
  }

  // Credentials and grants of the selected identity: two small tables.
  function appendHoldings(h) {
    const creds = h ? h[0] : [], grants = h ? h[1] : [], leftOut = h ? h[2] : 0;
    [
      [plural(creds.length, 'credential'), ['Kind', 'Name or key id', 'Created', 'Expires', 'Last used', 'Active'], creds.map(function (c) {
        return [c[0], c[1], c[2] || '', c[3] || '', c[4] || 'never or unknown', c[5] === false ? 'no' : c[5] === true ? 'yes' : ''];
      })],
      [plural(grants.length, 'grant'), ['Kind', 'Resource', 'Permission', 'Tier'], grants],
    ].forEach(function (part) {
      detail.appendChild(el('h3', null, part[0]));
      if (!part[2].length) return;
      const table = el('table', 'data holdings');
      const head = el('tr');
      part[1].forEach(function (t) { head.appendChild(el('th', null, t)); });
      table.appendChild(el('thead')).appendChild(head);
      const body = el('tbody');
      part[2].forEach(function (row) {
        const tr = el('tr');
        row.forEach(function (cell) { tr.appendChild(td(cell)); });
        body.appendChild(tr);
      });
      table.appendChild(body);
      detail.appendChild(table);
    });
    if (leftOut > 0) {
      detail.appendChild(el('p', 'sub', leftOut + ' more credentials or grants are in nhiscan inventory --format json.'));
    }
  }

  function showIdentity(k, scroll) {
    if (!(k >= 0 && k < IDS.length)) return;
    is.selected = k;
    const id = IDS[k];
    const r = riskOf[k] < 0 ? null : RISK[riskOf[k]];
    const counts = severityCounts(k);
    detail.textContent = '';
    detail.appendChild(el('h3', null, id[I_NAME] || id[I_ID]));
    const kv = definitionList([
      ['Id', id[I_ID]],
      ['Provider', id[I_PROVIDER]],
      ['Kind', id[I_KIND]],
      ['Risk score', r ? r[R_SCORE] + ' / 100' : '0'],
      ['Score parts', r ? 'findings ' + r[R_FINDINGS] + ' (of 60) · privilege ' + r[R_PRIVILEGE] + ' (of 25) · exposure ' + r[R_EXPOSURE] + ' (of 15)' : ''],
      ['Highest tier', r ? r[R_TIER] : ''],
      ['Findings', SEV.map(function (s, i) { return counts[i] + ' ' + s; }).join(' · ')],
    ], 'kv');
    detail.appendChild(kv);
    if (r) detail.appendChild(scoreBar(r));
    appendHoldings(HOLDINGS[k]);
    const list = findingsOf[k];
    detail.appendChild(el('h3', null, plural(list.length, 'finding')));
    if (list.length) {
      const table = el('table', 'data');
      const head = el('tr');
      ['Severity', 'Check', 'Finding', 'Source'].forEach(function (h) { head.appendChild(el('th', null, h)); });
      table.appendChild(el('thead')).appendChild(head);
      const body = el('tbody');
      list.slice(0, MAX_IDENTITY_FINDINGS).forEach(function (i) {
        const f = F[i];
        const tr = el('tr');
        const sev = td();
        sev.appendChild(sevBadge(f[F_SEV]));
        tr.appendChild(sev);
        const check = td(null, 'nowrap');
        check.appendChild(checkLink(f));
        tr.appendChild(check);
        tr.appendChild(td(f[F_MSG]));
        tr.appendChild(td(locationOf(f), 'loc'));
        body.appendChild(tr);
      });
      table.appendChild(body);
      detail.appendChild(table);
      if (list.length > MAX_IDENTITY_FINDINGS) {
        detail.appendChild(el('p', 'sub', 'The first ' + MAX_IDENTITY_FINDINGS + ' are listed; filter the findings table by this identity to see them all.'));
      }
    }
    iBody.querySelectorAll('tr.selected').forEach(function (tr) { tr.classList.remove('selected'); });
    iBody.querySelectorAll('button[data-identity="' + k + '"]').forEach(function (b) { b.closest('tr').classList.add('selected'); });
    if (scroll) document.getElementById('identities').scrollIntoView({ block: 'start' });
  }

  iBody.addEventListener('click', function (event) {
    const b = event.target.closest('button[data-identity]');
    if (b) showIdentity(Number(b.dataset.identity), false);
  });
  onSortClick(iTable, function (key) {
    if (is.key === key) {
      is.dir = -is.dir;
    } else {
      is.key = key;
      is.dir = key === 'score' || key === 'findings' ? -1 : 1;
    }
    setSortHeaders(iTable, is.key, is.dir);
    is.view = sortBy(is.view, identityKeys[is.key], is.dir);
    is.page = 0;
    renderIdentities();
  });
  let identityTyping = 0;
  iText.addEventListener('input', function () {
    clearTimeout(identityTyping);
    identityTyping = setTimeout(filterIdentities, 200);
  });
  iProvider.addEventListener('change', filterIdentities);

  // ---- links from the server-rendered sections --------------------------------

  document.addEventListener('click', function (event) {
    const risk = event.target.closest('button[data-risk]');
    if (risk) {
      const r = RISK[Number(risk.dataset.risk)];
      if (r) showIdentity(r[0], true);
      return;
    }
    const check = event.target.closest('button[data-filter-check]');
    if (check) {
      fSev.value = '';
      fProvider.value = '';
      fText.value = '';
      fCheck.value = check.dataset.filterCheck;
      filterFindings();
      document.getElementById('findings').scrollIntoView({ block: 'start' });
    }
  });

  // ---- first render ------------------------------------------------------------

  filterFindings();
  filterIdentities();
  if (RISK.length) showIdentity(RISK[0][0], false);
  // Milliseconds from navigation to here: a runtime reading for tests, not
  // part of the file.
  document.body.dataset.renderMs = String(Math.round(performance.now()));
  document.body.dataset.rendered = 'true';
})();
