// The owner adds and removes approvers.
import { useState, type FormEvent } from "react";
import { isAddress } from "viem";
import { useAccountCode } from "../../data/hooks/useAccountCode.ts";
import { useAddApprover } from "../../data/hooks/useAddApprover.ts";
import { useRemoveApprover } from "../../data/hooks/useRemoveApprover.ts";
import { AddressLink, Badge } from "../../ui/bits.tsx";
import { formatTime } from "../../ui/format.ts";

/**
 * Marks an approver that is a contract wallet (ERC-1271, or an EOA delegated with EIP-7702): its
 * grant signatures are whatever its code says they are, so its owner should trust that code.
 */
function ContractWalletBadge({ address }: { address: string }) {
  const code = useAccountCode(address);
  if (!code.data || code.data === "0x") return null;
  return (
    <span title="Its grant signatures are checked by its own code (ERC-1271): a wallet whose code accepts anything lets anyone sign grants in its name.">
      <Badge tone="warn">contract wallet</Badge>
    </span>
  );
}

export function ApproversPanel({
  datanetId,
  approvers,
  isOwner,
}: {
  datanetId: string;
  approvers: { approver: { id: string }; addedAt: string }[];
  isOwner: boolean;
}) {
  const addApprover = useAddApprover();
  const removeApprover = useRemoveApprover();
  const [address, setAddress] = useState("");
  const [error, setError] = useState<string | null>(null);
  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (!isAddress(address.trim())) return setError("Enter a 0x address of 40 hex digits.");
    setError(null);
    await addApprover.mutateAsync({ datanetId, approver: address }).then(
      () => setAddress(""),
      () => {},
    );
  };
  return (
    <section className="panel" aria-labelledby="approvers-h">
      <h2 id="approvers-h">Approvers</h2>
      <p className="hint">The owner always approves. Approvers accept contributions and grant access.</p>
      {approvers.length === 0 ? <p>No other approvers.</p> : null}
      <ul>
        {approvers.map((a) => (
          <li key={a.approver.id} className="row">
            <AddressLink address={a.approver.id} label={a.approver.id} /> <ContractWalletBadge address={a.approver.id} />{" "}
            <span className="hint">since {formatTime(a.addedAt)}</span>
            {isOwner ? (
              <button
                className="btn btn-small btn-danger"
                disabled={removeApprover.isPending}
                onClick={() => void removeApprover.mutateAsync({ datanetId, approver: a.approver.id }).catch(() => {})}
              >
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
          <input
            id="approver-address"
            className="input"
            style={{ maxWidth: 420 }}
            placeholder="0x…"
            value={address}
            onChange={(e) => setAddress(e.target.value)}
            aria-invalid={!!error}
          />
          <button className="btn" type="submit" disabled={addApprover.isPending}>
            Add approver
          </button>
          {error ? (
            <span className="field-error" role="alert">
              {error}
            </span>
          ) : null}
        </form>
      ) : null}
    </section>
  );
}
