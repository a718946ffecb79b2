package dev.kiln.runtime.optim;

/**
 * Updates a flat array of parameters in place from a flat array of gradients, one pass per step.
 * Generated networks keep all trainable parameters in one {@code float[]}, so an optimizer is a
 * single element-wise loop that the JIT vectorizes; state (velocities, moment estimates) lives in
 * arrays sized at construction and indexed by the same positions as the parameters, and {@link
 * #step} allocates nothing.
 *
 * <p>Implementations are not thread-safe. Create them with {@link Optimizers}.
 */
public interface Optimizer {
  /**
   * Updates {@code params[offset, offset + length)} from {@code grads[offset, offset + length)}
   * and advances {@link #iterations()} by one. The range must lie within the size the optimizer
   * was created with and within both arrays.
   *
   * <p>Each call is one iteration (Adam's {@code t}), so update all parameters in one call per
   * training step; splitting a step into several calls over slices advances {@code t} once per
   * call.
   *
   * @throws IndexOutOfBoundsException if the range is outside the state or either array
   */
  void step(float[] params, float[] grads, int offset, int length);

  /**
   * One step over several ranges ({@code ranges} holds from/to pairs, {@code rangeCount} of them):
   * the iteration count advances once, as for one step over their union. Used when some layers are
   * frozen.
   */
  void step(float[] params, float[] grads, int[] ranges, int rangeCount);

  /**
   * As {@link #step(float[], float[], int, int)}, but only when every value the step would write
   * (parameters and optimizer state) is finite: otherwise nothing is written, {@link
   * #iterations()} does not advance, and the result is false. Training uses it to stop a diverging
   * run with the last finite weights and state. The check is a read-only pass computing the same
   * values before the writing one, so a step reads its inputs twice; it allocates nothing.
   *
   * @return whether the step was taken
   */
  boolean stepIfFinite(float[] params, float[] grads, int offset, int length);

  /** As {@link #step(float[], float[], int[], int)}, taken only when every value written is finite. */
  boolean stepIfFinite(float[] params, float[] grads, int[] ranges, int rangeCount);

  /**
   * One step over several ranges, each at its own share of the learning rate: range {@code r}
   * updates with {@code learningRate() * rateScales[r]} (per-layer learning-rate multipliers for
   * fine-tuning). Still one iteration, and one pass per range.
   */
  void step(float[] params, float[] grads, int[] ranges, float[] rateScales, int rangeCount);

  /** As {@link #step(float[], float[], int[], float[], int)}, taken only when every value written is finite. */
  boolean stepIfFinite(float[] params, float[] grads, int[] ranges, float[] rateScales, int rangeCount);

  /**
   * The live state arrays by name ({@code m}, {@code v} for Adam, {@code velocity} for momentum;
   * empty for SGD), each sized for the parameters the optimizer was created for: what a checkpoint
   * saves. Writing into them changes the optimizer. Write between a call to this method and the
   * next step (as a checkpoint's restore does): {@link #stepIfFinite} may bound the state from its
   * own updates since the last call, so it would not see a write made later through a kept array.
   */
  java.util.Map<String, float[]> state();

  /** Sets the iteration count (a checkpoint's restore); Adam's bias correction reads it. */
  void setIterations(long iterations);

  float learningRate();

  /**
   * Changes the learning rate used by later steps (for schedules); state is kept.
   *
   * @throws IllegalArgumentException if {@code learningRate} is NaN, infinite or negative
   */
  void setLearningRate(float learningRate);

  /** Steps taken since construction or the last {@link #reset()}. */
  long iterations();

  /** Zeroes all state and the iteration count, as if newly created (the learning rate stays). */
  void reset();

  /** The optimizer and its current hyperparameters, e.g. {@code Adam(lr=0.001, beta1=0.9, ...)}. */
  String describe();
}
