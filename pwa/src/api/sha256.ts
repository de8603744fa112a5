// The name the server stores an image under (PUT /api/media/{sha256}): lowercase hex SHA-256 of its bytes.
// A module of its own, so the store and tracking screens need not bring in the driver's outbox to use it.

export async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
