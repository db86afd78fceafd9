import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { getAddress, keccak256, stringToBytes, zeroAddress, type Address, type Hex } from "viem";
import {
  accessGrantTypedData,
  accessGrantTypes,
  decodeSignedAccessGrant,
  encodeSignedAccessGrant,
  hashAccessGrant,
  MAX_GRANT_DURATION_SECONDS,
  recoverAccessGrantSigner,
  type AccessGrant,
} from "@modelfactory/sdk";
import { connect, createDatanet, now, AccessPolicy, ContributionPolicy, Scope, type Env } from "../helpers/fixture.ts";

describe("AccessGrants", () => {
  let env: Env;
  let open: bigint;
  let gated: bigint;
  let chainId: number;
  const ALL = Scope.Train | Scope.Retrieve | Scope.Evaluate;

  before(async () => {
    env = await connect();
    open = await createDatanet(env, AccessPolicy.Open, ContributionPolicy.Open);
    gated = await createDatanet(env, AccessPolicy.Permissioned, ContributionPolicy.Curated);
    chainId = await env.publicClient.getChainId();
  });

  async function grantFor(grantee: Address, nonce: bigint, over: Partial<AccessGrant> = {}): Promise<AccessGrant> {
    const t = await now(env);
    return {
      datanetId: gated,
      grantee,
      scopes: Scope.Train | Scope.Retrieve,
      expiresAt: t + 86_400n,
      nonce,
      deadline: t + 3_600n,
      issuedAt: t + 1n,
      ...over,
    };
  }

  async function sign(
    grant: AccessGrant,
    signer = env.accounts.approver,
    registry: Address = env.datanetRegistry.address,
    chain = chainId,
  ): Promise<Hex> {
    return signer.signTypedData({ account: signer.account, ...accessGrantTypedData(chain, registry, grant) });
  }

  it("answers true on open Datanets and for owners and approvers", async () => {
    const r = env.datanetRegistry.read;
    const { other, owner, approver } = env.accounts;
    assert.equal(await r.hasAccess([open, other.account.address, Scope.Train]), true);
    assert.equal(await r.hasAccess([gated, other.account.address, Scope.Train]), false);
    assert.equal(await r.hasAccess([gated, owner.account.address, ALL]), true);
    assert.equal(await r.hasAccess([gated, approver.account.address, Scope.Evaluate]), true);
  });

  it("rejects invalid scopes in hasAccess", async () => {
    const { datanetRegistry, viem, accounts } = env;
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.read.hasAccess([gated, accounts.other.account.address, 0]),
      datanetRegistry,
      "InvalidScopes",
      [0],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.read.hasAccess([gated, accounts.other.account.address, 8]),
      datanetRegistry,
      "InvalidScopes",
      [8],
    );
  });

  it("records access requests with a purpose, and denials", async () => {
    const { datanetRegistry, viem, accounts } = env;
    const b = getAddress(accounts.builder.account.address);
    await viem.assertions.emitWithArgs(
      datanetRegistry.write.requestAccess([gated, Scope.Train, "ipfs://purpose"], { account: accounts.builder.account }),
      datanetRegistry,
      "AccessRequested",
      [1n, gated, b, Scope.Train, "ipfs://purpose"],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.requestAccess([gated, 0, ""]),
      datanetRegistry,
      "InvalidScopes",
      [0],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.requestAccess([99n, 1, ""]),
      datanetRegistry,
      "DatanetNotFound",
      [99n],
    );
    await viem.assertions.emitWithArgs(
      datanetRegistry.write.denyAccessRequest([gated, 1n, "not yet"], { account: accounts.approver.account }),
      datanetRegistry,
      "AccessRequestDenied",
      [1n, gated, getAddress(accounts.approver.account.address), "not yet"],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.denyAccessRequest([gated, 1n, ""], { account: accounts.other.account }),
      datanetRegistry,
      "NotDatanetApprover",
      [gated, getAddress(accounts.other.account.address)],
    );
    // A denied request is closed; ids of no request, and another Datanet's requests, are refused.
    assert.equal(await datanetRegistry.read.accessRequestDatanet([1n]), 0n);
    const approver = { account: accounts.approver.account };
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.denyAccessRequest([gated, 1n, ""], approver),
      datanetRegistry,
      "AccessRequestNotFound",
      [1n],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.denyAccessRequest([gated, 99n, ""], approver),
      datanetRegistry,
      "AccessRequestNotFound",
      [99n],
    );
    for (let i = 0; i < 4; i++)
      await datanetRegistry.write.requestAccess([i % 2 === 0 ? open : gated, Scope.Train, ""], { account: accounts.builder.account });
    assert.deepEqual(await Promise.all([2n, 3n, 4n, 5n].map((id) => datanetRegistry.read.accessRequestDatanet([id]))), [
      open,
      gated,
      open,
      gated,
    ]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.denyAccessRequest([gated, 4n, ""], approver),
      datanetRegistry,
      "AccessRequestOfOtherDatanet",
      [4n, gated, open],
    );
    await datanetRegistry.write.denyAccessRequest([gated, 3n, ""], approver);
    // Closing one lane of a slot leaves its neighbours open.
    assert.deepEqual(await Promise.all([2n, 3n, 4n, 5n].map((id) => datanetRegistry.read.accessRequestDatanet([id]))), [
      open,
      0n,
      open,
      gated,
    ]);
    await datanetRegistry.write.denyAccessRequest([gated, 5n, ""], approver);
    await datanetRegistry.write.denyAccessRequest([open, 4n, ""], { account: accounts.owner.account });
  });

  it("grants by transaction, expires, and revokes", async () => {
    const { datanetRegistry, viem, accounts, networkHelpers } = env;
    const b = getAddress(accounts.builder.account.address);
    const a = getAddress(accounts.approver.account.address);
    const expiresAt = (await now(env)) + 1000n;
    await viem.assertions.emitWithArgs(
      datanetRegistry.write.grantAccess([gated, b, Scope.Train, expiresAt], { account: accounts.approver.account }),
      datanetRegistry,
      "AccessGranted",
      [gated, b, a, Scope.Train, expiresAt, 0n, false],
    );
    assert.deepEqual(await datanetRegistry.read.grantOf([gated, b]), [Scope.Train, expiresAt]);
    assert.equal(await datanetRegistry.read.hasAccess([gated, b, Scope.Train]), true);
    assert.equal(await datanetRegistry.read.hasAccess([gated, b, Scope.Retrieve]), false, "scope not granted");
    assert.equal(await datanetRegistry.read.hasAccess([gated, b, Scope.Train | Scope.Retrieve]), false, "all bits required");
    await networkHelpers.time.increaseTo(expiresAt);
    assert.equal(await datanetRegistry.read.hasAccess([gated, b, Scope.Train]), false, "expired at expiresAt");
    const later = (await now(env)) + 5000n;
    await datanetRegistry.write.grantAccess([gated, b, ALL, later], { account: accounts.owner.account });
    assert.equal(await datanetRegistry.read.hasAccess([gated, b, Scope.Evaluate]), true);
    await viem.assertions.emitWithArgs(
      datanetRegistry.write.revokeAccess([gated, b], { account: accounts.approver.account }),
      datanetRegistry,
      "AccessRevoked",
      [gated, b, a],
    );
    assert.equal(await datanetRegistry.read.hasAccess([gated, b, Scope.Train]), false);
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.revokeAccess([gated, b], { account: accounts.approver.account }),
      datanetRegistry,
      "NoGrant",
      [gated, b],
    );
  });

  it("refuses bad grants by transaction with the offending value", async () => {
    const { datanetRegistry, viem, accounts } = env;
    const b = accounts.builder.account.address;
    const t = await now(env);
    const as = { account: accounts.approver.account };
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.grantAccess([gated, b, 1, t + 10n], { account: accounts.other.account }),
      datanetRegistry,
      "NotDatanetApprover",
      [gated, getAddress(accounts.other.account.address)],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.grantAccess([gated, zeroAddress, 1, t + 10n], as),
      datanetRegistry,
      "ZeroAddress",
      [],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.grantAccess([gated, b, 16, t + 10n], as),
      datanetRegistry,
      "InvalidScopes",
      [16],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.grantAccess([gated, b, 1, 5n], as),
      datanetRegistry,
      "ExpiryInPast",
      [5n],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.revokeAccess([gated, b], { account: accounts.other.account }),
      datanetRegistry,
      "NotDatanetApprover",
      [gated, getAddress(accounts.other.account.address)],
    );
  });

  it("computes the same EIP-712 digest as the SDK, and the SDK recovers the signer", async () => {
    const grant = await grantFor(env.accounts.builder.account.address, 7n);
    const onChain = await env.datanetRegistry.read.hashAccessGrant([grant]);
    assert.equal(onChain, hashAccessGrant(chainId, env.datanetRegistry.address, grant));
    const signature = await sign(grant);
    assert.equal(
      getAddress(await recoverAccessGrantSigner(chainId, env.datanetRegistry.address, { grant, signature })),
      getAddress(env.accounts.approver.account.address),
    );
    assert.match(await env.datanetRegistry.read.domainSeparator(), /^0x[0-9a-f]{64}$/);
    const typeString = "AccessGrant(" + accessGrantTypes.AccessGrant.map((f) => `${f.type} ${f.name}`).join(",") + ")";
    assert.equal(await env.datanetRegistry.read.ACCESS_GRANT_TYPEHASH(), keccak256(stringToBytes(typeString)));
    // The share-able encoding carries every signed field; the SDK refuses what the chain would.
    const approver = env.accounts.approver.account.address;
    assert.deepEqual(decodeSignedAccessGrant(encodeSignedAccessGrant({ grant, approver, signature })), { grant, approver, signature });
    assert.throws(() => accessGrantTypedData(chainId, env.datanetRegistry.address, { ...grant, issuedAt: 0n }), /time it was issued/);
    assert.throws(
      () =>
        accessGrantTypedData(chainId, env.datanetRegistry.address, {
          ...grant,
          expiresAt: grant.issuedAt + MAX_GRANT_DURATION_SECONDS + 1n,
        }),
      /at most 5 years/,
    );
    assert.equal(await env.datanetRegistry.read.MAX_GRANT_DURATION(), MAX_GRANT_DURATION_SECONDS);
  });

  it("redeems a signed grant submitted by anyone, exactly once", async () => {
    const { datanetRegistry, viem, accounts } = env;
    const grantee = getAddress(accounts.other.account.address);
    const grant = await grantFor(grantee, 100n);
    const signature = await sign(grant);
    const approver = getAddress(accounts.approver.account.address);
    await viem.assertions.emitWithArgs(
      datanetRegistry.write.grantAccessBySig([grant, approver, signature], { account: accounts.contributor.account }),
      datanetRegistry,
      "AccessGranted",
      [gated, grantee, approver, grant.scopes, grant.expiresAt, 100n, true],
    );
    assert.equal(await datanetRegistry.read.hasAccess([gated, grantee, Scope.Retrieve]), true);
    assert.equal(await datanetRegistry.read.isNonceUsed([approver, 100n]), true);
    // A replay is no newer than the grant it applied.
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.grantAccessBySig([grant, approver, signature]),
      datanetRegistry,
      "GrantOutdated",
      [gated, grantee, grant.issuedAt, grant.issuedAt],
    );
    assert.equal(await datanetRegistry.read.grantIssuedAt([gated, grantee]), grant.issuedAt);
  });

  it("refuses replay with another grantee, Datanet, chain or contract", async () => {
    const { datanetRegistry, viem, accounts } = env;
    const approver = getAddress(accounts.approver.account.address);
    const grant = await grantFor(accounts.builder.account.address, 200n);
    const signature = await sign(grant);
    for (const tampered of [
      { ...grant, grantee: accounts.other.account.address },
      { ...grant, datanetId: open },
      { ...grant, scopes: Scope.Train | Scope.Retrieve | Scope.Evaluate },
      { ...grant, expiresAt: grant.expiresAt + 1n },
      { ...grant, nonce: 201n },
      { ...grant, issuedAt: grant.issuedAt + 1n },
    ]) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        datanetRegistry.write.grantAccessBySig([tampered, approver, signature]),
        datanetRegistry,
        "InvalidSignature",
        [approver],
      );
    }
    const otherChain = await sign(grant, accounts.approver, datanetRegistry.address, chainId + 1);
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.grantAccessBySig([grant, approver, otherChain]),
      datanetRegistry,
      "InvalidSignature",
      [approver],
    );
    const otherContract = await sign(grant, accounts.approver, env.trainingJobs.address);
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.grantAccessBySig([grant, approver, otherContract]),
      datanetRegistry,
      "InvalidSignature",
      [approver],
    );
    // A second registry on the same chain refuses the first one's signature.
    const second = await viem.deployContract("DatanetRegistry");
    await second.write.createDatanet(["ipfs://m", "MIT", 1, 1], { account: accounts.owner.account });
    await second.write.addApprover([1n, approver], { account: accounts.owner.account });
    await second.write.createDatanet(["ipfs://m", "MIT", 1, 1], { account: accounts.owner.account });
    await second.write.addApprover([2n, approver], { account: accounts.owner.account });
    const later = await grantFor(accounts.builder.account.address, 202n);
    await viem.assertions.revertWithCustomErrorWithArgs(
      second.write.grantAccessBySig([later, approver, await sign(later)]),
      second,
      "InvalidSignature",
      [approver],
    );
    // The untampered grant still works on the right contract.
    await datanetRegistry.write.grantAccessBySig([grant, approver, signature]);
  });

  it("refuses signatures from non-approvers, past deadlines and cancelled nonces", async () => {
    const { datanetRegistry, viem, accounts, networkHelpers } = env;
    const outsider = getAddress(accounts.other.account.address);
    const approver = getAddress(accounts.approver.account.address);
    const g1 = await grantFor(accounts.builder.account.address, 300n);
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.grantAccessBySig([g1, outsider, await sign(g1, accounts.other)]),
      datanetRegistry,
      "NotDatanetApprover",
      [gated, outsider],
    );
    // Signed by the outsider but claimed to come from the approver.
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.grantAccessBySig([g1, approver, await sign(g1, accounts.other)]),
      datanetRegistry,
      "InvalidSignature",
      [approver],
    );
    const sig = await sign(g1);
    await viem.assertions.emitWithArgs(
      datanetRegistry.write.cancelGrantSignature([300n], { account: accounts.approver.account }),
      datanetRegistry,
      "GrantSignatureCancelled",
      [approver, 300n],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.grantAccessBySig([g1, approver, sig]),
      datanetRegistry,
      "NonceAlreadyUsed",
      [approver, 300n],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.cancelGrantSignature([300n], { account: accounts.approver.account }),
      datanetRegistry,
      "NonceAlreadyUsed",
      [approver, 300n],
    );
    const g2 = await grantFor(accounts.builder.account.address, 301n);
    const sig2 = await sign(g2);
    await networkHelpers.time.increaseTo(g2.deadline + 1n);
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.grantAccessBySig([g2, approver, sig2]),
      datanetRegistry,
      "SignatureExpired",
      [g2.deadline],
    );
  });

  it("stops an approver's unredeemed signatures when the approver is removed", async () => {
    const { datanetRegistry, viem, accounts } = env;
    const approver = getAddress(accounts.approver.account.address);
    const g = await grantFor(accounts.builder.account.address, 400n);
    const sig = await sign(g);
    await datanetRegistry.write.removeApprover([gated, approver], { account: accounts.owner.account });
    assert.equal(await datanetRegistry.read.approverSince([gated, approver]), 0n);
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.grantAccessBySig([g, approver, sig]),
      datanetRegistry,
      "NotDatanetApprover",
      [gated, approver],
    );
    // Adding it back starts a new term: the old signature stays dead for good.
    await datanetRegistry.write.addApprover([gated, approver], { account: accounts.owner.account });
    const since = await datanetRegistry.read.approverSince([gated, approver]);
    assert.ok(since > g.issuedAt);
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.grantAccessBySig([g, approver, sig]),
      datanetRegistry,
      "GrantIssuedBeforeApproval",
      [approver, g.issuedAt, since],
    );
    // A signature of the new term works.
    const fresh = await grantFor(accounts.builder.account.address, 401n);
    await datanetRegistry.write.grantAccessBySig([fresh, approver, await sign(fresh)]);
  });

  it("kills a revoked grantee's unredeemed signatures, never lets an older grant replace a newer one, and bounds expiry", async () => {
    const { datanetRegistry, viem, accounts, networkHelpers } = env;
    const approver = getAddress(accounts.approver.account.address);
    const grantee = getAddress(accounts.contributor.account.address);
    const as = { account: accounts.approver.account };
    const outstanding = await grantFor(grantee, 600n);
    const outstandingSig = await sign(outstanding);
    await networkHelpers.time.increase(10);
    await datanetRegistry.write.grantAccess([gated, grantee, Scope.Train, (await now(env)) + 1000n], as);
    await datanetRegistry.write.revokeAccess([gated, grantee], as);
    const revokedAt = await datanetRegistry.read.grantIssuedAt([gated, grantee]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.grantAccessBySig([outstanding, approver, outstandingSig]),
      datanetRegistry,
      "GrantOutdated",
      [gated, grantee, outstanding.issuedAt, revokedAt],
    );
    assert.equal(await datanetRegistry.read.hasAccess([gated, grantee, Scope.Train]), false);
    // Two later signatures: the newer applies; the older one cannot downgrade it afterwards.
    await networkHelpers.time.increase(10);
    const older = await grantFor(grantee, 601n, { scopes: Scope.Train });
    await networkHelpers.time.increase(10);
    const newer = await grantFor(grantee, 602n, { scopes: Scope.Train | Scope.Retrieve | Scope.Evaluate });
    const olderSig = await sign(older);
    await datanetRegistry.write.grantAccessBySig([newer, approver, await sign(newer)]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.grantAccessBySig([older, approver, olderSig]),
      datanetRegistry,
      "GrantOutdated",
      [gated, grantee, older.issuedAt, newer.issuedAt],
    );
    assert.deepEqual(await datanetRegistry.read.grantOf([gated, grantee]), [
      Scope.Train | Scope.Retrieve | Scope.Evaluate,
      newer.expiresAt,
    ]);
    // Issue times past the clock skew, and expiries past 5 years, are refused.
    const t = await now(env);
    const future = await grantFor(grantee, 603n, { issuedAt: t + 3600n });
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.grantAccessBySig([future, approver, await sign(future)]),
      datanetRegistry,
      "GrantIssuedInFuture",
      [t + 3600n],
    );
    const fiveYears = 5n * 365n * 86_400n;
    const at = (await now(env)) + 100n;
    await networkHelpers.time.setNextBlockTimestamp(at);
    const far = at + fiveYears + 1n;
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.grantAccess([gated, grantee, Scope.Train, far], as),
      datanetRegistry,
      "ExpiryTooFar",
      [far, at + fiveYears],
    );
  });

  it("counts an owner's signatures only from when it took ownership", async () => {
    const { datanetRegistry, viem, accounts, networkHelpers } = env;
    const owner = getAddress(accounts.owner.account.address);
    const id = await createDatanet(env, AccessPolicy.Permissioned, ContributionPolicy.Open);
    assert.ok((await datanetRegistry.read.approverSince([id, owner])) > 0n);
    const g = await grantFor(accounts.builder.account.address, 700n, { datanetId: id });
    const sig = await sign(g, accounts.owner);
    await networkHelpers.time.increase(10);
    // Ownership goes to another account and comes back: the signature of the earlier tenure stays dead.
    await datanetRegistry.write.transferOwnership([id, accounts.other.account.address], { account: accounts.owner.account });
    await datanetRegistry.write.acceptOwnership([id], { account: accounts.other.account });
    await datanetRegistry.write.transferOwnership([id, owner], { account: accounts.other.account });
    await datanetRegistry.write.acceptOwnership([id], { account: accounts.owner.account });
    const since = await datanetRegistry.read.approverSince([id, owner]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.grantAccessBySig([g, owner, sig]),
      datanetRegistry,
      "GrantIssuedBeforeApproval",
      [owner, g.issuedAt, since],
    );
    assert.equal(await datanetRegistry.read.approverSince([id, getAddress(accounts.other.account.address)]), 0n);
  });

  it("validates the grant's fields after the signature", async () => {
    const { datanetRegistry, viem, accounts } = env;
    const approver = getAddress(accounts.approver.account.address);
    const t = await now(env);
    const expired: AccessGrant = { ...(await grantFor(accounts.builder.account.address, 500n)), expiresAt: t - 1n };
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.grantAccessBySig([expired, approver, await sign(expired)]),
      datanetRegistry,
      "ExpiryInPast",
      [t - 1n],
    );
    // The SDK refuses to build typed data for invalid scopes, so sign the raw struct.
    const bad = { ...(await grantFor(accounts.builder.account.address, 501n)), scopes: 0 };
    const badSig = await accounts.approver.signTypedData({
      account: accounts.approver.account,
      domain: { name: "ModelFactory DatanetRegistry", version: "1", chainId, verifyingContract: datanetRegistry.address },
      types: {
        AccessGrant: [
          { name: "datanetId", type: "uint256" },
          { name: "grantee", type: "address" },
          { name: "scopes", type: "uint8" },
          { name: "expiresAt", type: "uint64" },
          { name: "nonce", type: "uint256" },
          { name: "deadline", type: "uint256" },
          { name: "issuedAt", type: "uint64" },
        ],
      },
      primaryType: "AccessGrant",
      message: bad,
    });
    await viem.assertions.revertWithCustomErrorWithArgs(
      datanetRegistry.write.grantAccessBySig([bad, approver, badSig]),
      datanetRegistry,
      "InvalidScopes",
      [0],
    );
  });
});
