import type { ModelBase, ParameterDescription } from './model.js';
import type { Nested } from './tensor-table.js';

/** One entry of get_parameters as the original reports it: a one-value tensor's value is a plain number. */
export interface ReportedParameter {
  readonly value: Nested;
  readonly shape: number[];
  readonly requires_grad: boolean;
}

/**
 * get_parameters' `parameters`: every parameter by PyTorch name with its value, shape and requires_grad, as the
 * original reports them (a one-value tensor such as head.bias, shape [1], has a plain number as its value).
 */
export function reportParameters(model: ModelBase): Record<string, ReportedParameter> {
  const described = model.describeParameters();
  const report: Record<string, ReportedParameter> = {};
  for (const [name, description] of Object.entries(described)) report[name] = asReported(description);
  return report;
}

function asReported(description: ParameterDescription): ReportedParameter {
  const single = description.shape.reduce((size, n) => size * n, 1) === 1;
  return single ? { ...description, value: firstNumber(description.value) } : description;
}

function firstNumber(value: Nested): Nested {
  return Array.isArray(value) ? firstNumber(value[0] as Nested) : value;
}
