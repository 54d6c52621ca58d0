/**
 * The registry: node type → executor. A new node type is one module in this
 * folder and one line here.
 */
import type { NodeType } from '../../src/graph/schema';
import { activity } from './activity';
import { approval } from './approval';
import { condition } from './condition';
import { delay } from './delay';
import { forEach } from './for-each';
import { http } from './http';
import { merge } from './merge';
import { set } from './set';
import { switchNode } from './switch';
import { subworkflow } from './subworkflow';
import { trigger } from './trigger';
import type { Executor } from './types';
import { wait } from './wait';

export const EXECUTORS: Readonly<Record<NodeType, Executor>> = {
  trigger,
  set,
  condition,
  switch: switchNode,
  merge,
  delay,
  http,
  approval,
  wait,
  activity,
  subworkflow,
  forEach,
};

export { customNode } from './custom';
export type { Executor, ExecutorContext, NodeBinding, NodeResult } from './types';
