// The dashboard's entry point: routes the page's path to a page module and keeps links inside the single page.
import { jobsPage, jobPage } from './jobs.js';
import { topicsPage } from './topics.js';
import { dlqPage } from './dlq.js';
import { h, showConnection } from './util.js';

const routes = [
  { pattern: /^\/$/, nav: 'jobs', render: (view, signal) => jobsPage(view, signal) },
  { pattern: /^\/jobs\/([^/]+)$/, nav: 'jobs', render: (view, signal, match) => jobPage(view, signal, decodeURIComponent(match[1])) },
  { pattern: /^\/topics$/, nav: 'topics', render: (view, signal) => topicsPage(view, signal) },
  { pattern: /^\/dlq$/, nav: 'dlq', render: (view, signal) => dlqPage(view, signal) },
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

/** Follows same-origin links without reloading, keeping ?interval= so tests and users keep their poll rate. */
document.addEventListener('click', event => {
  const link = event.target.closest('a[href]');
  if (!link || link.origin !== location.origin || link.target || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  const url = new URL(link.href);
  const interval = new URLSearchParams(location.search).get('interval');
  if (interval && !url.searchParams.has('interval')) url.searchParams.set('interval', interval);
  if (url.pathname + url.search !== location.pathname + location.search) history.pushState(null, '', url);
  route();
});

addEventListener('popstate', route);
route();
