// The dashboard's entry point: routes the page's path to a page module and keeps links inside the single page.
import { jobsPage, jobPage } from './jobs.js';
import { topicsPage } from './topics.js';
import { dlqPage } from './dlq.js';
import { lineagePage } from './lineage.js';
import { dagsPage, dagPage } from './dags.js';
import { h, showConnection } from './util.js';

const routes = [
  { pattern: /^\/$/, nav: 'jobs', render: (view, signal) => jobsPage(view, signal) },
  { pattern: /^\/jobs\/([^/]+)$/, nav: 'jobs', render: (view, signal, match) => jobPage(view, signal, decodeURIComponent(match[1])) },
  { pattern: /^\/topics$/, nav: 'topics', render: (view, signal) => topicsPage(view, signal) },
  { pattern: /^\/dlq$/, nav: 'dlq', render: (view, signal) => dlqPage(view, signal) },
  { pattern: /^\/lineage$/, nav: 'lineage', render: (view, signal) => lineagePage(view, signal) },
  { pattern: /^\/dags$/, nav: 'dags', render: (view, signal) => dagsPage(view, signal) },
  { pattern: /^\/dags\/([^/]+)$/, nav: 'dags', render: (view, signal, match) => dagPage(view, signal, decodeURIComponent(match[1])) },
];

let current = null;

/** Renders the page of the current path, stopping the previous page's polling first. */
function route() {
  current?.abort();
  current = new AbortController();
  showConnection('');
  const view = document.getElementById('view');
  view.replaceChildren();
  for (const { pattern, nav, render } of routes) {
    const match = location.pathname.match(pattern);
    if (match) {
      for (const link of document.querySelectorAll('[data-nav]')) {
        link.classList.toggle('active', link.dataset.nav === nav);
      }
      render(view, current.signal, match);
      return;
    }
  }
  view.append(h('p', { class: 'empty' }, `The dashboard has no page ${location.pathname}.`));
}

/** The same-origin link a primary-button event is on, or null (other origins, new tabs and modified clicks are the browser's). */
function linkOf(event) {
  const link = event.target.closest('a[href]');
  return !link || link.origin !== location.origin || link.target || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0 ? null : link;
}

/** Shows the link's page without reloading, keeping ?interval= so tests and users keep their poll rate. */
function follow(link) {
  const url = new URL(link.href);
  const interval = new URLSearchParams(location.search).get('interval');
  if (interval && !url.searchParams.has('interval')) url.searchParams.set('interval', interval);
  if (url.pathname + url.search !== location.pathname + location.search) history.pushState(null, '', url);
  route();
}

// The pages re-render their tables at every poll, and a re-render between a mouse button's press and its release
// swallows the click (the pressed link is gone). So a press on a link follows it at once; the click after it is only
// stopped. A click without a press before it (detail 0: Enter on a focused link) follows the link itself.
document.addEventListener('mousedown', event => {
  const link = linkOf(event);
  if (link) follow(link);
});
document.addEventListener('click', event => {
  const link = linkOf(event);
  if (!link) return;
  event.preventDefault();
  if (event.detail === 0) follow(link);
});

addEventListener('popstate', route);
route();
