package dev.kiln.runtime.kernels;

/**
 * The element-wise loops of optimizer steps, with a divergence check fused into the same pass.
 *
 * <p>Why a kernel: an optimizer step touches every parameter and its state once per training
 * step; for the 235k-parameter MLP that is a tenth of the step. Refusing a step that would write
 * NaN or infinity (the training loop's divergence guard) used to cost two extra passes: copies of
 * the parameters and state before the step and a scan after it. Here one pass saves the old
 * values (only when asked), writes the new ones and tracks whether they are all finite, so a
 * refused step is undone from the saved copies and an accepted one costs the stores of the
 * copies alone.
 *
 * <p>Conventions: {@code [from, to)} is the range of the step; the saved arrays, when not null,
 * receive the values before the step at the same indices. Results are bit-identical between
 * the Vector API implementation and the plain-Java twin: the same operations in the same order,
 * no fused multiply-add. Stateless: safe to call from many threads on distinct arrays.
 */
public interface OptimizerSteps {

  /** The implementation chosen for this JVM: vectorized when the Vector API is available. */
  OptimizerSteps ACTIVE = KernelSelector.selectOptimizerSteps();

  /**
   * One Adam (or AdamW) step in PyTorch's form over {@code [from, to)}, in place: {@code m = beta1
   * * m + (1 - beta1) * g}, {@code v = beta2 * v + (1 - beta2) * g * g}, {@code w = w * decay -
   * stepSize * m / (sqrt(v) * rsqrtBc2 + epsilon)}, where the caller folds the bias corrections
   * into {@code stepSize = lr / (1 - beta1^t)} and {@code rsqrtBc2 = 1 / sqrt(1 - beta2^t)}, and
   * {@code decay = 1 - lr * weightDecay} (exactly 1 for Adam).
   *
   * @param saved when not null, three arrays (parameters, m, v) that receive the old values
   * @return whether every new parameter and second moment is finite (a non-finite first moment
   *     always makes its parameter non-finite); always {@code true} when {@code saved} is null
   *     and the implementation does not track it cheaply
   */
  boolean adam(float[] params, float[] grads, float[] m, float[] v, int from, int to, float beta1,
      float oneMinusBeta1, float beta2, float oneMinusBeta2, float stepSize, float rsqrtBc2,
      float epsilon, float decay, float[][] saved);

  /** A short description, e.g. {@code "Vector API, 16 float lanes"}. */
  String description();
}
