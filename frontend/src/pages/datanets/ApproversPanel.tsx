// The owner adds and removes approvers.
import { useState, type FormEvent } from "react";
import { useQuery } from "@tanstack/react-query";
import { createPublicClient, http, isAddress, type Address } from "viem";
import { useAppConfig } from "../../config/context.tsx";
import { AddressLink, Badge } from "../../ui/bits.tsx";
import { formatTime } from "../../ui/format.ts";
import { useTransaction } from "../../wallet/use-transaction.ts";

/**
 * Marks an approver that is a contract wallet (ERC-1271, or an EOA delegated with EIP-7702): its
 * grant signatures are whatever its code says they are, so its owner should trust that code.
 */
function ContractWalletBadge({ address }: { address: string }) {
  const config = useAppConfig();
  const code = useQuery({ queryKey: ["code", address], queryFn: () => createPublicClient({ transport: http(config.rpcUrl) }).getCode({ address: address as Address }), staleTime: 60_000 });
  if (!code.data || code.data === "0x") return null;
  return <span title="Its grant signatures are checked by its own code (ERC-1271): a wallet whose code accepts anything lets anyone sign grants in its name."><Badge tone="warn">contract wallet</Badge></span>;
}

export function ApproversPanel({ datanetId, approvers, isOwner }: { datanetId: string; approvers: { approver: { id: string }; addedAt: string }[]; isOwner: boolean }) {
  const send = useTransaction();
  const [address, setAddress] = useState("");
  const [error, setError] = useState<string | null>(null);
  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (!isAddress(address.trim())) return setError("Enter a 0x address of 40 hex digits.");
    setError(null);
    await send("Add approver", { contract: "DatanetRegistry", functionName: "addApprover", args: [BigInt(datanetId), address.trim()] }).then(() => setAddress(""), () => {});
  };
  return (
    <section className="panel" aria-labelledby="approvers-h">
      <h2 id="approvers-h">Approvers</h2>
      <p className="hint">The owner always approves. Approvers accept contributions and grant access.</p>
      {approvers.length === 0 ? <p>No other approvers.</p> : null}
      <ul>
        {approvers.map((a) => (
          <li key={a.approver.id} className="row">
            <AddressLink address={a.approver.id} label={a.approver.id} /> <ContractWalletBadge address={a.approver.id} /> <span className="hint">since {formatTime(a.addedAt)}</span>
            {isOwner ? (
              <button className="btn btn-small btn-danger" onClick={() => void send("Remove approver", { contract: "DatanetRegistry", functionName: "removeApprover", args: [BigInt(datanetId), a.approver.id] }).catch(() => {})}>
                Remove
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      {isOwner ? (
        <form onSubmit={add} className="row" aria-label="Add approver">
          <label htmlFor="approver-address" className="sr-only">
            Approver address
          </label>
          <input id="approver-address" className="input" style={{ maxWidth: 420 }} placeholder="0x…" value={address} onChange={(e) => setAddress(e.target.value)} aria-invalid={!!error} />
          <button className="btn" type="submit">
            Add approver
          </button>
          {error ? <span className="field-error" role="alert">{error}</span> : null}
        </form>
      ) : null}
    </section>
  );
}
