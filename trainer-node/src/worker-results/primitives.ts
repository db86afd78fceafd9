/** JSON Schema building blocks shared by the result schemas; not part of the public protocol module. */
export const str = { type: "string" } as const;
export const int = { type: "integer" } as const;
export const num = { type: "number" } as const;
export const bool = { type: "boolean" } as const;
export const strOrNull = { type: ["string", "null"] } as const;
/** A float computed from model outputs: `null` when it was NaN or infinite. */
export const measured = { type: ["number", "null"] } as const;
export const strings = { type: "array", items: str } as const;
