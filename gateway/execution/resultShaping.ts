import { createRequire } from 'node:module';
import path from 'node:path';
import {
  assert, ERRORS, isCompositeType, isObjectType, isSubtype, isValidLeafValue, Variable,
  type CompositeType, type NamedType, type Operation, type Schema, type Selection, type SelectionSet, type Type,
} from '@apollo/federation-internals';

/**
 * The last step of @apollo/gateway's executeQueryPlan (its `computeResponse`,
 * dist/resultShaping.js): walk the operation over the merged subgraph data
 * and build the answer — response names, __typename, fragments by type,
 * null bubbling and leaf checks. On a large answer it was the gateway's
 * biggest cost (issue 14: ~23% of the gateway's CPU on the deep list, plus
 * the garbage of one `{ updated, isInvalid }` per value): for every value it
 * re-reads the operation's directives, response names and wrapper types
 * through federation-internals' re-export getters, and it builds
 * dictionary-mode objects (`Object.create(null)`) that JSON.stringify walks
 * on its slow path.
 *
 * This is the same algorithm, with what depends only on the operation and the
 * variables decided once per call (a compiled tree of steps) and plain
 * objects as output. Outputs — data, errors and their paths, null bubbling,
 * thrown assertions — are Apollo's: test/…/resultShaping.test.ts checks them
 * against Apollo's own function on the same inputs.
 */

type ComputeResponse = (input: {
  operation: Operation;
  variables?: Record<string, unknown>;
  input: Record<string, unknown> | null | undefined;
  introspectionHandling: (selection: Selection) => unknown;
}) => { data: Record<string, unknown> | null | undefined; errors: unknown[] };

/** How one value of a field is completed: its wrappers, then an object walk or a leaf check. */
type ValueShape =
  | { kind: 'nonNull'; type: Type; of: ValueShape }
  | { kind: 'list'; type: Type; of: ValueShape }
  | { kind: 'composite'; type: Type }
  | { kind: 'leaf'; type: Type; valid: (value: unknown) => boolean };

interface FieldStep {
  kind: 'field';
  responseName: string;
  /** False when the name is also a property of Object/Array prototypes: read it as an own property only. */
  direct: boolean;
  shape: ValueShape;
  /** The field's selections (undefined for a leaf). */
  steps: Step[] | undefined;
}

interface FragmentStep {
  kind: 'fragment';
  typeCondition: CompositeType | undefined;
  steps: Step[];
  /** typeConditionApplies by __typename (or parent type): the schema does not change during a call. */
  applies: Map<unknown, boolean>;
}

type Step = (
  | FieldStep
  | FragmentStep
  | { kind: 'typename'; responseName: string; direct: boolean }
  | { kind: 'introspection'; responseName: string; direct: boolean; selection: Selection }
) & {
  /** @skip/@include, decided on first use (as Apollo does, so a bad variable throws at the same point). */
  skip: (() => boolean) | false;
};

interface Run {
  schema: Schema;
  errors: unknown[];
  path: Array<string | number>;
  introspectionHandling: (selection: Selection) => unknown;
  types: Map<string, NamedType | undefined>;
  /** Out-parameters of completeValue (Apollo returns a fresh { updated, isInvalid, hasErrors } per value). */
  isInvalid: boolean;
  hasErrors: boolean;
}

const BUBBLE = true;
const TYPENAME = '__typename';
const integerString = /^-?(?:0|[1-9][0-9]*)$/;
const hasOwn = Object.prototype.hasOwnProperty;

function readsDirectly(name: string): boolean {
  return !(name in Object.prototype) && !(name in Array.prototype);
}

function typeNamed(run: Run, name: string): NamedType | undefined {
  if (run.types.has(name)) return run.types.get(name);
  const type = run.schema.type(name);
  run.types.set(name, type);
  return type;
}

/** isValidLeafValue of federation-internals, specialised once per leaf type. */
function leafCheck(schema: Schema, type: Type): (value: unknown) => boolean {
  if (type.kind === 'ScalarType' && type !== schema.booleanType() && type !== schema.intType() && type !== schema.floatType()
    && type !== schema.stringType() && type !== schema.idType()) {
    return () => true;
  }
  if (type === schema.stringType()) return (value) => typeof value === 'string';
  if (type === schema.booleanType()) return (value) => typeof value === 'boolean';
  if (type === schema.floatType()) return (value) => typeof value === 'number' && isFinite(value);
  if (type === schema.intType()) return (value) => typeof value === 'number' && isFinite(value) && integerString.test(String(value));
  if (type === schema.idType()) return (value) => typeof value === 'string' || (typeof value === 'number' && isFinite(value) && integerString.test(String(value)));
  return (value) => isValidLeafValue(schema, value, type as Parameters<typeof isValidLeafValue>[2]);
}

/** Does the operation use `__proto__` as a response name? Plain output objects cannot hold it: Apollo's own function is used. */
function usesProtoName(selectionSet: SelectionSet): boolean {
  for (const selection of selectionSet.selections()) {
    if (selection.kind === 'FieldSelection' && selection.element.responseName() === '__proto__') return true;
    if (selection.selectionSet && usesProtoName(selection.selectionSet)) return true;
  }
  return false;
}

export function createResultShaping(original: ComputeResponse): ComputeResponse {
  return function computeResponse(args) {
    const { operation, variables, input, introspectionHandling } = args;
    if (!input) return { data: input, errors: [] };
    if (usesProtoName(operation.selectionSet)) return original(args);
    const schema = operation.schema();
    const allVariables: Record<string, unknown> = { __proto__: null, ...operation.collectDefaultedVariableValues(), ...variables };
    const run: Run = { schema, errors: [], path: [], introspectionHandling, types: new Map(), isInvalid: false, hasErrors: false };
    const steps = compileSelections(operation.selectionSet, schema, allVariables);
    const data: Record<string, unknown> = {};
    const bubbled = applySteps(run, input, steps, data, schema.schemaDefinition.rootType(operation.rootKind)!);
    return { data: bubbled ? null : data, errors: run.errors };
  };
}

function skipOf(selection: Selection, schema: Schema, variables: Record<string, unknown>): Step['skip'] {
  const element = selection.element;
  const skipDirective = element.appliedDirectivesOf(schema.skipDirective())[0];
  const includeDirective = element.appliedDirectivesOf(schema.includeDirective())[0];
  if (!skipDirective && !includeDirective) return false;
  const ifValue = (directive: NonNullable<typeof skipDirective>): boolean => {
    const ifArg = (directive.arguments() as { if: unknown }).if;
    if (ifArg instanceof Variable) {
      const value = variables[ifArg.name];
      assert(value !== undefined && typeof value === 'boolean', () => `Unexpected value ${value} for variable ${ifArg} of ${directive}`);
      return value as boolean;
    }
    return ifArg as boolean;
  };
  let decided: boolean | undefined;
  return () => (decided ??= Boolean((skipDirective && ifValue(skipDirective)) || (includeDirective && !ifValue(includeDirective))));
}

function shapeOf(type: Type, schema: Schema): ValueShape {
  switch (type.kind) {
    case 'NonNullType':
      return { kind: 'nonNull', type, of: shapeOf(type.ofType, schema) };
    case 'ListType':
      return { kind: 'list', type, of: shapeOf(type.ofType, schema) };
    default:
      return isCompositeType(type) ? { kind: 'composite', type } : { kind: 'leaf', type, valid: leafCheck(schema, type) };
  }
}

function compileSelections(selectionSet: SelectionSet, schema: Schema, variables: Record<string, unknown>): Step[] {
  const steps: Step[] = [];
  for (const selection of selectionSet.selections()) {
    const skip = skipOf(selection, schema, variables);
    if (selection.kind === 'FieldSelection') {
      const field = selection.element;
      const responseName = field.responseName();
      const direct = readsDirectly(responseName);
      if (field.definition.isSchemaIntrospectionField()) {
        steps.push({ kind: 'introspection', responseName, direct, selection, skip });
      } else if (field.name === TYPENAME) {
        steps.push({ kind: 'typename', responseName, direct, skip });
      } else {
        steps.push({
          kind: 'field', responseName, direct, skip,
          shape: shapeOf(field.definition.type!, schema),
          steps: selection.selectionSet ? compileSelections(selection.selectionSet, schema, variables) : undefined,
        });
      }
    } else {
      steps.push({ kind: 'fragment', typeCondition: selection.element.typeCondition, steps: compileSelections(selection.selectionSet, schema, variables), applies: new Map(), skip });
    }
  }
  return steps;
}

function own(object: Record<string, unknown>, name: string, direct: boolean): unknown {
  if (direct) return object[name];
  return hasOwn.call(object, name) ? object[name] : undefined;
}

function pathDescription(path: ReadonlyArray<string | number>, currentType: Type, parentType: unknown): string {
  const element = path[path.length - 1];
  assert(element !== undefined, 'Should not have been called on an empty path');
  return typeof element === 'string' ? `field ${parentType}.${element}` : `array element of type ${currentType} at index ${element}`;
}

function typeConditionApplies(run: Run, step: FragmentStep, typename: string | undefined, parentType: NamedType): boolean {
  const condition = step.typeCondition;
  if (!condition) return true;
  const key = typename || parentType;
  let applies = step.applies.get(key);
  if (applies === undefined) {
    if (typename) {
      const type = typeNamed(run, typename);
      applies = !!type && isSubtype(condition, type);
    } else {
      applies = isSubtype(condition, parentType);
    }
    step.applies.set(key, applies);
  }
  return applies;
}

/** Apollo's applySelectionSet: true when a null must bubble up to the parent. */
function applySteps(run: Run, input: Record<string, unknown>, steps: readonly Step[], output: Record<string, unknown>, parentType: NamedType): boolean {
  for (const step of steps) {
    if (step.skip && step.skip()) continue;
    if (step.kind === 'fragment') {
      const typename = input[TYPENAME];
      assert(!typename || typeof typename === 'string', () => `Got unexpected value for __typename: ${typename}`);
      if (typeConditionApplies(run, step, typename as string | undefined, parentType)) {
        if (applySteps(run, input, step.steps, output, step.typeCondition ?? parentType) === BUBBLE) return BUBBLE;
      }
      continue;
    }
    const { responseName } = step;
    const outputValue = own(output, responseName, step.direct);
    if (step.kind === 'introspection') {
      if (outputValue === undefined) output[responseName] = run.introspectionHandling(step.selection);
      continue;
    }
    let inputValue = own(input, responseName, step.direct) ?? null;
    if (step.kind === 'typename') {
      if (outputValue === undefined) {
        if (inputValue === null && responseName !== TYPENAME) inputValue = input[TYPENAME] ?? null;
        const type = inputValue !== null && typeof inputValue === 'string' ? typeNamed(run, inputValue) ?? parentType : parentType;
        if (!isObjectType(type)) return BUBBLE;
        output[responseName] = type.name;
      }
      continue;
    }
    run.path.push(responseName);
    const updated = completeValue(run, outputValue, step.shape, inputValue, step.steps, parentType);
    output[responseName] = updated;
    run.path.pop();
    if (run.isInvalid) return BUBBLE;
  }
  return false;
}

/**
 * Apollo's updateOutputValue: returns the value; `run.isInvalid` and
 * `run.hasErrors` are what its `{ isInvalid, hasErrors }` said.
 */
function completeValue(run: Run, outputValue: unknown, shape: ValueShape, inputValue: unknown, steps: Step[] | undefined, parentType: NamedType): unknown {
  assert(inputValue !== undefined, 'Should not pass undefined for `inputValue` to this method');
  run.isInvalid = false;
  run.hasErrors = false;
  if (outputValue === null || (outputValue !== undefined && !steps)) return outputValue;
  switch (shape.kind) {
    case 'nonNull': {
      const updated = completeValue(run, outputValue, shape.of, inputValue, steps, parentType);
      if (updated === null) {
        if (!run.hasErrors) {
          run.errors.push(ERRORS.INVALID_GRAPHQL.err(`Cannot return null for non-nullable ${pathDescription(run.path, shape.of.type, parentType)}.`, { path: Array.from(run.path) }));
        }
        run.isInvalid = true;
        run.hasErrors = true;
        return updated;
      }
      run.isInvalid = false;
      run.hasErrors = false;
      return updated;
    }
    case 'list': {
      if (inputValue === null) return null;
      assert(Array.isArray(inputValue), () => `Invalid non-list value ${inputValue} returned by subgraph for list type ${shape.type}`);
      assert(outputValue === undefined || Array.isArray(outputValue), () => `Invalid non-list value ${outputValue} returned by subgraph for list type ${shape.type}`);
      const outputList = outputValue as unknown[] | undefined;
      const length = inputValue.length;
      assert(outputList === undefined || length === outputList.length, () => `[${inputValue}].length (${length}) !== [${outputList}].length (${outputList!.length})`);
      const updated = new Array<unknown>(length);
      let shouldNullify = false;
      let hasErrors = false;
      for (let index = 0; index < length; index++) {
        run.path.push(index);
        updated[index] = completeValue(run, outputList === undefined ? undefined : outputList[index], shape.of, inputValue[index], steps, parentType);
        run.path.pop();
        shouldNullify ||= run.isInvalid;
        hasErrors ||= run.hasErrors;
      }
      run.isInvalid = false;
      run.hasErrors = hasErrors;
      return shouldNullify ? null : updated;
    }
    case 'composite': {
      if (inputValue === null) return null;
      const type = shape.type;
      assert(steps, () => `Invalid empty selection set for composite type ${type}`);
      assert(typeof inputValue === 'object', () => `Invalid non-object value ${inputValue} returned by subgraph for composite type ${type}`);
      assert(outputValue === undefined || typeof outputValue === 'object', () => `Invalid non-object value ${inputValue} returned by subgraph for composite type ${type}`);
      const object = inputValue as Record<string, unknown>;
      const inputTypename = object[TYPENAME];
      assert(inputTypename === undefined || typeof inputTypename === 'string', () => `Invalid non-string value ${inputTypename} for __typename at ${run.path}`);
      let objectType = type as NamedType;
      if (inputTypename) {
        const typenameType = typeNamed(run, inputTypename as string);
        if (!typenameType || !isCompositeType(typenameType)) {
          run.errors.push(ERRORS.INVALID_GRAPHQL.err(`Invalid __typename found for object at ${pathDescription(run.path, type, parentType)}.`, { path: Array.from(run.path) }));
          run.isInvalid = false;
          run.hasErrors = true;
          return null;
        }
        objectType = typenameType;
      }
      const target = outputValue === undefined ? {} : (outputValue as Record<string, unknown>);
      const bubbled = applySteps(run, object, steps, target, objectType);
      run.isInvalid = false;
      run.hasErrors = bubbled;
      return bubbled ? null : target;
    }
    case 'leaf': {
      if (inputValue === null) return null;
      assert(outputValue === undefined, () => `Excepted output to be undefined but got ${shape.type} for type ${shape.type}`);
      const valid = shape.valid(inputValue);
      if (!valid) {
        run.errors.push(ERRORS.INVALID_GRAPHQL.err(`Invalid value found for ${pathDescription(run.path, shape.type, parentType)}.`, { path: Array.from(run.path) }));
      }
      run.isInvalid = false;
      run.hasErrors = !valid;
      return valid ? inputValue : null;
    }
  }
}

let installed: ComputeResponse | undefined;

/**
 * Put the compiled result shaping in place of @apollo/gateway's
 * `computeResponse`. executeQueryPlan reads it from the module's exports at
 * every call, so replacing the export is enough. Returns false (and changes
 * nothing) when the gateway's build does not have that export: a new
 * @apollo/gateway version then runs its own function until this is checked
 * against it.
 */
export function installResultShaping(): boolean {
  if (installed) return true;
  const require = createRequire(import.meta.url);
  const gatewayDir = path.dirname(require.resolve('@apollo/gateway'));
  const module = require(path.join(gatewayDir, 'resultShaping.js')) as { computeResponse?: ComputeResponse };
  const version = (require(path.join(gatewayDir, '..', 'package.json')) as { version: string }).version;
  if (typeof module.computeResponse !== 'function' || version !== SUPPORTED_GATEWAY_VERSION) return false;
  installed = createResultShaping(module.computeResponse);
  module.computeResponse = installed;
  return true;
}

/** The @apollo/gateway whose resultShaping.js this file mirrors (and the differential test checks). */
export const SUPPORTED_GATEWAY_VERSION = '2.14.4';
