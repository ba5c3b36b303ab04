/** Where the sample serves {@link WEBHOOK_EVENTS_LIVE_SCRIPT}. */
export const WEBHOOK_EVENTS_LIVE_SCRIPT_PATH = '/webhooks/live.js';

/** Seconds between two reads of the events list by the page. */
export const WEBHOOK_EVENTS_POLL_SECONDS = 2;

/**
 * The script of the webhook events page: every {@link WEBHOOK_EVENTS_POLL_SECONDS} s it reads
 * `GET /webhooks/events` as JSON (same origin, the session cookie) and redraws the table's rows, so a
 * job update appears without a reload. A file the sample serves rather than an inline script: helmet's
 * Content-Security-Policy (`script-src 'self'`) refuses inline scripts. Text goes in with
 * `textContent`, never as HTML. It stops when the user signed out (401).
 */
export const WEBHOOK_EVENTS_LIVE_SCRIPT = `'use strict';
(function () {
  var body = document.getElementById('webhook-events-body');
  var status = document.getElementById('live-status');
  if (!body) return;
  var delay = ${WEBHOOK_EVENTS_POLL_SECONDS * 1000};
  function say(text) {
    if (status) status.textContent = text;
  }
  function cell(row, text) {
    var td = document.createElement('td');
    td.textContent = text;
    row.appendChild(td);
    return td;
  }
  function utc(iso) {
    return iso.replace('T', ' ').slice(0, 19) + ' UTC';
  }
  function draw(events) {
    var rows = [];
    events.forEach(function (event) {
      var row = document.createElement('tr');
      row.setAttribute('data-event', event.event);
      if (event.jobId !== null) row.setAttribute('data-job-id', String(event.jobId));
      if (event.state !== null) row.setAttribute('data-state', event.state);
      var time = document.createElement('time');
      time.setAttribute('datetime', event.receivedAt);
      time.textContent = utc(event.receivedAt);
      cell(row, '').appendChild(time);
      cell(row, event.event);
      cell(row, event.jobId === null ? '' : String(event.jobId));
      cell(row, event.state === null ? '' : event.state);
      rows.push(row);
    });
    if (rows.length === 0) {
      var empty = document.createElement('tr');
      empty.id = 'no-webhook-events';
      cell(empty, 'No events yet.').colSpan = 4;
      rows.push(empty);
    }
    body.replaceChildren.apply(body, rows);
  }
  function poll() {
    fetch('/webhooks/events', { headers: { accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' })
      .then(function (response) {
        if (response.status === 401) return null;
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.json();
      })
      .then(
        function (answer) {
          if (answer === null) {
            say('You are signed out: live updates stopped.');
            return;
          }
          draw(answer.events);
          say('Newest first. Updated by itself every ${WEBHOOK_EVENTS_POLL_SECONDS} seconds; last checked ' + new Date().toLocaleTimeString() + '.');
          setTimeout(poll, delay);
        },
        function () {
          say('The app did not answer; trying again in ${WEBHOOK_EVENTS_POLL_SECONDS} seconds.');
          setTimeout(poll, delay);
        },
      );
  }
  setTimeout(poll, delay);
})();
`;
