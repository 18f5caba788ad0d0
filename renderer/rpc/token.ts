/*
 * Browser mode is protected by a per-run token that `carechain serve` prints inside the URL
 * fragment (#token=…), which never reaches server logs. We keep it in sessionStorage so a reload
 * of the tab still works, and take it out of the address bar so it is not shared by accident.
 */
const STORAGE_KEY = 'carechain.token';

export function takeTokenFromLocation(): string | null {
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ''));
  const fromUrl = fragment.get('token');
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
