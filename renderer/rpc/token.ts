/*
 * Browser mode is protected by a per-run token that `carechain serve` prints inside the URL
 * fragment (#token=…), which never reaches server logs. We keep it in sessionStorage so a reload
 * of the tab still works, and take it out of the address bar so it is not shared by accident.
 */
const STORAGE_KEY = 'carechain.token';

function tokenInFragment(): string | null {
  return new URLSearchParams(location.hash.replace(/^#/, '')).get('token');
}

export function takeTokenFromLocation(): string | null {
  const fromUrl = tokenInFragment();
  if (fromUrl) {
    sessionStorage.setItem(STORAGE_KEY, fromUrl);
    history.replaceState(null, '', `${location.pathname}${location.search}#/`);
    return fromUrl;
  }
  return sessionStorage.getItem(STORAGE_KEY);
}

/** Called when the node service refuses the token: it belongs to an earlier run. */
export function forgetToken(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

/**
 * Pasting a new console link into a tab that is already open only changes the fragment, which
 * does not reload the page: start over so the console connects with the new token.
 */
export function reloadOnNewToken(): void {
  window.addEventListener('hashchange', () => {
    if (tokenInFragment() === null) return;
    takeTokenFromLocation();
    location.reload();
  });
}
