'use strict';
// Shared by index.html and frame.html. Plain browser JavaScript, no build.

// runFetch runs one fetch and reports what the browser let JavaScript see.
// A CORS failure is a TypeError with no detail (the reason is only in
// DevTools), by design of the Fetch standard.
async function runFetch(doFetch) {
  try {
    const res = await doFetch();
    const headers = [];
    res.headers.forEach((v, k) => headers.push(k + ': ' + v));
    return {
      ok: true,
      status: res.status,
      headers,
      requestId: res.headers.get('x-request-id'),
      secret: res.headers.get('x-internal-secret'),
      body: await res.text(),
    };
  } catch (e) {
    return {ok: false, error: String(e)};
  }
}

if (document.getElementById('demos')) {
  const cfg = window.DEMO;
  const GW = location.protocol + '//' + location.hostname + ':' + cfg.gatewayPort;
  const OTHER = cfg.disallowedPort ? location.protocol + '//' + location.hostname + ':' + cfg.disallowedPort : '';
  document.getElementById('page-origin').textContent = location.origin;
  if (cfg.advice) {
    // The gateway found that its configuration does not allow this page's
    // origin: say what to change instead of showing every demo BLOCKED.
    const advice = document.getElementById('advice');
    advice.textContent = cfg.advice;
    advice.hidden = false;
  }
  document.getElementById('gateway-origin').textContent = GW;

  // viaFrame runs the fetch from an iframe on OTHER, an origin the config
  // does not allow, and waits for its report.
  let frame, frameReady, nextID = 0;
  function viaFrame(url, init) {
    if (!OTHER) return Promise.resolve({ok: false, error: 'no disallowed-origin server (-demo-disallowed is empty)'});
    if (!frame) {
      frame = document.createElement('iframe');
      frame.src = OTHER + '/frame.html';
      frame.style.display = 'none';
      frameReady = new Promise((resolve) => frame.addEventListener('load', resolve, {once: true}));
      document.body.appendChild(frame);
    }
    const id = ++nextID;
    return frameReady.then(() => new Promise((resolve) => {
      function onMessage(ev) {
        if (ev.origin !== OTHER || !ev.data || ev.data.kind !== 'corswasm-result' || ev.data.id !== id) return;
        window.removeEventListener('message', onMessage);
        resolve(ev.data.result);
      }
      window.addEventListener('message', onMessage);
      frame.contentWindow.postMessage({kind: 'corswasm-run', id, url, init}, OTHER);
    }));
  }

  const demos = [
    {
      id: 'simple-get', title: 'Simple GET', expect: 'allowed',
      code: "fetch(GW + '/api/hello')",
      why: 'A GET without custom headers is a simple request: no preflight. The module sets Access-Control-Allow-Origin to this exact origin, so JavaScript may read the response. x-request-id is readable because the config exposes it; x-internal-secret is not exposed, so JavaScript reads null.',
      run: () => runFetch(() => fetch(GW + '/api/hello')),
    },
    {
      id: 'json-post', title: 'JSON POST', expect: 'allowed',
      code: "fetch(GW + '/api/items', {method: 'POST', headers: {'Content-Type': 'application/json'}, body})",
      why: 'Content-Type: application/json is not a CORS-safelisted value, so the browser first sends an OPTIONS preflight. The module answers it itself (204, the upstream never sees it); then the POST goes through.',
      run: () => runFetch(() => fetch(GW + '/api/items', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({name: 'widget'})})),
    },
    {
      id: 'put-custom-header', title: 'PUT with a custom header', expect: 'allowed',
      code: "fetch(GW + '/api/items/42', {method: 'PUT', headers: {'X-Api-Key': 'demo-key'}, body})",
      why: 'PUT and X-Api-Key both need a preflight; the config allows both. The 204 carries Access-Control-Max-Age: 600, so click again within 10 minutes and the browser skips the OPTIONS (watch the gateway panel).',
      run: () => runFetch(() => fetch(GW + '/api/items/42', {method: 'PUT', headers: {'X-Api-Key': 'demo-key'}, body: 'renamed'})),
    },
    {
      id: 'credentials', title: 'Request with credentials (cookie)', expect: 'allowed',
      code: "fetch(GW + '/api/login', {method: 'POST', credentials: 'include'}); fetch(GW + '/api/me', {credentials: 'include'})",
      why: "With credentials: 'include' the browser stores the upstream's Set-Cookie and sends the cookie back only if the response carries Access-Control-Allow-Credentials: true and names this exact origin (never *). Step 1 logs in (the upstream sets demo_session); step 2 calls /api/me, and the upstream echoes the cookie it received.",
      run: async () => {
        const login = await runFetch(() => fetch(GW + '/api/login', {method: 'POST', credentials: 'include'}));
        if (!login.ok) return login;
        return runFetch(() => fetch(GW + '/api/me', {credentials: 'include'}));
      },
    },
    {
      id: 'disallowed-origin', title: 'Disallowed origin', expect: 'blocked',
      code: "fetch(GW + '/api/hello')   // run from an iframe on " + (OTHER || '(disabled)'),
      why: 'The same GET, sent from an iframe whose origin the config does not list. The module sends no Access-Control-Allow-Origin, so the browser withholds the response and fetch rejects with a TypeError. A simple GET still reaches the upstream: CORS protects who may read, not who may send.',
      run: () => viaFrame(GW + '/api/hello'),
    },
    {
      id: 'lowercase-patch', title: "Lowercase method 'patch'", expect: 'blocked',
      code: "fetch(GW + '/api/items/42', {method: 'patch'})",
      why: "fetch uppercases only DELETE, GET, HEAD, OPTIONS, POST and PUT, so this preflight asks for 'patch'. Methods are case-sensitive and the config allows 'PATCH': the module refuses the preflight with 403 and the PATCH is never sent.",
      run: () => runFetch(() => fetch(GW + '/api/items/42', {method: 'patch', body: 'x'})),
    },
    {
      id: 'uppercase-patch', title: "Method 'PATCH'", expect: 'allowed',
      code: "fetch(GW + '/api/items/42', {method: 'PATCH'})",
      why: "The same request with the method spelled as the config spells it.",
      run: () => runFetch(() => fetch(GW + '/api/items/42', {method: 'PATCH', body: 'x'})),
    },
    {
      id: 'header-not-allowed', title: 'PUT with a header the config does not allow', expect: 'blocked',
      code: "fetch(GW + '/api/items/42', {method: 'PUT', headers: {'X-Debug': '1'}})",
      why: 'X-Debug is not in allowHeaders: the module refuses the preflight with 403 and the PUT is never sent.',
      run: () => runFetch(() => fetch(GW + '/api/items/42', {method: 'PUT', headers: {'X-Debug': '1'}})),
    },
    {
      id: 'upstream-star', title: 'Upstream sends Access-Control-Allow-Origin: *', expect: 'allowed',
      code: "fetch(GW + '/api/hello?echo_header=Access-Control-Allow-Origin:*&echo_header=Access-Control-Allow-Credentials:true', {credentials: 'include'})",
      why: 'The upstream sets Access-Control-Allow-Origin: *, which a browser rejects for a credentialed request. With upstreamCors: override the gateway is authoritative: the module drops the upstream\'s Access-Control-* headers and sets its own.',
      run: () => runFetch(() => fetch(GW + '/api/hello?echo_header=Access-Control-Allow-Origin:*&echo_header=Access-Control-Allow-Credentials:true', {credentials: 'include'})),
    },
    {
      id: 'error-401', title: '401 from the upstream', expect: 'allowed',
      code: "fetch(GW + '/api/private', {headers: {'Authorization': 'Bearer wrong'}})",
      why: 'Error responses to an allowed origin are decorated too, so JavaScript reads the 401 and its body instead of an opaque network error.',
      run: () => runFetch(() => fetch(GW + '/api/private', {headers: {'Authorization': 'Bearer wrong'}})),
    },
  ];

  const container = document.getElementById('demos');
  for (const d of demos) {
    const el = document.createElement('section');
    el.className = 'demo';
    el.id = d.id;
    el.innerHTML = '<h2><button></button><span class="title"></span><span class="expect"></span><span class="verdict pending">not run</span></h2>' +
      '<div class="why"></div><pre class="code"></pre><pre class="result" hidden></pre><ul class="seen" hidden></ul>';
    el.querySelector('button').textContent = 'Run';
    el.querySelector('.title').textContent = d.title;
    el.querySelector('.expect').textContent = 'expected: ' + d.expect;
    el.querySelector('.why').textContent = d.why;
    el.querySelector('.code').textContent = d.code;
    el.querySelector('button').addEventListener('click', () => runDemo(d, el));
    d.el = el;
    container.appendChild(el);
  }

  async function lastEvent() {
    const r = await fetch('/events?after=' + Number.MAX_SAFE_INTEGER);
    return (await r.json()).last;
  }

  async function runDemo(d, el) {
    const verdict = el.querySelector('.verdict');
    verdict.className = 'verdict pending';
    verdict.textContent = 'running…';
    const before = await lastEvent();
    const r = await d.run();
    const got = r.ok ? 'allowed' : 'blocked';
    verdict.className = 'verdict ' + got;
    verdict.textContent = r.ok ? 'ALLOWED: JavaScript read the response' : 'BLOCKED by the browser';
    el.dataset.result = got;
    if (got !== d.expect) {
      verdict.textContent += ' (expected ' + d.expect + ')';
      verdict.classList.add('mismatch');
    }
    const out = el.querySelector('.result');
    out.hidden = false;
    out.textContent = r.ok
      ? 'status ' + r.status + '\nheaders JavaScript can read:\n  ' + r.headers.join('\n  ') +
        "\nres.headers.get('x-request-id')      = " + JSON.stringify(r.requestId) +
        "\nres.headers.get('x-internal-secret') = " + JSON.stringify(r.secret) +
        '\nbody: ' + r.body.trim()
      : r.error + '\n(the browser gives JavaScript no reason; DevTools shows it: see what the gateway answered below)';
    const seen = el.querySelector('.seen');
    const evs = (await (await fetch('/events?after=' + before)).json()).events;
    seen.hidden = false;
    seen.innerHTML = '';
    const head = document.createElement('li');
    head.textContent = evs.length ? 'the gateway saw:' : 'the gateway saw nothing (the browser answered from its preflight cache or did not send)';
    seen.appendChild(head);
    for (const e of evs) {
      const li = document.createElement('li');
      const cors = Object.entries(e.cors || {}).map(([k, v]) => k + ': ' + v).join(' | ');
      li.textContent = e.method + ' ' + e.path + ' from ' + (e.origin || '(no Origin)') + ' → ' + e.status + ', ' + e.how + (cors ? ' — ' + cors : ' — no CORS headers');
      seen.appendChild(li);
    }
  }

  document.getElementById('run-all').addEventListener('click', async () => {
    for (const d of demos) await runDemo(d, d.el);
    document.body.dataset.done = 'true';
  });
  document.getElementById('clear').addEventListener('click', () => location.reload());
}
