/**
 * Follows a one-time console link the way a browser does and returns the Cookie header that
 * signs requests in (`name=secret`). Fails unless the link answers 303 to `/` with the session
 * cookie.
 */
export async function login(link: string): Promise<string> {
  const response = await fetch(link, { redirect: 'manual' });
  if (response.status !== 303) {
    throw new Error(`the console link answered ${response.status}: ${await response.text()}`);
  }
  const setCookie = response.headers.get('set-cookie');
  const pair = setCookie?.split(';')[0];
  if (!pair?.includes('=')) throw new Error(`the console link set no cookie: ${setCookie}`);
  return pair;
}
