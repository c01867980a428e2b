/* Cleanroom console: progressive enhancement only. No inline script anywhere (the Content-Security-Policy
   forbids it); every page works with plain forms, and this file adds the SQL editor, the charts and the
   CSRF header of htmx's requests. */
(function () {
  'use strict';

  var PALETTE = ['#1d4ed8', '#b45309', '#047857', '#9d174d', '#4338ca', '#0f766e', '#a16207', '#7e22ce',
    '#be123c', '#15803d', '#1e40af', '#92400e'];

  // every request htmx makes carries the session's CSRF token, as every form does in a hidden field
  document.addEventListener('htmx:configRequest', function (event) {
    var token = document.body.getAttribute('data-csrf');
    if (token) {
      event.detail.headers['X-CSRF-Token'] = token;
    }
  });

  function setupEditors(root) {
    if (!window.CodeMirror) {
      return;
    }
    root.querySelectorAll('textarea[data-editor="sql"]').forEach(function (textarea) {
      if (textarea.getAttribute('data-enhanced')) {
        return;
      }
      textarea.setAttribute('data-enhanced', 'true');
      var editor = window.CodeMirror.fromTextArea(textarea, {
        mode: 'text/x-sql',
        lineNumbers: true,
        lineWrapping: true,
        viewportMargin: Infinity,
        screenReaderLabel: 'SQL query',
        // Tab leaves the editor, so that the keyboard never gets stuck in it
        extraKeys: {
          'Tab': false,
          'Shift-Tab': false,
          'Ctrl-Enter': function () { textarea.form.requestSubmit(); }
        }
      });
      editor.on('change', function () { editor.save(); });
    });
  }

  function drawCharts(root) {
    if (!window.Chart) {
      return;
    }
    root.querySelectorAll('canvas[data-chart]').forEach(function (canvas) {
      if (canvas.getAttribute('data-drawn')) {
        return;
      }
      canvas.setAttribute('data-drawn', 'true');
      var spec = JSON.parse(canvas.getAttribute('data-chart'));
      new window.Chart(canvas, {
        type: 'bar',
        data: {
          labels: spec.labels,
          datasets: spec.datasets.map(function (set, i) {
            return { label: set.label, data: set.data, backgroundColor: PALETTE[i % PALETTE.length] };
          })
        },
        options: {
          responsive: true,
          animation: false,
          plugins: { legend: { display: spec.kind === 'grouped', title: { display: spec.kind === 'grouped', text: spec.group } } },
          scales: {
            x: { title: { display: true, text: spec.x } },
            y: { beginAtZero: true, title: { display: true, text: spec.y } }
          }
        }
      });
    });
  }

  function enhance(root) {
    setupEditors(root);
    drawCharts(root);
  }

  document.addEventListener('DOMContentLoaded', function () { enhance(document); });
  document.addEventListener('htmx:load', function (event) { enhance(event.detail.elt); });
})();
