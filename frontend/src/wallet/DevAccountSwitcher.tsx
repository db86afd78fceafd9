// With the burner wallet connected, lets a developer act as any of the demo roles.
import { useAccount } from "wagmi";
import { DEV_ACCOUNTS } from "./dev-accounts.ts";
import { BURNER_ID, burnerAccountIndex } from "./burner-connector.ts";

export function DevAccountSwitcher() {
  const { connector, address } = useAccount();
  if (connector?.id !== BURNER_ID) return null;
  const select = (connector as unknown as { selectAccount: (i: number) => void }).selectAccount;
  return (
    <label className="dev-switcher">
      <span className="sr-only">Development account</span>
      <select
        value={burnerAccountIndex()}
        onChange={(e) => select(Number(e.target.value))}
        aria-label="Development account"
        data-address={address}
      >
        {DEV_ACCOUNTS.map((a, i) => (
          <option key={a.address} value={i}>
            {a.label}
          </option>
        ))}
      </select>
    </label>
  );
}
