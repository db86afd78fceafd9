// EIP-712 access grants: the typed data an approver signs and anyone can redeem with
// `DatanetRegistry.grantAccessBySig`. Must match contracts/datanet/AccessGrants.sol.
import { hashTypedData, recoverTypedDataAddress, type Address, type Hex, type TypedDataDomain } from "viem";
import { InvalidInputError } from "../errors.ts";
import { isValidScopes } from "./enums.ts";

/** EIP-712 domain name and version of the DatanetRegistry. */
export const ACCESS_GRANT_DOMAIN_NAME = "ModelFactory DatanetRegistry";
export const ACCESS_GRANT_DOMAIN_VERSION = "1";

/** EIP-712 types of an access grant. */
export const accessGrantTypes = {
  AccessGrant: [
    { name: "datanetId", type: "uint256" },
    { name: "grantee", type: "address" },
    { name: "scopes", type: "uint8" },
    { name: "expiresAt", type: "uint64" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
    { name: "issuedAt", type: "uint64" },
  ],
} as const;

/** Longest access a grant may give, counted from when it is applied (5 years), as on chain. */
export const MAX_GRANT_DURATION_SECONDS = 5n * 365n * 86_400n;

/** A grant as signed and as passed to `grantAccessBySig`. */
export type AccessGrant = {
  datanetId: bigint;
  grantee: Address;
  scopes: number;
  expiresAt: bigint;
  nonce: bigint;
  deadline: bigint;
  /**
   * When the approver issued it (unix seconds; normally "now" when signing). The chain refuses it
   * unless it is later than the grantee's latest grant or revocation and within the approver's
   * current term, so revoking a grantee or removing an approver kills older signatures.
   */
  issuedAt: bigint;
};

/** A grant with the approver's signature: everything a redeemer needs. */
export type SignedAccessGrant = { grant: AccessGrant; approver: Address; signature: Hex };

/** The EIP-712 domain of the registry at `registry` on `chainId`. */
export function accessGrantDomain(chainId: number, registry: Address): TypedDataDomain {
  return { name: ACCESS_GRANT_DOMAIN_NAME, version: ACCESS_GRANT_DOMAIN_VERSION, chainId, verifyingContract: registry };
}

/**
 * Typed data for `signTypedData` (viem wallet client, wagmi's `useSignTypedData`).
 * @example
 * const signature = await wallet.signTypedData(accessGrantTypedData(31337, registry, grant));
 */
export function accessGrantTypedData(chainId: number, registry: Address, grant: AccessGrant) {
  assertAccessGrant(grant);
  return {
    domain: accessGrantDomain(chainId, registry),
    types: accessGrantTypes,
    primaryType: "AccessGrant" as const,
    message: grant,
  };
}

/** The digest the approver signs; equals `DatanetRegistry.hashAccessGrant(grant)`. */
export function hashAccessGrant(chainId: number, registry: Address, grant: AccessGrant): Hex {
  return hashTypedData(accessGrantTypedData(chainId, registry, grant));
}

/** The address that signed a grant (EOA signatures only; contract wallets verify on chain). */
export async function recoverAccessGrantSigner(
  chainId: number,
  registry: Address,
  signed: Pick<SignedAccessGrant, "grant" | "signature">,
): Promise<Address> {
  return recoverTypedDataAddress({ ...accessGrantTypedData(chainId, registry, signed.grant), signature: signed.signature });
}

/** Checks a grant's fields as the contract will, naming the bad field. */
export function assertAccessGrant(grant: AccessGrant): void {
  if (!isValidScopes(grant.scopes)) {
    throw new InvalidInputError(`Invalid scopes ${grant.scopes}`, {
      details: "Scopes must combine Train (1), Retrieve (2) and Evaluate (4), and not be empty.",
      meta: { scopes: grant.scopes },
    });
  }
  if (grant.datanetId <= 0n) throw new InvalidInputError(`Invalid Datanet id ${grant.datanetId}`);
  if (grant.expiresAt <= 0n || grant.deadline <= 0n) {
    throw new InvalidInputError("A grant needs an expiry and a redemption deadline in the future.");
  }
  if (grant.issuedAt <= 0n) throw new InvalidInputError("A grant needs the time it was issued.");
  if (grant.expiresAt - grant.issuedAt > MAX_GRANT_DURATION_SECONDS) {
    throw new InvalidInputError("A grant gives access for at most 5 years.", {
      meta: { expiresAt: grant.expiresAt, issuedAt: grant.issuedAt },
    });
  }
}

/** Serialises a signed grant for sharing (links, files): bigints become decimal strings. */
export function encodeSignedAccessGrant(signed: SignedAccessGrant): string {
  return JSON.stringify(signed, (_key, value) => (typeof value === "bigint" ? value.toString() : value));
}

/** Parses {@link encodeSignedAccessGrant}'s output, validating every field. */
export function decodeSignedAccessGrant(text: string): SignedAccessGrant {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new InvalidInputError("The signed grant is not valid JSON.", { cause });
  }
  const o = raw as { grant?: Record<string, unknown>; approver?: unknown; signature?: unknown };
  const g = o?.grant;
  const addr = /^0x[0-9a-fA-F]{40}$/;
  const big = (name: string): bigint => {
    const v = g?.[name];
    if (typeof v !== "string" || !/^\d+$/.test(v)) {
      throw new InvalidInputError(`The signed grant's "${name}" must be a decimal string.`);
    }
    return BigInt(v);
  };
  if (!g || typeof g !== "object") throw new InvalidInputError('The signed grant has no "grant" object.');
  if (typeof g.grantee !== "string" || !addr.test(g.grantee))
    throw new InvalidInputError('The signed grant\'s "grantee" is not an address.');
  if (typeof o.approver !== "string" || !addr.test(o.approver))
    throw new InvalidInputError('The signed grant\'s "approver" is not an address.');
  if (typeof o.signature !== "string" || !/^0x[0-9a-fA-F]+$/.test(o.signature))
    throw new InvalidInputError('The signed grant\'s "signature" is not hex.');
  if (typeof g.scopes !== "number") throw new InvalidInputError('The signed grant\'s "scopes" must be a number.');
  const grant: AccessGrant = {
    datanetId: big("datanetId"),
    grantee: g.grantee as Address,
    scopes: g.scopes,
    expiresAt: big("expiresAt"),
    nonce: big("nonce"),
    deadline: big("deadline"),
    issuedAt: big("issuedAt"),
  };
  assertAccessGrant(grant);
  return { grant, approver: o.approver as Address, signature: o.signature as Hex };
}

/** A random 256-bit nonce: approvers' nonces are unordered, so random ones never collide in practice. */
export function randomGrantNonce(): bigint {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return BigInt("0x" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(""));
}
