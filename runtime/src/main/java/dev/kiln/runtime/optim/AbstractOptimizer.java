package dev.kiln.runtime.optim;

import java.util.Objects;

/** The bookkeeping all optimizers share: learning rate, iteration count and range checks. */
abstract class AbstractOptimizer implements Optimizer {
  private final String name;
  final int size;
  float learningRate;
  long iterations;

  AbstractOptimizer(String name, int size, float learningRate) {
    Hyperparameters.checkSize(name, size);
    Hyperparameters.checkLearningRate(name, learningRate);
    this.name = name;
    this.size = size;
    this.learningRate = learningRate;
  }

  @Override
  public final void step(float[] params, float[] grads, int offset, int length) {
    discardStaged();
    Objects.checkFromIndexSize(offset, length, size);
    Objects.checkFromIndexSize(offset, length, params.length);
    Objects.checkFromIndexSize(offset, length, grads.length);
    iterations++;
    update(params, grads, offset, offset + length);
  }

  @Override
  public final void step(float[] params, float[] grads, int[] ranges, int rangeCount) {
    discardStaged();
    for (int r = 0; r < rangeCount; r++) {
      int from = ranges[2 * r];
      int to = ranges[2 * r + 1];
      Objects.checkFromToIndex(from, to, size);
      Objects.checkFromToIndex(from, to, params.length);
      Objects.checkFromToIndex(from, to, grads.length);
    }
    iterations++;
    for (int r = 0; r < rangeCount; r++) {
      update(params, grads, ranges[2 * r], ranges[2 * r + 1]);
    }
  }

  @Override
  public final boolean stepIfFinite(float[] params, float[] grads, int offset, int length) {
    discardStaged();
    Objects.checkFromIndexSize(offset, length, size);
    Objects.checkFromIndexSize(offset, length, params.length);
    Objects.checkFromIndexSize(offset, length, grads.length);
    iterations++;
    if (nonFinite(params, grads, offset, offset + length) < 0) {
      undoStaged();
      iterations--;
      return false;
    }
    update(params, grads, offset, offset + length);
    return true;
  }

  @Override
  public final boolean stepIfFinite(float[] params, float[] grads, int[] ranges, int rangeCount) {
    discardStaged();
    checkRanges(params, grads, ranges, rangeCount);
    iterations++;
    int flags = 0;
    for (int r = 0; r < rangeCount; r++) {
      flags |= nonFinite(params, grads, ranges[2 * r], ranges[2 * r + 1]);
    }
    if (flags < 0) {
      undoStaged();
      iterations--;
      return false;
    }
    for (int r = 0; r < rangeCount; r++) {
      update(params, grads, ranges[2 * r], ranges[2 * r + 1]);
    }
    return true;
  }

  @Override
  public final void step(float[] params, float[] grads, int[] ranges, float[] rateScales, int rangeCount) {
    discardStaged();
    checkRanges(params, grads, ranges, rangeCount);
    iterations++;
    float base = learningRate;
    try {
      for (int r = 0; r < rangeCount; r++) {
        learningRate = base * rateScales[r];
        update(params, grads, ranges[2 * r], ranges[2 * r + 1]);
      }
    } finally {
      learningRate = base;
    }
  }

  @Override
  public final boolean stepIfFinite(float[] params, float[] grads, int[] ranges, float[] rateScales,
      int rangeCount) {
    discardStaged();
    checkRanges(params, grads, ranges, rangeCount);
    iterations++;
    float base = learningRate;
    try {
      int flags = 0;
      for (int r = 0; r < rangeCount; r++) {
        learningRate = base * rateScales[r];
        flags |= nonFinite(params, grads, ranges[2 * r], ranges[2 * r + 1]);
      }
      if (flags < 0) {
        undoStaged();
        iterations--;
        return false;
      }
      for (int r = 0; r < rangeCount; r++) {
        learningRate = base * rateScales[r];
        update(params, grads, ranges[2 * r], ranges[2 * r + 1]);
      }
      return true;
    } finally {
      learningRate = base;
    }
  }

  private void checkRanges(float[] params, float[] grads, int[] ranges, int rangeCount) {
    for (int r = 0; r < rangeCount; r++) {
      int from = ranges[2 * r];
      int to = ranges[2 * r + 1];
      Objects.checkFromToIndex(from, to, size);
      Objects.checkFromToIndex(from, to, params.length);
      Objects.checkFromToIndex(from, to, grads.length);
    }
  }

  @Override
  public final java.util.Map<String, float[]> state() {
    return java.util.Collections.unmodifiableMap(stateArrays());
  }

  /** The state arrays by name, in a stable order. */
  abstract java.util.LinkedHashMap<String, float[]> stateArrays();

  @Override
  public final void setIterations(long iterations) {
    if (iterations < 0) {
      throw new IllegalArgumentException(name + ": iterations must be >= 0, was " + iterations);
    }
    this.iterations = iterations;
  }

  /**
   * Called as every step begins: forgets values a {@link #nonFinite} check staged for the
   * following {@link #update} (an optimizer may compute them once for both), so each step starts
   * clean.
   */
  void discardStaged() {}

  /** Undoes whatever {@link #nonFinite} applied in place for a step that is refused. */
  void undoStaged() {}

  /** Applies one step to {@code [from, to)}; {@link #iterations} already counts it. */
  abstract void update(float[] params, float[] grads, int from, int to);

  /**
   * Computes what {@link #update} would write to {@code [from, to)} (parameters and state, with
   * the very same expressions, so the values are bit-identical) without writing anything, and
   * returns the OR of {@link #finiteFlag} over them: negative when some value would be NaN or
   * infinite. {@link #iterations} already counts the step.
   */
  abstract int nonFinite(float[] params, float[] grads, int from, int to);

  /**
   * Negative for NaN and infinity, non-negative for every finite float: the exponent field plus
   * one exponent unit overflows into the sign bit exactly when the field is all ones. OR-ed over
   * a loop, this is an int OR reduction, which C2 vectorizes (a boolean test per element would
   * be a branch in the loop).
   */
  static int finiteFlag(float value) {
    return (Float.floatToRawIntBits(value) & 0x7f800000) + 0x00800000;
  }

  /** Zeroes the state arrays. */
  abstract void clearState();

  /** The hyperparameters after the learning rate, e.g. {@code ", momentum=0.9"}. */
  abstract String describeHyperparameters();

  @Override
  public final float learningRate() {
    return learningRate;
  }

  @Override
  public final void setLearningRate(float learningRate) {
    Hyperparameters.checkLearningRate(name, learningRate);
    this.learningRate = learningRate;
  }

  @Override
  public final long iterations() {
    return iterations;
  }

  @Override
  public final void reset() {
    iterations = 0;
    clearState();
  }

  @Override
  public final String describe() {
    return name + "(lr=" + Hyperparameters.format(learningRate) + describeHyperparameters() + ")";
  }

  @Override
  public String toString() {
    return describe();
  }

  static String hyperparameter(String name, float value) {
    return ", " + name + "=" + Hyperparameters.format(value);
  }
}
