// The grant an approver is about to sign or send: form values → AccessGrant, validated.
import { isAddress, type Address } from "viem";
import { isValidScopes, randomGrantNonce, type AccessGrant } from "@modelfactory/sdk";

export type GrantFormValues = { datanetId: string; grantee: string; scopes: number; expiryDays: number; deadlineDays: number };
export type GrantFormErrors = Partial<Record<keyof GrantFormValues, string>>;

export function validateGrantForm(v: GrantFormValues): GrantFormErrors {
  const e: GrantFormErrors = {};
  if (!/^\d+$/.test(v.datanetId) || v.datanetId === "0") e.datanetId = "Choose a Datanet.";
  if (!isAddress(v.grantee)) e.grantee = "Enter the builder's 0x address.";
  if (!isValidScopes(v.scopes)) e.scopes = "Choose at least one scope.";
  if (!Number.isFinite(v.expiryDays) || v.expiryDays <= 0 || v.expiryDays > 1825) e.expiryDays = "Access lasts 1 to 1825 days (5 years).";
  if (!Number.isFinite(v.deadlineDays) || v.deadlineDays <= 0 || v.deadlineDays > 365)
    e.deadlineDays = "The grant must be redeemed within 1 to 365 days.";
  return e;
}

export function grantFromForm(v: GrantFormValues, now = Math.floor(Date.now() / 1000)): AccessGrant {
  return {
    datanetId: BigInt(v.datanetId),
    grantee: v.grantee as Address,
    scopes: v.scopes,
    expiresAt: BigInt(now + Math.round(v.expiryDays * 86400)),
    nonce: randomGrantNonce(),
    deadline: BigInt(now + Math.round(v.deadlineDays * 86400)),
    issuedAt: BigInt(now),
  };
}

/** A link that opens the redeem screen with the grant filled in. */
export function grantLink(origin: string, encoded: string): string {
  return `${origin}/access?grant=${encodeURIComponent(btoa(encoded))}`;
}

export function grantFromLinkParam(param: string): string {
  return atob(param);
}
