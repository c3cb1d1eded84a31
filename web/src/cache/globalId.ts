// The server's global ids are base64("Type:123") (Pothos relay). Reading the type from one lets a
// payload that carries only `deletedId` name the entity the cache should drop.

/** "Connector" for the id of a connector; null for anything that is not a global id. */
export function typenameOfGlobalId(globalId: string): string | null {
  let decoded: string;
  try {
    decoded = atob(globalId);
  } catch {
    return null;
  }
  const match = /^([A-Za-z_][A-Za-z0-9_]*):./.exec(decoded);
  return match ? match[1]! : null;
}
