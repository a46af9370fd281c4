// Tributary's example client: log in, read the merged timeline page by page with "why", like.
import { GraphqlError, graphql } from './graphql.js';
import { ACTION, LIKE, LOGIN, TIMELINE } from './queries.js';
import { renderItem } from './render.js';

const TOKEN_KEY = 'tributary.token';
/** How often a pending action is asked about, and for how long at most. */
const ACTION_POLL_MS = 500;
const ACTION_POLL_LIMIT = 120;

const $ = (id) => document.getElementById(id);
let endCursor = null;
/** Bumped when the timeline starts over, so a page still loading for the old one is dropped. */
let generation = 0;

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Runs an operation as the logged-in user; an expired or revoked token sends them back to log in. */
async function call(query, variables) {
  try {
    return await graphql(query, variables, token());
  } catch (error) {
    if (error instanceof GraphqlError && error.code === 'UNAUTHENTICATED') {
      sessionStorage.removeItem(TOKEN_KEY);
      show();
    }
    throw error;
  }
}

function show() {
  const loggedIn = token() !== null;
  $('login').hidden = loggedIn;
  $('timeline').hidden = !loggedIn;
  $('logout').hidden = !loggedIn;
  if (loggedIn && $('items').childElementCount === 0) void loadPage();
}

async function loadPage() {
  const more = $('more');
  more.disabled = true;
  $('timeline-error').textContent = '';
  const started = generation;
  try {
    const { timeline } = await call(TIMELINE, { after: endCursor, includeHidden: $('show-hidden').checked });
    if (started !== generation) return;
    for (const edge of timeline.edges) $('items').append(renderItem(edge.node, like));
    endCursor = timeline.pageInfo.endCursor ?? endCursor;
    more.hidden = !timeline.pageInfo.hasNextPage;
    $('end').hidden = timeline.pageInfo.hasNextPage;
  } catch (error) {
    $('timeline-error').textContent = `Could not load the timeline: ${error.message}`;
  } finally {
    more.disabled = false;
  }
}

/** Likes are done by the server's worker: enqueue, then follow the action until it is done or failed. */
async function like(item, button, status) {
  button.disabled = true;
  status.textContent = 'liking…';
  try {
    let { like: action } = await call(LIKE, { post: item.post.id });
    for (let n = 0; action.status === 'PENDING' && n < ACTION_POLL_LIMIT; n++) {
      await new Promise((resolve) => setTimeout(resolve, ACTION_POLL_MS));
      action = (await call(ACTION, { id: action.id })).action;
    }
    status.dataset.status = action.status;
    status.textContent =
      action.status === 'DONE'
        ? 'liked ✓'
        : action.status === 'FAILED'
          ? `failed: ${action.error ?? 'unknown error'}`
          : 'still pending…';
    button.disabled = action.status === 'DONE';
  } catch (error) {
    status.dataset.status = 'ERROR';
    status.textContent = `failed: ${error.message}`;
    button.disabled = false;
  }
}

$('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  $('login-error').textContent = '';
  try {
    const { login } = await graphql(LOGIN, {
      username: form.get('username'),
      password: form.get('password'),
    });
    sessionStorage.setItem(TOKEN_KEY, login.token);
    event.target.reset();
    show();
  } catch (error) {
    $('login-error').textContent = error.message;
  }
});

/** Starts the timeline over from the top (after logging out, or with hidden items shown or not). */
function restartTimeline() {
  generation++;
  $('items').replaceChildren();
  endCursor = null;
}

$('logout').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  restartTimeline();
  show();
});

$('show-hidden').addEventListener('change', () => {
  restartTimeline();
  void loadPage();
});

$('more').addEventListener('click', () => void loadPage());

show();
