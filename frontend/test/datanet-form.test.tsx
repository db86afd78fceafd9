import { describe, expect, it, vi } from "vitest";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { EMPTY_DATANET_FORM, metadataFromForm, validateDatanetForm } from "../src/data/datanet-metadata.ts";
import { DatanetForm } from "../src/pages/datanets/DatanetForm.tsx";

describe("Datanet form", () => {
  it("shows every field error after a submit attempt, not before, and does not submit", async () => {
    const onSubmit = vi.fn();
    render(<DatanetForm initial={{ ...EMPTY_DATANET_FORM, license: "" }} submitLabel="Create Datanet" onSubmit={onSubmit} />);
    expect(screen.queryByText("Give the Datanet a name.")).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: "Create Datanet" }));
    expect(screen.getByText("Give the Datanet a name.")).toBeTruthy();
    expect(screen.getByText(/at least 20 characters/)).toBeTruthy();
    expect(screen.getByText(/Name the domain/)).toBeTruthy();
    expect(screen.getByText(/Choose a license/)).toBeTruthy();
    expect(screen.getByLabelText("Name").getAttribute("aria-invalid")).toBe("true");
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it("submits the typed values once they are valid", async () => {
    const onSubmit = vi.fn();
    render(<DatanetForm initial={EMPTY_DATANET_FORM} submitLabel="Create Datanet" onSubmit={onSubmit} />);
    await userEvent.type(screen.getByLabelText("Name"), "Contract clauses");
    await userEvent.type(screen.getByLabelText("Description"), "Annotated clauses from public commercial contracts.");
    await userEvent.type(screen.getByLabelText("Domain"), "Law");
    await userEvent.type(screen.getByLabelText("Tags"), "contracts, Clauses, contracts");
    await userEvent.selectOptions(screen.getByLabelText("Access policy"), "Open");
    await userEvent.click(screen.getByRole("button", { name: "Create Datanet" }));
    expect(onSubmit).toHaveBeenCalledTimes(1);
    const form = onSubmit.mock.calls[0]![0];
    expect(form.accessPolicy).toBe("Open");
    const meta = metadataFromForm(form);
    expect(meta).toMatchObject({
      name: "Contract clauses",
      domain: "law",
      tags: ["contracts", "clauses"],
      schema: "modelfactory.datanet-metadata/1",
    });
  });

  it("validates lengths, tags, license and record kinds", () => {
    const base = { ...EMPTY_DATANET_FORM, name: "n", description: "x".repeat(30), domain: "d" };
    expect(validateDatanetForm(base)).toEqual({});
    expect(validateDatanetForm({ ...base, name: "x".repeat(81) }).name).toMatch(/80/);
    expect(validateDatanetForm({ ...base, tags: Array.from({ length: 21 }, (_, i) => `t${i}`).join(",") }).tags).toMatch(/20 tags/);
    expect(validateDatanetForm({ ...base, license: "<script>" }).license).toMatch(/SPDX/);
    expect(validateDatanetForm({ ...base, recordKinds: [] }).recordKinds).toMatch(/at least one/);
  });
});
