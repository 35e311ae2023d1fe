// nhiscan HTML report: error capture. Runs first (in <head>), so that errors in
// the report script, even a syntax error, and anything the Content-Security-Policy
// blocks, are recorded in document.body.dataset.jsErrors (one per line) and shown
// at the top of the page. A headless browser's --dump-dom shows that attribute.
(function () {
  'use strict';
  var pending = [];

  function show(body, message) {
    body.dataset.jsErrors = body.dataset.jsErrors ? body.dataset.jsErrors + '\n' + message : message;
    var box = document.getElementById('js-errors');
    if (box) {
      var item = document.createElement('li');
      item.textContent = message;
      box.querySelector('ul').appendChild(item);
      box.hidden = false;
    }
  }

  function record(message) {
    message = String(message);
    if (document.body) {
      show(document.body, message);
    } else {
      pending.push(message);
    }
  }

  window.nhiscanRecordError = record;

  window.onerror = function (message, source, line, column, error) {
    var where = source ? ' (' + source.split('/').pop() + ':' + line + ':' + column + ')' : '';
    record('error: ' + message + where + (error && error.stack ? '\n' + error.stack : ''));
  };

  window.addEventListener('unhandledrejection', function (event) {
    var reason = event.reason;
    record('unhandled rejection: ' + (reason && reason.stack ? reason.stack : reason));
  });

  document.addEventListener('securitypolicyviolation', function (event) {
    record('blocked by the content security policy: ' + event.violatedDirective + ' ' + (event.blockedURI || ''));
  });

  document.addEventListener('DOMContentLoaded', function () {
    var queued = pending;
    pending = [];
    for (var i = 0; i < queued.length; i++) {
      show(document.body, queued[i]);
    }
  });
})();
