package dev.kiln.runtime;

import dev.kiln.runtime.internal.CompiledNetwork;
import dev.kiln.runtime.internal.NetworkInfo;

/**
 * Predictions from a snapshot of a model's weights, safe to call from any number of threads at
 * once. The weights are one read-only array shared by all threads; each calling thread gets its own
 * program (buffers sized for the model's maximum batch) on its first call, so the hot path takes no
 * lock and, after that first call, allocates nothing. Results equal the model's own predictions
 * for the same weights, bit for bit.
 */
public final class Inference {
  private final NetworkInfo info;
  private final int inputSize;
  private final int outputSize;
  private final ThreadLocal<CompiledNetwork> programs;
  /** Whether inputs are checked for NaN and infinity, as the model's {@code setInputChecks} said. */
  private final boolean checkInputs;

  Inference(NetworkInfo info, CompiledNetwork.Factory factory, float[] snapshot, int maxBatch, boolean checkInputs) {
    this.info = info;
    this.checkInputs = checkInputs;
    this.inputSize = info.inputs().size() == 1 ? info.inputSize() : -1; // -1: several inputs, not served here
    this.outputSize = info.outputSize();
    this.programs = ThreadLocal.withInitial(() -> factory.create(maxBatch, snapshot));
  }

  public NetworkInfo info() {
    return info;
  }

  /** The prediction for one sample into {@code out} (length outputSize). */
  public void predict(float[] x, float[] out) {
    requireOneInput();
    if (x == null || x.length != inputSize) {
      throw new IllegalArgumentException(
          "input has " + (x == null ? "no" : x.length) + " values, the network takes " + inputSize);
    }
    if (out == null || out.length != outputSize) {
      throw new IllegalArgumentException(
          "output array has " + (out == null ? "no" : out.length) + " values, the network produces " + outputSize);
    }
    checkFinite(x);
    programs.get().predictRows(x, 1, out);
  }

  /** The prediction for one sample (allocates the result). */
  public float[] predict(float[] x) {
    float[] out = new float[outputSize];
    predict(x, out);
    return out;
  }

  /** Predicts {@code n} samples stored row-major in {@code x} into {@code out}, in batches of at most the maximum. */
  public void predict(float[] x, int n, float[] out) {
    requireOneInput();
    if (x == null || n < 0 || (long) n * inputSize != x.length) {
      throw new IllegalArgumentException("input array must hold " + n + " x " + inputSize + " values");
    }
    if (out == null || (long) n * outputSize != out.length) {
      throw new IllegalArgumentException("output array must hold " + n + " x " + outputSize + " values");
    }
    checkFinite(x);
    programs.get().predictRows(x, n, out);
  }

  /** Values per input sample (single-input networks). */
  public int inputSize() {
    requireOneInput();
    return inputSize;
  }

  /** Values per output sample. */
  public int outputSize() {
    return outputSize;
  }

  private void checkFinite(float[] x) {
    if (!checkInputs) {
      return;
    }
    for (int i = 0; i < x.length; i++) {
      if (!Float.isFinite(x[i])) {
        throw new IllegalArgumentException("input has " + x[i] + " at position " + i);
      }
    }
  }

  private void requireOneInput() {
    if (inputSize < 0) {
      throw new UnsupportedOperationException(info.name() + " has " + info.inputs().size()
          + " inputs; serving predicts single-input networks (use the model's predict(List) instead)");
    }
  }
}
