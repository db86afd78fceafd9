// The Graph's custom scalars: BigInt, BigDecimal, Int8 and Timestamp travel as strings (JSON
// numbers would lose precision), Bytes as lowercase 0x-prefixed hex.
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from "graphql";

function literal(ast: ValueNode): unknown {
  if (ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return ast.value;
  throw new GraphQLError(`Expected a string or number literal, got ${ast.kind}.`);
}

function toBigInt(value: unknown, name: string): bigint {
  if (typeof value === "bigint") return value;
  if ((typeof value === "string" && /^-?\d+$/.test(value)) || (typeof value === "number" && Number.isInteger(value))) {
    return BigInt(value);
  }
  throw new GraphQLError(`${name} cannot represent ${JSON.stringify(value)}: expected an integer (as a string).`);
}

export const BigIntScalar = new GraphQLScalarType({
  name: "BigInt",
  serialize: (v) => String(v),
  parseValue: (v) => toBigInt(v, "BigInt"),
  parseLiteral: (ast) => toBigInt(literal(ast), "BigInt"),
});

export const Int8Scalar = new GraphQLScalarType({
  name: "Int8",
  description: "8 bytes signed integer",
  serialize: (v) => String(v),
  parseValue: (v) => toBigInt(v, "Int8"),
  parseLiteral: (ast) => toBigInt(literal(ast), "Int8"),
});

export const TimestampScalar = new GraphQLScalarType({
  name: "Timestamp",
  description: "A timestamp in microseconds since the epoch",
  serialize: (v) => String(v),
  parseValue: (v) => toBigInt(v, "Timestamp"),
  parseLiteral: (ast) => toBigInt(literal(ast), "Timestamp"),
});

function toDecimal(value: unknown): string {
  const s = String(value);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) {
    throw new GraphQLError(`BigDecimal cannot represent ${JSON.stringify(value)}.`);
  }
  return s;
}

export const BigDecimalScalar = new GraphQLScalarType({
  name: "BigDecimal",
  serialize: (v) => String(v),
  parseValue: toDecimal,
  parseLiteral: (ast) => toDecimal(literal(ast)),
});

function toBytes(value: unknown): string {
  if (typeof value !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(value)) {
    throw new GraphQLError(`Bytes cannot represent ${JSON.stringify(value)}: expected 0x-prefixed hex of whole bytes.`);
  }
  return value.toLowerCase();
}

export const BytesScalar = new GraphQLScalarType({
  name: "Bytes",
  serialize: (v) => String(v),
  parseValue: toBytes,
  parseLiteral: (ast) => toBytes(ast.kind === Kind.STRING ? ast.value : undefined),
});
