// Refreshing a page in place while someone works on it: a timer that sleeps while the tab is
// hidden, and a way to swap a section for a freshly built one without taking away what the user
// was doing in it (typed text, a chosen option, focus, caret, scroll position, an IME
// conversion in progress). Controls are matched across the swap by their data-keep attribute,
// so every control a page rebuilds should carry a stable, unique data-keep.

const TEXT_INPUT_TYPES = new Set(['text', 'search', 'url', 'tel', 'email', 'password', 'number']);

// True while an input method (Japanese kana-kanji conversion) is composing text anywhere: a
// swap then would throw the unconverted text away, so callers wait for compositionend.
let composing = false;
const afterComposition = new Set();
document.addEventListener('compositionstart', () => { composing = true; }, true);
document.addEventListener('compositionend', () => {
  composing = false;
  // After the browser has committed the converted text to the control.
  setTimeout(() => {
    for (const callback of [...afterComposition]) callback();
  }, 0);
}, true);

export function isComposing() {
  return composing;
}

function keyed(root) {
  const map = new Map();
  if (root.dataset?.keep) map.set(root.dataset.keep, root);
  for (const el of root.querySelectorAll('[data-keep]')) map.set(el.dataset.keep, el);
  return map;
}

function defaultOption(select) {
  return [...select.options].find((o) => o.defaultSelected) ?? select.options[0] ?? null;
}

// Copies what the user changed in `from` to its fresh twin `to`; untouched controls keep the
// fresh (server) value.
function carryValue(from, to) {
  if (from instanceof HTMLSelectElement && to instanceof HTMLSelectElement) {
    const initial = defaultOption(from);
    if (initial && from.value !== initial.value && [...to.options].some((o) => o.value === from.value)) {
      to.value = from.value;
      // Whatever depends on the choice (e.g. a field shown only for one option) follows it.
      to.dispatchEvent(new Event('change'));
    }
  } else if (from instanceof HTMLTextAreaElement && to instanceof HTMLTextAreaElement) {
    if (from.value !== from.defaultValue) to.value = from.value;
    to.scrollTop = from.scrollTop;
  } else if (from instanceof HTMLInputElement && to instanceof HTMLInputElement) {
    if (from.type === 'checkbox' || from.type === 'radio') {
      if (from.checked !== from.defaultChecked) to.checked = from.checked;
    } else if (from.value !== from.defaultValue) {
      to.value = from.value;
    }
  }
}

function hasCaret(el) {
  return el instanceof HTMLTextAreaElement
    || (el instanceof HTMLInputElement && TEXT_INPUT_TYPES.has(el.type) && el.type !== 'number');
}

// What is focused in `root` (and where its caret is), to be put back after swaps.
export function captureFocus(root) {
  const active = document.activeElement;
  if (!active || active === document.body || !root.contains(active)) return null;
  const state = {
    element: active,
    key: active.dataset?.keep ?? null,
    top: active.getBoundingClientRect().top,
    selection: null,
  };
  if (hasCaret(active)) {
    state.selection = [active.selectionStart, active.selectionEnd, active.selectionDirection];
  }
  return state;
}

// Replaces `old` by `fresh` (a detached element), carrying the user's input over. Returns the
// element that should get focus back when `focus` (from captureFocus) was inside `old`: the
// twin of the focused control, else `fresh`'s first programmatically focusable heading.
export function replaceKeeping(old, fresh, focus) {
  const twins = keyed(fresh);
  for (const [key, el] of keyed(old)) {
    const twin = twins.get(key);
    if (twin) carryValue(el, twin);
  }
  let target = null;
  if (focus && old.contains(focus.element)) {
    target = (focus.key && twins.get(focus.key)) || fresh.querySelector('[tabindex="-1"]');
  }
  old.replaceWith(fresh);
  return target;
}

// Puts focus back on `target` without scrolling, with the caret where it was, and keeps the
// focused control (or, without one, the page) where it was on the screen.
export function restoreFocus(focus, target, scroll) {
  if (target && target !== document.activeElement) {
    target.focus({ preventScroll: true });
    if (focus?.selection && hasCaret(target) && focus.key && target.dataset.keep === focus.key) {
      try {
        target.setSelectionRange(...focus.selection);
      } catch {
        // Not every input type has a selection; the focus alone is what matters then.
      }
    }
  }
  // What stays put on the screen: the focused control (or its twin, not a fallback), else the
  // element that was in view if it survived, else the scroll offset.
  const same = target
    ? Boolean(focus?.key) && target.dataset.keep === focus.key
    : Boolean(focus) && document.activeElement === focus.element;
  window.scrollTo(scroll.x, scroll.y);
  let anchor = null;
  let top = 0;
  if (same) {
    anchor = document.activeElement;
    top = focus.top;
  } else if (scroll.anchor && scroll.anchor.isConnected) {
    anchor = scroll.anchor;
    top = scroll.top;
  }
  if (anchor) {
    const moved = anchor.getBoundingClientRect().top - top;
    if (moved !== 0) window.scrollBy(0, moved);
  }
}

// The scroll offset and the element a third of the way down the window, to hold in place.
export function captureScroll() {
  const anchor = document.elementFromPoint(window.innerWidth / 2, window.innerHeight / 3);
  return {
    x: window.scrollX,
    y: window.scrollY,
    anchor,
    top: anchor ? anchor.getBoundingClientRect().top : 0,
  };
}

// Calls `refresh` every `intervalMs` while the tab is visible, and at once when it becomes
// visible again; never two at a time. Returns a function that stops it.
export function startLiveRefresh(refresh, intervalMs) {
  let running = false;
  let stopped = false;
  const run = async () => {
    if (stopped || running || document.visibilityState !== 'visible') return;
    running = true;
    try {
      await refresh();
    } finally {
      running = false;
    }
  };
  const timer = setInterval(run, intervalMs);
  const onVisibility = () => { if (document.visibilityState === 'visible') run(); };
  document.addEventListener('visibilitychange', onVisibility);
  return () => {
    stopped = true;
    clearInterval(timer);
    document.removeEventListener('visibilitychange', onVisibility);
  };
}

// Runs `callback` once the current IME composition ends (or at once if there is none).
export function whenNotComposing(callback) {
  if (!composing) {
    callback();
    return () => {};
  }
  const once = () => {
    afterComposition.delete(once);
    callback();
  };
  afterComposition.add(once);
  return () => afterComposition.delete(once);
}
