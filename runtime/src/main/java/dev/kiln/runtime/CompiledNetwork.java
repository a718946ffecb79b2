package dev.kiln.runtime;

import java.util.SplittableRandom;

/**
 * The contract between generated code and the runtime. A generated subclass holds every buffer
 * sized for {@link #maxBatch} and implements the forward and backward passes as straight-line
 * calls into the kernels; {@link ModelCore} drives it. Users never call this class.
 */
public abstract class CompiledNetwork {
  /** Largest batch the buffers hold. */
  protected final int maxBatch;
  /** Every parameter of every layer; layers own slices (see {@link TensorSlice}). */
  protected final float[] params;
  /** Gradients, same layout as {@link #params}. */
  protected final float[] grads;
  /** The current batch's inputs, [maxBatch x inputSize], row-major. */
  protected final float[] input;
  /** The current batch's targets, [maxBatch x targetSize]. */
  protected final float[] target;
  /**
   * State of the noise stream that dropout masks and Gaussian noise draw from (see {@code
   * kernels.Noise}); seeded from the model's seed, so training is reproducible.
   */
  protected final long[] noise = new long[1];
  private final int inputWidth;
  private final int outputWidth;

  protected CompiledNetwork(NetworkInfo info, int maxBatch) {
    this(info, maxBatch, null);
  }

  /**
   * With {@code sharedParams} not null, the network reads those parameters (an inference copy
   * that many threads share read-only) and has no gradients; otherwise it owns fresh ones.
   */
  protected CompiledNetwork(NetworkInfo info, int maxBatch, float[] sharedParams) {
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be >= 1, was " + maxBatch);
    }
    if (sharedParams != null && sharedParams.length != info.parameterCount()) {
      throw new IllegalArgumentException(
          "shared parameters have " + sharedParams.length + " values, the network " + info.parameterCount());
    }
    this.maxBatch = maxBatch;
    this.inputWidth = info.inputSize();
    this.outputWidth = info.outputSize();
    this.params = sharedParams != null ? sharedParams : new float[info.parameterCount()];
    this.grads = sharedParams != null ? new float[0] : new float[params.length];
    this.input = new float[Math.multiplyExact(maxBatch, info.inputSize())];
    this.target = new float[Math.multiplyExact(maxBatch, info.targetSize())];
  }

  /** Creates programs of one generated network: how {@link Inference} gets one per thread. */
  @FunctionalInterface
  public interface Factory {
    CompiledNetwork create(int maxBatch, float[] sharedParams);
  }

  /** The network's static description. */
  public abstract NetworkInfo info();

  /**
   * Inference on {@code n} rows of {@code x} ([n x inputSize]) into {@code out} ([n x
   * outputSize]), in batches of at most {@link #maxBatch}. Callers check the arguments.
   */
  final void predictRows(float[] x, int n, float[] out) {
    for (int from = 0; from < n; from += maxBatch) {
      int rows = Math.min(maxBatch, n - from);
      System.arraycopy(x, from * inputWidth, input, 0, rows * inputWidth);
      forward(rows, false);
      System.arraycopy(output(), 0, out, from * outputWidth, rows * outputWidth);
    }
  }

  /** Fills {@link #params} from the declared initializers. */
  protected abstract void initialize(SplittableRandom random);

  /** Runs the layers on the first {@code n} rows of {@link #input}. */
  protected abstract void forward(int n, boolean training);

  /** The buffer holding the last forward pass's outputs, [n x outputSize]. */
  protected abstract float[] output();

  /** The output buffer of layer {@code index} (execution order) after the last forward pass. */
  protected abstract float[] layerOutput(int index);

  /** The mean loss of the last forward pass against {@link #target}. */
  protected abstract double loss(int n);

  /**
   * Computes the loss of the last forward pass (which must have run with {@code training} true) and
   * writes the gradient of every parameter into {@link #grads}.
   *
   * @return the mean loss
   */
  protected abstract double backward(int n);
}
