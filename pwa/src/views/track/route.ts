// Which tracking link the address bar holds: /track/<token>. In the main bundle (App.tsx picks the screen).

/** The token of a /track/<token> path ("" for /track itself); null for any other path. */
export function trackToken(path: string): string | null {
  const match = /^\/track(?:\/([^/]*))?\/?$/.exec(path);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1] ?? "");
  } catch {
    return ""; // a broken escape is no token at all
  }
}
