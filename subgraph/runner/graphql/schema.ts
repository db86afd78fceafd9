// Generates the GraphQL schema graph-node serves for a subgraph schema: per entity type an
// object type, `entity(id)` and `entities(first, skip, orderBy, orderDirection, where, block)`
// queries, `<Entity>_filter` and `<Entity>_orderBy` inputs, and `_meta`.
import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLError,
  GraphQLID,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  type GraphQLScalarType,
  type GraphQLFieldConfig,
  type GraphQLFieldConfigArgumentMap,
  type GraphQLInputFieldConfigMap,
  type GraphQLOutputType,
} from "graphql";
import { pluralName, singularName, type FieldModel, type SchemaModel } from "../schema/model.ts";
import type { BlockPtr } from "../store/entity-store.ts";
import { fieldScalar, type EntityData, type EntityValue } from "../store/values.ts";
import { filterKey, filterOps, orderByValues, type FilterKeyMap } from "./filters.ts";
import { DEFAULT_FIRST, type CollectionArgs, type QueryEngine, type Scope } from "./query.ts";
import { BigDecimalScalar, BigIntScalar, BytesScalar, Int8Scalar, TimestampScalar } from "./scalars.ts";

export type Meta = { block: BlockPtr | null; deployment: string; error: string | null };
export type QueryContext = { engine: QueryEngine; meta: Meta };

export type GeneratedSchema = { schema: GraphQLSchema; keyMaps: Map<string, FilterKeyMap> };

const SCALAR_TYPES = {
  ID: GraphQLID,
  String: GraphQLString,
  Int: GraphQLInt,
  Boolean: GraphQLBoolean,
  BigInt: BigIntScalar,
  BigDecimal: BigDecimalScalar,
  Bytes: BytesScalar,
  Int8: Int8Scalar,
  Timestamp: TimestampScalar,
} as const;

const OrderDirection = new GraphQLEnumType({
  name: "OrderDirection",
  description: "Defines the order direction, either ascending or descending",
  values: { asc: { value: "asc" }, desc: { value: "desc" } },
});

const SubgraphErrorPolicy = new GraphQLEnumType({
  name: "_SubgraphErrorPolicy_",
  values: {
    allow: { value: "allow", description: "Data will be returned even if the subgraph has indexing errors" },
    deny: { value: "deny", description: "If the subgraph has indexing errors, data will be omitted." },
  },
});

const BlockHeight = new GraphQLInputObjectType({
  name: "Block_height",
  fields: { hash: { type: BytesScalar }, number: { type: GraphQLInt }, number_gte: { type: GraphQLInt } },
});

const BlockChangedFilter = new GraphQLInputObjectType({
  name: "BlockChangedFilter",
  fields: { number_gte: { type: new GraphQLNonNull(GraphQLInt) } },
});

const MetaBlock = new GraphQLObjectType({
  name: "_Block_",
  fields: {
    hash: { type: BytesScalar },
    number: { type: new GraphQLNonNull(GraphQLInt) },
    timestamp: { type: GraphQLInt },
    parentHash: { type: BytesScalar },
  },
});

const MetaType = new GraphQLObjectType({
  name: "_Meta_",
  description: "The type for the top-level _meta field",
  fields: {
    block: { type: new GraphQLNonNull(MetaBlock) },
    deployment: { type: new GraphQLNonNull(GraphQLString) },
    hasIndexingErrors: { type: new GraphQLNonNull(GraphQLBoolean) },
  },
});

/** Checks the `block` and `subgraphError` arguments against what the store holds. */
function checkBlockArgs(
  args: { block?: { hash?: string; number?: number; number_gte?: number } | null; subgraphError?: string },
  ctx: QueryContext,
): void {
  const block = args.block;
  const head = ctx.meta.block;
  if (ctx.meta.error && args.subgraphError !== "allow") {
    throw new GraphQLError(`indexing_error: the subgraph failed (${ctx.meta.error}); pass subgraphError: allow to read its data anyway.`);
  }
  if (!block) return;
  if (block.number_gte !== undefined && block.number_gte !== null && (head?.number ?? -1) < block.number_gte) {
    throw new GraphQLError(
      `subgraph has only indexed up to block number ${head?.number ?? -1} and data for block number ${block.number_gte} is therefore not yet available`,
    );
  }
  const timeTravel =
    (block.number !== undefined && block.number !== null && block.number !== head?.number) ||
    (block.hash !== undefined && block.hash !== null && block.hash !== head?.hash?.toLowerCase());
  if (timeTravel) {
    throw new GraphQLError(
      "Time-travel queries (`block: { number }` or `block: { hash }` other than the latest indexed block) are not supported by the local subgraph runner; it keeps only the latest state.",
      { extensions: { code: "UNSUPPORTED" } },
    );
  }
}

export function buildGraphQLSchema(model: SchemaModel): GeneratedSchema {
  const enums = new Map<string, GraphQLEnumType>();
  for (const [name, values] of model.enums) {
    enums.set(name, new GraphQLEnumType({ name, values: Object.fromEntries(values.map((v) => [v, { value: v }])) }));
  }
  const objects = new Map<string, GraphQLObjectType>();
  const filters = new Map<string, GraphQLInputObjectType>();
  const orderBys = new Map<string, GraphQLEnumType>();
  const keyMaps = new Map<string, FilterKeyMap>();

  const scalarInput = (field: FieldModel): GraphQLScalarType | GraphQLEnumType => {
    if (field.type.kind === "enum") return enums.get(field.type.name)!;
    if (field.type.kind === "entity") return GraphQLString;
    return SCALAR_TYPES[field.type.name];
  };

  for (const entity of model.entities.values()) {
    const keys: FilterKeyMap = new Map();
    keyMaps.set(entity.name, keys);
    filters.set(
      entity.name,
      new GraphQLInputObjectType({
        name: `${entity.name}_filter`,
        fields: (): GraphQLInputFieldConfigMap => {
          const out: GraphQLInputFieldConfigMap = {};
          for (const field of entity.fields) {
            const scalar = fieldScalar(field, model.entities);
            for (const op of filterOps(field, scalar)) {
              const key = filterKey(field.name, op);
              keys.set(key, { field, op });
              if (op === "nested") {
                out[key] = { type: filters.get((field.type as { name: string }).name)! };
              } else if (field.list || op === "in" || op === "not_in") {
                out[key] = { type: new GraphQLList(new GraphQLNonNull(scalarInput(field))) };
              } else {
                out[key] = { type: scalarInput(field) };
              }
            }
          }
          out._change_block = { type: BlockChangedFilter, description: "Filter for the block changed event." };
          out.and = { type: new GraphQLList(filters.get(entity.name)!) };
          out.or = { type: new GraphQLList(filters.get(entity.name)!) };
          return out;
        },
      }),
    );
    orderBys.set(
      entity.name,
      new GraphQLEnumType({
        name: `${entity.name}_orderBy`,
        values: Object.fromEntries([...orderByValues(entity, model).keys()].map((k) => [k, { value: k }])),
      }),
    );
  }

  const collectionArgs = (entity: string): GraphQLFieldConfigArgumentMap => ({
    skip: { type: GraphQLInt, defaultValue: 0 },
    first: { type: GraphQLInt, defaultValue: DEFAULT_FIRST },
    orderBy: { type: orderBys.get(entity)! },
    orderDirection: { type: OrderDirection },
    where: { type: filters.get(entity)! },
  });

  const fieldConfig = (field: FieldModel): GraphQLFieldConfig<EntityData, QueryContext> => {
    const description = field.description;
    if (field.type.kind !== "entity") {
      const base: GraphQLOutputType = field.type.kind === "enum" ? enums.get(field.type.name)! : SCALAR_TYPES[field.type.name];
      let type: GraphQLOutputType = field.list ? new GraphQLList(new GraphQLNonNull(base)) : base;
      if (field.nonNull) type = new GraphQLNonNull(type);
      return { type, ...(description ? { description } : {}), resolve: (parent) => parent[field.name] };
    }
    const targetName = field.type.name;
    const target = objects.get(targetName)!;
    if (!field.list) {
      if (field.derivedFrom) {
        // A one-to-one derived field: the first entity pointing here.
        const source = model.entities.get(targetName)!.fieldsByName.get(field.derivedFrom)!;
        return {
          type: field.nonNull ? new GraphQLNonNull(target) : target,
          resolve: (parent, _args, ctx) => ctx.engine.list(targetName, { first: 1 }, scopeFor(source, parent.id as EntityValue))[0] ?? null,
        };
      }
      return {
        type: field.nonNull ? new GraphQLNonNull(target) : target,
        ...(description ? { description } : {}),
        resolve: (parent, _args, ctx) => {
          const id = parent[field.name];
          return id === null || id === undefined ? null : ctx.engine.load(targetName, id as string);
        },
      };
    }
    const listType = new GraphQLList(new GraphQLNonNull(target));
    return {
      type: field.nonNull ? new GraphQLNonNull(listType) : listType,
      ...(description ? { description } : {}),
      args: collectionArgs(targetName),
      resolve: (parent, args: CollectionArgs, ctx) => {
        if (field.derivedFrom) {
          const source = model.entities.get(targetName)!.fieldsByName.get(field.derivedFrom)!;
          return ctx.engine.list(targetName, args, scopeFor(source, parent.id as EntityValue));
        }
        const ids = (parent[field.name] as EntityValue[] | null) ?? [];
        const plain = !args.where && !args.orderBy && !args.skip && (args.first ?? DEFAULT_FIRST) >= ids.length;
        if (plain) return ids.map((id) => ctx.engine.load(targetName, id as string)).filter((e) => e !== null);
        return ctx.engine.list(targetName, args, { kind: "ids", ids: ids as string[] });
      },
    };
  };

  for (const entity of model.entities.values()) {
    objects.set(
      entity.name,
      new GraphQLObjectType<EntityData, QueryContext>({
        name: entity.name,
        ...(entity.description ? { description: entity.description } : {}),
        fields: () => Object.fromEntries(entity.fields.map((f) => [f.name, fieldConfig(f)])),
      }),
    );
  }

  const blockArgs: GraphQLFieldConfigArgumentMap = {
    block: {
      type: BlockHeight,
      description: "The block at which the query should be executed. Only the latest indexed block is available locally.",
    },
    subgraphError: { type: new GraphQLNonNull(SubgraphErrorPolicy), defaultValue: "deny" },
  };
  const queryFields: Record<string, GraphQLFieldConfig<unknown, QueryContext>> = {};
  for (const entity of model.entities.values()) {
    queryFields[singularName(entity.name)] = {
      type: objects.get(entity.name)!,
      args: { id: { type: new GraphQLNonNull(GraphQLID) }, ...blockArgs },
      resolve: (_root, args: { id: string; block?: never; subgraphError?: string }, ctx) => {
        checkBlockArgs(args, ctx);
        return ctx.engine.load(entity.name, entity.idType === "Bytes" ? args.id.toLowerCase() : args.id);
      },
    };
    queryFields[pluralName(entity.name)] = {
      type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(objects.get(entity.name)!))),
      args: { ...collectionArgs(entity.name), ...blockArgs },
      resolve: (_root, args: CollectionArgs & { block?: never; subgraphError?: string }, ctx) => {
        checkBlockArgs(args, ctx);
        return ctx.engine.list(entity.name, args);
      },
    };
  }
  queryFields._meta = {
    type: MetaType,
    description: "Access to subgraph metadata",
    args: { block: { type: BlockHeight } },
    resolve: (_root, args: { block?: { hash?: string; number?: number; number_gte?: number } | null }, ctx) => {
      checkBlockArgs({ ...args, subgraphError: "allow" }, ctx);
      const b = ctx.meta.block;
      return {
        block: {
          number: b?.number ?? 0,
          hash: b?.hash ?? null,
          timestamp: b?.timestamp ?? null,
          parentHash: b?.parentHash ?? null,
        },
        deployment: ctx.meta.deployment,
        hasIndexingErrors: ctx.meta.error !== null,
      };
    },
  };

  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: "Query", fields: queryFields }),
    types: [...objects.values()],
  });
  return { schema, keyMaps };
}

/** Children of `parentId` through the reference `source` (single or list). */
function scopeFor(source: FieldModel, parentId: EntityValue): Scope {
  const value = typeof parentId === "bigint" ? parentId : (parentId as string);
  return source.list
    ? { kind: "json", column: source.name, value: typeof value === "bigint" ? value.toString() : value }
    : { kind: "column", column: source.name, value };
}
