// The protocol's enums and bit sets, with the same names and numbers as the Solidity ones.

/** Bits of an access grant's `scopes` (contracts/libraries/Scopes.sol). */
export const Scope = { Train: 1, Retrieve: 2, Evaluate: 4 } as const;
export type ScopeName = keyof typeof Scope;
/** Every scope together. */
export const ALL_SCOPES = Scope.Train | Scope.Retrieve | Scope.Evaluate;

/** Scope names present in a bit set, e.g. `scopeNames(3)` → `["Train", "Retrieve"]`. */
export function scopeNames(scopes: number): ScopeName[] {
  return (Object.keys(Scope) as ScopeName[]).filter((name) => (scopes & Scope[name]) !== 0);
}

/** Whether a bit set is non-empty and holds only known scopes (as the contract checks). */
export function isValidScopes(scopes: number): boolean {
  return Number.isInteger(scopes) && scopes > 0 && (scopes & ~ALL_SCOPES) === 0;
}

export const AccessPolicy = { Open: 0, Permissioned: 1 } as const;
export const ContributionPolicy = { Open: 0, Curated: 1 } as const;
export const ContributionStatus = { None: 0, Pending: 1, Accepted: 2, Rejected: 3, Withdrawn: 4 } as const;
export const JobState = { None: 0, Open: 1, Claimed: 2, Completed: 3, Failed: 4, Cancelled: 5 } as const;

/** The name of an enum value, e.g. `enumName(JobState, 2)` → `"Claimed"`. */
export function enumName<T extends Record<string, number>>(values: T, value: number): keyof T | undefined {
  return (Object.keys(values) as (keyof T)[]).find((key) => values[key] === value);
}
