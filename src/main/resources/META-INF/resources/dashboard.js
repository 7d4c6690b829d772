// stock-sync dashboard: plain JS against the admin API, no build step and nothing fetched from outside this server.
(function () {
  'use strict';

  const POLL_MS = 3000;
  const TOKEN_KEY = 'stocksync.adminToken';
  const STORE_KEY = 'stocksync.storeId';
  const STATUS_LABEL = { SYNCED: 'Sincronizado', MISMATCH: 'Diferencia', PENDING: 'Pendiente', ERROR: 'Error' };
  const TRIGGER_LABEL = { SALE: 'Por venta', MANUAL: 'Manual', SCHEDULED: 'Programado' };
  const KIND_LABEL = { SALE: 'Venta', RESTOCK: 'Reposición' };

  const $ = (id) => document.getElementById(id);
  const state = {
    storeId: null, status: '', q: '', page: 0, size: 50, sort: 'sku', desc: false,
    etag: null, etagUrl: null, data: null, timer: null, demo: null, busy: false, polls: 0, dismissing: null,
    deadSku: '', deadError: '', deadTotal: 0, canCreateStores: false,
  };

  // ------------------------------------------------------------------ API

  class Unauthorized extends Error {}

  async function api(path, options = {}) {
    const token = localStorage.getItem(TOKEN_KEY);
    if (!token) {
      showLogin();
      throw new Unauthorized('no token');
    }
    const headers = Object.assign({ Authorization: 'Bearer ' + token }, options.headers || {});
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    // no-store: the page handles ETags itself, so a 304 reaches this code instead of being replaced by the cache.
    const res = await fetch(path, { method: options.method || 'GET', headers, cache: 'no-store',
      body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    if (res.status === 401) {
      localStorage.removeItem(TOKEN_KEY);
      showLogin('El token no es válido.');
      throw new Unauthorized('unauthorized');
    }
    return res;
  }

  async function json(res) {
    try {
      return await res.json();
    } catch (e) {
      return null;
    }
  }

  // The API speaks English to programs; the merchant reads Spanish. Known codes get a sentence of their own, the rest
  // a Spanish lead-in with the API's detail, so support can still tell what happened.
  const ERROR_TEXT = {
    store_not_found: 'La tienda no existe o este token no puede verla.',
    store_inactive: 'La tienda está desactivada: actívela antes de sincronizar o vender.',
    no_integration: 'La tienda no tiene una integración activa con Contifico: conéctela primero.',
    integration_inactive: 'La integración con Contifico está desactivada: actívela primero.',
    integration_not_found: 'La integración no existe.',
    pull_in_progress: 'Ya hay una sincronización en curso para esta tienda; espere a que termine.',
    pull_run_not_found: 'Esa sincronización ya no existe.',
    pull_run_finished: 'Esa sincronización ya terminó.',
    pull_blocked: 'Se detuvo: demasiados productos pasarían a 0. Revise la bodega y Contifico; nada se cambió.',
    database_busy: 'El servicio está ocupado en este momento; vuelva a intentarlo en unos segundos.',
    database_error: 'La base de datos no pudo completar la operación; no se cambió nada. Vuelva a intentarlo.',
    internal_error: 'El servicio falló de forma inesperada; no se cambió nada. Revise el registro del servicio.',
    movement_not_found: 'El movimiento ya no existe.',
    movement_not_dead: 'El movimiento ya no está fallido (otro usuario lo reintentó o se registró).',
    already_dismissed: 'El movimiento ya fue descartado.',
    selection_changed: 'La lista de fallidos cambió mientras la revisaba: no se cambió nada. Revísela y vuelva a intentarlo.',
    forbidden: 'Este token solo puede ver su propia tienda.',
    read_only_token: 'Este token es de solo lectura: no puede hacer cambios.',
    not_shopify: 'La venta de demostración solo existe para tiendas Shopify.',
    malformed_json: 'El panel envió una petición mal formada; recargue la página.',
    credential_required: 'Al cambiar la dirección, escriba de nuevo la clave o el token: nunca se envía la guardada a otra dirección.',
    integration_exists: 'La tienda ya tiene una integración con Contifico activa.',
    storefront_auth: 'La tienda rechazó los datos de acceso: revise el token (Shopify) o la consumer key y el secret (WooCommerce).',
    storefront_rejected: 'La tienda rechazó la lectura: revise el dominio, la ubicación y los permisos de la app.',
    storefront_unreachable: 'La tienda no respondió: revise la dirección o vuelva a intentarlo en un momento.',
    contifico_unreachable: 'Contifico no respondió: revise la URL o vuelva a intentarlo en un momento.',
    public_url_not_configured: 'Este servicio no conoce su dirección pública (STOCKSYNC_WEBHOOK_PUBLIC_BASE_URL): registre los webhooks a mano.',
    webhook_secret_missing: 'La tienda no tiene secreto de webhooks: escríbalo en el paso 1.',
    warehouse_shared: 'Una misma bodega quedó sumada en dos ubicaciones (la ubicación principal de la tienda usa la bodega'
      + ' de la integración mientras no le marque otras): una venta en una seguiría a la venta en la otra hasta'
      + ' registrarse. Asigne cada bodega a una sola ubicación; no se cambió nada.',
    unknown_warehouse: 'Contifico no lista alguna de las bodegas marcadas para esta integración: vuelva a ver las'
      + ' ubicaciones y elija entre las que aparecen. No se cambió nada.',
    unknown_location: 'La tienda ya no tiene activa alguna de esas ubicaciones: desmarque sus bodegas y guarde de nuevo.'
      + ' No se cambió nada.',
    one_location: 'Una tienda WooCommerce tiene un solo stock por producto: sume varias bodegas en su única ubicación.',
    duplicate_location: 'Una ubicación aparece dos veces: vuelva a ver las ubicaciones. No se cambió nada.',
    storefront_unavailable: 'La tienda no respondió su lista de ubicaciones; no se cambió nada. Vuelva a intentarlo en un momento.',
    contifico_unavailable: 'Contifico no respondió su lista de bodegas; no se cambió nada. Vuelva a intentarlo en un momento.',
    integration_changed: 'La integración con Contifico cambió mientras se guardaban las ubicaciones: no se cambió nada.'
      + ' Vuelva a ver las ubicaciones y revise las bodegas.',
    store_changed: 'La tienda cambió mientras se guardaban las ubicaciones (su ubicación, su dominio u otro dato): no se'
      + ' cambió nada. Vuelva a ver las ubicaciones y guarde de nuevo.',
    too_many_locations: 'La tienda tiene más de 5000 ubicaciones activas, más de las que este servicio lee: desactive en'
      + ' Shopify las que ya no usa. No se cambió nada.',
  };
  const FIELD_TEXT = {
    name: 'Escriba un nombre para la tienda.',
    platform: 'Elija Shopify o WooCommerce.',
    shopDomain: 'Escriba el dominio de la tienda, como mitienda.myshopify.com.',
    accessToken: 'Escriba el token de acceso de la app de Shopify (empieza con shpat_).',
    locationId: 'Escriba el id numérico de la ubicación de Shopify que despacha los pedidos.',
    siteUrl: 'Escriba la dirección completa del sitio, como https://mitienda.com.',
    consumerKey: 'Escriba la consumer key de WooCommerce (empieza con ck_).',
    consumerSecret: 'Escriba el consumer secret de WooCommerce (empieza con cs_).',
    webhookSecret: 'Escriba el secreto con el que la tienda firma sus webhooks.',
    apiBaseUrl: 'La URL de la API debe ser una dirección http(s) completa.',
    apiKey: 'Contifico no aceptó esa clave de API: cópiela de nuevo desde Contifico.',
    baseUrl: 'La URL de Contifico debe ser una dirección http(s) completa.',
    warehouseId: 'Elija una bodega de la lista.',
    quantity: 'La cantidad debe ser un número entero entre 1 y 1000.',
    reason: 'Escriba un motivo de 3 a 500 caracteres.',
    sku: 'Ese SKU no existe en la tienda de demostración.',
    locations: 'Se pueden asignar bodegas a 100 ubicaciones como máximo.',
    'locations[].locationId': 'Falta el id de una ubicación: vuelva a ver las ubicaciones.',
    'locations[].warehouseIds': 'Cada ubicación suma de 1 a 20 bodegas distintas.',
    'locations[].pushWarehouseId': 'Elija en «Registrar ventas en» una de las bodegas marcadas de esa ubicación.',
  };

  async function errorText(res) {
    const body = await json(res);
    if (body && body.error === 'invalid_field') {
      // "locations[2].warehouseIds" reads as the rule for every entry of the list.
      const field = String(body.message || '').split(':')[0].replace(/\[\d+\]/g, '[]');
      if (FIELD_TEXT[field]) return FIELD_TEXT[field];
    }
    if (body && ERROR_TEXT[body.error]) return ERROR_TEXT[body.error];
    return 'No se pudo completar la operación (HTTP ' + res.status + ')' + (body && body.message
      ? '. Detalle del servicio: ' + body.message : '.');
  }

  // ------------------------------------------------------------------ helpers

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (v === null || v === undefined) return;
      if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.substring(2), v);
      else e.setAttribute(k, v);
    });
    children.flat().forEach((c) => {
      if (c === null || c === undefined) return;
      e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    });
    return e;
  }

  function fmtNumber(n) {
    return n === null || n === undefined ? '—' : Number(n).toLocaleString('es-EC', { maximumFractionDigits: 3 });
  }

  function fmtDate(iso) {
    if (!iso) return 'Nunca';
    return new Date(iso).toLocaleString('es-EC', { dateStyle: 'short', timeStyle: 'medium' });
  }

  function fmtAge(seconds) {
    if (seconds === null || seconds === undefined) return '—';
    if (seconds < 60) return Math.round(seconds) + ' s';
    if (seconds < 3600) return Math.floor(seconds / 60) + ' min ' + Math.round(seconds % 60) + ' s';
    return Math.floor(seconds / 3600) + ' h ' + Math.floor((seconds % 3600) / 60) + ' min';
  }

  function showError(message) {
    const box = $('error');
    box.textContent = message || '';
    box.classList.toggle('hidden', !message);
  }

  // ------------------------------------------------------------------ login

  function showLogin(message) {
    stopPolling();
    $('login').classList.remove('hidden');
    $('login-error').textContent = message || '';
    $('login-error').classList.toggle('hidden', !message);
    $('token').focus();
  }

  $('login-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const token = $('token').value.trim();
    if (!token) return;
    localStorage.setItem(TOKEN_KEY, token);
    $('login').classList.add('hidden');
    $('token').value = '';
    start();
  });

  $('logout').addEventListener('click', () => {
    localStorage.removeItem(TOKEN_KEY);
    showLogin();
  });

  // ------------------------------------------------------------------ stores

  async function loadStores() {
    const res = await api('/api/stores');
    if (!res.ok) throw new Error(await errorText(res));
    const stores = (await res.json()).filter((s) => s.active !== false);
    state.stores = stores;
    const select = $('store');
    select.innerHTML = '';
    stores.forEach((s) => select.appendChild(el('option', { value: s.id }, s.name + ' (#' + s.id + ', ' + s.platform + ')')));
    const fromUrl = new URLSearchParams(location.search).get('storeId');
    const remembered = localStorage.getItem(STORE_KEY);
    const ids = stores.map((s) => String(s.id));
    const wanted = [fromUrl, remembered, state.demo && state.demo.demoStoreId && String(state.demo.demoStoreId)]
      .find((id) => id && ids.includes(id));
    state.storeId = wanted || ids[0] || null;
    if (state.storeId) select.value = state.storeId;
    if (!stores.length) showError('No hay tiendas activas. Conecte una con «Nueva tienda».');
  }

  $('store').addEventListener('change', () => {
    state.storeId = $('store').value;
    state.dismissing = null;
    // A bulk form counted another store's movements: it must not act on this one.
    $('dead-bulk').innerHTML = '';
    localStorage.setItem(STORE_KEY, state.storeId);
    state.page = 0;
    $('pull-result').classList.add('hidden');
    $('links-unlinked').innerHTML = '';
    $('links-status').textContent = '';
    clearLocations();
    refresh(true);
    loadLinks().catch(() => {});
  });

  // ------------------------------------------------------------------ status table

  function statusUrl() {
    const p = new URLSearchParams({ storeId: state.storeId, page: state.page, size: state.size,
      sort: (state.desc ? '-' : '') + state.sort });
    if (state.status) p.set('status', state.status);
    if (state.q) p.set('q', state.q);
    return '/api/sync-status?' + p.toString();
  }

  async function loadStatus(force) {
    if (!state.storeId) return false;
    const url = statusUrl();
    const headers = {};
    if (!force && state.etag && state.etagUrl === url) headers['If-None-Match'] = state.etag;
    const res = await api(url, { headers });
    if (res.status === 304) {
      renderQueueStats();
      return false;
    }
    if (!res.ok) throw new Error(await errorText(res));
    state.data = await res.json();
    state.etag = res.headers.get('ETag');
    state.etagUrl = url;
    render();
    return true;
  }

  function render() {
    const d = state.data;
    if (!d) return;
    renderSummary(d.summary);
    renderQueueStats();
    const body = $('rows');
    body.innerHTML = '';
    if (!d.items.length) {
      body.appendChild(el('tr', {}, el('td', { colspan: 9, class: 'muted' },
        d.summary.skus ? 'Ningún SKU coincide con el filtro.' : 'Esta tienda aún no tiene SKUs sincronizados.')));
    }
    d.items.forEach((r) => {
      body.appendChild(el('tr', { 'data-sku': r.sku },
        el('td', { class: 'sku' }, r.sku),
        el('td', {}, r.name || '—'),
        el('td', { class: 'num store-stock' }, fmtNumber(r.storeStock)),
        el('td', { class: 'num contifico-stock' }, fmtNumber(r.contificoStock)),
        el('td', {}, el('span', { class: 'badge status st-' + r.status }, STATUS_LABEL[r.status] || r.status),
          negativeHint(r), reservedHint(r)),
        el('td', { class: 'updated', title: r.lastUpdatedAt || '' }, fmtDate(r.lastUpdatedAt)),
        el('td', {}, r.trigger ? el('span', { class: 'badge trigger tr-' + r.trigger }, TRIGGER_LABEL[r.trigger] || r.trigger) : '—'),
        el('td', { class: 'num' }, r.pendingMovements || '0'),
        el('td', { class: 'err' }, r.lastError || '')));
    });
    const pages = Math.max(1, Math.ceil(d.total / d.size));
    $('page-info').textContent = 'Página ' + (d.page + 1) + ' de ' + pages + ' · ' + d.total + ' SKU';
    $('prev').disabled = d.page <= 0;
    $('next').disabled = d.page + 1 >= pages;
    document.querySelectorAll('th[data-sort]').forEach((th) => {
      th.classList.toggle('sorted-asc', th.dataset.sort === state.sort && !state.desc);
      th.classList.toggle('sorted-desc', th.dataset.sort === state.sort && state.desc);
    });
    fillDemoSkus();
  }

  // A storefront cannot sell below 0, so Contifico's negative figure is published as 0 and counts as in step: say why
  // the two columns differ.
  function negativeHint(r) {
    if (r.contificoStock === null || r.contificoStock === undefined || Number(r.contificoStock) >= 0) return null;
    return el('div', { class: 'negative-hint',
      title: 'Contifico registra más salidas que existencias. Corrija el stock en Contifico; la tienda seguirá en 0.' },
    'negativo en Contifico: publicado 0');
  }

  // A DEAD movement keeps its units off sale until it is retried or dismissed: say so where the merchant looks.
  function reservedHint(r) {
    if (!r.deadMovements) return null;
    const text = r.deadMovements + ' movimiento(s) sin registrar en Contifico'
      + (r.reservedUnits > 0 ? ': reservadas ' + r.reservedUnits + ' uds.' : '.');
    return el('div', { class: 'reserved-hint',
      title: 'Estas unidades no se ofrecen a la venta hasta reintentar o descartar el movimiento (Cola de movimientos).' },
    text);
  }

  function renderSummary(s) {
    const box = $('summary');
    box.innerHTML = '';
    box.appendChild(el('div', { class: 'chip' + (state.status === '' ? ' active' : ''), 'data-status': '',
      onclick: () => setStatus('') }, 'Todos', el('b', {}, s.skus)));
    Object.keys(STATUS_LABEL).forEach((st) => {
      box.appendChild(el('div', { class: 'chip' + (state.status === st ? ' active' : ''), 'data-status': st,
        onclick: () => setStatus(st) }, el('span', { class: 'badge st-' + st }, STATUS_LABEL[st]),
        el('b', { id: 'count-' + st }, s.counts[st] || 0)));
    });
  }

  function renderQueueStats() {
    const d = state.data;
    if (!d) return;
    const s = d.summary;
    const age = s.oldestPendingAt ? (Date.now() - new Date(s.oldestPendingAt).getTime()) / 1000 : null;
    $('queue-stats').textContent = 'En cola: ' + s.queueDepth + ' · Más antiguo esperando: '
      + (age === null ? '—' : fmtAge(Math.max(0, age))) + ' · Fallidos: ' + s.deadMovements;
  }

  function setStatus(st) {
    state.status = st;
    $('status-filter').value = st;
    state.page = 0;
    refresh(true);
  }

  $('status-filter').addEventListener('change', () => setStatus($('status-filter').value));
  let searchTimer = null;
  $('search').addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      state.q = $('search').value.trim();
      state.page = 0;
      refresh(true);
    }, 300);
  });
  $('size').addEventListener('change', () => {
    state.size = Number($('size').value);
    state.page = 0;
    refresh(true);
  });
  $('prev').addEventListener('click', () => { state.page = Math.max(0, state.page - 1); refresh(true); });
  $('next').addEventListener('click', () => { state.page += 1; refresh(true); });
  document.querySelectorAll('th[data-sort]').forEach((th) => th.addEventListener('click', () => {
    if (state.sort === th.dataset.sort) state.desc = !state.desc;
    else { state.sort = th.dataset.sort; state.desc = false; }
    refresh(true);
  }));

  // ------------------------------------------------------------------ queue panel

  async function loadQueue() {
    if (!state.storeId) return;
    // Dismissed DEAD movements are settled: the list shows only those that still hold units back.
    const [pending, progress, dead] = await Promise.all(['PENDING', 'IN_PROGRESS', 'DEAD&dismissed=false' + deadFilters()]
      .map((st) => api('/api/movements?storeId=' + state.storeId + '&status=' + st + '&size=20')
        .then((r) => (r.ok ? r.json() : { items: [], total: 0 }))));
    const waiting = progress.items.concat(pending.items);
    const pBody = $('queue-pending');
    pBody.innerHTML = '';
    if (!waiting.length) pBody.appendChild(el('tr', {}, el('td', { colspan: 7, class: 'muted' }, 'Nada en cola.')));
    waiting.forEach((m) => pBody.appendChild(el('tr', {},
      el('td', {}, m.id), el('td', {}, m.sku), el('td', {}, KIND_LABEL[m.kind] || m.kind),
      el('td', { class: 'num' }, m.quantity),
      el('td', {}, m.status === 'IN_PROGRESS' ? m.attempts + ' (enviando)' : m.attempts),
      el('td', {}, fmtDate(m.createdAt)), el('td', { class: 'err' }, m.lastError || ''))));
    // Polls would wipe a reason being typed: the list waits until the form is sent or cancelled.
    if (state.dismissing !== null) return;
    state.deadTotal = dead.total || 0;
    const filtered = state.deadSku || state.deadError;
    $('dead-count').textContent = state.deadTotal
      ? state.deadTotal + (filtered ? ' coinciden con el filtro' : ' en total') + (state.deadTotal > dead.items.length
        ? ' (se muestran ' + dead.items.length + ')' : '')
      : '';
    $('dead-retry-all').disabled = !state.deadTotal;
    $('dead-dismiss-all').disabled = !state.deadTotal;
    const dBody = $('queue-dead');
    dBody.innerHTML = '';
    if (!dead.items.length) dBody.appendChild(el('tr', {}, el('td', { colspan: 6, class: 'muted' },
      filtered ? 'Ninguno coincide con el filtro.' : 'Ninguno.')));
    dead.items.forEach((m) => {
      const row = el('tr', { 'data-movement-id': m.id },
        el('td', {}, m.id), el('td', {}, m.sku), el('td', {}, KIND_LABEL[m.kind] || m.kind),
        el('td', { class: 'num' }, m.quantity), el('td', { class: 'err' }, m.lastError || ''),
        el('td', { class: 'row-actions write' },
          el('button', { type: 'button', class: 'retry', onclick: () => retry(m.id) }, 'Reintentar'),
          el('button', { type: 'button', class: 'dismiss', onclick: () => openDismiss(row, m) }, 'Descartar')));
      dBody.appendChild(row);
    });
  }

  async function retry(id) {
    const res = await api('/api/movements/' + id + '/retry', { method: 'POST' });
    state.dismissing = null;
    $('action-status').textContent = res.ok ? 'Movimiento ' + id + ' vuelve a la cola.' : await errorText(res);
    refresh(true);
  }

  // Bulk actions act on exactly the filtered list the merchant sees: the count shown goes with the request, and the
  // service changes nothing (selection_changed) if more or fewer movements match by then.
  function deadFilters() {
    return (state.deadSku ? '&sku=' + encodeURIComponent(state.deadSku) : '')
      + (state.deadError ? '&error=' + encodeURIComponent(state.deadError) : '');
  }

  let deadFilterTimer = null;
  ['dead-sku', 'dead-error'].forEach((id) => $(id).addEventListener('input', () => {
    // An open bulk form counted the old selection: close it rather than act on a list nobody has seen.
    if (state.dismissing === 'bulk') {
      state.dismissing = null;
      $('dead-bulk').innerHTML = '';
    }
    clearTimeout(deadFilterTimer);
    deadFilterTimer = setTimeout(() => {
      state.deadSku = $('dead-sku').value.trim();
      state.deadError = $('dead-error').value.trim();
      loadQueue();
    }, 300);
  }));

  function bulkDescription(n) {
    return n + ' movimiento(s) fallido(s)' + (state.deadSku ? ' del SKU ' + state.deadSku : '')
      + (state.deadError ? ' con «' + state.deadError + '» en el error' : '');
  }

  function openBulk(kind) {
    if (state.dismissing !== null || !state.deadTotal) return;
    state.dismissing = 'bulk';
    // What the merchant sees now is what is sent: the store and filters are fixed when the form opens.
    const expected = state.deadTotal;
    const target = '?storeId=' + state.storeId + deadFilters();
    const box = $('dead-bulk');
    const message = el('span', { class: 'bulk-error error hidden', role: 'alert' });
    const close = () => {
      state.dismissing = null;
      box.innerHTML = '';
    };
    const reason = kind === 'dismiss' ? el('input', { type: 'text', id: 'bulk-reason', minlength: 3, maxlength: 500,
      required: 'required', placeholder: 'Motivo del descarte (se registrará en cada uno)', 'aria-label': 'Motivo del descarte' }) : null;
    const form = el('form', { class: 'dismiss-form', id: 'bulk-form' },
      el('p', { class: 'muted' }, kind === 'dismiss'
        ? 'Descartar ' + bulkDescription(expected) + ': no se registrarán en Contifico y sus unidades dejarán de estar reservadas.'
        : 'Reintentar ' + bulkDescription(expected) + ': vuelven a la cola con sus intentos desde cero.'),
      reason,
      el('button', { type: 'submit', id: 'bulk-confirm', class: kind === 'dismiss' ? 'danger' : '' },
        kind === 'dismiss' ? 'Confirmar descarte de ' + expected : 'Confirmar reintento de ' + expected),
      el('button', { type: 'button', onclick: close }, 'Cancelar'),
      message);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const body = { expected };
      if (reason) {
        const text = reason.value.trim();
        if (text.length < 3) {
          message.textContent = 'Escriba un motivo de al menos 3 caracteres.';
          message.classList.remove('hidden');
          return;
        }
        body.reason = text;
      }
      const res = await api('/api/movements/' + kind + target, { method: 'POST', body });
      if (res.status === 409) {
        // The list moved on: show the new one; the merchant looks again before acting.
        close();
        $('action-status').textContent = await errorText(res);
        loadQueue();
        return;
      }
      if (!res.ok) {
        message.textContent = await errorText(res);
        message.classList.remove('hidden');
        return;
      }
      const done = await res.json();
      close();
      $('action-status').textContent = kind === 'dismiss'
        ? done.changed + ' movimiento(s) descartado(s): sus unidades ya no quedan reservadas.'
        : done.changed + ' movimiento(s) vuelven a la cola.';
      refresh(true);
    });
    box.innerHTML = '';
    box.appendChild(form);
    (reason || $('bulk-confirm')).focus();
  }

  $('dead-retry-all').addEventListener('click', () => openBulk('retry'));
  $('dead-dismiss-all').addEventListener('click', () => openBulk('dismiss'));

  function openDismiss(row, m) {
    if (state.dismissing !== null) return;
    state.dismissing = m.id;
    const reason = el('input', { type: 'text', class: 'dismiss-reason', minlength: 3, maxlength: 500, required: 'required',
      placeholder: 'Motivo del descarte (se registrará)', 'aria-label': 'Motivo del descarte' });
    const message = el('span', { class: 'dismiss-error error hidden', role: 'alert' });
    const close = () => {
      state.dismissing = null;
      formRow.remove();
    };
    const form = el('form', { class: 'dismiss-form' },
      el('p', { class: 'muted' }, 'Descartar el movimiento ' + m.id + ' (' + (KIND_LABEL[m.kind] || m.kind) + ' de '
        + m.quantity + ' × ' + m.sku + '): no se registrará en Contifico y sus unidades dejarán de estar reservadas.'),
      reason,
      el('button', { type: 'submit', class: 'danger' }, 'Confirmar descarte'),
      el('button', { type: 'button', onclick: close }, 'Cancelar'),
      message);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const text = reason.value.trim();
      if (text.length < 3) {
        message.textContent = 'Escriba un motivo de al menos 3 caracteres.';
        message.classList.remove('hidden');
        return;
      }
      const res = await api('/api/movements/' + m.id + '/dismiss', { method: 'POST', body: { reason: text } });
      if (!res.ok) {
        message.textContent = await errorText(res);
        message.classList.remove('hidden');
        return;
      }
      close();
      $('action-status').textContent = 'Movimiento ' + m.id + ' descartado: sus unidades ya no quedan reservadas.';
      refresh(true);
    });
    const formRow = el('tr', { class: 'dismiss-row' }, el('td', { colspan: 6 }, form));
    row.after(formRow);
    reason.focus();
  }

  // ------------------------------------------------------------------ pulls

  const RUN_POLL_MS = 1000;
  const RUN_STATUS_TITLE = {
    DONE: 'Resultado de la sincronización', BLOCKED: 'Sincronización detenida: no se escribió nada',
    FAILED: 'La sincronización falló', CANCELLED: 'Sincronización cancelada',
    INTERRUPTED: 'Sincronización interrumpida: el servicio se detuvo mientras corría',
  };

  // A pull runs in the background: the server answers 202 with the run, and the page follows it until it ends.
  async function pull(dryRun, force) {
    if (!state.storeId || state.busy) return;
    state.busy = true;
    $('sync-now').disabled = true;
    $('dry-run').disabled = true;
    $('action-status').textContent = dryRun ? 'Calculando vista previa…' : 'Sincronizando…';
    const box = $('pull-result');
    try {
      const body = { dryRun };
      if (force) body.force = true;
      const res = await api('/api/stores/' + state.storeId + '/pull', { method: 'POST', body });
      box.innerHTML = '';
      box.classList.remove('hidden');
      if (res.status === 409 && (await res.clone().json().catch(() => ({}))).error === 'pull_in_progress') {
        // Someone (the schedule, another user) is already pulling this store: follow that run instead.
        const runs = await api('/api/stores/' + state.storeId + '/pulls?limit=1');
        const list = runs.ok ? await runs.json() : [];
        if (list.length && list[0].status === 'RUNNING') {
          box.appendChild(el('p', { class: 'muted' }, 'Ya había una sincronización en curso; se muestra su avance.'));
          await follow(box, list[0]);
        } else {
          box.appendChild(el('p', {}, 'Ya hay una sincronización en curso para esta tienda; espere a que termine.'));
        }
      } else if (!res.ok) {
        box.appendChild(el('p', { class: 'error' }, await errorText(res)));
      } else {
        await follow(box, await res.json());
      }
    } catch (e) {
      if (!(e instanceof Unauthorized)) box.textContent = 'Error: ' + e.message;
    } finally {
      state.busy = false;
      $('sync-now').disabled = false;
      $('dry-run').disabled = false;
      $('action-status').textContent = '';
      refresh(true);
    }
  }

  async function follow(box, run) {
    const progress = el('progress', { id: 'pull-progress', max: 1, value: 0 });
    const label = el('span', { class: 'muted' }, 'Preparando…');
    const cancel = el('button', { type: 'button', id: 'pull-cancel' }, 'Cancelar');
    cancel.addEventListener('click', async () => {
      cancel.disabled = true;
      const res = await api('/api/pull-runs/' + run.id + '/cancel', { method: 'POST' });
      if (!res.ok && res.status !== 409) label.textContent = await errorText(res);
    });
    const live = el('div', { class: 'pull-live' },
      el('h2', {}, run.dryRun ? 'Vista previa en curso' : 'Sincronización en curso'), progress, label, cancel);
    box.appendChild(live);
    while (run.status === 'RUNNING') {
      if (run.total) {
        progress.max = run.total;
        progress.value = run.processed;
        label.textContent = run.processed + ' de ' + run.total + ' productos leídos · ' + run.updated
          + (run.dryRun ? ' cambiarían' : ' actualizados') + (run.failed ? ' · ' + run.failed + ' con error' : '');
      }
      await new Promise((resolve) => setTimeout(resolve, RUN_POLL_MS));
      const res = await api('/api/pull-runs/' + run.id);
      if (!res.ok) throw new Error(await errorText(res));
      run = await res.json();
    }
    live.remove();
    renderPullSummary(box, run);
  }

  function renderPullSummary(box, s) {
    const dryRun = s.dryRun;
    box.appendChild(el('h2', { 'data-run-status': s.status },
      dryRun && s.status === 'DONE' ? 'Vista previa (no se cambió nada)' : RUN_STATUS_TITLE[s.status] || s.status));
    if (s.status === 'BLOCKED') {
      box.appendChild(el('p', { class: 'warning' }, (s.zeroing || []).length + ' de ' + s.total
        + ' productos pasarían de tener stock a 0. Eso suele indicar una bodega equivocada o una respuesta errónea de'
        + ' Contifico, no ventas reales, así que no se cambió nada en la tienda. Revise la bodega configurada y el'
        + ' stock en Contifico; si las cifras son correctas, sincronice de todos modos.'));
      box.appendChild(el('p', { class: 'muted small' }, 'Productos afectados: ' + (s.zeroing || []).join(', ')));
      const forceBtn = el('button', { type: 'button', class: 'danger', id: 'pull-force' }, 'Sincronizar de todos modos');
      forceBtn.addEventListener('click', () => pull(false, true));
      box.appendChild(forceBtn);
    } else if (s.status === 'FAILED') {
      box.appendChild(el('p', { class: 'error' }, 'No se pudo sincronizar. Detalle: ' + (s.reason || '—')));
    } else if (dryRun && s.reason) {
      box.appendChild(el('p', { class: 'warning' }, 'Atención: una sincronización real se detendría, porque '
        + (s.zeroing || []).length + ' productos pasarían de tener stock a 0.'));
    }
    const grid = el('div', { class: 'result-grid' });
    [['Procesados', s.processed + (s.total ? ' de ' + s.total : '')], [dryRun ? 'Cambiarían' : 'Actualizados', s.updated],
      ['Sin cambios', s.unchanged], ['Omitidos', s.skipped], ['Fallidos', s.failed],
      ['Duración', s.durationMs === undefined || s.durationMs === null ? '—' : s.durationMs + ' ms']]
      .forEach(([k, v]) => grid.appendChild(el('div', {}, k, el('b', {}, v === undefined ? '—' : v))));
    box.appendChild(grid);
    const changes = s.changes || [];
    if (changes.length) {
      box.appendChild(el('table', { class: 'small' },
        el('thead', {}, el('tr', {}, el('th', {}, 'SKU'), el('th', { class: 'num' }, 'Stock Tienda'),
          el('th', { class: 'num' }, 'Pasaría a'), el('th', { class: 'num' }, 'Stock Contifico'))),
        el('tbody', {}, changes.map((r) => el('tr', {}, el('td', {}, r.sku),
          el('td', { class: 'num' }, fmtNumber(r.storeStockBefore)), el('td', { class: 'num' }, fmtNumber(r.storeStockAfter)),
          el('td', { class: 'num' }, fmtNumber(r.contificoStock)))))));
    }
    const errors = s.errors || [];
    if (errors.length) {
      box.appendChild(el('h3', {}, 'Errores'));
      box.appendChild(el('ul', {}, errors.map((e) => el('li', {}, e.sku + ': ' + e.error))));
    }
  }

  $('sync-now').addEventListener('click', () => pull(false));
  $('dry-run').addEventListener('click', () => pull(true));

  // ------------------------------------------------------------------ who is calling

  // A store token sees one store and no demo; a read-only one gets no buttons that would change anything.
  async function loadMe() {
    const res = await api('/api/me');
    if (!res.ok) throw new Error(await errorText(res));
    const me = await res.json();
    document.body.classList.toggle('read-only', me.access !== 'read-write');
    state.canCreateStores = me.scope === 'admin' && me.access === 'read-write';
    $('who').textContent = (me.scope === 'admin' ? 'Administrador' : 'Tienda #' + me.storeId)
      + (me.access === 'read-write' ? '' : ' · solo lectura');
    $('who').title = me.tokenId ? 'Token «' + me.name + '»' + (me.expiresAt ? ', vence ' + fmtDate(me.expiresAt) : '') : 'Token de arranque';
  }

  // ------------------------------------------------------------------ demo

  async function loadDemo() {
    try {
      const res = await api('/api/demo');
      state.demo = res.ok ? await res.json() : null;
    } catch (e) {
      if (e instanceof Unauthorized) throw e;
      state.demo = null;
    }
    $('demo').classList.toggle('hidden', !state.demo);
  }

  function fillDemoSkus() {
    if (!state.demo || !state.data) return;
    const select = $('demo-sku');
    const current = select.value;
    const skus = [...new Set(state.data.items.map((r) => r.sku).concat(state.demo.skus || []))];
    if (select.options.length === skus.length && [...select.options].every((o, i) => o.value === skus[i])) return;
    select.innerHTML = '';
    skus.forEach((s) => select.appendChild(el('option', { value: s }, s)));
    if (skus.includes(current)) select.value = current;
  }

  $('demo-reset').addEventListener('click', async () => {
    $('demo-result').textContent = 'Reiniciando los simuladores y sincronizando…';
    const res = await api('/api/demo/reset', { method: 'POST' });
    $('demo-result').textContent = res.ok ? 'Demo reiniciada: la tabla muestra las cifras iniciales.' : await errorText(res);
    refresh(true);
  });

  $('demo-sale').addEventListener('click', async () => {
    const sku = $('demo-sku').value;
    const quantity = Number($('demo-qty').value) || 1;
    $('demo-result').textContent = 'Enviando venta firmada…';
    const res = await api('/api/demo/sale', { method: 'POST',
      body: { storeId: Number(state.storeId), sku, quantity } });
    if (!res.ok) {
      $('demo-result').textContent = await errorText(res);
      return;
    }
    const body = await json(res);
    const w = body.webhookResponse || {};
    $('demo-result').textContent = 'Venta de ' + quantity + ' × ' + sku + ' enviada: webhook ' + body.webhookStatus
      + (w.movementsCreated !== undefined ? ', ' + w.movementsCreated + ' movimiento(s) en cola' : '') + '.';
    refresh(true);
  });

  // ------------------------------------------------------------------ onboarding wizard

  // One store, step by step: each step calls the API a user could call by hand and says in Spanish what to fix.
  const WZ_STEPS = ['store', 'check', 'contifico', 'webhooks', 'catalog', 'preview'];
  const wz = { storeId: null, store: null, step: 'store' };

  function wzShow(step) {
    wz.step = step;
    const at = WZ_STEPS.indexOf(step);
    document.querySelectorAll('#wizard-steps li').forEach((li, i) => {
      li.classList.toggle('current', i === at);
      li.classList.toggle('done', i < at);
    });
    document.querySelectorAll('#wizard .wz-step').forEach((e) => e.classList.toggle('hidden', e.dataset.step !== step));
    document.querySelectorAll('#wizard .wz-error').forEach((e) => e.classList.add('hidden'));
  }

  function wzError(step, text) {
    const box = document.querySelector('#wizard .wz-step[data-step="' + step + '"] .wz-error');
    box.textContent = text;
    box.classList.toggle('hidden', !text);
  }

  function wzPlatform() {
    const woo = $('wz-platform').value === 'woocommerce';
    document.querySelectorAll('#wizard .wz-shopify').forEach((e) => e.classList.toggle('hidden', woo));
    document.querySelectorAll('#wizard .wz-woo').forEach((e) => e.classList.toggle('hidden', !woo));
  }

  $('wz-platform').addEventListener('change', wzPlatform);

  $('new-store').addEventListener('click', () => {
    wz.storeId = null;
    wz.store = null;
    ['wz-store', 'wz-contifico'].forEach((id) => $(id).reset());
    $('wz-platform').disabled = false;
    $('wz-store-save').textContent = 'Guardar tienda';
    $('wz-warehouse').innerHTML = '<option value="">Primero busque las bodegas</option>';
    $('wz-warehouse').disabled = true;
    $('wz-connect').disabled = true;
    $('wz-check-result').textContent = '';
    $('wz-check-next').disabled = true;
    $('wz-catalog-result').innerHTML = '';
    $('wz-catalog-next').disabled = true;
    wzPlatform();
    wzShow('store');
    $('wizard').classList.remove('hidden');
    $('wz-name').focus();
  });

  $('wz-close').addEventListener('click', async () => {
    $('wizard').classList.add('hidden');
    if (wz.storeId) await wzOpenStore();
  });

  async function wzOpenStore() {
    localStorage.setItem(STORE_KEY, String(wz.storeId));
    await loadStores();
    state.storeId = String(wz.storeId);
    $('store').value = state.storeId;
    state.page = 0;
    await refresh(true);
    loadLinks().catch(() => {});
  }

  // Step 1: create the store, or (back from a failed check) correct it. Only fields typed in are sent.
  $('wz-store').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const woo = $('wz-platform').value === 'woocommerce';
    const fields = ['name', 'webhookSecret'].concat(woo ? ['siteUrl', 'consumerKey', 'consumerSecret']
      : ['shopDomain', 'accessToken', 'locationId', 'apiBaseUrl']);
    const body = wz.storeId ? {} : { platform: woo ? 'woocommerce' : 'shopify' };
    fields.forEach((f) => {
      const v = $('wz-' + f).value.trim();
      if (v) body[f] = v;
    });
    const res = await api(wz.storeId ? '/api/stores/' + wz.storeId : '/api/stores',
      { method: wz.storeId ? 'PATCH' : 'POST', body });
    if (!res.ok) {
      wzError('store', await errorText(res));
      return;
    }
    wz.store = await res.json();
    wz.storeId = wz.store.id;
    $('wz-platform').disabled = true;
    $('wz-store-save').textContent = 'Guardar cambios';
    $('wz-check-result').textContent = 'Tienda #' + wz.storeId + ' guardada. Pruebe la conexión.';
    $('wz-check-next').disabled = true;
    wzShow('check');
  });

  // Step 2: one read of the storefront's catalogue with the saved credentials.
  $('wz-check').addEventListener('click', async () => {
    $('wz-check-result').textContent = 'Probando…';
    const res = await api('/api/stores/' + wz.storeId + '/storefront/check', { method: 'POST' });
    if (!res.ok) {
      $('wz-check-result').textContent = '';
      wzError('check', await errorText(res));
      return;
    }
    const r = await res.json();
    wzError('check', '');
    $('wz-check-result').textContent = 'Conexión correcta: se leyeron ' + r.itemsRead + ' producto(s)'
      + (r.sampleSkus.length ? ' (' + r.sampleSkus.filter((x) => x).join(', ') + ')' : '') + '.';
    $('wz-check-next').disabled = false;
  });
  $('wz-back-store').addEventListener('click', () => wzShow('store'));
  $('wz-check-next').addEventListener('click', () => { wzShow('contifico'); $('wz-apiKey').focus(); });

  // Step 3: the key lists its warehouses; the merchant picks one; connecting checks both again on the server.
  function contificoKey() {
    const body = { apiKey: $('wz-apiKey').value.trim() };
    const url = $('wz-baseUrl').value.trim();
    if (url) body.baseUrl = url;
    return body;
  }

  $('wz-warehouses').addEventListener('click', async () => {
    if (!$('wz-apiKey').value.trim()) {
      wzError('contifico', 'Escriba la clave de API de Contifico.');
      return;
    }
    const res = await api('/api/stores/' + wz.storeId + '/contifico/warehouses', { method: 'POST', body: contificoKey() });
    if (!res.ok) {
      wzError('contifico', await errorText(res));
      return;
    }
    const list = await res.json();
    wzError('contifico', list.length ? '' : 'Esa cuenta de Contifico no tiene bodegas.');
    const select = $('wz-warehouse');
    select.innerHTML = '';
    list.forEach((w) => select.appendChild(el('option', { value: w.id }, w.name + (w.code ? ' (' + w.code + ')' : ''))));
    select.disabled = !list.length;
    $('wz-connect').disabled = !list.length;
  });

  $('wz-contifico').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = Object.assign({ provider: 'contifico', warehouseId: $('wz-warehouse').value }, contificoKey());
    const res = await api('/api/stores/' + wz.storeId + '/integrations', { method: 'POST', body });
    if (!res.ok) {
      wzError('contifico', await errorText(res));
      return;
    }
    const info = $('wz-webhook-info');
    info.innerHTML = '';
    const url = location.origin + wz.store.webhookPath;
    if (wz.store.platform === 'shopify') {
      info.appendChild(el('li', {}, 'En Shopify, suscriba los temas ', el('code', {}, 'orders/create'), ', ',
        el('code', {}, 'refunds/create'), ' y ', el('code', {}, 'orders/cancelled'), ' (formato JSON) a ', el('code', {}, url), '.'));
      info.appendChild(el('li', {}, 'Se firman con la clave de la app: la misma que escribió como secreto de webhooks.'));
    } else {
      info.appendChild(el('li', {}, 'En WooCommerce → Ajustes → Avanzado → Webhooks, cree «Pedido creado» y «Pedido actualizado» con la URL ',
        el('code', {}, url), ' y, como secreto, el secreto de webhooks que escribió.'));
    }
    wzShow('webhooks');
    wzWebhooks('GET');
  });

  const HOOK_STATE = { REGISTERED: 'Registrado', INACTIVE: 'Pausado por la tienda', MISSING: 'Falta' };

  // The webhooks as the shop holds them: ours, missing, paused, and others' addresses for the same topic.
  async function wzWebhooks(method) {
    const res = await api('/api/stores/' + wz.storeId + '/webhooks', { method });
    const list = $('wz-webhook-status');
    if (!res.ok) {
      const body = await res.clone().json().catch(() => ({}));
      wzError('webhooks', await errorText(res));
      if (body.error === 'public_url_not_configured') $('wz-webhook-manual').open = true;
      return;
    }
    const st = await res.json();
    wzError('webhooks', '');
    list.innerHTML = '';
    st.topics.forEach((t) => list.appendChild(el('li', { 'data-topic': t.topic, class: 'hook-' + t.state },
      el('code', {}, t.topic), ': ', HOOK_STATE[t.state] || t.state,
      t.elsewhere.length ? ' · también envía a ' + t.elsewhere.join(', ') : '')));
    if (st.address) list.appendChild(el('li', { class: 'muted' }, 'Dirección: ', el('code', {}, st.address)));
    $('wz-register-webhooks').textContent = st.topics.every((t) => t.state === 'REGISTERED') ? 'Registrar de nuevo' : 'Registrar webhooks';
  }

  $('wz-register-webhooks').addEventListener('click', () => wzWebhooks('POST'));
  $('wz-webhooks-next').addEventListener('click', () => wzShow('catalog'));

  // Step 5: the catalogue import links SKUs and lists what has no partner on the other side.
  $('wz-import').addEventListener('click', async () => {
    $('wz-catalog-result').textContent = 'Importando…';
    const res = await api('/api/stores/' + wz.storeId + '/catalog/import', { method: 'POST' });
    if (!res.ok) {
      $('wz-catalog-result').textContent = '';
      wzError('catalog', await errorText(res));
      return;
    }
    const r = await res.json();
    const box = $('wz-catalog-result');
    box.innerHTML = '';
    box.appendChild(el('p', { id: 'wz-catalog-summary' }, r.mapped + ' SKU enlazados de ' + r.storefrontSkus
      + ' en la tienda (' + r.contificoProducts + ' productos en Contifico).'));
    const list = (title, items) => {
      if (!items || !items.length) return;
      box.appendChild(el('p', { class: 'warning' }, title + ': ' + items.slice(0, 10).map((u) => u.sku || u).join(', ')
        + (items.length > 10 ? ' y ' + (items.length - 10) + ' más' : '') + '.'));
    };
    list('Solo en la tienda (no se sincronizarán hasta que exista el mismo código en Contifico, o los enlace a mano en «Productos sin enlazar»)', r.storefrontOnly);
    list('Códigos repetidos en Contifico (no se adivina cuál usar: enlace a mano)', (r.duplicateContificoCodes || []).map((d) => d.codigo));
    list('Solo en Contifico', r.contificoOnly);
    list('SKU repetidos en la tienda (no se adivina cuál usar)', r.duplicateStorefrontSkus);
    wzError('catalog', '');
    $('wz-catalog-next').disabled = false;
  });
  $('wz-catalog-next').addEventListener('click', () => wzShow('preview'));

  // Step 6: the panel of the new store, with the preview of the first pull; the real one is the panel's own button.
  $('wz-preview').addEventListener('click', async () => {
    $('wizard').classList.add('hidden');
    await wzOpenStore();
    pull(true);
  });

  // ------------------------------------------------------------------ SKU links (issue 14 C)

  const skuPath = (sku) => '/api/stores/' + state.storeId + '/sku-links/' + encodeURIComponent(sku);

  // The store's links and not-synced marks, each with "Desenlazar".
  async function loadLinks() {
    const body = $('links-linked');
    if (!state.storeId) return;
    const res = await api('/api/stores/' + state.storeId + '/sku-links');
    if (!res.ok) { $('links-status').textContent = await errorText(res); return; }
    const links = await res.json();
    body.innerHTML = '';
    if (!links.length) body.appendChild(el('tr', {}, el('td', { colspan: 3, class: 'muted' }, 'Ninguno.')));
    links.forEach((l) => body.appendChild(el('tr', { 'data-sku': l.sku },
      el('td', {}, el('code', {}, l.sku)),
      el('td', {}, l.notSynced ? 'No sincronizar' : (l.contificoCode + ' · ' + (l.contificoName || ''))
        + (l.stale ? ' (de otra empresa de Contifico: confirme el enlace)' : '')),
      el('td', { class: 'write' }, el('button', { type: 'button', class: 'link-unlink', onclick: () => unlink(l.sku) },
        'Desenlazar')))));
  }

  async function unlink(sku) {
    const res = await api(skuPath(sku), { method: 'DELETE' });
    $('links-status').textContent = res.ok ? 'Se desenlazó ' + sku + ': se vuelve a buscar por código.' : await errorText(res);
    await loadLinks();
  }

  async function putLink(sku, body, done) {
    const res = await api(skuPath(sku), { method: 'PUT', body });
    if (!res.ok) { $('links-status').textContent = await errorText(res); return; }
    $('links-status').textContent = done;
    const row = document.querySelector('#links-unlinked tr[data-sku="' + CSS.escape(sku) + '"]');
    if (row) row.remove();
    await loadLinks();
  }

  // One unlinked storefront SKU: a search over Contifico's products, "Enlazar" the chosen one, or "No sincronizar".
  function unlinkedRow(u) {
    const q = el('input', { type: 'search', maxlength: 200, placeholder: 'Código o nombre en Contifico',
      'aria-label': 'Buscar producto de Contifico para ' + u.sku, class: 'link-q' });
    const pick = el('select', { class: 'link-pick', 'aria-label': 'Producto de Contifico para ' + u.sku });
    const linkBtn = el('button', { type: 'button', class: 'link-save', disabled: 'disabled' }, 'Enlazar');
    const search = async () => {
      pick.innerHTML = '';
      linkBtn.disabled = true;
      const res = await api('/api/stores/' + state.storeId + '/catalog/contifico?q=' + encodeURIComponent(q.value.trim()));
      if (!res.ok) { $('links-status').textContent = await errorText(res); return; }
      const r = await res.json();
      r.items.filter((p) => !p.linkedSku).forEach((p) => pick.appendChild(
        el('option', { value: p.id }, p.codigo + ' · ' + p.nombre)));
      if (!pick.options.length) pick.appendChild(el('option', { value: '' }, 'Sin resultados'));
      linkBtn.disabled = !pick.value;
      $('links-status').textContent = r.partial ? 'Se muestran los primeros resultados: afine la búsqueda.' : '';
    };
    q.addEventListener('keydown', (e) => { if (e.key === 'Enter') search(); });
    linkBtn.addEventListener('click', () => putLink(u.sku, { contificoProductId: pick.value },
      'Se enlazó ' + u.sku + ' con ' + pick.options[pick.selectedIndex].text + '.'));
    return el('tr', { 'data-sku': u.sku },
      el('td', {}, el('code', {}, u.sku)),
      el('td', {}, u.name || ''),
      el('td', {}, q, ' ', el('button', { type: 'button', class: 'link-search', onclick: search }, 'Buscar'), ' ', pick),
      el('td', { class: 'write' }, linkBtn, ' ',
        el('button', { type: 'button', class: 'link-not-synced',
          onclick: () => putLink(u.sku, { notSynced: true }, u.sku + ' no se sincronizará.') }, 'No sincronizar')));
  }

  // The catalogue import lists what has no partner: storefront SKUs without a product of the same code.
  $('links-load').addEventListener('click', async () => {
    if (!state.storeId) return;
    $('links-status').textContent = 'Revisando catálogo…';
    const res = await api('/api/stores/' + state.storeId + '/catalog/import', { method: 'POST' });
    if (!res.ok) { $('links-status').textContent = await errorText(res); return; }
    const r = await res.json();
    const body = $('links-unlinked');
    body.innerHTML = '';
    r.storefrontOnly.forEach((u) => body.appendChild(unlinkedRow(u)));
    if (!r.storefrontOnly.length) body.appendChild(el('tr', {}, el('td', { colspan: 4, class: 'muted' }, 'Todos enlazados.')));
    const dups = (r.duplicateContificoCodes || []).map((d) => d.codigo);
    $('links-status').textContent = r.storefrontOnly.length + ' sin enlazar'
      + (dups.length ? ' · códigos repetidos en Contifico: ' + dups.join(', ') : '') + '.';
    await loadLinks();
  });

  // ------------------------------------------------------------------ location map (issue 14 D)

  const locationsPath = () => '/api/stores/' + state.storeId + '/locations';
  const warehouseLabel = (w) => w.name + (w.code ? ' (' + w.code + ')' : '');

  // Whether the rows on screen can be saved: the warehouses are known (Contifico connected) and every location summing
  // several warehouses has its sales warehouse chosen (the API requires it; never guessed for the merchant).
  let locationsSavable = false;

  function clearLocations() {
    $('locations-rows').innerHTML = '';
    $('locations-status').textContent = '';
    locationsSavable = false;
    $('locations-save').disabled = true;
  }

  const pushPending = () => Array.from(document.querySelectorAll('#locations-rows tr[data-location]'))
    .some((tr) => tr.querySelectorAll('.loc-wh:checked').length > 1 && !tr.querySelector('.loc-push').value);

  function refreshLocationsSave() {
    $('locations-save').disabled = !locationsSavable || pushPending();
  }

  // The storefront's locations, each with the Contifico warehouses it sums (ticked from the saved map) and the one its
  // sales are booked in. Three reads: the map (ours), the storefront's active locations, the integration's warehouses.
  async function loadLocations() {
    const storeId = state.storeId;
    if (!storeId) return;
    clearLocations();
    $('locations-status').textContent = 'Leyendo ubicaciones y bodegas…';
    const answers = await Promise.all([api(locationsPath()), api(locationsPath() + '/storefront'),
      api('/api/stores/' + storeId + '/contifico/warehouses')]);
    if (storeId !== state.storeId) return; // another store was chosen meanwhile
    // Without Contifico there are no warehouses to tick, but the storefront's locations are still worth showing.
    const noIntegration = !answers[2].ok && ((await json(answers[2].clone())) || {}).error === 'no_integration';
    for (const res of noIntegration ? answers.slice(0, 2) : answers) {
      if (!res.ok) { $('locations-status').textContent = await errorText(res); return; }
    }
    const [map, listed] = await Promise.all([answers[0].json(), answers[1].json()]);
    const warehouses = noIntegration ? [] : await answers[2].json();
    const store = (state.stores || []).find((s) => String(s.id) === String(storeId)) || {};
    const own = store.platform === 'woocommerce' ? 'default'
      : String(store.locationId || '').replace('gid://shopify/Location/', '').trim();
    const rows = listed.map((l) => ({ id: l.id, name: l.name, active: true }));
    // A mapped location the storefront no longer lists, or a warehouse Contifico no longer lists, stays visible (and
    // ticked): dropping it silently would change the map on the next save without the merchant knowing.
    map.filter((m) => !rows.some((r) => r.id === m.locationId))
      .forEach((m) => rows.push({ id: m.locationId, name: m.name, active: false }));
    const known = warehouses.slice();
    map.forEach((m) => m.warehouseIds.filter((w) => !known.some((k) => k.id === w))
      .forEach((w) => known.push({ id: w, name: w, code: null, missing: true })));
    const body = $('locations-rows');
    rows.forEach((r) => body.appendChild(locationRow(r, map.find((m) => m.locationId === r.id), known, r.id === own)));
    if (!rows.length) body.appendChild(el('tr', {}, el('td', { colspan: 3, class: 'muted' }, 'La tienda no tiene ubicaciones activas.')));
    locationsSavable = rows.length > 0 && known.length > 0 && !noIntegration;
    refreshLocationsSave();
    $('locations-status').textContent = noIntegration
      ? 'Estas son las ubicaciones de la tienda. Para asignarles bodegas, conecte primero Contifico (integración de la tienda).'
      : map.length
        ? map.length + ' ubicación(es) con bodegas asignadas.'
        : 'Sin bodegas asignadas: la ubicación principal usa la bodega de la integración.';
  }

  function locationRow(loc, mapped, warehouses, own) {
    const readOnly = document.body.classList.contains('read-only');
    const chosen = new Set(mapped ? mapped.warehouseIds : []);
    const push = el('select', { class: 'loc-push', 'aria-label': 'Bodega donde se registran las ventas de ' + (loc.name || loc.id) });
    // With several warehouses ticked the merchant names the sales warehouse: the saved one, or one picked here; a
    // warehouse that was only implied (the single one ticked) is not carried over as if it had been chosen.
    let chosenPush = mapped && mapped.warehouseIds.length > 1 ? mapped.pushWarehouseId : null;
    push.addEventListener('change', () => {
      chosenPush = push.value || null;
      push.classList.toggle('loc-push-missing', !push.value);
      refreshLocationsSave();
    });
    const fillPush = () => {
      push.innerHTML = '';
      const ticked = warehouses.filter((w) => chosen.has(w.id));
      if (!ticked.length) push.appendChild(el('option', { value: '' }, own ? 'Bodega de la integración' : '—'));
      if (ticked.length > 1) push.appendChild(el('option', { value: '' }, 'Elija la bodega de ventas…'));
      ticked.forEach((w) => push.appendChild(el('option', { value: w.id }, warehouseLabel(w))));
      if (ticked.length === 1) push.value = ticked[0].id;
      else push.value = ticked.some((w) => w.id === chosenPush) ? chosenPush : '';
      push.disabled = readOnly || ticked.length < 2;
      push.classList.toggle('loc-push-missing', ticked.length > 1 && !push.value);
      refreshLocationsSave();
    };
    const boxes = el('div', { class: 'loc-warehouses' });
    warehouses.forEach((w) => {
      const box = el('input', { type: 'checkbox', value: w.id, class: 'loc-wh',
        'aria-label': warehouseLabel(w) + ' en ' + (loc.name || loc.id) });
      box.checked = chosen.has(w.id);
      box.disabled = readOnly;
      box.addEventListener('change', () => {
        if (box.checked) chosen.add(w.id); else chosen.delete(w.id);
        fillPush();
      });
      boxes.appendChild(el('label', { class: w.missing ? 'loc-missing' : null, 'data-warehouse': w.id }, box,
        warehouseLabel(w) + (w.missing ? ' (Contifico ya no la lista)' : '')));
    });
    fillPush();
    return el('tr', { 'data-location': loc.id },
      el('td', {}, loc.name || loc.id, ' ', el('span', { class: 'muted' }, '#' + loc.id),
        own ? el('div', { class: 'small-note muted' }, 'Ubicación principal de la tienda (pedidos en línea)') : null,
        loc.active ? null : el('div', { class: 'reserved-hint' }, 'La tienda ya no la tiene activa: desmarque sus bodegas.')),
      el('td', {}, boxes),
      el('td', {}, push));
  }

  // The whole map goes in one PUT: a location with no warehouse ticked is left out (it follows the old rule).
  $('locations-save').addEventListener('click', async () => {
    const storeId = state.storeId;
    if (pushPending()) {
      $('locations-status').textContent = 'Elija en «Registrar ventas en» la bodega de ventas de cada ubicación con varias bodegas.';
      return;
    }
    const locations = [];
    document.querySelectorAll('#locations-rows tr[data-location]').forEach((tr) => {
      const warehouseIds = Array.from(tr.querySelectorAll('.loc-wh:checked')).map((b) => b.value);
      if (!warehouseIds.length) return;
      const entry = { locationId: tr.dataset.location, warehouseIds };
      const push = tr.querySelector('.loc-push').value;
      if (push) entry.pushWarehouseId = push;
      locations.push(entry);
    });
    $('locations-save').disabled = true;
    $('locations-status').textContent = 'Guardando…';
    let saved = null;
    try {
      const res = await api('/api/stores/' + storeId + '/locations', { method: 'PUT', body: { locations } });
      if (storeId !== state.storeId) return;
      if (!res.ok) {
        $('locations-status').textContent = await errorText(res);
        return;
      }
      saved = await res.json();
      await loadLocations();
      if (storeId !== state.storeId) return;
      $('locations-status').textContent = 'Se guardaron las ubicaciones (' + saved.length + ' con bodegas asignadas).'
        + ' La próxima sincronización publica las nuevas sumas.';
    } catch (e) {
      // A lost connection must not leave "Guardando…" on screen: say what is known.
      if (!(e instanceof Unauthorized) && storeId === state.storeId) {
        $('locations-status').textContent = saved
          ? 'Se guardaron las ubicaciones, pero no se pudieron volver a leer (' + e.message + '): pulse «Ver ubicaciones».'
          : 'No se pudo guardar (' + e.message + '): revise la conexión y pulse «Ver ubicaciones» para saber si se guardó.';
      }
    } finally {
      if (storeId === state.storeId) refreshLocationsSave();
    }
  });

  $('locations-load').addEventListener('click', () => loadLocations().catch((e) => {
    if (!(e instanceof Unauthorized)) $('locations-status').textContent = 'No se pudo cargar: ' + e.message;
  }));

  // ------------------------------------------------------------------ polling

  // The queue lists change with the status (its ETag covers queue depth and dead movements); between changes only
  // attempt counts move, so a 304 poll refreshes the lists only every few polls instead of three queries each time.
  const QUEUE_REFRESH_EVERY = 5;

  async function refresh(force) {
    try {
      const changed = await loadStatus(force);
      state.polls += 1;
      if (force || changed || state.polls % QUEUE_REFRESH_EVERY === 0) await loadQueue();
      showError('');
      $('refreshed').textContent = 'Actualizado ' + new Date().toLocaleTimeString('es-EC');
    } catch (e) {
      if (!(e instanceof Unauthorized)) showError('No se pudo actualizar: ' + e.message);
    }
  }

  function stopPolling() {
    if (state.timer) clearInterval(state.timer);
    state.timer = null;
  }

  async function start() {
    stopPolling();
    state.canCreateStores = false;
    try {
      await loadMe();
      await loadDemo();
      await loadStores();
    } catch (e) {
      if (!(e instanceof Unauthorized)) showError('No se pudo cargar: ' + e.message);
      return;
    } finally {
      // Shown once the header's store list is filled: that list widens as it loads, and a button that moves under the
      // pointer takes the click somewhere else.
      $('new-store').classList.toggle('hidden', !state.canCreateStores);
    }
    await refresh(true);
    loadLinks().catch(() => {});
    state.timer = setInterval(() => refresh(false), POLL_MS);
  }

  if (localStorage.getItem(TOKEN_KEY)) start();
  else showLogin();
})();
