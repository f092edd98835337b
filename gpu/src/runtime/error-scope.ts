/**
 * Runs `encode` (synchronous WebGPU calls: writes, encoding, submits) inside a validation error
 * scope and throws if WebGPU reported an error, since Dawn reports validation errors only through
 * error scopes. `operation` names the op and its shapes for the message. The scope is pushed and
 * popped synchronously, so calls that overlap in time never share one.
 */
export async function withValidation<T>(
  device: GPUDevice,
  operation: string,
  encode: () => T,
): Promise<T> {
  device.pushErrorScope('validation');
  let result: T;
  try {
    result = encode();
  } catch (error) {
    void device.popErrorScope();
    throw error;
  }
  const validationError = await device.popErrorScope();
  if (validationError) {
    throw new Error(`${operation}: WebGPU validation failed: ${validationError.message}`);
  }
  return result;
}
