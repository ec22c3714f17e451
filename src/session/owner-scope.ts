/**
 * Whose sessions a caller may see: a user id, or `null` when authentication is off (then there are no
 * owners and every caller sees every session). Another user's session is reported as not found.
 */
export type OwnerScope = string | null;

/** A TypeORM `where` fragment restricting a query on `sessions` to the scope. */
export function ownedBy(scope: OwnerScope): { ownerId?: string } {
  return scope === null ? {} : { ownerId: scope };
}
