/*
 * The operator console: live rooms and peers (polled), forced leave, and history charts (uPlot).
 * Talks only to the admin API of the server that served it, with the key the operator pasted: kept in
 * sessionStorage (this tab only), sent as the X-API-Key header, never put in a URL. Everything a
 * client sent (room names, user agents) is written as text, never as HTML.
 */
(function () {
  'use strict';

  var API = document.querySelector('meta[name="admin-api"]').content;
  var KEY_STORAGE = 'signaling-console-api-key';
  var LIVE_EVERY_MS = 3000;
  var HISTORY_EVERY_MS = 60000;
  var ROOMS_PER_PAGE = 100;
  var DURATION_LABELS = ['<10s', '10–30s', '30s–1m', '1–2m', '2–5m', '5–10m', '10–30m', '30–60m', '≥1h'];
  /** Counts: whole-number ticks only. */
  var COUNT_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000];
  var COLORS = ['#2f6fde', '#e07b24', '#2e9e5b', '#c23b31', '#8a4fd1', '#7a8699', '#c4a000', '#1aa3a3'];

  var el = function (id) { return document.getElementById(id); };
  var status = el('status');
  var keyInput = el('api-key');
  var liveTimer = null;
  var historyTimer = null;
  var charts = {}; // uPlot instances by element id; also window.consoleCharts, for debugging
  window.consoleCharts = charts;
  var lastHistory = null;
  var generation = 0; // bumped when the key changes: answers to older requests are dropped
  var running = false; // polling, with a key not (yet) refused

  function key() { return sessionStorage.getItem(KEY_STORAGE); }

  function say(text, isError) {
    status.textContent = text;
    status.className = isError ? 'error' : '';
  }

  /** A failed call: its status and the API's message. */
  function ApiError(status, message) {
    this.status = status;
    this.message = message;
  }

  function call(method, path) {
    var k = key();
    if (!k) return Promise.reject(new ApiError(401, 'no key'));
    var asked = generation;
    return fetch(API + path, { method: method, headers: { 'X-API-Key': k, Accept: 'application/json' }, cache: 'no-store' })
      .catch(function () { throw new ApiError(0, 'The server cannot be reached.'); })
      .then(function (response) {
        if (asked !== generation) throw new ApiError(-1, 'stale');
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (response.ok) return body;
          var message = Array.isArray(body.message) ? body.message.join('; ') : body.message || response.statusText;
          throw new ApiError(response.status, message);
        });
      });
  }

  /** Shows what went wrong; a refused key stops everything until another is given. */
  function failed(error) {
    if (error.status === -1) return;
    if (error.status === 401) {
      stop();
      say(key() ? 'The admin API key was refused: check it and paste it again.' : 'Paste the admin API key to start.', true);
      return;
    }
    say(error.status ? 'The server answered ' + error.status + ': ' + error.message : error.message, true);
  }

  function stop() {
    running = false;
    clearTimeout(liveTimer);
    clearTimeout(historyTimer);
    liveTimer = historyTimer = null;
  }

  function start() {
    stop();
    generation++;
    running = true;
    say('Connecting…');
    refreshLive();
    refreshHistory();
  }

  // ---- live view ----

  function ago(iso) {
    var s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
    return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  }

  /** "Chrome 131 on Android" from a user agent, or its first 40 characters. */
  function shortAgent(ua) {
    if (!ua) return '–';
    var os = /Android/.test(ua) ? 'Android' : /iPhone|iPad|iOS/.test(ua) ? 'iOS' : /Windows/.test(ua) ? 'Windows'
      : /Mac OS X|Macintosh/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : '';
    var browser = /Edg\/(\d+)/.exec(ua) || /Firefox\/(\d+)/.exec(ua) || /Chrome\/(\d+)/.exec(ua) || /Version\/(\d+).*Safari/.exec(ua);
    var name = browser ? (/Edg\//.test(browser[0]) ? 'Edge' : /Firefox/.test(browser[0]) ? 'Firefox' : /Chrome/.test(browser[0]) ? 'Chrome' : 'Safari') + ' ' + browser[1] : '';
    if (!name) name = /okhttp|Dalvik/i.test(ua) ? 'Android app' : /CFNetwork|Darwin/.test(ua) ? 'iOS app' : ua.slice(0, 40);
    return os && name.indexOf(os) < 0 ? name + ' on ' + os : name;
  }

  function bytes(n) {
    if (n < 1024) return n + ' B';
    if (n < 1048576) return (n / 1024).toFixed(1) + ' KiB';
    return (n / 1048576).toFixed(1) + ' MiB';
  }

  function cell(row, text, className, title) {
    var td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    if (title) td.title = title;
    row.appendChild(td);
    return td;
  }

  function removeButton(label, onClick) {
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'remove';
    button.textContent = 'Remove';
    button.setAttribute('aria-label', label);
    button.addEventListener('click', function () { onClick(button); });
    return button;
  }

  function renderRooms(page) {
    var body = el('rooms-body');
    body.textContent = '';
    var peers = 0;
    page.items.forEach(function (room) {
      peers += room.peers.length;
      var head = document.createElement('tr');
      head.className = 'room-row';
      head.dataset.streamId = room.streamId;
      cell(head, room.streamId);
      cell(head, room.peers.length + (room.peers.length === 1 ? ' peer' : ' peers'));
      cell(head, 'open ' + ago(room.openedAt));
      cell(head, room.callStartedAt ? 'in a call' : 'waiting', 'muted');
      cell(head, String(room.peers.reduce(function (n, p) { return n + p.messagesRelayed; }, 0)), 'num');
      cell(head, bytes(room.peers.reduce(function (n, p) { return n + p.bytesRelayed; }, 0)), 'num');
      cell(head, '').appendChild(removeButton('Remove room ' + room.streamId, function (button) { removeRoom(room.streamId, button); }));
      body.appendChild(head);
      room.peers.forEach(function (peer) {
        var row = document.createElement('tr');
        row.className = 'peer-row';
        row.dataset.sessionId = peer.sessionId;
        cell(row, '');
        cell(row, peer.sessionId.slice(0, 8), 'peer-id', peer.sessionId + ' from ' + peer.remoteAddress);
        cell(row, ago(peer.joinedAt) + ' ago');
        cell(row, shortAgent(peer.userAgent), 'ua', peer.userAgent);
        cell(row, String(peer.messagesRelayed), 'num');
        cell(row, bytes(peer.bytesRelayed), 'num');
        cell(row, '').appendChild(removeButton('Remove peer ' + peer.sessionId.slice(0, 8) + ' from ' + room.streamId, function (button) {
          removePeer(room.streamId, peer.sessionId, button);
        }));
        body.appendChild(row);
      });
    });
    el('rooms-table').hidden = page.items.length === 0;
    el('live-empty').hidden = page.items.length !== 0;
    el('live-more').hidden = page.total <= page.items.length;
    el('live-more').textContent = 'Showing the ' + page.items.length + ' oldest of ' + page.total + ' rooms: narrow with the filter.';
    el('live-summary').textContent = page.total + (page.total === 1 ? ' room, ' : ' rooms, ') + peers + (peers === 1 ? ' peer' : ' peers') +
      ' · updated ' + new Date().toLocaleTimeString();
  }

  var liveBusy = false;
  var liveAgain = false;

  /** One poll of the live rooms; a call while one is in flight runs once it has answered. */
  function refreshLive() {
    clearTimeout(liveTimer);
    liveTimer = null;
    if (!running) return;
    if (liveBusy) { liveAgain = true; return; }
    if (document.hidden) { liveTimer = setTimeout(refreshLive, LIVE_EVERY_MS); return; } // polled again when shown
    liveBusy = true;
    var prefix = el('stream-prefix').value.trim();
    var query = '?limit=' + ROOMS_PER_PAGE + (prefix ? '&streamIdPrefix=' + encodeURIComponent(prefix) : '');
    call('GET', '/rooms' + query).then(function (page) {
      renderRooms(page);
      if (status.textContent === 'Connecting…' || status.className === 'error') say('Connected.');
      next();
    }, function (error) {
      failed(error);
      next();
    });
    function next() {
      liveBusy = false;
      if (liveAgain) { liveAgain = false; refreshLive(); } else if (running) liveTimer = setTimeout(refreshLive, LIVE_EVERY_MS);
    }
  }

  function removePeer(streamId, sessionId, button) {
    if (!window.confirm('Remove peer ' + sessionId.slice(0, 8) + ' from room "' + streamId + '"? Its partner is told the peer left.')) return;
    button.disabled = true;
    call('DELETE', '/sessions/' + encodeURIComponent(sessionId)).then(function (result) {
      say('Removed peer ' + result.sessionId.slice(0, 8) + ' from room "' + result.streamId + '".');
      refreshLive();
    }, function (error) {
      button.disabled = false;
      if (error.status === 404) { say('That peer had already left.'); refreshLive(); } else failed(error);
    });
  }

  function removeRoom(streamId, button) {
    if (!window.confirm('Remove every peer of room "' + streamId + '"?')) return;
    button.disabled = true;
    call('DELETE', '/rooms/' + encodeURIComponent(streamId)).then(function (result) {
      say('Removed ' + result.removed + (result.removed === 1 ? ' peer' : ' peers') + ' from room "' + result.streamId + '".');
      refreshLive();
    }, function (error) {
      button.disabled = false;
      if (error.status === 404) { say('That room had already closed.'); refreshLive(); } else failed(error);
    });
  }

  // ---- history charts ----

  function seconds(points) { return points.map(function (p) { return Date.parse(p.start) / 1000; }); }

  function chartWidth(id) { return Math.max(260, el(id).clientWidth); }

  function draw(id, options, data) {
    if (charts[id]) charts[id].destroy();
    var target = el(id);
    target.textContent = '';
    options.width = chartWidth(id);
    options.height = 240;
    charts[id] = new uPlot(options, data, target);
  }

  function bars() { return uPlot.paths.bars({ size: [0.7, 60] }); }

  function countAxis(label) { return { label: label, incrs: COUNT_INCRS, values: function (u, ticks) { return ticks.map(String); } }; }

  var fromZero = { range: function (u, min, max) { return [0, Math.max(1, max)]; } };

  /** A time scale padded by half a bucket on each side, so the first and last bars show whole. */
  function paddedTime(bucketSeconds) {
    return { time: true, range: function (u, min, max) { return [min - bucketSeconds / 2, max + bucketSeconds / 2]; } };
  }

  function duration(ms) {
    if (ms < 10000) return (ms / 1000).toFixed(1) + ' s';
    if (ms < 120000) return Math.round(ms / 1000) + ' s';
    if (ms < 7200000) return Math.round(ms / 60000) + ' min';
    return (ms / 3600000).toFixed(1) + ' h';
  }

  function drawHistory(h) {
    draw('chart-hourly', {
      series: [{}, { label: 'Calls', stroke: COLORS[0], width: 2, fill: 'rgba(47,111,222,0.12)' }, { label: 'Sessions', stroke: COLORS[1], width: 2 }],
      axes: [{}, countAxis('per hour')],
      scales: { y: fromZero },
    }, [seconds(h.hourly.points), h.hourly.points.map(function (p) { return p.calls; }), h.hourly.points.map(function (p) { return p.sessions; })]);

    draw('chart-daily', {
      series: [{}, { label: 'Calls', stroke: COLORS[0], fill: 'rgba(47,111,222,0.5)', paths: bars(), points: { show: false } }],
      axes: [{}, countAxis('per day')],
      scales: { x: paddedTime(86400), y: fromZero },
    }, [seconds(h.daily.points), h.daily.points.map(function (p) { return p.calls; })]);

    var d = h.durations;
    el('duration-summary').textContent = d.calls === 0 ? 'no calls' : d.calls + (d.calls === 1 ? ' call' : ' calls') +
      ', average ' + duration(d.totalDurationMs / d.calls);
    draw('chart-durations', {
      scales: { x: { time: false, range: [-0.5, d.bins.length - 0.5] }, y: fromZero },
      series: [{ label: 'Duration', value: function (u, i) { return i == null ? '–' : DURATION_LABELS[i]; } },
        { label: 'Calls', stroke: COLORS[2], fill: 'rgba(46,158,91,0.5)', paths: bars(), points: { show: false } }],
      axes: [{ space: 26, incrs: [1, 2, 3], rotate: -40, size: 56, values: function (u, ticks) { return ticks.map(function (t) { return DURATION_LABELS[t] || ''; }); } },
        countAxis('calls')],
    }, [d.bins.map(function (_, i) { return i; }), d.bins.map(function (b) { return b.calls; })]);

    var reasons = [];
    h.hourly.points.forEach(function (p) { Object.keys(p.leaves).forEach(function (r) { if (reasons.indexOf(r) < 0) reasons.push(r); }); });
    reasons.sort();
    if (reasons.length === 0) reasons.push('leave');
    draw('chart-leaves', {
      series: [{}].concat(reasons.map(function (r, i) { return { label: r, stroke: COLORS[i % COLORS.length], width: 2 }; })),
      axes: [{}, countAxis('sessions ended')],
      scales: { y: fromZero },
    }, [seconds(h.hourly.points)].concat(reasons.map(function (r) { return h.hourly.points.map(function (p) { return p.leaves[r] || 0; }); })));
  }

  function refreshHistory() {
    clearTimeout(historyTimer);
    Promise.all([call('GET', '/stats/timeseries?bucket=hour'), call('GET', '/stats/timeseries?bucket=day'), call('GET', '/stats/durations')])
      .then(function (answers) {
        lastHistory = { hourly: answers[0], daily: answers[1], durations: answers[2] };
        drawHistory(lastHistory);
        if (running) historyTimer = setTimeout(refreshHistory, HISTORY_EVERY_MS);
      }, function (error) {
        failed(error);
        if (running) historyTimer = setTimeout(refreshHistory, HISTORY_EVERY_MS);
      });
  }

  var resizeTimer = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      Object.keys(charts).forEach(function (id) { charts[id].setSize({ width: chartWidth(id), height: 240 }); });
    }, 150);
  });

  // ---- the key ----

  el('key-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var value = keyInput.value.trim();
    if (!value) { say('Paste the admin API key first.', true); return; }
    sessionStorage.setItem(KEY_STORAGE, value);
    keyInput.value = '';
    start();
  });
  el('forget-key').addEventListener('click', function () {
    sessionStorage.removeItem(KEY_STORAGE);
    generation++;
    stop();
    say('Key forgotten. Paste the admin API key to start.');
  });
  el('filter-form').addEventListener('submit', function (event) { event.preventDefault(); refreshLive(); });
  el('stream-prefix').addEventListener('change', refreshLive);
  el('refresh-history').addEventListener('click', function () { if (running) refreshHistory(); });
  document.addEventListener('visibilitychange', function () {
    if (!document.hidden && running) refreshLive();
  });

  if (key()) start();
})();
