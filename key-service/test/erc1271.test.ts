// Contract-wallet requesters (ERC-1271) against a real key service on a real chain: a minimal
// contract wallet (contracts/test/MinimalERC1271Wallet.sol, test only) whose owner EOA signs is
// made an approver of the Datanet; the key service verifies the owner's signature through the
// wallet's isValidSignature and releases keys for curation to it, and refuses the same request
// signed by any other EOA, saying whose signature it is not.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { bytesToHex, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  datanetRegistryAbi,
  generateEncryptionKeyPair,
  KeyServiceError,
  openContribution,
  requestDataKeys,
  unwrapDataKey,
  type KeyServiceSigner,
} from "@modelfactory/sdk";
import {
  contributeSealed,
  KEYS,
  publishKey,
  records,
  startKeyService,
  type RunningKeyService,
  type Sealed,
  type Stack,
} from "./helpers/stack.ts";
import { REPO, startStack } from "../../trainer-node/test/helpers/stack.ts";

const ARTIFACT = path.join(REPO, "artifacts/contracts/test/MinimalERC1271Wallet.sol/MinimalERC1271Wallet.json");

describe("key service accepts ERC-1271 contract wallets", { timeout: 300_000 }, () => {
  let stack: Stack;
  let ks: RunningKeyService;
  let D: bigint;
  let wallet: Address;
  let sealed: Sealed;
  const owner = privateKeyToAccount(KEYS.other);
  const stranger = privateKeyToAccount(KEYS.contributor);
  const signedBy = (account: typeof owner): KeyServiceSigner => ({
    address: wallet,
    signMessage: ({ message }) => account.signMessage({ message }),
  });

  before(async () => {
    const artifact = JSON.parse(
      await readFile(ARTIFACT, "utf8").catch(() => {
        throw new Error(`${ARTIFACT} is missing: compile the contracts first (npm test -- compile, or npx hardhat compile).`);
      }),
    ) as { abi: readonly unknown[]; bytecode: Hex };
    stack = await startStack();
    D = await stack.createDatanet(1, 1);
    ks = await startKeyService(stack, D);
    await publishKey(stack, ks);
    sealed = await contributeSealed(stack, D, ks.service.ring.current.publicKey, generateEncryptionKeyPair(), records("lavender"));
    const hash = await stack.wallets.other.deployContract({
      abi: artifact.abi,
      bytecode: artifact.bytecode,
      args: [owner.address],
    } as never);
    wallet = (await stack.publicClient.waitForTransactionReceipt({ hash })).contractAddress!;
    assert.notEqual(await stack.publicClient.getCode({ address: wallet }), undefined, "the wallet is a contract");
    await stack.tx("owner", stack.deployment.contracts.DatanetRegistry.address, datanetRegistryAbi, "addApprover", [D, wallet]);
  });
  after(async () => {
    await ks?.stop();
    await stack?.stop();
  });

  it("releases to the wallet when its owner signs, a key that opens the contribution", async () => {
    const me = generateEncryptionKeyPair();
    const { keys } = await requestDataKeys(
      ks.url,
      { purpose: "curate", datanetId: D, contributionIds: [sealed.id], recipientPublicKey: bytesToHex(me.publicKey) },
      signedBy(owner),
      { chainId: 31337 },
    );
    assert.deepEqual(
      keys.map((k) => k.contributionId),
      [sealed.id.toString()],
    );
    const opened = openContribution(stack.store.get(sealed.cid), { dataKey: unwrapDataKey(keys[0]!.wrappedKey, me.secretKey) });
    const parts: Uint8Array[] = [];
    for await (const part of opened.bytes) parts.push(part);
    assert.deepEqual(Buffer.concat(parts), Buffer.from(sealed.canonical));
    const audit = (await readFile(path.join(ks.config.dataDir, "audit.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { event: string; requester?: string; purpose?: string });
    assert.ok(
      audit.some((e) => e.event === "release" && e.purpose === "curate" && e.requester?.toLowerCase() === wallet.toLowerCase()),
      "the release is logged under the wallet's address",
    );
  });

  it("refuses a signature by an EOA that does not own the wallet, saying so", async () => {
    const me = generateEncryptionKeyPair();
    await assert.rejects(
      requestDataKeys(
        ks.url,
        { purpose: "curate", datanetId: D, contributionIds: [sealed.id], recipientPublicKey: bytesToHex(me.publicKey) },
        signedBy(stranger),
        { chainId: 31337 },
      ),
      (e: unknown) =>
        e instanceof KeyServiceError &&
        e.status === 401 &&
        e.code === "SIGNATURE_INVALID" &&
        new RegExp(`is not ${wallet}'s signature`, "i").test(e.message),
    );
  });

  it("refuses the owner's own address, which is not an approver", async () => {
    const me = generateEncryptionKeyPair();
    const asOwner: KeyServiceSigner = { address: owner.address, signMessage: ({ message }) => owner.signMessage({ message }) };
    await assert.rejects(
      requestDataKeys(
        ks.url,
        { purpose: "curate", datanetId: D, contributionIds: [sealed.id], recipientPublicKey: bytesToHex(me.publicKey) },
        asOwner,
        { chainId: 31337 },
      ),
      (e: unknown) => e instanceof KeyServiceError && e.status === 403 && e.code === "NOT_CURATOR",
    );
  });
});
