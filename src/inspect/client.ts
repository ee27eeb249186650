// The inspector page's script, as source text (inlined into the page and
// allowed by its Content-Security-Policy hash). It reads the model from the
// `inspect-data` JSON block, shows the frame of the selected event, and in
// live mode polls `state.json` on the page's own origin. It writes text only
// through textContent and attributes it owns: run data never becomes markup.
export const INSPECTOR_JS = String.raw`(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const data = JSON.parse($('inspect-data').textContent);
  let model = data.model;
  let index = model.frames.length - 1;
  let selected = null;
  let pinned = false;

  const setText = (id, value) => { $(id).textContent = value; };
  const last = () => model.frames.length - 1;

  function nowFrame() {
    const s = model.status;
    return {
      seq: 0, run: s.stage, status: s.status, epoch: s.epoch, blocker: s.blocker, nextSafeAction: s.nextSafeAction,
      task: null, runEdge: null, taskEdge: null,
      tasks: model.tasks.map((t) => {
        const row = s.tasks.find((x) => x.id === t.id);
        return { state: row ? row.state : 'pending', attemptId: null, epoch: row ? row.epoch : null };
      }),
    };
  }
  const frame = () => (index >= 0 && index <= last() ? model.frames[index] : nowFrame());

  function highlight(chartId, path, edgeId) {
    for (const g of document.querySelectorAll('#' + chartId + ' .state')) {
      const p = g.getAttribute('data-path');
      g.classList.toggle('current', p === path);
      g.classList.toggle('ancestor', path !== null && p !== path && path.startsWith(p + '.'));
    }
    for (const g of document.querySelectorAll('#' + chartId + ' .edge, #' + chartId + ' .edge-label')) {
      g.classList.toggle('taken', edgeId !== null && g.getAttribute('data-edge') === edgeId);
    }
  }

  function chip(text, classes) {
    const span = document.createElement('span');
    span.className = 'chip ' + classes;
    span.textContent = text;
    return span;
  }

  function buildTimeline() {
    const list = $('timeline');
    list.replaceChildren();
    model.events.forEach((e, i) => {
      const li = document.createElement('li');
      li.setAttribute('data-index', String(i));
      const who = document.createElement('span');
      who.className = 'who';
      who.textContent = '#' + e.seq + ' ' + (e.taskId !== undefined ? 'task ' + e.taskId : e.type === 'transition' ? 'run' : e.type) + ' ';
      li.append(who, document.createTextNode(e.from !== null || e.to !== null ? (e.from || '·') + ' → ' + (e.to || '·') : ''));
      const name = typeof e.data.event === 'string' ? e.data.event : '';
      li.title = name;
      li.addEventListener('click', () => go(i));
      list.append(li);
    });
    const range = $('step');
    range.max = String(Math.max(0, last()));
    range.disabled = last() < 0;
  }

  function buildTasks() {
    const body = $('tasks-body');
    body.replaceChildren();
    model.tasks.forEach((t) => {
      const tr = document.createElement('tr');
      tr.setAttribute('data-task', t.id);
      for (const text of [t.id, t.title === null ? '' : t.title]) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      for (const cls of ['task-state', 'task-attempt', 'task-epoch']) {
        const td = document.createElement('td');
        td.className = cls;
        tr.append(td);
      }
      tr.addEventListener('click', () => { selected = t.id; pinned = true; render(); });
      body.append(tr);
    });
  }

  function renderTasks(f) {
    if (!pinned && f.task !== null) selected = model.tasks[f.task].id;
    if (selected === null || !model.tasks.some((t) => t.id === selected)) {
      const current = model.status.currentTask;
      selected = current !== null ? current.taskId : model.tasks.length > 0 ? model.tasks[0].id : null;
    }
    model.tasks.forEach((t, i) => {
      const row = document.querySelector('#tasks-body tr[data-task="' + CSS.escape(t.id) + '"]');
      if (row === null) return;
      const tf = f.tasks[i];
      row.classList.toggle('selected', t.id === selected);
      const cell = row.querySelector('.task-state');
      cell.replaceChildren(chip(tf.state, (tf.state === 'pending' ? '' : 'current') + ' state-' + tf.state.replace(/[^a-z]/gi, '-')));
      row.querySelector('.task-attempt').textContent = tf.attemptId === null ? '' : tf.attemptId;
      row.querySelector('.task-epoch').textContent = tf.epoch === null ? '' : String(tf.epoch);
    });
    const i = model.tasks.findIndex((t) => t.id === selected);
    const tf = i >= 0 ? f.tasks[i] : null;
    setText('task-chart-task', selected === null ? '(no tasks)' : selected + ': ' + (tf === null ? '' : tf.state));
    highlight('task-chart', tf === null ? null : tf.state, f.task === i ? f.taskEdge : null);
    for (const badge of document.querySelectorAll('#task-chart .badge')) {
      const path = badge.parentNode.getAttribute('data-path');
      badge.textContent = model.tasks.filter((t, k) => f.tasks[k].state === path).map((t) => t.id).join(', ');
    }
  }

  function renderEvent() {
    const detail = $('event-detail');
    const e = index >= 0 ? model.events[index] : undefined;
    detail.hidden = e === undefined;
    if (e === undefined) return;
    setText('ev-seq', String(e.seq));
    setText('ev-ts', e.ts);
    setText('ev-type', e.type + (typeof e.data.event === 'string' ? ' (' + e.data.event + ')' : ''));
    setText('ev-change', (e.from || '·') + ' → ' + (e.to || '·'));
    setText('ev-task', [e.taskId, e.attemptId, e.epoch === undefined ? undefined : 'epoch ' + e.epoch].filter((x) => x !== undefined).join(' · '));
    setText('event-data', JSON.stringify(e.data, null, 2));
  }

  function render() {
    const f = frame();
    const n = model.events.length;
    setText('current-stage', f.run);
    $('current-status').replaceChildren(chip(f.status, 'status-' + f.status));
    setText('current-epoch', f.epoch === null ? '' : String(f.epoch));
    setText('step-label', n === 0 ? 'no events yet' : 'event ' + (index + 1) + ' of ' + n + (index === last() ? ' (latest)' : ''));
    const range = $('step');
    range.value = String(Math.max(0, index));
    $('prev').disabled = index <= 0;
    $('first').disabled = index <= 0;
    $('next').disabled = index >= last();
    $('last').disabled = index >= last();
    const blocked = f.blocker !== null && f.status === 'blocked';
    $('blocker').hidden = !blocked;
    if (blocked) {
      setText('blocker-code', f.blocker.code);
      setText('blocker-message', f.blocker.message);
    }
    // What the run's last final-state hooks did not confirm: the run as it stands now, so shown at the latest event only.
    const unconfirmed = index === last() || index < 0 ? (model.status.unconfirmed || []) : [];
    $('unconfirmed').hidden = unconfirmed.length === 0;
    $('unconfirmed-list').replaceChildren(...unconfirmed.map((u) => {
      const li = document.createElement('li');
      li.textContent = u.hook + ': ' + u.message + (u.nextSafeAction === null ? '' : ' ' + u.nextSafeAction.text);
      return li;
    }));
    $('next-action').classList.toggle('urgent', blocked || unconfirmed.length > 0);
    setText('next-action-text', f.nextSafeAction.text);
    setText('next-action-command', f.nextSafeAction.command === null ? '' : f.nextSafeAction.command);
    $('next-action-command').hidden = f.nextSafeAction.command === null;
    $('consistency').hidden = model.replayMatchesSnapshot;
    highlight('run-chart', f.run, f.runEdge);
    renderTasks(f);
    renderEvent();
    for (const li of $('timeline').children) li.classList.toggle('current', Number(li.getAttribute('data-index')) === index);
    const current = $('timeline').children[index];
    if (current !== undefined) current.scrollIntoView({ block: 'nearest' });
  }

  function go(i) {
    index = Math.max(Math.min(i, last()), last() < 0 ? -1 : 0);
    render();
  }

  for (const button of document.querySelectorAll('button.zoom')) {
    button.addEventListener('click', () => {
      const wrap = $(button.getAttribute('data-chart')).parentNode;
      const actual = wrap.classList.toggle('actual');
      button.textContent = actual ? 'fit to width' : 'actual size';
    });
  }
  $('first').addEventListener('click', () => go(0));
  $('prev').addEventListener('click', () => go(index - 1));
  $('next').addEventListener('click', () => go(index + 1));
  $('last').addEventListener('click', () => go(last()));
  $('step').addEventListener('input', (ev) => go(Number(ev.target.value)));
  document.addEventListener('keydown', (ev) => {
    if (ev.target instanceof HTMLInputElement) return;
    if (ev.key === 'ArrowLeft') { go(index - 1); ev.preventDefault(); }
    else if (ev.key === 'ArrowRight') { go(index + 1); ev.preventDefault(); }
    else if (ev.key === 'Home') { go(0); ev.preventDefault(); }
    else if (ev.key === 'End') { go(last()); ev.preventDefault(); }
  });

  async function poll() {
    try {
      const response = await fetch('state.json', { cache: 'no-store' });
      if (!response.ok) throw new Error('HTTP ' + response.status);
      const next = await response.json();
      const atLatest = index === last();
      const changed = next.events.length !== model.events.length || next.status.stage !== model.status.stage || next.status.updatedAt !== model.status.updatedAt;
      model = next;
      if (changed) {
        buildTimeline();
        buildTasks();
        if (atLatest) index = last();
        render();
      }
      $('live').classList.remove('down');
      setText('live', 'live · read ' + new Date(next.readAt).toLocaleTimeString());
    } catch (error) {
      $('live').classList.add('down');
      setText('live', 'live · not reachable (' + (error instanceof Error ? error.message : String(error)) + ')');
    }
    setTimeout(() => { void poll(); }, data.pollMs);
  }

  buildTimeline();
  buildTasks();
  render();
  document.body.setAttribute('data-ready', 'true');
  if (data.live) {
    $('live').hidden = false;
    setTimeout(() => { void poll(); }, data.pollMs);
  }
})();
`;
